//! A view's merged groups in report order, each kept as its running totals with
//! its percentiles computed: a group's [`GroupStats`] (maps of strings, a key,
//! formatted times) is written only when it is read, so a report can be
//! rendered group by group without holding every group's statistics at once.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use super::group_keys::KeyTexts;
use super::group_stats::{CostPart, DurationPart, Quantiles, sort_fields, stats};
use super::group_totals::GroupTotals;
use super::model::{GroupStats, InputSummary, REPORT_SCHEMA};
use super::sort::SortFields;
use super::{GroupField, Report, SortKey, ViewSpec};

/// No time bucket.
const NO_BUCKET: i64 = i64::MIN;

/// A view's groups, sorted and cut to `--top`; see the module doc.
#[derive(Default)]
pub struct GroupRows {
    /// Every group's totals (durations and costs freed), in no order.
    cells: Vec<GroupTotals>,
    /// Each cell's percentiles and sums.
    quantiles: Vec<Quantiles>,
    /// Each cell's (key, bucket start) with a time bucket; without one, a
    /// cell's key is its index.
    places: Vec<(u32, i64)>,
    /// The cells in report order.
    order: Vec<u32>,
    /// The static key values.
    keys: KeyTexts,
    /// Each bucket start's RFC 3339 text.
    bucket_texts: HashMap<i64, String>,
    group_by: Vec<GroupField>,
    metric_names: Vec<String>,
    /// Every selected run (at least 1), for the groups' shares.
    all_runs: f64,
}

impl GroupRows {
    /// How many groups.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True without groups.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// A cell's (key, bucket start).
    fn place(&self, cell: u32) -> (u32, i64) {
        self.places
            .get(cell as usize)
            .copied()
            .unwrap_or((cell, NO_BUCKET))
    }

    /// The statistics of the group at `index` (in report order).
    pub fn stats(&self, index: usize) -> GroupStats {
        let cell = self.order[index];
        let (key, bucket) = self.place(cell);
        let at = cell as usize;
        let mut stats = stats(&self.cells[at], &self.quantiles[at], &self.metric_names);
        let mut static_values = self.keys.values(key);
        for field in &self.group_by {
            let value = match field {
                GroupField::Time(_) => self.bucket_text(bucket).to_string(),
                _ => static_values.next().unwrap_or_default().to_string(),
            };
            match field {
                GroupField::Prompt => stats.prompt = Some(value.clone()),
                GroupField::Variant if !value.is_empty() => stats.variant = Some(value.clone()),
                _ => {}
            }
            stats.key.insert(field.name(), value);
        }
        stats.share = stats.runs as f64 / self.all_runs;
        stats
    }

    /// Every group's statistics, in report order.
    pub fn iter(&self) -> impl Iterator<Item = GroupStats> + '_ {
        (0..self.order.len()).map(|index| self.stats(index))
    }

    fn bucket_text(&self, bucket: i64) -> &str {
        self.bucket_texts.get(&bucket).map_or("", String::as_str)
    }

    /// Compares two cells' key texts, field by field.
    fn compare_keys(&self, a: u32, b: u32) -> Ordering {
        let ((a_key, a_bucket), (b_key, b_bucket)) = (self.place(a), self.place(b));
        let (mut a_values, mut b_values) = (self.keys.values(a_key), self.keys.values(b_key));
        for field in &self.group_by {
            let order = match field {
                GroupField::Time(_) => self.bucket_text(a_bucket).cmp(self.bucket_text(b_bucket)),
                _ => a_values
                    .next()
                    .unwrap_or_default()
                    .cmp(b_values.next().unwrap_or_default()),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

/// A signalling NaN that no arithmetic makes: a [`rank`]'s "none".
const NONE: u64 = 0x7ff4_0000_0000_0001;

/// The one number of `fields` that `key` orders by, in 8 bytes (a count, or a
/// float's bits, [`NONE`] for none): a million groups' whole [`SortFields`]
/// took 88 MB after the merge.
fn rank(key: SortKey, fields: &SortFields) -> u64 {
    let float = |value: Option<f64>| value.map_or(NONE, f64::to_bits);
    match key {
        SortKey::Runs | SortKey::Key => fields.runs,
        SortKey::Failures => fields.runs - fields.ok - fields.incomplete,
        SortKey::SuccessRate => float(fields.success_rate),
        SortKey::P95 => float(fields.p95),
        SortKey::Mean => float(fields.mean),
        SortKey::Rating => float(fields.rating),
    }
}

/// Sort fields that compare for `key` as the ones [`rank`] read.
fn unrank(key: SortKey, rank: u64) -> SortFields {
    let float = (rank != NONE).then(|| f64::from_bits(rank));
    let mut fields = SortFields {
        runs: 0,
        ok: 0,
        incomplete: 0,
        success_rate: None,
        p95: None,
        mean: None,
        rating: None,
    };
    match key {
        SortKey::Runs | SortKey::Key | SortKey::Failures => fields.runs = rank,
        SortKey::SuccessRate => fields.success_rate = float,
        SortKey::P95 => fields.p95 = float,
        SortKey::Mean => fields.mean = float,
        SortKey::Rating => fields.rating = float,
    }
    fields
}

/// A view's report (without its groups) and its groups in report order, from
/// its merged cells and, with a time bucket, each cell's (key, bucket start).
pub fn build(
    spec: &ViewSpec,
    mut cells: Vec<GroupTotals>,
    places: Vec<(u32, i64)>,
    keys: KeyTexts,
    metric_names: Vec<String>,
    inputs: InputSummary,
) -> (Report, GroupRows) {
    let (quantiles, totals) = summarize(&cells, &metric_names);
    for cell in &mut cells {
        cell.keep_comments(spec.comments);
        cell.free_values();
    }
    let mut bucket_texts = HashMap::new();
    for &(_, bucket) in &places {
        bucket_texts
            .entry(bucket)
            .or_insert_with(|| super::time::format_ms(bucket));
    }
    let mut groups = GroupRows {
        cells,
        quantiles,
        places,
        order: Vec::new(),
        keys,
        bucket_texts,
        group_by: spec.group_by.clone(),
        metric_names,
        all_runs: totals.runs.max(1) as f64,
    };
    let mut order: Vec<u32> = (0..groups.cells.len() as u32).collect();
    // What the order reads, worked out once per group, not per comparison.
    let ranks: Vec<u64> = groups
        .cells
        .iter()
        .zip(&groups.quantiles)
        .map(|(cell, quantiles)| rank(spec.sort, &sort_fields(cell, quantiles)))
        .collect();
    let fields = |cell: u32| unrank(spec.sort, ranks[cell as usize]);
    // Group keys are unique, so an unstable sort gives the one order.
    order.sort_unstable_by(|&a, &b| {
        super::sort::compare(spec.sort, &fields(a), &fields(b))
            .then_with(|| groups.compare_keys(a, b))
    });
    drop(ranks);
    if let Some(top) = spec.top {
        order.truncate(top);
    }
    groups.order = order;
    let report = Report {
        schema: REPORT_SCHEMA.into(),
        inputs,
        filters: spec.shown_filters.clone(),
        totals,
        groups: Vec::new(),
    };
    (report, groups)
}

/// Groups whose percentiles one thread takes at a time.
const QUANTILE_BLOCK: usize = 256;

/// Every cell's percentiles, and the totals' statistics. The totals'
/// percentiles (of every group's values at once) are about as much work as
/// the groups': a second thread summarizes the totals' durations while this
/// one does their costs, then both take blocks of groups until none is left.
fn summarize(cells: &[GroupTotals], metric_names: &[String]) -> (Vec<Quantiles>, GroupStats) {
    let next = AtomicUsize::new(0);
    let groups = || {
        let mut done = Vec::new();
        loop {
            let from = next.fetch_add(QUANTILE_BLOCK, AtomicOrdering::Relaxed);
            if from >= cells.len() {
                return done;
            }
            let block = &cells[from..(from + QUANTILE_BLOCK).min(cells.len())];
            done.push((from, block.iter().map(Quantiles::of).collect::<Vec<_>>()));
        }
    };
    let (costs, mut blocks, (durations, theirs)) = std::thread::scope(|scope| {
        let durations = scope.spawn(|| {
            let count = cells.iter().map(|cell| cell.value_counts().0).sum();
            let mut all = Vec::with_capacity(count);
            for cell in cells {
                cell.durations_into(&mut all);
            }
            (DurationPart::of(all), groups())
        });
        let count = cells.iter().map(|cell| cell.value_counts().1).sum();
        let mut all = Vec::with_capacity(count);
        for cell in cells {
            cell.costs_into(&mut all);
        }
        let costs = CostPart::of(all);
        let mine = groups();
        let theirs = durations
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (costs, mine, theirs)
    });
    blocks.extend(theirs);
    blocks.sort_unstable_by_key(|(from, _)| *from);
    let quantiles = blocks.into_iter().flat_map(|(_, block)| block).collect();
    let mut total = GroupTotals::default();
    for cell in cells {
        total.absorb_counts(cell);
    }
    let mut totals = stats(
        &total,
        &Quantiles::from_parts(durations, costs),
        metric_names,
    );
    totals.share = if totals.runs > 0 { 1.0 } else { 0.0 };
    (quantiles, totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_order_as_the_sort_fields_do() {
        let values = [
            None,
            Some(f64::NAN),
            Some(-1.0),
            Some(0.0),
            Some(2.5),
            Some(f64::INFINITY),
        ];
        let keys = [
            SortKey::Runs,
            SortKey::Key,
            SortKey::SuccessRate,
            SortKey::P95,
            SortKey::Mean,
            SortKey::Rating,
            SortKey::Failures,
        ];
        let groups: Vec<SortFields> = (0..values.len() as u64)
            .map(|i| SortFields {
                runs: 10 + i * 7 % 5,
                ok: i % 3,
                incomplete: i % 2,
                success_rate: values[i as usize],
                p95: values[(i as usize + 1) % values.len()],
                mean: values[(i as usize + 2) % values.len()],
                rating: values[(i as usize + 3) % values.len()],
            })
            .collect();
        for key in keys {
            for a in &groups {
                for b in &groups {
                    let (ra, rb) = (unrank(key, rank(key, a)), unrank(key, rank(key, b)));
                    assert_eq!(
                        super::super::sort::compare(key, &ra, &rb),
                        super::super::sort::compare(key, a, b),
                        "{key:?}"
                    );
                }
            }
        }
    }
}

//! A view's merged groups in report order, each kept as its running totals with
//! its percentiles computed: a group's [`GroupStats`] (maps of strings, a key,
//! formatted times) is written only when it is read, so a report can be
//! rendered group by group without holding every group's statistics at once.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::group_keys::KeyTexts;
use super::group_stats::{Quantiles, sort_fields, stats};
use super::group_totals::GroupTotals;
use super::model::{GroupStats, InputSummary, REPORT_SCHEMA};
use super::{GroupField, Report, ViewSpec};

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
    let mut total = GroupTotals::default();
    let mut quantiles = Vec::with_capacity(cells.len());
    let mut bucket_texts = HashMap::new();
    for cell in &mut cells {
        total.absorb(cell);
        quantiles.push(Quantiles::of(cell));
        cell.keep_comments(spec.comments);
        cell.free_values();
    }
    for &(_, bucket) in &places {
        bucket_texts
            .entry(bucket)
            .or_insert_with(|| super::time::format_ms(bucket));
    }
    let totals = {
        let mut stats = stats(&total, &Quantiles::of(&total), &metric_names);
        stats.share = if stats.runs > 0 { 1.0 } else { 0.0 };
        stats
    };
    drop(total);
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
    let fields: Vec<_> = groups
        .cells
        .iter()
        .zip(&groups.quantiles)
        .map(|(cell, quantiles)| sort_fields(cell, quantiles))
        .collect();
    // Group keys are unique, so an unstable sort gives the one order.
    order.sort_unstable_by(|&a, &b| {
        super::sort::compare(spec.sort, &fields[a as usize], &fields[b as usize])
            .then_with(|| groups.compare_keys(a, b))
    });
    drop(fields);
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

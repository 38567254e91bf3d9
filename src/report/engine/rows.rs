//! A view's merged groups in report order, each kept as its running totals with
//! its percentiles computed: a group's [`GroupStats`] (maps of strings, a key,
//! formatted times) is written only when it is read, so a report can be
//! rendered group by group without holding every group's statistics at once.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::fold::GroupKey;
use super::group_totals::{GroupTotals, Quantiles};
use super::model::{GroupStats, InputSummary, REPORT_SCHEMA};
use super::{GroupField, Report, ViewSpec};

/// One group: its totals (an index of [`GroupRows::cells`]), percentiles and key.
struct Row {
    cell: u32,
    quantiles: Quantiles,
    /// The group's static key values (an index of [`GroupRows::keys`]).
    key: u32,
    /// The time bucket's start (ms), when grouping by one.
    bucket: i64,
}

/// A view's groups, sorted and cut to `--top`; see the module doc.
#[derive(Default)]
pub struct GroupRows {
    /// Every group's totals (durations and costs freed), in no order.
    cells: Vec<GroupTotals>,
    /// The groups in report order.
    rows: Vec<Row>,
    /// Static key values per key index.
    keys: Vec<GroupKey>,
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
        self.rows.len()
    }

    /// True without groups.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The statistics of the group at `index` (in report order).
    pub fn stats(&self, index: usize) -> GroupStats {
        let row = &self.rows[index];
        let cell = &self.cells[row.cell as usize];
        let mut stats = cell.stats_with(&row.quantiles, &self.metric_names);
        let mut static_values = self.keys[row.key as usize].iter();
        for field in &self.group_by {
            let value = match field {
                GroupField::Time(_) => self.bucket_text(row.bucket).to_string(),
                _ => static_values.next().cloned().unwrap_or_default(),
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
        (0..self.rows.len()).map(|index| self.stats(index))
    }

    fn bucket_text(&self, bucket: i64) -> &str {
        self.bucket_texts.get(&bucket).map_or("", String::as_str)
    }

    /// Compares two groups' key texts, field by field.
    fn compare_keys(&self, a: &Row, b: &Row) -> Ordering {
        let (mut a_values, mut b_values) = (
            self.keys[a.key as usize].iter(),
            self.keys[b.key as usize].iter(),
        );
        for field in &self.group_by {
            let order = match field {
                GroupField::Time(_) => self.bucket_text(a.bucket).cmp(self.bucket_text(b.bucket)),
                _ => {
                    let none = String::new();
                    let a_value = a_values.next().unwrap_or(&none);
                    let b_value = b_values.next().unwrap_or(&none);
                    a_value.cmp(b_value)
                }
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

/// A view's report (without its groups) and its groups in report order, from
/// its merged cells and each cell's (static key index, bucket start).
pub fn build(
    spec: &ViewSpec,
    mut cells: Vec<GroupTotals>,
    places: Vec<(u32, i64)>,
    keys: Vec<GroupKey>,
    metric_names: Vec<String>,
    inputs: InputSummary,
) -> (Report, GroupRows) {
    let mut total = GroupTotals::default();
    let mut rows = Vec::with_capacity(cells.len());
    let mut bucket_texts = HashMap::new();
    let has_bucket = spec.bucket().is_some();
    for (index, (cell, (key, bucket))) in cells.iter_mut().zip(places).enumerate() {
        total.absorb(cell);
        let quantiles = cell.quantiles();
        cell.keep_comments(spec.comments);
        cell.free_values();
        if has_bucket {
            bucket_texts
                .entry(bucket)
                .or_insert_with(|| super::time::format_ms(bucket));
        }
        rows.push(Row {
            cell: index as u32,
            quantiles,
            key,
            bucket,
        });
    }
    let totals = {
        let mut stats = total.stats(&metric_names, 0);
        stats.share = if stats.runs > 0 { 1.0 } else { 0.0 };
        stats
    };
    drop(total);
    let mut groups = GroupRows {
        cells,
        rows: Vec::new(),
        keys,
        bucket_texts,
        group_by: spec.group_by.clone(),
        metric_names,
        all_runs: totals.runs.max(1) as f64,
    };
    // Group keys are unique, so an unstable sort (in place, no copy of the rows)
    // gives the one order.
    let cells = &groups.cells;
    rows.sort_unstable_by(|a, b| {
        let (a_cell, b_cell) = (&cells[a.cell as usize], &cells[b.cell as usize]);
        super::sort::compare(
            spec.sort,
            &a_cell.sort_fields(&a.quantiles),
            &b_cell.sort_fields(&b.quantiles),
        )
        .then_with(|| groups.compare_keys(a, b))
    });
    if let Some(top) = spec.top {
        rows.truncate(top);
    }
    groups.rows = rows;
    let report = Report {
        schema: REPORT_SCHEMA.into(),
        inputs,
        filters: spec.shown_filters.clone(),
        totals,
        groups: Vec::new(),
    };
    (report, groups)
}

//! The report engine: reads JSONL events once and folds them into grouped totals.
//!
//! [`aggregate`] reads every input once and computes several views in that one
//! pass. A view ([`ViewSpec`]) is filters + group-by fields (which may include a
//! time bucket: hour, day or week of the run's start) + sort and top. For instance
//! the dashboard asks, in one call, for the current window by prompt, the previous
//! window by prompt, and runs per prompt per day:
//!
//! ```no_run
//! use promptrun::report::engine::{aggregate, Source, ViewSpec, EngineOptions, GroupField, Bucket};
//! let sources = vec![Source::File("events.jsonl".into())];
//! let now = chrono::Utc::now().timestamp_millis();
//! let week = 7 * 86_400_000;
//! let mut current = ViewSpec::by(vec![GroupField::Prompt]);
//! current.filters.since_ms = Some(now - week);
//! let mut previous = ViewSpec::by(vec![GroupField::Prompt]);
//! previous.filters.since_ms = Some(now - 2 * week);
//! previous.filters.until_ms = Some(now - week);
//! let daily = ViewSpec::by(vec![GroupField::Prompt, GroupField::Time(Bucket::Day)]);
//! let reports = aggregate(&sources, &[current, previous, daily], &EngineOptions::default())?;
//! # Ok::<(), promptrun::error::Error>(())
//! ```
//!
//! Each returned [`Report`] (in the order of the views) is the `promptrun.report/v1`
//! value: `groups` hold one [`GroupStats`] per group with its `key` (field name to
//! value; time buckets as their RFC 3339 start), and `totals` all selected runs.

mod aggregate;
pub mod filter;
mod fold;
mod group_keys;
mod group_parts;
mod group_stats;
mod group_totals;
pub mod input;
mod interner;
mod leftovers;
mod members;
mod merge;
pub mod model;
mod own_layout;
#[cfg(test)]
mod own_layout_props;
pub mod parse;
#[cfg(test)]
mod parse_props;
mod percentile;
mod prefetch;
mod rows;
mod run_id;
mod run_table;
mod run_table_entry;
#[cfg(test)]
mod run_table_props;
mod run_table_slots;
pub mod scan;
mod short_values;
mod sort;
mod template;
#[cfg(test)]
mod template_props;
pub mod time;

use std::collections::BTreeMap;

pub use aggregate::{aggregate, aggregate_rows};
pub use filter::{Filters, GroupField, RunFields, StatusFilter};
pub use input::{Source, expand};
pub use model::{GroupStats, REPORT_SCHEMA, Report};
pub use rows::GroupRows;
pub use time::Bucket;

/// How groups are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Most runs first.
    #[default]
    Runs,
    /// By group key, A to Z (time buckets oldest first).
    Key,
    /// Lowest success rate first.
    SuccessRate,
    /// Slowest p95 first.
    P95,
    /// Slowest mean first.
    Mean,
    /// Best mean rating first.
    Rating,
    /// Most failed runs (error, signal, timeout, spawn_failed) first.
    Failures,
}

/// One view to compute: which runs, grouped how, in which order.
#[derive(Debug, Clone, Default)]
pub struct ViewSpec {
    pub filters: Filters,
    /// Group-by fields; empty means one group of everything.
    pub group_by: Vec<GroupField>,
    pub sort: SortKey,
    /// Keep only the first N groups after sorting (totals still count every group).
    pub top: Option<usize>,
    /// Keep this many latest comments per group (0: none).
    pub comments: usize,
    /// The filters as the user gave them, copied to `Report.filters`.
    pub shown_filters: BTreeMap<String, serde_json::Value>,
}

impl ViewSpec {
    /// A view of every run, grouped by `group_by`, most runs first.
    pub fn by(group_by: Vec<GroupField>) -> Self {
        ViewSpec {
            group_by,
            ..ViewSpec::default()
        }
    }

    /// The group-by fields that are not a time bucket.
    pub fn static_fields(&self) -> impl Iterator<Item = &GroupField> {
        self.group_by
            .iter()
            .filter(|f| !matches!(f, GroupField::Time(_)))
    }

    /// The time bucket, when grouping by one (the first wins).
    pub fn bucket(&self) -> Option<Bucket> {
        self.group_by.iter().find_map(|f| match f {
            GroupField::Time(bucket) => Some(*bucket),
            _ => None,
        })
    }
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Parsing threads (besides the reader).
    pub workers: usize,
    /// Show a progress bar on stderr (the caller checks it is a terminal).
    pub progress: bool,
    /// Read lines through the parser's fast paths: promptrun's own layout
    /// (`own_layout.rs`) and the line shapes learned from other writers
    /// (`template.rs`). Off, every line takes the general parser, with the same
    /// results: a switch to trace a wrong number to a fast path or away from it.
    pub own_layout: bool,
}

/// The variable that switches the parser's fast paths off (any value but empty,
/// `0`, `false` or `no`).
pub const NO_FAST_PARSE: &str = "PROMPTRUN_NO_FAST_PARSE";

impl Default for EngineOptions {
    /// Every core up to four, no progress bar, and the fast paths unless
    /// `PROMPTRUN_NO_FAST_PARSE` switches it off.
    fn default() -> Self {
        let no_fast_parse = std::env::var(NO_FAST_PARSE)
            .is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false" | "no"));
        EngineOptions {
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4)),
            progress: false,
            own_layout: !no_fast_parse,
        }
    }
}

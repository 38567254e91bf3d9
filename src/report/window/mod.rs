//! The time window a report covers, and the previous window of the same length
//! that dashboards, trends and alerts compare it with.

pub mod views;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::record::event::timestamp;
use crate::report::engine::time::{Bucket, format_ms, parse_ts_ms};

/// The most buckets a time chart fills in; past it only the buckets with runs show
/// (a window reaching back years in hours would be millions of empty columns).
pub const MAX_FILLED_BUCKETS: usize = 20_000;

/// The most columns a time chart draws; more buckets are summed in groups.
pub const MAX_COLUMNS: usize = 200;

/// `[start, end)`; no start means "from the first event".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start, or none for everything before `end`.
    pub start: Option<DateTime<Utc>>,
    /// Exclusive end.
    pub end: DateTime<Utc>,
}

impl Window {
    /// The window right before this one, of the same length; none when this one
    /// has no start (it already reaches back to the first event).
    pub fn previous(&self) -> Option<Window> {
        let start = self.start?;
        let length = self.end - start;
        Some(Window {
            start: Some(start - length),
            end: start,
        })
    }

    /// Its length, when it has a start.
    pub fn length(&self) -> Option<Duration> {
        self.start.map(|start| self.end - start)
    }

    /// Whether `at` falls inside.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start.is_none_or(|start| at >= start) && at < self.end
    }

    /// The serialisable form, RFC 3339 timestamps.
    pub fn label(&self) -> WindowLabel {
        WindowLabel {
            start: self.start.map(timestamp),
            end: timestamp(self.end),
        }
    }
}

/// A window as reports print it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WindowLabel {
    /// Inclusive start (RFC 3339), or null for "from the first event".
    pub start: Option<String>,
    /// Exclusive end (RFC 3339).
    pub end: String,
}

/// `2026-11-24T10:15:02.123Z` as `2026-11-24 10:15` (other text unchanged).
pub fn minutes(timestamp: &str) -> String {
    match (timestamp.get(..10), timestamp.get(11..16)) {
        (Some(date), Some(time)) if timestamp.as_bytes().get(10) == Some(&b'T') => {
            format!("{date} {time}")
        }
        _ => timestamp.to_string(),
    }
}

impl std::fmt::Display for WindowLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.start {
            Some(start) => write!(f, "{} to {} UTC", minutes(start), minutes(&self.end)),
            None => write!(f, "all runs until {} UTC", minutes(&self.end)),
        }
    }
}

/// The bucket kind of its name (`hour`, `day`, `week`), as reports print it.
pub fn bucket_named(name: &str) -> Option<Bucket> {
    [Bucket::Hour, Bucket::Day, Bucket::Week]
        .into_iter()
        .find(|bucket| bucket.name() == name)
}

/// Every bucket start, labelled as the engine labels them, from the window's
/// start (or the first bucket with runs) through the bucket holding the
/// window's last instant, so a time chart shows quiet buckets as zero instead
/// of leaving them out. `present` are the buckets with runs, in order; they are
/// returned as they are when the window cannot be read or would need more than
/// [`MAX_FILLED_BUCKETS`].
pub fn fill_buckets(present: &[String], window: &WindowLabel, bucket: &str) -> Vec<String> {
    let ms = |text: &str| parse_ts_ms(text.as_bytes());
    let (Some(kind), Some(end)) = (bucket_named(bucket), ms(&window.end)) else {
        return present.to_vec();
    };
    let first_run = present.first().and_then(|b| ms(b));
    let last_run = present.last().and_then(|b| ms(b));
    let last = kind.start(last_run.map_or(end - 1, |run| run.max(end - 1)));
    let window_start = window.start.as_deref().and_then(ms);
    // One column per bucket from the window's start, else from the first run, to the
    // window's end. When neither fits in MAX_COLUMNS (old logs under `--since 10y`),
    // the runs' own span: from the window start they would be summed into a column
    // or two at one end.
    for from in [window_start, first_run].into_iter().flatten() {
        if let Some(filled) = every_bucket(kind, kind.start(from), last)
            && filled.len() <= MAX_COLUMNS
        {
            return filled;
        }
    }
    if let (Some(first), Some(last_run)) = (first_run, last_run)
        && let Some(filled) = every_bucket(kind, kind.start(first), kind.start(last_run))
    {
        return filled;
    }
    let starts = [window_start, first_run];
    for from in starts.into_iter().flatten() {
        if let Some(filled) = every_bucket(kind, kind.start(from), last) {
            return filled;
        }
    }
    present.to_vec()
}

/// Bucket starts from `from` through `last`; none when there would be too many.
fn every_bucket(kind: Bucket, from: i64, last: i64) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut at = from;
    while at <= last {
        if out.len() == MAX_FILLED_BUCKETS {
            return None;
        }
        out.push(format_ms(at));
        // The start of the next bucket: past the longest bucket (a week), then back.
        let step = match kind {
            Bucket::Hour => 3_600_000,
            Bucket::Day => 86_400_000,
            Bucket::Week => 7 * 86_400_000,
        };
        at = kind.start(at.checked_add(step)?);
    }
    Some(out)
}

/// Sums runs of adjacent buckets in groups so at most `max` columns remain:
/// the group's first bucket labels it. Returns how many buckets one column holds.
pub fn coarsen(
    buckets: &[String],
    series: &mut [(String, Vec<f64>)],
    max: usize,
) -> (Vec<String>, usize) {
    let per_column = buckets.len().div_ceil(max.max(1)).max(1);
    if per_column == 1 {
        return (buckets.to_vec(), 1);
    }
    for (_, values) in series.iter_mut() {
        *values = values.chunks(per_column).map(|c| c.iter().sum()).collect();
    }
    let labels = buckets.iter().step_by(per_column).cloned().collect();
    (labels, per_column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_buckets_are_filled_from_the_window_start_to_its_end() {
        let window = WindowLabel {
            start: Some("2026-11-20T00:00:00.000Z".into()),
            end: "2026-11-24T00:00:00.000Z".into(),
        };
        let present = vec!["2026-11-21T00:00:00.000Z".to_string()];
        let filled = fill_buckets(&present, &window, "day");
        assert_eq!(
            filled,
            [
                "2026-11-20T00:00:00.000Z",
                "2026-11-21T00:00:00.000Z",
                "2026-11-22T00:00:00.000Z",
                "2026-11-23T00:00:00.000Z"
            ]
        );
        let open = WindowLabel {
            start: None,
            ..window
        };
        assert_eq!(fill_buckets(&present, &open, "day").len(), 3);
        let far = WindowLabel {
            start: Some("1970-01-01T00:00:00.000Z".into()),
            end: "2026-11-24T00:00:00.000Z".into(),
        };
        assert_eq!(
            fill_buckets(&present, &far, "hour").len(),
            3 * 24,
            "too many hours from 1970: from the first run instead"
        );
    }

    #[test]
    fn old_logs_under_a_long_window_keep_their_own_columns() {
        // `--since 10y` over a week of logs from last year: one column per day of
        // the runs, not 3650 days summed 19 to a column.
        let window = WindowLabel {
            start: Some("2016-11-24T00:00:00.000Z".into()),
            end: "2026-11-24T00:00:00.000Z".into(),
        };
        let present: Vec<String> = (10..17)
            .map(|day| format!("2025-06-{day}T00:00:00.000Z"))
            .collect();
        let filled = fill_buckets(&present, &window, "day");
        assert_eq!(filled, present);
        // A window that fits stays whole, quiet days included.
        let week = WindowLabel {
            start: Some("2025-06-08T00:00:00.000Z".into()),
            end: "2025-06-20T00:00:00.000Z".into(),
        };
        let filled = fill_buckets(&present, &week, "day");
        assert_eq!(filled.len(), 12);
        assert_eq!(filled[0], "2025-06-08T00:00:00.000Z");
    }

    #[test]
    fn coarsening_sums_adjacent_buckets_into_at_most_max_columns() {
        let buckets: Vec<String> = (0..720).map(|i| format!("b{i:03}")).collect();
        let mut series = vec![("p".to_string(), vec![1.0; 720])];
        let (labels, per_column) = coarsen(&buckets, &mut series, MAX_COLUMNS);
        assert_eq!(per_column, 4);
        assert_eq!(labels.len(), 180);
        assert_eq!(labels[1], "b004");
        assert_eq!(series[0].1.len(), 180);
        assert!(series[0].1.iter().all(|v| *v == 4.0));
    }

    #[test]
    fn the_previous_window_has_the_same_length_and_ends_where_this_starts() {
        let end: DateTime<Utc> = "2026-11-24T00:00:00Z".parse().unwrap();
        let window = Window {
            start: Some(end - Duration::days(7)),
            end,
        };
        let previous = window.previous().unwrap();
        assert_eq!(previous.end, end - Duration::days(7));
        assert_eq!(previous.length(), Some(Duration::days(7)));
        assert!(window.contains(end - Duration::seconds(1)));
        assert!(!window.contains(end));
        assert!(!previous.contains(end - Duration::days(7)));
        assert_eq!(Window { start: None, end }.previous(), None);
    }
}

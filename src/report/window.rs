//! The time window a report covers, and the previous window of the same length
//! that dashboards, trends and alerts compare it with.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::event::timestamp;

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

#[cfg(test)]
mod tests {
    use super::*;

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

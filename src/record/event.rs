//! The event schema, version 1: the public contract of the JSONL logs.
//!
//! One JSON object per line. Every event repeats `prompt` and `variant`, so files
//! can be merged and aggregated in any order without joins. Fields are only ever
//! added, with defaults; none is renamed or removed. `config/events.schema.json`
//! is the machine-readable form of this module.
//!
//! The order of the fields in [`RunStart`], [`RunEnd`] and [`Feedback`] is the
//! order their lines are written in, and it is what the report parser's fast path
//! (`src/report/engine/own_layout.rs`) matches, key by key. Reordering, renaming
//! or adding a field here sends promptrun's own logs to the general parser (same
//! numbers, slower) until that file matches again; its tests
//! (`own_layout_props.rs`) fail until then.

use std::collections::BTreeMap;

use serde::Serialize;

/// The schema version written in every event's `v`.
pub const SCHEMA_VERSION: u32 = 1;

/// A timestamp as events write it: RFC 3339, UTC, milliseconds (`2026-11-24T10:15:02.123Z`).
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Written before the command is spawned.
#[derive(Debug, Clone, Serialize)]
pub struct RunStart {
    /// Schema version (1).
    pub v: u32,
    /// Always "run_start".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When the event was written.
    pub ts: String,
    /// The run's id, a UUID v7 (time-sortable).
    pub run_id: String,
    /// The resolved prompt name.
    pub prompt: String,
    /// The chosen variant, or null.
    pub variant: Option<String>,
    /// The name as typed.
    pub requested: String,
    /// "name", "alias", "route" or "adhoc".
    pub resolution: &'static str,
    /// The prompt file as written in the config, or null.
    pub prompt_file: Option<String>,
    /// SHA-256 of the prompt file's bytes (the prompt's version), or null.
    pub prompt_sha256: Option<String>,
    /// The program's base name only.
    pub command: String,
    /// The arguments, secrets redacted; only when logging.log_args is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Salted SHA-256 of the user name.
    pub user: String,
    /// Salted SHA-256 of the host name.
    pub host: String,
    /// `--tag KEY=VALUE` pairs.
    pub tags: BTreeMap<String, String>,
    /// The promptrun version that wrote the event.
    pub promptrun: &'static str,
    /// How the variant was picked; absent for prompts without variants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<Selection>,
}

/// How a run's variant was picked (`selection` of run_start, copied to run_end):
/// the strategy, the chosen variant's probability and every variant's, so
/// estimates can weight runs by it and the split can be checked against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// "fixed", "weighted", "sticky", "best", "bandit", or "forced" (`--variant`).
    pub strategy: &'static str,
    /// The probability the chosen variant had, in (0, 1].
    pub p: f64,
    /// Every variant's probability.
    pub probs: BTreeMap<String, f64>,
    /// The allocation period: the router's probabilities stay constant within
    /// one (0 for strategies that do not learn).
    pub period: u64,
}

/// How a run ended (`status` of run_end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Exit code 0.
    Ok,
    /// A non-zero exit code.
    Error,
    /// Killed by a signal.
    Signal,
    /// Stopped by promptrun after `--timeout`.
    Timeout,
    /// Could not be started (not found, not executable).
    SpawnFailed,
}

/// Written once the command is gone. Repeats the run_start fields reports group
/// and filter by, so a report can work from run_end lines alone.
#[derive(Debug, Clone, Serialize)]
pub struct RunEnd {
    /// Schema version (1).
    pub v: u32,
    /// Always "run_end".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When the event was written.
    pub ts: String,
    /// The run's id (same as its run_start).
    pub run_id: String,
    /// The resolved prompt name.
    pub prompt: String,
    /// The chosen variant, or null.
    pub variant: Option<String>,
    /// Wall time from spawn to exit on a monotonic clock, in milliseconds.
    pub duration_ms: f64,
    /// "ok", "error", "signal", "timeout" or "spawn_failed".
    pub status: RunStatus,
    /// The exit code, or null when there is none (signal, spawn failure).
    pub exit_code: Option<i32>,
    /// The signal that ended the command, or null.
    pub signal: Option<i32>,
    /// Custom metrics the command wrote to $PROMPTRUN_METRICS_FILE.
    pub metrics: BTreeMap<String, f64>,
    /// Whether promptrun asked for a rating after this run.
    pub feedback_asked: bool,
    /// Copied from run_start: the prompt's version.
    pub prompt_sha256: Option<String>,
    /// Copied from run_start.
    pub resolution: &'static str,
    /// Copied from run_start.
    pub command: String,
    /// Copied from run_start.
    pub user: String,
    /// Copied from run_start.
    pub host: String,
    /// Copied from run_start.
    pub tags: BTreeMap<String, String>,
    // Fields added after the first release come last, in this order, and only
    // when known: reports read promptrun's own layout on a fast path that
    // expects exactly this order (`report/engine/own_layout.rs`).
    /// The model the run used: the command's `model=` metric, else `--model`,
    /// else the config's. Absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Who served the model: the command's `provider=` metric, else the config's,
    /// else the price table's. Absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// What the run cost in USD. Absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// "reported" (the command's `cost_usd` metric) or "computed" (token metrics
    /// at a price table's prices). Absent without a cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_source: Option<&'static str>,
    /// SHA-256 of the price entry that computed `cost_usd`. Absent unless computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pricing_sha256: Option<String>,
    /// Copied from run_start: how the variant was picked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<Selection>,
}

/// How a run ended, as the child process told it.
#[derive(Debug, Clone, Copy)]
pub struct Ending {
    /// When the command was gone.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Spawn to exit, monotonic.
    pub duration: std::time::Duration,
    /// The outcome.
    pub status: RunStatus,
    /// The exit code, when there is one.
    pub exit_code: Option<i32>,
    /// The signal that ended the command, when one did.
    pub signal: Option<i32>,
}

impl RunEnd {
    /// The run_end of `start`: the fields reports group and filter by come from
    /// the run_start, so the two events can never disagree about them.
    pub fn from_start(
        start: &RunStart,
        ending: Ending,
        metrics: BTreeMap<String, f64>,
        feedback_asked: bool,
    ) -> Self {
        RunEnd {
            v: SCHEMA_VERSION,
            kind: "run_end",
            ts: timestamp(ending.at),
            run_id: start.run_id.clone(),
            prompt: start.prompt.clone(),
            variant: start.variant.clone(),
            duration_ms: ending.duration.as_secs_f64() * 1000.0,
            status: ending.status,
            exit_code: ending.exit_code,
            signal: ending.signal,
            metrics,
            feedback_asked,
            prompt_sha256: start.prompt_sha256.clone(),
            resolution: start.resolution,
            command: start.command.clone(),
            user: start.user.clone(),
            host: start.host.clone(),
            tags: start.tags.clone(),
            model: None,
            provider: None,
            cost_usd: None,
            cost_source: None,
            pricing_sha256: None,
            selection: start.selection.clone(),
        }
    }
}

/// A rating of a run, given at the prompt after the run or later with `promptrun rate`.
#[derive(Debug, Clone, Serialize)]
pub struct Feedback {
    /// Schema version (1).
    pub v: u32,
    /// Always "feedback".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When the rating was given.
    pub ts: String,
    /// The rated run.
    pub run_id: String,
    /// The rated run's prompt.
    pub prompt: String,
    /// The rated run's variant.
    pub variant: Option<String>,
    /// Copied from the run: the prompt's version.
    pub prompt_sha256: Option<String>,
    /// 1 to 5.
    pub rating: u8,
    /// An optional comment.
    pub comment: Option<String>,
    /// "prompt" (asked after the run) or "cli" (`promptrun rate`).
    pub source: &'static str,
    /// Salted SHA-256 of the user who rated.
    pub user: String,
}

/// The `ts` of a serialised event line, when it has a valid one.
pub fn line_timestamp(line: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    #[derive(serde::Deserialize)]
    struct Stamp<'a> {
        #[serde(borrow)]
        ts: Option<&'a str>,
    }
    let stamp: Stamp = serde_json::from_slice(line).ok()?;
    chrono::DateTime::parse_from_rfc3339(stamp.ts?)
        .ok()
        .map(|at| at.to_utc())
}

/// Serialises an event as one line ending in `\n`, ready for a single write.
pub fn to_line<T: Serialize>(event: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(event).expect("events always serialise");
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_knows_its_own_day() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T23:59:59.999Z")
            .unwrap()
            .to_utc();
        let line = to_line(&serde_json::json!({"v": 1, "ts": timestamp(at)}));
        assert_eq!(line_timestamp(&line), Some(at));
        assert_eq!(line_timestamp(b"{\"v\":1}\n"), None);
    }
}

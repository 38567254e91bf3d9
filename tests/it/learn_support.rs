//! Logs for compare and recommend: bulk runs written as JSONL with the crate's
//! own event types (fast), outcomes drawn from a seeded generator per arm.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use promptrun::learn::rng::Rng;
use promptrun::record::event::{
    Ending, Feedback, RunEnd, RunStart, RunStatus, SCHEMA_VERSION, timestamp, to_line,
};

/// One simulated arm: how many runs, how often they succeed, how they are rated.
pub struct ArmSpec<'a> {
    pub prompt: &'a str,
    pub variant: Option<&'a str>,
    pub version: &'a str,
    pub runs: usize,
    pub success: f64,
    /// Share of runs rated.
    pub rated: f64,
    /// Weights of 1..5 stars.
    pub stars: [f64; 5],
    pub ms: f64,
}

/// Writes the arms' runs, interleaved over the last `days` days, to `path`.
/// Each rating a feedback event; `feedback_asked` on every run.
pub fn write_log(path: &Path, arms: &[ArmSpec], days: i64, seed: u64) {
    write_log_between(path, arms, days, 0, seed)
}

/// Like [`write_log`], from `from_days` ago to `to_days` ago.
pub fn write_log_between(path: &Path, arms: &[ArmSpec], from_days: i64, to_days: i64, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut out = std::fs::File::create(path).unwrap();
    let total: usize = arms.iter().map(|a| a.runs).sum();
    let now = chrono::Utc::now() - chrono::Duration::minutes(5) - chrono::Duration::days(to_days);
    let start = now - chrono::Duration::days(from_days - to_days);
    let step = (now - start) / total.max(1) as i32;
    let mut left: Vec<usize> = arms.iter().map(|a| a.runs).collect();
    for i in 0..total {
        let weights: Vec<f64> = left.iter().map(|&n| n as f64).collect();
        let k = rng.categorical(&weights);
        left[k] -= 1;
        let arm = &arms[k];
        let at = start + step * i as i32;
        let run_id = format!("{:08x}-0000-7000-8000-{:012x}", seed as u32, i);
        let run_start = RunStart {
            v: SCHEMA_VERSION,
            kind: "run_start",
            ts: timestamp(at),
            run_id: run_id.clone(),
            prompt: arm.prompt.into(),
            variant: arm.variant.map(str::to_string),
            requested: arm.prompt.into(),
            resolution: "name",
            prompt_file: Some(format!("{}.md", arm.prompt)),
            prompt_sha256: Some(arm.version.into()),
            command: "sh".into(),
            args: None,
            user: "u".repeat(64),
            host: "h".repeat(64),
            tags: BTreeMap::new(),
            promptrun: "0.1.0",
            selection: None,
        };
        let ok = rng.bernoulli(arm.success);
        let ms = arm.ms * (1.0 + 0.2 * rng.uniform());
        let end = RunEnd::from_start(
            &run_start,
            Ending {
                at: at + chrono::Duration::milliseconds(ms as i64),
                duration: std::time::Duration::from_secs_f64(ms / 1000.0),
                status: if ok { RunStatus::Ok } else { RunStatus::Error },
                exit_code: Some(if ok { 0 } else { 1 }),
                signal: None,
            },
            BTreeMap::new(),
            true,
        );
        out.write_all(&to_line(&run_start)).unwrap();
        out.write_all(&to_line(&end)).unwrap();
        if rng.bernoulli(arm.rated) {
            let stars = rng.categorical(&arm.stars) as u8 + 1;
            let feedback = Feedback {
                v: SCHEMA_VERSION,
                kind: "feedback",
                ts: timestamp(at + chrono::Duration::seconds(30)),
                run_id,
                prompt: arm.prompt.into(),
                variant: arm.variant.map(str::to_string),
                prompt_sha256: Some(arm.version.into()),
                rating: stars,
                comment: None,
                source: "cli",
                user: "u".repeat(64),
            };
            out.write_all(&to_line(&feedback)).unwrap();
        }
    }
}

/// A version hash of 64 hex digits from a short tag.
pub fn version(tag: &str) -> String {
    format!("{tag:0>64}")
}

/// The prompt_sha256 promptrun logs for a file's text.
pub fn sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Ratings like docs/statistics.md's arm A (mean 3.72).
pub const BASE: [f64; 5] = [0.06, 0.10, 0.20, 0.34, 0.30];
/// Clearly better (mean about 4.5).
pub const BETTER: [f64; 5] = [0.01, 0.02, 0.07, 0.25, 0.65];

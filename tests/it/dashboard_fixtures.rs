//! Event logs with known numbers, written line by line in the v1 schema.

#![allow(dead_code)]

use serde_json::json;

/// One run: its start, its end (unless incomplete) and its rating (if any).
#[derive(Debug, Clone)]
pub struct FixtureRun {
    pub prompt: String,
    pub variant: Option<String>,
    /// RFC 3339 start.
    pub ts: String,
    pub duration_ms: f64,
    /// `ok`, `error`, ... or `incomplete` for a run_start with no run_end.
    pub status: &'static str,
    pub rating: Option<u8>,
    /// Whether the rating was asked (participation's denominator).
    pub asked: bool,
}

impl FixtureRun {
    pub fn ok(prompt: &str, ts: &str, duration_ms: f64) -> Self {
        FixtureRun {
            prompt: prompt.into(),
            variant: None,
            ts: ts.into(),
            duration_ms,
            status: "ok",
            rating: None,
            asked: false,
        }
    }

    pub fn status(mut self, status: &'static str) -> Self {
        self.status = status;
        self
    }

    pub fn rated(mut self, rating: u8) -> Self {
        self.rating = Some(rating);
        self.asked = true;
        self
    }

    pub fn asked(mut self) -> Self {
        self.asked = true;
        self
    }

    pub fn variant(mut self, variant: &str) -> Self {
        self.variant = Some(variant.into());
        self
    }
}

/// The JSONL lines of `runs`, run ids numbered from `first_id`.
pub fn jsonl(runs: &[FixtureRun]) -> String {
    let mut out = String::new();
    for (index, run) in runs.iter().enumerate() {
        let id = format!("0192f3a1-0000-7000-8000-{index:012}");
        let common = json!({"v": 1, "ts": run.ts, "run_id": id, "prompt": run.prompt, "variant": run.variant});
        let mut start = common.clone();
        start["type"] = json!("run_start");
        for (key, value) in [
            ("requested", json!(run.prompt)),
            ("resolution", json!("name")),
            ("prompt_file", json!(null)),
            ("prompt_sha256", json!(null)),
            ("command", json!("llm")),
            ("user", json!("u1")),
            ("host", json!("h1")),
            ("tags", json!({})),
            ("promptrun", json!("0.1.0")),
        ] {
            start[key] = value;
        }
        out.push_str(&start.to_string());
        out.push('\n');
        if run.status == "incomplete" {
            continue;
        }
        let mut end = common.clone();
        end["type"] = json!("run_end");
        end["ts"] = json!(after(&run.ts, run.duration_ms));
        for (key, value) in [
            ("duration_ms", json!(run.duration_ms)),
            ("status", json!(run.status)),
            ("exit_code", json!(if run.status == "ok" { 0 } else { 1 })),
            ("signal", json!(null)),
            ("metrics", json!({})),
            ("feedback_asked", json!(run.asked)),
            ("prompt_sha256", json!(null)),
            ("resolution", json!("name")),
            ("command", json!("llm")),
            ("user", json!("u1")),
            ("host", json!("h1")),
            ("tags", json!({})),
        ] {
            end[key] = value;
        }
        out.push_str(&end.to_string());
        out.push('\n');
        if let Some(rating) = run.rating {
            let mut feedback = common.clone();
            feedback["type"] = json!("feedback");
            for (key, value) in [
                ("prompt_sha256", json!(null)),
                ("rating", json!(rating)),
                ("comment", json!("<b>hi</b>")),
                ("source", json!("prompt")),
                ("user", json!("u1")),
            ] {
                feedback[key] = value;
            }
            out.push_str(&feedback.to_string());
            out.push('\n');
        }
    }
    out
}

/// `ts` plus `millis`, as an event timestamp (a run_end is written when the run ends).
pub fn after(ts: &str, millis: f64) -> String {
    let start: chrono::DateTime<chrono::Utc> = ts.parse().expect("fixture timestamp");
    let end = start + chrono::Duration::milliseconds(millis.ceil() as i64);
    end.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `day` (1-28) of November 2026 at `hour`:`minute`.
pub fn nov(day: u32, hour: u32, minute: u32) -> String {
    format!("2026-11-{day:02}T{hour:02}:{minute:02}:00.000Z")
}

/// The two prompt names that would run script if they were not escaped.
pub const HOSTILE: [&str; 2] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
];

/// A variant name that would run script if it were not escaped.
pub const HOSTILE_VARIANT: &str = "<svg onload=alert(2)>";

/// A busy two-week log: several prompts (two hostile), variants, failures, ratings.
pub fn busy_log() -> String {
    let mut runs = Vec::new();
    let prompts = ["summarize", "review", "explain", HOSTILE[0], HOSTILE[1]];
    for day in 10..24u32 {
        for (p, prompt) in prompts.iter().enumerate() {
            for n in 0..(2 + (day as usize + p) % 4) {
                let minute = (n * 7 + p) as u32 % 60;
                let mut run = FixtureRun::ok(
                    prompt,
                    &nov(day, 9 + n as u32 % 8, minute),
                    300.0 + 150.0 * (p + n) as f64,
                );
                if (n + p + day as usize).is_multiple_of(9) {
                    run = run.status("error");
                }
                if n.is_multiple_of(2) {
                    run = run.rated(1 + ((n + p + day as usize) % 5) as u8);
                }
                if *prompt == "summarize" {
                    run = run.variant(if n % 3 == 0 {
                        HOSTILE_VARIANT
                    } else {
                        "bullets"
                    });
                }
                runs.push(run);
            }
        }
    }
    jsonl(&runs)
}

//! A deterministic generator of realistic promptrun event logs, for the report
//! benchmark (benches/report.sh).
//!
//! `cargo run --release --example gen_logs -- OUT.jsonl SIZE_MIB [SEED] [--layout own|other|lean]
//!  [--prompts N] [--tickets N]`
//!
//! Hundreds of prompts and variants, tags, metrics, users and hosts; run_start,
//! run_end and feedback events slightly interleaved as concurrent runs write them;
//! about 2% incomplete runs, 0.5% duplicated events, re-ratings, and a few
//! malformed lines (truncated, not JSON, unknown type, future version).
//!
//! Events are written through promptrun's own event types (`promptrun::record::event`),
//! so the log is exactly what promptrun writes, and follows the schema when it changes.
//! `--layout other` writes the same events as another writer might, which the
//! report parser reads on its general path instead of the fast path for its own
//! layout: keys in another order (sorted), the fields reports do not read left out,
//! and whole numbers without a fraction (`1`, not `1.0`). `--layout lean` is the
//! other layout without the user, host, command and prompt hash either, as a `jq`
//! pipeline that keeps only what it needs might write: lines half as long, about
//! 4 M of them per GiB (the user counts of its reports differ). SIZE_MIB counts the
//! events as promptrun would write them, so both layouts of a seed hold the same
//! events and give the same report.
//!
//! `--prompts N` (default 400) sets how many prompts there are, and `--tickets N`
//! (default 0: none) adds a `ticket` tag to every run with one of N values, for
//! logs like a team's year of work (benches/team_year.sh). With the defaults the
//! output is the same as without the options.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};

use promptrun::record::event::{Feedback, RunEnd, RunStart, RunStatus, timestamp, to_line};
use serde_json::Value;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

fn hex64(rng: &mut Rng) -> String {
    (0..4).map(|_| format!("{:016x}", rng.next())).collect()
}

/// An event `ts` for a time in milliseconds since the epoch.
fn ts(ms: i64) -> String {
    timestamp(chrono::DateTime::from_timestamp_millis(ms).expect("a time in range"))
}

/// `value` rounded to `digits` decimals, as the old text generator printed them.
fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

struct Prompt {
    name: String,
    variants: Vec<String>,
    sha: String,
    command: &'static str,
    median_ms: f64,
}

/// How the lines are laid out.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// As promptrun writes them.
    Own,
    /// As another writer might: see the module docs.
    Other,
    /// The other layout without the fields a lean pipeline drops: see the module docs.
    Lean,
}

/// Fields the lean layout leaves out besides [`UNREAD`].
const LEAN_DROPS: [&str; 4] = ["user", "host", "command", "prompt_sha256"];

/// Fields of promptrun's events that reports do not read, left out by `--layout other`.
const UNREAD: [&str; 6] = [
    "requested",
    "prompt_file",
    "promptrun",
    "exit_code",
    "signal",
    "source",
];

/// One of promptrun's lines (with its newline) in the other layout; a line that
/// is not a JSON object (the malformed ones) stays as it is.
fn other_layout(line: &[u8], lean: bool) -> Vec<u8> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(line) else {
        return line.to_vec();
    };
    let mut members: Vec<(String, Value)> = map
        .into_iter()
        .filter(|(key, _)| !UNREAD.contains(&key.as_str()))
        .filter(|(key, _)| !(lean && LEAN_DROPS.contains(&key.as_str())))
        .map(|(key, value)| (key, whole_numbers(value)))
        .collect();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(line.len());
    out.push(b'{');
    for (n, (key, value)) in members.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, key).expect("a string serialises");
        out.push(b':');
        serde_json::to_writer(&mut out, value).expect("a value serialises");
    }
    out.extend_from_slice(b"}\n");
    out
}

/// `value` with every whole float written as an integer (`1`, not `1.0`).
fn whole_numbers(value: Value) -> Value {
    match value {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, whole_numbers(value)))
                .collect(),
        ),
        other => other,
    }
}

/// Shape options besides the layout.
struct Shape {
    prompts: u64,
    tickets: u64,
}

/// `OUT SIZE_MIB [SEED]`, `--layout own|other|lean`, `--prompts N` and `--tickets N` anywhere.
fn arguments() -> (String, u64, u64, Layout, Shape) {
    let usage = || -> ! {
        eprintln!(
            "usage: gen_logs OUT.jsonl SIZE_MIB [SEED] [--layout own|other|lean] [--prompts N] [--tickets N]"
        );
        std::process::exit(2);
    };
    #[allow(
        clippy::disallowed_methods,
        reason = "an ordinary `main`: std's start-up fills the arguments"
    )]
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut layout = Layout::Own;
    let mut shape = Shape {
        prompts: 400,
        tickets: 0,
    };
    while let Some(arg) = args.next() {
        if arg == "--prompts" || arg == "--tickets" {
            let n: u64 = args
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage());
            if arg == "--prompts" {
                shape.prompts = n.max(1);
            } else {
                shape.tickets = n;
            }
            continue;
        }
        let value = match arg.strip_prefix("--layout") {
            Some("") => args.next().unwrap_or_else(|| usage()),
            Some(inline) => inline.strip_prefix('=').unwrap_or_else(|| usage()).into(),
            None => {
                positional.push(arg);
                continue;
            }
        };
        layout = match value.as_str() {
            "own" => Layout::Own,
            "other" => Layout::Other,
            "lean" => Layout::Lean,
            _ => usage(),
        };
    }
    if !(2..=3).contains(&positional.len()) {
        usage();
    }
    let size = positional[1].parse::<u64>().unwrap_or_else(|_| usage()) << 20;
    let seed = positional
        .get(2)
        .map_or(42, |s| s.parse().unwrap_or_else(|_| usage()));
    (positional.swap_remove(0), size, seed, layout, shape)
}

fn main() {
    let (path, target, seed, layout, shape) = arguments();
    let n_prompts = shape.prompts;
    let mut rng = Rng(seed);
    let file = std::fs::File::create(&path).expect("create the output file");
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let words = [
        "summarize",
        "review",
        "explain",
        "translate",
        "classify",
        "extract",
        "draft",
        "fix",
    ];
    let areas = [
        "code", "docs", "email", "ticket", "pr", "log", "sql", "test", "spec", "chat",
    ];
    let commands = ["llm", "claude", "ollama", "openai", "run-prompt.sh"];
    let prompts: Vec<Prompt> = (0..n_prompts as usize)
        .map(|i| Prompt {
            name: format!("{}-{}-{}", words[i % 8], areas[i / 8 % 10], i / 80),
            variants: (0..[0, 0, 2, 3][i % 4])
                .map(|v| format!("v{}", v + 1))
                .collect(),
            sha: hex64(&mut rng),
            command: commands[i % commands.len()],
            median_ms: 200.0 + (i % 37) as f64 * 150.0,
        })
        .collect();
    let users: Vec<String> = (0..60).map(|_| hex64(&mut rng)).collect();
    let hosts: Vec<String> = (0..12).map(|_| hex64(&mut rng)).collect();
    let teams = ["ml", "web", "infra", "data", "support"];
    let resolutions = ["name", "name", "name", "alias", "route", "adhoc"];
    let mut now: i64 = 1_790_000_000_000; // 2026-09-21
    let mut written = 0u64;
    let mut pending: Vec<(i64, Vec<u8>)> = Vec::new();
    // `written` counts the line as promptrun writes it, whatever the layout.
    let emit = |out: &mut BufWriter<std::fs::File>, line: &[u8], written: &mut u64| {
        match layout {
            Layout::Own => out.write_all(line),
            Layout::Other => out.write_all(&other_layout(line, false)),
            Layout::Lean => out.write_all(&other_layout(line, true)),
        }
        .expect("write the log");
        *written += line.len() as u64;
    };
    let mut run = 0u64;
    while written < target {
        run += 1;
        now += 200 + rng.below(4000) as i64;
        let p = &prompts[(rng.below(n_prompts) * rng.below(n_prompts) / n_prompts) as usize];
        let variant = (!p.variants.is_empty())
            .then(|| p.variants[rng.below(p.variants.len() as u64) as usize].clone());
        let run_id = format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            (now >> 16) as u32,
            now as u16,
            rng.below(0x1000),
            0x8000 | rng.below(0x4000),
            rng.next() & 0xffff_ffff_ffff
        );
        let user = &users[rng.below(users.len() as u64) as usize];
        let host = &hosts[rng.below(hosts.len() as u64) as usize];
        let resolution = resolutions[rng.below(6) as usize];
        let mut tags = BTreeMap::from([
            ("team".to_string(), teams[rng.below(5) as usize].to_string()),
            (
                "env".to_string(),
                if rng.chance(0.3) { "ci" } else { "local" }.to_string(),
            ),
        ]);
        if shape.tickets > 0 {
            let ticket = format!("T-{}", rng.below(shape.tickets));
            tags.insert("ticket".to_string(), ticket);
        }
        let start = to_line(&RunStart {
            v: 1,
            kind: "run_start",
            ts: ts(now),
            run_id: run_id.clone(),
            prompt: p.name.clone(),
            variant: variant.clone(),
            requested: p.name.clone(),
            resolution,
            prompt_file: Some(format!("prompts/{}.md", p.name)),
            prompt_sha256: Some(p.sha.clone()),
            command: p.command.to_string(),
            args: None,
            user: user.clone(),
            host: host.clone(),
            tags: tags.clone(),
            promptrun: "0.1.0",
            selection: None,
        });
        emit(&mut out, &start, &mut written);
        let duration = p.median_ms * (-(rng.unit().ln()) * 0.7 + 0.3) + rng.unit();
        let status = match rng.below(1000) {
            0..=899 => RunStatus::Ok,
            900..=969 => RunStatus::Error,
            970..=979 => RunStatus::Signal,
            980..=989 => RunStatus::Timeout,
            _ => RunStatus::SpawnFailed,
        };
        let exit_code = match status {
            RunStatus::Ok => Some(0),
            RunStatus::Error => Some(1),
            _ => None,
        };
        let metrics = if rng.chance(0.7) {
            let tin = 100 + rng.below(4000);
            let tout = 50 + rng.below(1500);
            BTreeMap::from([
                ("tokens_in".to_string(), tin as f64),
                ("tokens_out".to_string(), tout as f64),
                (
                    "cost_usd".to_string(),
                    round((tin * 3 + tout * 15) as f64 / 1e6, 6),
                ),
            ])
        } else {
            BTreeMap::new()
        };
        let asked = rng.chance(0.3);
        let end_ts = now + duration.round() as i64;
        if !rng.chance(0.02) {
            let end = to_line(&RunEnd {
                v: 1,
                kind: "run_end",
                ts: ts(end_ts),
                run_id: run_id.clone(),
                prompt: p.name.clone(),
                variant: variant.clone(),
                duration_ms: round(duration, 3),
                status,
                exit_code,
                signal: (status == RunStatus::Signal).then_some(15),
                metrics,
                feedback_asked: asked,
                prompt_sha256: Some(p.sha.clone()),
                resolution,
                command: p.command.to_string(),
                user: user.clone(),
                host: host.clone(),
                tags,
                model: None,
                provider: None,
                cost_usd: None,
                cost_source: None,
                pricing_sha256: None,
                selection: None,
            });
            pending.push((end_ts, end));
            if (asked && rng.chance(0.6)) || rng.chance(0.03) {
                for again in 0..if rng.chance(0.05) { 2 } else { 1 } {
                    let at = end_ts + 2000 + again * 60_000;
                    let rating = 1 + (rng.below(5) + rng.below(5)).min(4) as u8;
                    let comment = rng
                        .chance(0.2)
                        .then(|| "too long, but \"useful\"".to_string());
                    let feedback = to_line(&Feedback {
                        v: 1,
                        kind: "feedback",
                        ts: ts(at),
                        run_id: run_id.clone(),
                        prompt: p.name.clone(),
                        variant: variant.clone(),
                        prompt_sha256: Some(p.sha.clone()),
                        rating,
                        comment,
                        source: "prompt",
                        user: user.clone(),
                    });
                    pending.push((at, feedback));
                }
            }
        }
        pending.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
        while pending.last().is_some_and(|(t, _)| *t <= now) {
            let (_, line) = pending.pop().unwrap();
            emit(&mut out, &line, &mut written);
            if rng.chance(0.005) {
                emit(&mut out, &line, &mut written);
            }
        }
        if run.is_multiple_of(20_000) {
            let text = String::from_utf8_lossy(&start[..start.len() - 1]);
            let bad = match rng.below(4) {
                0 => text[..text.len() / 2].to_string(),
                1 => "this is not json".to_string(),
                2 => text.replace("run_start", "run_paused"),
                _ => text.replace("\"v\":1", "\"v\":7"),
            };
            emit(&mut out, format!("{bad}\n").as_bytes(), &mut written);
        }
    }
    for (_, line) in pending.into_iter().rev() {
        emit(&mut out, &line, &mut written);
    }
    out.flush().unwrap();
}

//! A deterministic generator of realistic promptrun event logs, for the report
//! benchmark (benches/report.sh).
//!
//! `cargo run --release --example gen_logs -- OUT.jsonl SIZE_MIB [SEED]`
//!
//! Hundreds of prompts and variants, tags, metrics, users and hosts; run_start,
//! run_end and feedback events slightly interleaved as concurrent runs write them;
//! about 2% incomplete runs, 0.5% duplicated events, re-ratings, and a few
//! malformed lines (truncated, not JSON, unknown type, future version).

use std::io::{BufWriter, Write};

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

fn ts(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil_from_days (H. Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

struct Prompt {
    name: String,
    variants: Vec<String>,
    sha: String,
    command: &'static str,
    median_ms: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_logs OUT.jsonl SIZE_MIB [SEED]");
        std::process::exit(2);
    }
    let target = args[2].parse::<u64>().expect("SIZE_MIB is a number") << 20;
    let mut rng = Rng(args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42));
    let file = std::fs::File::create(&args[1]).expect("create the output file");
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
    let prompts: Vec<Prompt> = (0..400)
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
    let mut pending: Vec<(i64, String)> = Vec::new();
    let emit = |out: &mut BufWriter<std::fs::File>, line: &str, written: &mut u64| {
        out.write_all(line.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
        *written += line.len() as u64 + 1;
    };
    let mut run = 0u64;
    while written < target {
        run += 1;
        now += 200 + rng.below(4000) as i64;
        let p = &prompts[(rng.below(400) * rng.below(400) / 400) as usize];
        let variant = if p.variants.is_empty() {
            "null".to_string()
        } else {
            format!(
                "\"{}\"",
                p.variants[rng.below(p.variants.len() as u64) as usize]
            )
        };
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
        let tags = format!(
            "{{\"team\":\"{}\",\"env\":\"{}\"}}",
            teams[rng.below(5) as usize],
            if rng.chance(0.3) { "ci" } else { "local" }
        );
        let common = format!(
            "\"run_id\":\"{run_id}\",\"prompt\":\"{}\",\"variant\":{variant}",
            p.name
        );
        let start = format!(
            "{{\"v\":1,\"type\":\"run_start\",\"ts\":\"{}\",{common},\"requested\":\"{}\",\"resolution\":\"{resolution}\",\"prompt_file\":\"prompts/{}.md\",\"prompt_sha256\":\"{}\",\"command\":\"{}\",\"user\":\"{user}\",\"host\":\"{host}\",\"tags\":{tags},\"promptrun\":\"0.1.0\"}}",
            ts(now),
            p.name,
            p.name,
            p.sha,
            p.command
        );
        emit(&mut out, &start, &mut written);
        let duration = p.median_ms * (-(rng.unit().ln()) * 0.7 + 0.3) + rng.unit();
        let status = match rng.below(1000) {
            0..=899 => "ok",
            900..=969 => "error",
            970..=979 => "signal",
            980..=989 => "timeout",
            _ => "spawn_failed",
        };
        let exit = match status {
            "ok" => "0",
            "error" => "1",
            _ => "null",
        };
        let metrics = if rng.chance(0.7) {
            let tin = 100 + rng.below(4000);
            let tout = 50 + rng.below(1500);
            format!(
                "{{\"tokens_in\":{tin},\"tokens_out\":{tout},\"cost_usd\":{:.6}}}",
                (tin * 3 + tout * 15) as f64 / 1e6
            )
        } else {
            "{}".into()
        };
        let asked = rng.chance(0.3);
        let end_ts = now + duration.round() as i64;
        if !rng.chance(0.02) {
            let end = format!(
                "{{\"v\":1,\"type\":\"run_end\",\"ts\":\"{}\",{common},\"duration_ms\":{duration:.3},\"status\":\"{status}\",\"exit_code\":{exit},\"signal\":{},\"metrics\":{metrics},\"feedback_asked\":{asked},\"prompt_sha256\":\"{}\",\"resolution\":\"{resolution}\",\"command\":\"{}\",\"user\":\"{user}\",\"host\":\"{host}\",\"tags\":{tags}}}",
                ts(end_ts),
                if status == "signal" { "15" } else { "null" },
                p.sha,
                p.command
            );
            pending.push((end_ts, end));
            if (asked && rng.chance(0.6)) || rng.chance(0.03) {
                for again in 0..if rng.chance(0.05) { 2 } else { 1 } {
                    let fb = format!(
                        "{{\"v\":1,\"type\":\"feedback\",\"ts\":\"{}\",{common},\"prompt_sha256\":\"{}\",\"rating\":{},\"comment\":{},\"source\":\"prompt\",\"user\":\"{user}\"}}",
                        ts(end_ts + 2000 + again * 60_000),
                        p.sha,
                        1 + (rng.below(5) + rng.below(5)).min(4),
                        if rng.chance(0.2) {
                            "\"too long, but \\\"useful\\\"\""
                        } else {
                            "null"
                        }
                    );
                    pending.push((end_ts + 2000 + again * 60_000, fb));
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
            let bad = match rng.below(4) {
                0 => start[..start.len() / 2].to_string(),
                1 => "this is not json".to_string(),
                2 => start.replace("run_start", "run_paused"),
                _ => start.replace("\"v\":1", "\"v\":7"),
            };
            emit(&mut out, &bad, &mut written);
        }
    }
    for (_, line) in pending.into_iter().rev() {
        emit(&mut out, &line, &mut written);
    }
    out.flush().unwrap();
}

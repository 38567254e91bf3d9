//! The report's numbers against a straightforward computation in the test,
//! on generated logs split over several files (one gzipped) in shuffled order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use serde_json::{Value, json};

use crate::report_support::{end, feedback, group, report_json, start};
use crate::support::TestEnv;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn ts(ms: u64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(1_790_000_000_000 + ms as i64).unwrap();
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Generated lines: starts, ends (some missing), ratings (some redone), duplicates.
fn generate(rng: &mut Rng, runs: u64) -> Vec<String> {
    let statuses = [
        "ok",
        "ok",
        "ok",
        "error",
        "signal",
        "timeout",
        "spawn_failed",
    ];
    let mut lines = Vec::new();
    for n in 0..runs {
        let prompt = format!("p{}", rng.below(6));
        let variant = [None, Some("v1"), Some("v2")][rng.below(3) as usize];
        let user = format!("user{}", rng.below(4));
        let team = ["ml", "web"][rng.below(2) as usize];
        let tags = json!({ "team": team });
        let at = n * 60_000 + rng.below(50_000);
        lines.push(start(n, &ts(at), &prompt, variant, &user, tags.clone()));
        if rng.below(20) == 0 {
            continue; // incomplete
        }
        let duration = (rng.below(1_000_000) as f64) / 97.0;
        let asked = rng.below(2) == 0;
        let status = statuses[rng.below(7) as usize];
        let metrics = json!({"tokens": rng.below(500)});
        let line = end(
            n,
            &ts(at + 5000),
            &prompt,
            variant,
            &user,
            tags,
            status,
            duration,
            asked,
            metrics,
        );
        lines.push(line.clone());
        if rng.below(30) == 0 {
            lines.push(line); // duplicate
        }
        for k in 0..rng.below(3) {
            let rating = 1 + rng.below(5) as u8;
            lines.push(feedback(
                n,
                &ts(at + 9000 + k * 1000),
                &prompt,
                variant,
                rating,
                None,
            ));
        }
    }
    lines
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = q * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

#[derive(Default)]
struct Expected {
    runs: u64,
    ok: u64,
    incomplete: u64,
    durations: Vec<f64>,
    ratings: Vec<u64>,
    asked: u64,
    rated_asked: u64,
    tokens: f64,
}

/// The independent computation: every line through serde_json, sets and sorts.
fn expected(lines: &[String]) -> BTreeMap<(String, String), Expected> {
    let mut seen = HashSet::new();
    let mut starts: HashMap<String, Value> = HashMap::new();
    let mut ends: HashMap<String, Value> = HashMap::new();
    let mut latest: HashMap<String, (String, u64)> = HashMap::new();
    for line in lines {
        let e: Value = serde_json::from_str(line).unwrap();
        let id = e["run_id"].as_str().unwrap().to_string();
        if !seen.insert((id.clone(), e["type"].to_string(), e["ts"].to_string())) {
            continue;
        }
        match e["type"].as_str().unwrap() {
            "run_start" => {
                starts.insert(id, e);
            }
            "run_end" => {
                ends.insert(id, e);
            }
            _ => {
                let ts = e["ts"].as_str().unwrap().to_string();
                let rating = e["rating"].as_u64().unwrap();
                if latest.get(&id).is_none_or(|(old, _)| *old < ts) {
                    latest.insert(id, (ts, rating));
                }
            }
        }
    }
    let mut groups: BTreeMap<(String, String), Expected> = BTreeMap::new();
    for (id, s) in &starts {
        let e = ends.get(id).unwrap_or(s);
        let key = (
            e["prompt"].as_str().unwrap().to_string(),
            e["variant"].as_str().unwrap_or("").to_string(),
        );
        let g = groups.entry(key).or_default();
        g.runs += 1;
        let asked = e["feedback_asked"] == true;
        match ends.get(id) {
            None => g.incomplete += 1,
            Some(e) => {
                g.ok += (e["status"] == "ok") as u64;
                g.durations.push(e["duration_ms"].as_f64().unwrap());
                g.asked += asked as u64;
                g.tokens += e["metrics"]["tokens"].as_f64().unwrap();
            }
        }
        if let Some((_, rating)) = latest.get(id) {
            g.ratings.push(*rating);
            g.rated_asked += asked as u64;
        }
    }
    groups
}

fn close(got: &Value, want: f64, what: &str) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{what}: {got}"));
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn numbers_match_an_independent_computation() {
    let env = TestEnv::new();
    let mut rng = Rng(0x5eed_1234_abcd);
    let mut lines = generate(&mut rng, 4000);
    for i in (1..lines.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        lines.swap(i, j);
    }
    let want = expected(&lines);
    assert!(
        want.len() > 10,
        "the simulation has groups to compare: {}",
        want.len()
    );
    let dir = env.work().join("logs");
    std::fs::create_dir_all(&dir).unwrap();
    let third = lines.len() / 3;
    std::fs::write(dir.join("a.jsonl"), lines[..third].join("\n") + "\n").unwrap();
    std::fs::write(
        dir.join("b.jsonl"),
        lines[third..2 * third].join("\n") + "\n",
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all((lines[2 * third..].join("\n") + "\n").as_bytes())
        .unwrap();
    std::fs::write(dir.join("c.jsonl.gz"), gz.finish().unwrap()).unwrap();

    let report = report_json(&env, &[dir.to_str().unwrap()]);
    assert_eq!(report["inputs"]["files"], 3);
    assert_eq!(report["inputs"]["skipped"], 0);
    assert_eq!(report["groups"].as_array().unwrap().len(), want.len());
    let mut total_runs = 0;
    for ((prompt, variant), w) in &want {
        let g = group(&report, &[("prompt", prompt), ("variant", variant)]);
        let what = format!("{prompt}/{variant}");
        total_runs += w.runs;
        assert_eq!(g["runs"], w.runs, "{what} runs");
        assert_eq!(g["ok"], w.ok, "{what} ok");
        assert_eq!(g["incomplete"], w.incomplete, "{what} incomplete");
        let mut sorted = w.durations.clone();
        sorted.sort_by(f64::total_cmp);
        let d = &g["duration_ms"];
        close(
            &d["mean"],
            sorted.iter().sum::<f64>() / sorted.len() as f64,
            &format!("{what} mean"),
        );
        for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
            close(&d[name], quantile(&sorted, q), &format!("{what} {name}"));
        }
        close(&d["max"], *sorted.last().unwrap(), &format!("{what} max"));
        close(
            &g["success_rate"],
            w.ok as f64 / sorted.len() as f64,
            &format!("{what} success"),
        );
        assert_eq!(
            g["ratings"]["count"],
            w.ratings.len() as u64,
            "{what} ratings"
        );
        let mean = w.ratings.iter().sum::<u64>() as f64 / w.ratings.len() as f64;
        close(&g["ratings"]["mean"], mean, &format!("{what} rating mean"));
        for stars in 1..=5u64 {
            let n = w.ratings.iter().filter(|r| **r == stars).count() as u64;
            assert_eq!(
                g["ratings"]["dist"][stars as usize - 1],
                n,
                "{what} {stars} stars"
            );
        }
        close(
            &g["participation"],
            w.rated_asked as f64 / w.asked as f64,
            &format!("{what} participation"),
        );
        close(
            &g["metrics"]["tokens"]["sum"],
            w.tokens,
            &format!("{what} tokens"),
        );
    }
    assert_eq!(report["totals"]["runs"], total_runs);
}

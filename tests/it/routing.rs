//! Routing that learns, end to end: the real binary picks variants, logs its
//! probabilities, folds the log into its statistics cache after each run, and
//! a simulated child whose quality depends on the variant is rated with
//! `promptrun rate`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use promptrun::learn::rng::Rng;
use promptrun::learn::srm::srm_p_value;

use crate::support::*;

/// A child whose success depends on the variant: deterministic, pseudo-random
/// from the last four hex digits of the run id (b succeeds 85%, a 40%).
const CHILD: &str = r#"id=$PROMPTRUN_RUN_ID; last=${id##*-}; n=$(( 0x${last#????????} % 100 )); if [ "$PROMPTRUN_VARIANT" = b ]; then t=85; else t=40; fi; echo "$PROMPTRUN_RUN_ID $PROMPTRUN_VARIANT"; [ "$n" -lt "$t" ]"#;

fn bandit_config(env: &TestEnv, selection: &str) {
    env.write("a.md", "Answer briefly.\n");
    env.write("b.md", "Answer briefly, with one example.\n");
    env.config(&format!(
        r#"{{"prompts": {{"gen": {{"file": "a.md",
            "variants": {{"a": {{}}, "b": {{"file": "b.md"}}}},
            "selection": {selection}}}}},
          "logging": {{"warn_unused_prompt": false}}}}"#
    ));
}

/// One run of `gen` with the simulated child: (run id, variant, ok).
fn run_child(env: &TestEnv) -> (String, String, bool) {
    let out = env.run(["gen", "--", "sh", "-c", CHILD]);
    let text = stdout(&out);
    let mut words = text.split_whitespace();
    let id = words.next().unwrap_or_default().to_string();
    let variant = words.next().unwrap_or_default().to_string();
    assert!(!id.is_empty(), "{} {}", text, stderr(&out));
    assert!(
        !stderr(&out).contains("warning"),
        "no warnings expected: {}",
        stderr(&out)
    );
    (id, variant, out.status.success())
}

/// A rating for a run of `variant`: b is liked (mostly 4 and 5), a is not.
fn rating(rng: &mut Rng, variant: &str, ok: bool) -> u8 {
    let dist: [f64; 5] = match (variant, ok) {
        ("b", true) => [0.0, 0.05, 0.1, 0.35, 0.5],
        ("b", false) => [0.1, 0.2, 0.4, 0.2, 0.1],
        (_, true) => [0.1, 0.3, 0.4, 0.15, 0.05],
        _ => [0.4, 0.3, 0.2, 0.1, 0.0],
    };
    rng.categorical(&dist) as u8 + 1
}

fn starts(env: &TestEnv) -> Vec<Value> {
    of_type(&env.events(), "run_start")
        .into_iter()
        .cloned()
        .collect()
}

/// Observed runs per variant and the SRM p-value against the logged probabilities.
fn split_and_srm(starts: &[Value], names: &[&str]) -> (Vec<u64>, f64) {
    let mut observed = vec![0u64; names.len()];
    let mut mean = vec![0f64; names.len()];
    for s in starts {
        let sel = &s["selection"];
        let p = sel["p"].as_f64().expect("every run_start logs p");
        assert!(p > 0.0 && p <= 1.0, "p out of (0, 1]: {s}");
        let chosen = s["variant"].as_str().unwrap();
        assert_eq!(sel["probs"][chosen].as_f64(), Some(p), "{s}");
        for (i, name) in names.iter().enumerate() {
            mean[i] += sel["probs"][*name].as_f64().unwrap() / starts.len() as f64;
            observed[i] += u64::from(chosen == *name);
        }
    }
    let p = srm_p_value(&observed, &mean);
    (observed, p)
}

#[test]
fn bandit_learns_the_better_variant_and_logs_honest_probabilities() {
    // 5 seeded repetitions of 200 rated runs (1000 runs, 1000 ratings), run
    // two at a time.
    const RUNS: usize = 200;
    let seeds = [11u64, 22, 33, 44, 55];
    let results: Vec<(u64, Vec<u64>, f64, Vec<u64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = seeds
            .chunks(3)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&seed| {
                            let env = TestEnv::new();
                            bandit_config(
                                &env,
                                r#"{"strategy": "bandit", "min_samples": 10, "floor": 0.05, "update_every": 10}"#,
                            );
                            let mut rng = Rng::new(seed);
                            for _ in 0..RUNS {
                                let (id, variant, ok) = run_child(&env);
                                let stars = rating(&mut rng, &variant, ok).to_string();
                                let out = env.run(["rate", id.as_str(), stars.as_str()]);
                                assert!(out.status.success(), "{}", stderr(&out));
                            }
                            let starts = starts(&env);
                            assert_eq!(starts.len(), RUNS);
                            assert!(starts.iter().all(|s| s["selection"]["strategy"] == "bandit"));
                            let (observed, srm) = split_and_srm(&starts, &["a", "b"]);
                            let periods: Vec<u64> = starts
                                .iter()
                                .map(|s| s["selection"]["period"].as_u64().unwrap())
                                .collect();
                            assert_valid_events(&env.events());
                            (seed, observed, srm, periods)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for (seed, observed, srm, periods) in &results {
        eprintln!("seed {seed}: a/b split {observed:?}, SRM p = {srm:.3}");
        let share_b = observed[1] as f64 / RUNS as f64;
        assert!(share_b >= 0.65, "seed {seed}: b got {observed:?}");
        assert!(*srm > 0.001, "seed {seed}: SRM p = {srm} for {observed:?}");
        assert!(
            periods.windows(2).all(|w| w[0] <= w[1]) && periods[RUNS - 1] > 5,
            "seed {seed}: periods {periods:?}"
        );
    }
}

#[test]
fn report_groups_by_allocation_period() {
    let env = TestEnv::new();
    bandit_config(&env, r#"{"strategy": "bandit", "update_every": 2}"#);
    for _ in 0..6 {
        run_child(&env);
    }
    let out = env.run(["report", "--group-by", "period", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let report: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<String> = report["groups"]
        .as_array()
        .unwrap_or_else(|| panic!("{text}"))
        .iter()
        .map(|g| g["key"]["period"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(keys.len() >= 2 && keys.contains(&"0".to_string()), "{text}");
}

#[test]
fn sticky_keeps_a_user_on_one_variant() {
    let env = TestEnv::new();
    bandit_config(&env, r#"{"strategy": "sticky", "sticky_by": "user"}"#);
    let variant_of = |user: &str| {
        let out = env
            .cmd(["gen", "--", "sh", "-c", "echo $PROMPTRUN_VARIANT"])
            .env("USER", user)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    let alice: Vec<String> = (0..5).map(|_| variant_of("alice")).collect();
    assert!(alice.iter().all(|v| *v == alice[0]), "{alice:?}");
    let spread: std::collections::BTreeSet<String> =
        (0..20).map(|i| variant_of(&format!("user-{i}"))).collect();
    assert_eq!(spread.len(), 2, "20 users all on one variant: {spread:?}");
    let starts = starts(&env);
    assert!(
        starts
            .iter()
            .all(|s| s["selection"]["strategy"] == "sticky" && s["selection"]["p"] == 0.5)
    );
    let dry = env
        .cmd(["gen", "--dry-run", "--", "true"])
        .env("USER", "alice")
        .output()
        .unwrap();
    let text = stdout(&dry);
    assert!(
        text.contains("sticky by user") && text.contains(&format!("`{}`", alice[0])),
        "{text}"
    );
}

#[test]
fn dry_run_forced_variant_and_no_log_explain_themselves() {
    let env = TestEnv::new();
    bandit_config(&env, r#"{"strategy": "bandit"}"#);
    let out = env.run(["gen", "--dry-run", "--", "true"]);
    let text = stdout(&out);
    assert!(text.contains("bandit: exploring by weight"), "{text}");
    assert!(text.contains("a 50.0%, b 50.0%"), "{text}");
    // --variant always wins, and is logged as forced.
    let out = env.run(["gen", "--variant", "b", "--", "true"]);
    assert!(out.status.success());
    let start = &starts(&env)[0];
    assert_eq!(start["variant"], "b");
    assert_eq!(start["selection"]["strategy"], "forced");
    assert_eq!(start["selection"]["probs"]["a"], 0.0);
    // Logging off: weighted, one warning, the command still runs.
    let out = env
        .cmd(["gen", "--", "sh", "-c", "echo ran"])
        .env("PROMPTRUN_NO_LOG", "1")
        .output()
        .unwrap();
    assert!(out.status.success() && stdout(&out).contains("ran"));
    assert_eq!(warning_count(&stderr(&out)), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("weighted (instead of bandit)"),
        "{}",
        stderr(&out)
    );
    // A damaged cache is not trusted: weighted with one warning, then rebuilt.
    env.run(["gen", "--", "true"]);
    let cache = cache_file(&env);
    std::fs::write(&cache, "{broken").unwrap();
    let out = env.run(["gen", "--", "true"]);
    assert!(out.status.success());
    assert_eq!(warning_count(&stderr(&out)), 1, "{}", stderr(&out));
    let rebuilt: Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert_eq!(rebuilt["version"], 1);
}

#[test]
fn prompts_lists_strategies_and_current_shares() {
    let env = TestEnv::new();
    env.write("a.md", "x\n");
    env.config(
        r#"{"prompts": {
            "fixed": {"file": "a.md", "default_variant": "b", "variants": {"a": {}, "b": {}}},
            "learn": {"file": "a.md", "variants": {"a": {"weight": 3}, "b": {}},
                      "selection": {"strategy": "bandit"}}}}"#,
    );
    let out = env.run(["prompts", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["strategy"], "fixed");
    assert_eq!(list[0]["variants"][0]["share"], 0.0);
    assert_eq!(list[0]["variants"][1]["share"], 1.0);
    assert_eq!(list[1]["strategy"], "bandit");
    assert_eq!(list[1]["variants"][0]["share"], 0.75);
    let table = stdout(&env.run(["prompts"]));
    assert!(
        table.contains("b* (1, 100%)") && table.contains("a (1, 0%)"),
        "{table}"
    );
    assert!(
        table.contains("STRATEGY") && table.contains("bandit"),
        "{table}"
    );
}

#[test]
fn config_check_explains_bad_selection_settings() {
    let env = TestEnv::new();
    env.write("a.md", "x\n");
    env.config(
        r#"{"prompts": {"p": {"file": "a.md", "variants": {"a": {}, "b": {}},
            "selection": {"strategy": "bandit", "floor": 0.7, "update_every": 0,
                          "objective": {"success": 0, "rating": 0}}}}}"#,
    );
    let out = env.run(["config", "check"]);
    let text = stderr(&out) + &stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("router-config.json:2:56") || text.contains("floor"),
        "{text}"
    );
    assert!(text.contains("more than all the traffic"), "{text}");
    assert!(text.contains("update_every must be at least 1"), "{text}");
    assert!(text.contains("the objective needs a weight"), "{text}");
    env.config(r#"{"prompts": {"p": {"file": "a.md", "variants": {"a": {}}, "selection": {"strategy": "smart"}}}}"#);
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("router-config.json:1:"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("smart"), "{}", stderr(&out));
}

fn cache_file(env: &TestEnv) -> PathBuf {
    let dir = env.state_dir().join("selection");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a statistics cache")
}

#[test]
fn concurrent_bandit_runs_lose_no_line_and_keep_the_cache_consistent() {
    // 32 processes × 100 runs, all contending for the log and the cache lock.
    const PROCS: usize = 32;
    const EACH: usize = 100;
    let env = TestEnv::new();
    bandit_config(&env, r#"{"strategy": "bandit", "update_every": 5}"#);
    let script = format!(
        r#"for p in $(seq {PROCS}); do
             ( for i in $(seq {EACH}); do "$PROMPTRUN" gen -- true || echo fail; done ) &
           done; wait"#
    );
    let out = env.shell(&script).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("fail"), "{}", stdout(&out));
    assert_eq!(warning_count(&stderr(&out)), 0, "{}", stderr(&out));
    // One more run after the others, then a fold of what is still pending (runs
    // write the cache back only when an allocation update is due).
    assert!(env.run(["gen", "--", "true"]).status.success());
    let state = env.state_dir();
    let config =
        promptrun::config::LoadedConfig::load(&env.work().join("router-config.json")).unwrap();
    let log_dir = env.log_dir();
    let fold = |write| {
        promptrun::run::selection_cache::fold(
            &state,
            &log_dir,
            Some(&config.config),
            u64::MAX,
            true,
            write,
        )
        .unwrap()
    };
    let pending = fold(promptrun::run::selection_cache::WriteBack::Always);
    assert!(!pending.rebuilt && pending.events < 10, "{pending:?}");
    let events = checked_events(&env);
    let total = PROCS * EACH + 1;
    assert_eq!(of_type(&events, "run_start").len(), total);
    assert_eq!(of_type(&events, "run_end").len(), total);
    // The cache holds exactly what the log holds, arm by arm.
    let mut from_log: BTreeMap<String, u64> = BTreeMap::new();
    for end in of_type(&events, "run_end") {
        *from_log
            .entry(end["variant"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let cache: Value = serde_json::from_slice(&std::fs::read(cache_file(&env)).unwrap()).unwrap();
    let mut from_cache: BTreeMap<String, u64> = BTreeMap::new();
    for arm in cache["arms"].as_array().unwrap() {
        *from_cache
            .entry(arm[0]["variant"].as_str().unwrap().to_string())
            .or_default() += arm[1]["runs"].as_u64().unwrap();
    }
    assert_eq!(from_cache, from_log);
    // A cold rebuild agrees with the incrementally folded cache.
    let incremental = cache["arms"].clone();
    std::fs::remove_file(cache_file(&env)).unwrap();
    let report = fold(promptrun::run::selection_cache::WriteBack::Always);
    assert!(report.rebuilt);
    let cold: Value = serde_json::from_slice(&std::fs::read(cache_file(&env)).unwrap()).unwrap();
    let runs = |arms: &Value| -> Vec<(String, u64, u64)> {
        arms.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a[0]["variant"].as_str().unwrap().to_string(),
                    a[1]["runs"].as_u64().unwrap(),
                    a[1]["ok"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(runs(&cold["arms"]), runs(&incremental));
}

#[test]
fn an_edited_prompt_file_starts_a_new_arm() {
    let env = TestEnv::new();
    bandit_config(
        &env,
        r#"{"strategy": "bandit", "min_samples": 3, "update_every": 1,
            "objective": {"success": 1, "rating": 0}}"#,
    );
    for variant in ["a", "b", "a", "b", "a", "b"] {
        let out = env.run(["gen", "--variant", variant, "--", "true"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let why = |env: &TestEnv| {
        let out = env.run(["gen", "--dry-run", "--", "true"]);
        stdout(&out)
            .lines()
            .find(|l| l.starts_with("strategy:"))
            .unwrap_or_default()
            .to_string()
    };
    let before = why(&env);
    assert!(before.contains("3 runs per arm reached"), "{before}");
    env.write("b.md", "Answer briefly, with two examples.\n");
    let after = why(&env);
    assert!(
        after.contains("exploring") && after.contains("b 0)"),
        "{after}"
    );
}

//! `promptrun compare` end to end: simulated logs (bulk JSONL written with the
//! crate's event types) plus real runs of a child whose outcome depends on
//! $PROMPTRUN_VARIANT, rated with `promptrun rate`.

use serde_json::Value;

use crate::learn_support::*;
use crate::support::*;

const PROMPT_A: &str = "Summarize in three bullets.\n";
const PROMPT_B: &str = "Summarize in one line.\n";

/// `summarize` with variants a (a.md) and b (b.md).
pub fn config_ab(env: &TestEnv) -> std::path::PathBuf {
    env.write("a.md", PROMPT_A);
    env.write("b.md", PROMPT_B);
    env.config(
        r#"{
  "prompts": {
    "summarize": {
      "file": "a.md",
      "variants": {
        "a": { "weight": 1 },
        "b": { "file": "b.md", "weight": 1 }
      }
    }
  }
}
"#,
    )
}

/// A clear case: b is rated much higher and succeeds more often.
pub fn clear_winner_log(env: &TestEnv) {
    let (va, vb) = (sha256(PROMPT_A), sha256(PROMPT_B));
    let arms = [
        ArmSpec {
            prompt: "summarize",
            variant: Some("a"),
            version: &va,
            runs: 250,
            success: 0.9,
            rated: 0.6,
            stars: BASE,
            ms: 1000.0,
        },
        ArmSpec {
            prompt: "summarize",
            variant: Some("b"),
            version: &vb,
            runs: 250,
            success: 0.95,
            rated: 0.6,
            stars: BETTER,
            ms: 1000.0,
        },
    ];
    write_log_between(&env.log_dir().join("bulk.jsonl"), &arms, 20, 1, 7);
}

/// Real runs through the binary, each rated with `promptrun rate last N`: the
/// child fails for variant a when its argument is a multiple of 3 (the first
/// run), and always succeeds for b.
pub fn real_runs(env: &TestEnv) {
    for (i, (variant, stars)) in [("a", 3), ("b", 5), ("a", 2), ("b", 4)].iter().enumerate() {
        let script = "[ \"$PROMPTRUN_VARIANT\" != a ] || [ $(($1 % 3)) -ne 0 ]";
        let n = i.to_string();
        let out = env.run([
            "summarize",
            "--variant",
            variant,
            "--",
            "sh",
            "-c",
            script,
            "sh",
            &n,
        ]);
        assert!(out.status.code().is_some(), "{}", stderr(&out));
        let out = env.run(["rate", "last", &stars.to_string()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

fn compare_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = vec!["compare", "--format", "json"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("compare JSON")
}

#[test]
fn names_the_winner_on_a_clear_case() {
    let env = TestEnv::new();
    config_ab(&env);
    clear_winner_log(&env);
    real_runs(&env);
    let doc = compare_json(&env, &[]);
    assert_eq!(doc["schema"], "promptrun.compare/v1");
    let comparisons = doc["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 1, "{doc:#}");
    let c = &comparisons[0];
    assert_eq!(
        (c["kind"].as_str(), c["metric"].as_str()),
        (Some("variants"), Some("rating"))
    );
    assert_eq!(c["a"]["name"], "a");
    assert_eq!(c["outcome"]["kind"], "winner", "{c:#}");
    assert_eq!(c["outcome"]["name"], "b");
    assert!(c["outcome"]["lo"].as_f64().unwrap() > 0.0);
    // The real runs are in: each arm has its generated runs plus two real ones.
    let runs = c["a"]["runs"].as_u64().unwrap() + c["b"]["runs"].as_u64().unwrap();
    assert_eq!(runs, 504, "{c:#}");
    assert_eq!(c["a"]["version"].as_str(), Some(sha256(PROMPT_A).as_str()));
    let score = &c["b"]["score"];
    let parts =
        score["success_points"].as_f64().unwrap() + score["rating_points"].as_f64().unwrap();
    assert!((parts - score["value"].as_f64().unwrap()).abs() < 1e-9);
    assert!(c["p_superiority"].as_f64().unwrap() > 0.6);

    let out = env.run(["compare", "summarize", "--variants", "a,b"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("winner: b (rating +"), "{text}");
    assert!(text.contains("95% anytime interval +"), "{text}");
    assert!(
        text.contains("a random b run is rated higher than a a run"),
        "{text}"
    );
    assert!(text.contains("guardrails (b against a): latency"), "{text}");
    assert!(text.contains("= 4"), "score components: {text}");

    let out = env.run(["compare", "--format", "markdown"]);
    assert!(
        stdout(&out).contains("- **winner: b (rating +"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_aa_log_has_no_winner_yet() {
    let env = TestEnv::new();
    config_ab(&env);
    let (va, vb) = (sha256(PROMPT_A), sha256(PROMPT_B));
    let arm = |variant, version| ArmSpec {
        prompt: "summarize",
        variant: Some(variant),
        version,
        runs: 60,
        success: 0.9,
        rated: 0.5,
        stars: BASE,
        ms: 500.0,
    };
    write_log(
        &env.log_dir().join("aa.jsonl"),
        &[arm("a", &va), arm("b", &vb)],
        30,
        11,
    );
    let out = env.run(["compare"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("no winner yet: about ")
            && text.contains("more rated runs per arm to detect a 0.3★ difference at 80% power"),
        "{text}"
    );
    assert!(text.contains("more than a month"), "{text}");
    let doc = compare_json(&env, &[]);
    let outcome = &doc["comparisons"][0]["outcome"];
    assert_eq!(outcome["kind"], "no_winner_yet");
    assert!(
        outcome["more_per_arm"].as_u64().unwrap() > 100,
        "{outcome:#}"
    );
    assert_eq!(outcome["exceeds_month"], true);
}

#[test]
fn versions_find_a_worse_edit_and_never_mix_versions() {
    let env = TestEnv::new();
    env.write("r.md", "Review.\n");
    env.config(r#"{ "prompts": { "review": { "file": "r.md" } } }"#);
    let (old, new) = (version("01d"), version("0e7"));
    let arm = |version, stars| ArmSpec {
        prompt: "review",
        variant: None,
        version,
        runs: 250,
        success: 0.95,
        rated: 0.6,
        stars,
        ms: 800.0,
    };
    write_log_between(
        &env.log_dir().join("old.jsonl"),
        &[arm(&old, BETTER)],
        60,
        31,
        3,
    );
    write_log_between(
        &env.log_dir().join("new.jsonl"),
        &[arm(&new, BASE)],
        30,
        1,
        4,
    );
    let doc = compare_json(&env, &["review", "--versions"]);
    let c = &doc["comparisons"][0];
    assert_eq!(c["kind"], "versions");
    assert_eq!(
        (c["a"]["name"].as_str(), c["b"]["name"].as_str()),
        (Some("00000000"), Some("00000000"))
    );
    assert_eq!(c["a"]["version"].as_str(), Some(old.as_str()));
    assert_eq!(c["b"]["version"].as_str(), Some(new.as_str()));
    assert_eq!(c["outcome"]["kind"], "winner");
    assert_eq!(c["outcome"]["arm"], "a", "{c:#}");
    // Without --versions the same log compares the versions too (one variant only).
    assert_eq!(
        compare_json(&env, &[])["comparisons"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let out = env.run(["compare", "--fail-on-regression"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = env.run(["compare", "review", "--variants", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

//! `promptrun recommend` end to end: the actions and their evidence, and
//! `--apply` changing exactly the bytes it prints.

use serde_json::Value;

use crate::compare::{clear_winner_log, config_ab, real_runs};
use crate::learn_support::*;
use crate::support::*;

fn recommend_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = vec!["recommend", "--format", "json"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("recommend JSON")
}

fn kinds(doc: &Value) -> Vec<String> {
    doc["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Runs named `sumarize`, logged without a config (ad hoc), to suggest an alias.
fn adhoc_typo_runs(env: &TestEnv) {
    for _ in 0..3 {
        let out = env
            .cmd(["--config", "", "sumarize", "--", "true"])
            .env("PROMPTRUN_CONFIG", "")
            .current_dir(env.path("home"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

#[test]
fn apply_promotes_the_winner_and_adds_an_alias_in_place() {
    let env = TestEnv::new();
    let config = config_ab(&env);
    clear_winner_log(&env);
    real_runs(&env);
    adhoc_typo_runs(&env);
    let before = std::fs::read_to_string(&config).unwrap();

    let out = env.run(["recommend"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(" 1. promote variant b of summarize: set default_variant to \"b\""),
        "{text}"
    );
    assert!(text.contains("evidence: variants: "), "{text}");
    assert!(text.contains("95% anytime interval +"), "{text}");
    assert!(
        text.contains("--apply: set prompts.summarize.default_variant to \"b\""),
        "{text}"
    );
    assert!(
        text.contains("--apply: add \"sumarize\" to prompts.summarize.aliases"),
        "{text}"
    );
    assert!(text.contains("retire variant a of summarize"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        before,
        "nothing changes without --apply"
    );
    assert!(!env.work().join("router-config.json.bak").exists());

    // The dashboard shows the verdict and the top recommendation.
    let out = env.run(["dashboard", "--since", "30d", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.contains("<h2>Verdicts and recommendations</h2>"),
        "{page}"
    );
    assert!(page.contains("winner: b (rating +"));
    assert!(page.contains("<strong>promote variant b of summarize"));

    let out = env.run(["recommend", "--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("applied: set prompts.summarize.default_variant"),
        "{}",
        stdout(&out)
    );
    let after = std::fs::read_to_string(&config).unwrap();
    let expected = before
        .replace(
            "    \"summarize\": {\n      \"file\"",
            "    \"summarize\": {\n      \"aliases\": [\"sumarize\"],\n      \"default_variant\": \"b\",\n      \"file\"",
        );
    assert_ne!(expected, before);
    assert_eq!(after, expected, "only the two edits, every other byte kept");
    assert_eq!(
        std::fs::read_to_string(env.work().join("router-config.json.bak")).unwrap(),
        before
    );
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Applied: the winner is the default now, so it is no longer recommended.
    let doc = recommend_json(&env, &[]);
    assert!(
        !kinds(&doc).contains(&"promote_winner".to_string()),
        "{doc:#}"
    );
    let out = env.run(["summarize", "--", "true"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let started = env
        .events()
        .into_iter()
        .rfind(|e| e["type"] == "run_start")
        .unwrap();
    assert_eq!(started["variant"], "b");
}

#[test]
fn finds_failing_rarely_rated_never_run_and_zero_weight() {
    let env = TestEnv::new();
    env.write("f.md", "Flaky.\n");
    env.config(
        r#"{
  "prompts": {
    "flaky": { "file": "f.md",
      "variants": { "on": { "weight": 1 }, "off": { "weight": 0 } } },
    "idle": { "file": "f.md" }
  }
}
"#,
    );
    let v = sha256("Flaky.\n");
    let spec = |variant| ArmSpec {
        prompt: "flaky",
        variant: Some(variant),
        version: &v,
        runs: 40,
        success: 0.5,
        rated: 0.05,
        stars: BASE,
        ms: 300.0,
    };
    write_log(&env.log_dir().join("f.jsonl"), &[spec("on")], 3, 5);
    let doc = recommend_json(&env, &[]);
    assert_eq!(doc["schema"], "promptrun.recommend/v1");
    let found = kinds(&doc);
    for kind in ["failing", "rarely_rated", "never_run", "zero_weight"] {
        assert!(found.contains(&kind.to_string()), "{kind}: {doc:#}");
    }
    let first = &doc["recommendations"][0];
    assert_eq!(
        (first["rank"].as_u64(), first["kind"].as_str()),
        (Some(1), Some("failing"))
    );
    assert!(
        first["evidence"].as_str().unwrap().contains("runs failed"),
        "{first:#}"
    );
    assert_eq!(doc["applied"], Value::Null);
    let out = env.run(["recommend", "--format", "markdown"]);
    assert!(
        stdout(&out).starts_with("## Recommendations\n"),
        "{}",
        stdout(&out)
    );
}

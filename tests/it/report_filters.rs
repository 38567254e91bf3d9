//! Filters, group-bys, sorting, and the engine's several views in one pass.

use promptrun::report::{Bucket, EngineOptions, GroupField, Source, ViewSpec, aggregate};

use crate::report_support::{fixture, group, report_json};
use crate::support::{TestEnv, stderr};

fn setup() -> (TestEnv, String) {
    let env = TestEnv::new();
    let path = env.write("events.jsonl", &fixture());
    let path = path.to_str().unwrap().to_string();
    (env, path)
}

fn runs(env: &TestEnv, path: &str, args: &[&str]) -> u64 {
    let mut all = args.to_vec();
    all.push(path);
    report_json(env, &all)["totals"]["runs"].as_u64().unwrap()
}

#[test]
fn filters_select_runs() {
    let (env, path) = setup();
    assert_eq!(runs(&env, &path, &[]), 5);
    assert_eq!(runs(&env, &path, &["--prompt", "summ*"]), 3);
    assert_eq!(
        runs(&env, &path, &["--prompt", "review", "--prompt", "nope"]),
        2
    );
    assert_eq!(runs(&env, &path, &["--variant", "b"]), 1);
    assert_eq!(runs(&env, &path, &["--variant", "-"]), 2);
    assert_eq!(runs(&env, &path, &["--tag", "team=ml"]), 3);
    assert_eq!(
        runs(&env, &path, &["--tag", "team=ml", "--prompt", "review"]),
        1
    );
    assert_eq!(runs(&env, &path, &["--user", "u1"]), 3);
    assert_eq!(runs(&env, &path, &["--since", "2026-11-22"]), 3);
    assert_eq!(runs(&env, &path, &["--until", "2026-11-22"]), 2);
    assert_eq!(
        runs(
            &env,
            &path,
            &["--since", "2026-11-21T10:00:00Z", "--until", "2026-11-23"]
        ),
        2
    );
    assert_eq!(runs(&env, &path, &["--since", "100000d"]), 5);
    assert_eq!(runs(&env, &path, &["--status", "ok"]), 2);
    assert_eq!(
        runs(&env, &path, &["--status", "error", "--status", "timeout"]),
        2
    );

    let incomplete = report_json(&env, &["--status", "incomplete", &path]);
    assert_eq!(incomplete["totals"]["runs"], 1);
    assert_eq!(incomplete["totals"]["incomplete"], 1);
    assert_eq!(
        incomplete["filters"]["status"],
        serde_json::json!(["incomplete"])
    );
    let ok = report_json(&env, &["--status", "ok", &path]);
    assert_eq!(
        ok["totals"]["ratings"]["count"], 2,
        "ratings follow their runs"
    );
}

#[test]
fn group_by_fields_tags_and_time() {
    let (env, path) = setup();
    let by_team = report_json(&env, &["--group-by", "tag:team", &path]);
    assert_eq!(group(&by_team, &[("tag:team", "ml")])["runs"], 3);
    assert_eq!(group(&by_team, &[("tag:team", "web")])["runs"], 2);
    assert_eq!(group(&by_team, &[("tag:team", "web")])["incomplete"], 1);

    let by_version = report_json(&env, &["--group-by", "version", &path]);
    assert_eq!(
        group(&by_version, &[("version", "sha-summarize")])["runs"],
        3
    );

    let by_day = report_json(&env, &["--group-by", "prompt,day", &path]);
    let day = group(
        &by_day,
        &[("prompt", "review"), ("day", "2026-11-23T00:00:00.000Z")],
    );
    assert_eq!(day["runs"], 2);
    assert_eq!(by_day["groups"].as_array().unwrap().len(), 4);

    let one_group = report_json(
        &env,
        &["--group-by", "user", "--group-by", "command", &path],
    );
    assert_eq!(
        group(&one_group, &[("user", "u1"), ("command", "llm")])["runs"],
        3
    );
}

#[test]
fn sort_and_top() {
    let (env, path) = setup();
    let slowest = report_json(&env, &["--sort", "p95", "--top", "1", &path]);
    let groups = slowest["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["prompt"], "review");
    assert_eq!(slowest["totals"]["runs"], 5, "totals count every group");
    let by_rating = report_json(&env, &["--sort", "rating", &path]);
    assert_eq!(by_rating["groups"][0]["variant"], "a");
    let by_key = report_json(&env, &["--sort", "key", &path]);
    assert_eq!(by_key["groups"][0]["prompt"], "review");
    assert_eq!(by_key["groups"][2]["variant"], "b");
}

#[test]
fn bad_options_are_usage_errors() {
    let (env, path) = setup();
    for (args, message) in [
        (vec!["--group-by", "colour"], "cannot group by `colour`"),
        (vec!["--since", "yesterday"], "--since: expected a date"),
        (
            vec!["--prompt", "[abc"],
            "--prompt: glob `[abc` has an unclosed `[`",
        ),
        (
            vec!["usage", "--report", "feedback"],
            "either as the first argument or with --report",
        ),
    ] {
        let mut all = vec!["report"];
        all.extend(args);
        all.push(&path);
        let output = env.run(&all);
        assert_eq!(output.status.code(), Some(2), "{all:?}");
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
}

#[test]
fn several_views_in_one_pass_match_separate_reports() {
    let (env, path) = setup();
    let day = |d: &str| {
        chrono::DateTime::parse_from_rfc3339(d)
            .unwrap()
            .timestamp_millis()
    };
    let mut current = ViewSpec::by(vec![GroupField::Prompt]);
    current.filters.since_ms = Some(day("2026-11-22T00:00:00Z"));
    let mut previous = ViewSpec::by(vec![GroupField::Prompt]);
    previous.filters.since_ms = Some(day("2026-11-18T00:00:00Z"));
    previous.filters.until_ms = Some(day("2026-11-22T00:00:00Z"));
    let daily = ViewSpec::by(vec![GroupField::Prompt, GroupField::Time(Bucket::Day)]);
    let sources = vec![Source::File(path.clone().into())];
    let reports = aggregate(
        &sources,
        &[current, previous, daily],
        &EngineOptions::default(),
    )
    .unwrap();
    assert_eq!(reports.len(), 3);
    let as_json = |r: &promptrun::report::Report| serde_json::to_value(r).unwrap();
    // The CLI's JSON adds each group's display score; the engine's groups have none.
    let report_json = |env: &TestEnv, args: &[&str]| {
        let mut json = report_json(env, args);
        for group in json["groups"].as_array_mut().unwrap() {
            assert!(group["score"]["value"].is_f64(), "{group:#}");
            group.as_object_mut().unwrap().remove("score");
        }
        json
    };
    let cli_current = report_json(
        &env,
        &["--group-by", "prompt", "--since", "2026-11-22", &path],
    );
    assert_eq!(as_json(&reports[0])["totals"], cli_current["totals"]);
    assert_eq!(as_json(&reports[0])["groups"], cli_current["groups"]);
    let cli_previous = report_json(
        &env,
        &[
            "--group-by",
            "prompt",
            "--since",
            "2026-11-18",
            "--until",
            "2026-11-22",
            &path,
        ],
    );
    assert_eq!(as_json(&reports[1])["groups"], cli_previous["groups"]);
    let cli_daily = report_json(&env, &["--group-by", "prompt,day", &path]);
    assert_eq!(as_json(&reports[2])["groups"], cli_daily["groups"]);
    assert_eq!(reports[0].totals.runs + reports[1].totals.runs, 5);
}

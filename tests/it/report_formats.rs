//! Each report and each format on the fixture log, with its known numbers.

use crate::report_support::{fixture, group, report_json};
use crate::support::{TestEnv, stderr, stdout};

fn env_with_fixture() -> TestEnv {
    let env = TestEnv::new();
    std::fs::write(env.log_dir().join("events-2026-11-24.jsonl"), fixture()).unwrap();
    env
}

#[test]
fn json_has_the_documented_numbers() {
    let env = env_with_fixture();
    let report = report_json(&env, &[]);
    assert_eq!(report["schema"], "promptrun.report/v1");
    let inputs = &report["inputs"];
    assert_eq!(inputs["files"], 1);
    assert_eq!(inputs["lines"], 16);
    assert_eq!(inputs["skipped"], 2);
    assert_eq!(inputs["duplicates"], 1);
    assert_eq!(inputs["events"], 13);

    let a = group(&report, &[("prompt", "summarize"), ("variant", "a")]);
    assert_eq!(a["runs"], 2);
    assert_eq!(a["ok"], 1);
    assert_eq!(a["success_rate"], 0.5);
    assert_eq!(a["statuses"]["error"], 1);
    assert_eq!(a["duration_ms"]["mean"], 200.0);
    assert_eq!(a["duration_ms"]["p50"], 200.0);
    assert_eq!(a["duration_ms"]["max"], 300.0);
    assert_eq!(a["duration_ms"]["total"], 400.0);
    assert_eq!(a["ratings"]["count"], 1);
    assert_eq!(a["ratings"]["mean"], 5.0, "the latest rating wins");
    assert_eq!(a["ratings"]["dist"], serde_json::json!([0, 0, 0, 0, 1]));
    assert_eq!(a["participation"], 0.5);
    assert_eq!(a["metrics"]["tokens"]["sum"], 10.0);
    assert_eq!(a["users"], 2);
    assert_eq!(a["share"], 0.4);

    let b = group(&report, &[("prompt", "summarize"), ("variant", "b")]);
    assert_eq!(b["participation"], serde_json::Value::Null, "never asked");
    assert_eq!(b["ratings"]["mean"], 2.0);

    let review = group(&report, &[("prompt", "review"), ("variant", "")]);
    assert_eq!(review["variant"], serde_json::Value::Null);
    assert_eq!(review["runs"], 2);
    assert_eq!(review["incomplete"], 1);
    assert_eq!(review["statuses"]["timeout"], 1);
    assert_eq!(review["success_rate"], 0.0);

    let totals = &report["totals"];
    assert_eq!(totals["runs"], 5);
    assert_eq!(totals["ok"], 2);
    assert_eq!(totals["incomplete"], 1);
    assert_eq!(totals["success_rate"], 0.5);
    assert_eq!(totals["ratings"]["count"], 3);
    assert!((totals["ratings"]["mean"].as_f64().unwrap() - 10.0 / 3.0).abs() < 1e-9);
    assert!((totals["participation"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    // Sorted by runs, then key.
    let order: Vec<(&str, &str)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"]["prompt"].as_str().unwrap(),
                g["key"]["variant"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [("review", ""), ("summarize", "a"), ("summarize", "b")]
    );
}

#[test]
fn table_shows_each_report() {
    let env = env_with_fixture();
    let all = stdout(&env.run(["report"]));
    for heading in [
        "Usage",
        "Performance",
        "Feedback",
        "TOTAL",
        "p95 ms",
        "participation",
    ] {
        assert!(all.contains(heading), "{heading} missing in\n{all}");
    }
    assert!(
        !all.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let usage = stdout(&env.run(["report", "usage"]));
    assert!(usage.contains("Usage") && usage.contains("share"));
    assert!(!usage.contains("Performance") && !usage.contains("participation"));
    let perf = stdout(&env.run(["report", "--report", "performance"]));
    assert!(perf.contains("Performance") && perf.contains("tokens sum"));
    assert!(!perf.contains("Usage"));
    let line = perf
        .lines()
        .find(|l| l.starts_with("summarize") && l.contains(" a "))
        .unwrap();
    assert!(line.contains("50.0%") && line.contains("200.0"), "{line}");
    let feedback = stdout(&env.run(["report", "feedback", "--comments"]));
    assert!(feedback.contains("great after all"), "{feedback}");
    assert!(
        !feedback.contains("first thoughts"),
        "a replaced rating's comment is gone"
    );
}

#[test]
fn csv_has_one_row_per_group_and_stable_columns() {
    let env = env_with_fixture();
    let read = |args: &[&str]| {
        let output = env.run(args);
        let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        (headers, rows)
    };
    let (headers, rows) = read(&["report", "performance", "--format", "csv"]);
    assert_eq!(&headers[..3], ["prompt", "variant", "runs"]);
    // The fixture's known numbers (see `fixture`), as machine values: ratios as
    // fractions, numbers unrounded, empty cells for none, never `-` or `%`. The
    // fixture has no tokens or cost: zero counts, empty cost statistics.
    let expected = [
        "review,,2,0.4,2,2026-11-23T10:00:00.000Z,2026-11-23T11:00:00.000Z,0,1,0,0,0,1,0,2,0,0,0,\
         1000,1000,1000,1000,1000,1000,1000,1,3,0,0,1,0,0,1,0,0,0,0,0,,,,,30,30",
        "summarize,a,2,0.4,2,2026-11-20T10:00:00.000Z,2026-11-21T10:00:00.000Z,0.5,0,1,1,0,0,0,2,0,0,0,\
         200,200,280,290,298,300,400,1,5,0,0,0,0,1,0.5,0,0,0,0,0,,,,,10,10",
        "summarize,b,1,0.2,1,2026-11-22T10:00:00.000Z,2026-11-22T10:00:00.000Z,1,0,1,0,0,0,0,1,0,0,0,\
         200,200,200,200,200,200,200,1,2,0,1,0,0,0,,0,0,0,0,0,,,,,,",
    ];
    let got: Vec<String> = rows
        .iter()
        .map(|row| row.iter().collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(got, expected, "{headers:?}");
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[1][column("duration_ms_p90")], "280");
    assert_eq!(&rows[1][column("participation")], "0.5");
    assert_eq!(&rows[2][column("participation")], "", "never asked");
    // The same columns whatever the report kind; metrics come last.
    for kind in ["usage", "feedback", "all"] {
        let (other, _) = read(&["report", kind, "--format", "csv"]);
        assert_eq!(other, headers, "{kind}");
    }
    for name in [
        "share",
        "duration_ms_p95",
        "participation",
        "rating_5",
        "rating_mean",
    ] {
        assert!(headers.iter().any(|h| h == name), "{name} in {headers:?}");
    }
    assert_eq!(
        headers[headers.len() - 2..],
        ["metric_tokens_sum", "metric_tokens_mean"],
        "the fixture's one metric, last"
    );
    assert_eq!(
        headers.iter().filter(|h| h.starts_with("metric_")).count(),
        2,
        "{headers:?}"
    );
}

#[test]
fn markdown_tables_for_ci_summaries() {
    let env = env_with_fixture();
    let md = stdout(&env.run(["report", "--format", "markdown"]));
    assert!(md.starts_with("## promptrun report"));
    for section in ["### Usage", "### Performance", "### Feedback"] {
        assert!(md.contains(section), "{section}");
    }
    assert!(md.contains("| prompt | variant | runs |"));
    assert!(md.contains("|---|---|---:|"));
    assert!(
        md.lines().any(|l| l.starts_with("| summarize | a | 2 |")),
        "{md}"
    );
}

#[test]
fn output_file_and_skip_warning() {
    let env = env_with_fixture();
    let out = env.path("report.json");
    let output = env.run(["report", "--format", "json", "-o", out.to_str().unwrap()]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["totals"]["runs"], 5);
    let err = stderr(&output);
    assert!(err.contains("skipped 2 lines"), "{err}");
    assert!(
        err.contains("events-2026-11-24.jsonl:15: invalid JSON"),
        "{err}"
    );
    assert!(
        err.contains("events-2026-11-24.jsonl:16: unknown event type `run_paused`"),
        "{err}"
    );
}

#[test]
fn empty_log_is_a_friendly_report() {
    let env = TestEnv::new();
    let output = env.run(["report"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("No runs found"));
    let report = report_json(&env, &[]);
    assert_eq!(report["totals"]["runs"], 0);
    assert_eq!(report["groups"], serde_json::json!([]));
}

#[test]
fn reports_what_the_binary_itself_logged() {
    let env = TestEnv::new();
    for code in ["0", "0", "3"] {
        env.run(["hello", "--", "sh", "-c", &format!("exit {code}")]);
    }
    let report = report_json(&env, &["--user", "me"]);
    assert_eq!(report["totals"]["runs"], 3, "{report:#}");
    assert_eq!(report["totals"]["ok"], 2);
    assert_eq!(report["totals"]["statuses"]["error"], 1);
    assert_eq!(group(&report, &[("prompt", "hello")])["users"], 1);
    let nobody = report_json(&env, &["--user", "0000000000"]);
    assert_eq!(nobody["totals"]["runs"], 0);
}

#[test]
fn table_columns_line_up_with_wide_characters() {
    // "要約" takes four terminal columns in two chars; the next column must still start
    // at the same place on every row.
    let env = TestEnv::new();
    let mut log = String::new();
    for (n, prompt) in ["要約", "summarize", "é-accent"].iter().enumerate() {
        let ts = "2026-11-24T10:00:00.000Z";
        let tags = serde_json::json!({});
        log.push_str(&crate::report_support::start(
            n as u64,
            ts,
            prompt,
            None,
            "u",
            tags.clone(),
        ));
        log.push('\n');
    }
    std::fs::write(env.log_dir().join("events-2026-11-24.jsonl"), log).unwrap();
    let table = stdout(&env.run(["report", "usage"]));
    let columns = |line: &str| {
        // The display column where the second cell (after the prompt's padding) starts.
        let name_end = line.find("  ").unwrap();
        let rest = &line[name_end..];
        let second = name_end + (rest.len() - rest.trim_start().len());
        unicode_width::UnicodeWidthStr::width(&line[..second])
    };
    let rows: Vec<&str> = ["要約", "summarize", "é-accent"]
        .iter()
        .map(|p| {
            table
                .lines()
                .find(|l| l.starts_with(p))
                .expect("a row per prompt")
        })
        .collect();
    let starts: Vec<usize> = rows.iter().map(|l| columns(l)).collect();
    assert!(
        starts.windows(2).all(|w| w[0] == w[1]),
        "{starts:?} in\n{table}"
    );
}

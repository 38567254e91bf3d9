//! The first hour with promptrun: tables that fit the terminal, trends and alerts
//! per variant, completions that know the prompts, the participation goal.

use serde_json::json;

use crate::report_support::{end, fixture, start};
use crate::support::{TestEnv, stderr, stdout};

fn env_with_fixture() -> TestEnv {
    let env = TestEnv::new();
    std::fs::write(env.log_dir().join("events-2026-11-24.jsonl"), fixture()).unwrap();
    env
}

/// A log whose version, user and host are 64-digit hashes, as real logs have them.
fn env_with_hashes() -> (TestEnv, String) {
    let env = TestEnv::new();
    let hash = "0123456789abcdef".repeat(4);
    let mut lines = Vec::new();
    for n in 1..=3u64 {
        let ts = format!("2026-11-2{n}T10:00:00.000Z");
        let mut s: serde_json::Value =
            serde_json::from_str(&start(n, &ts, "summarize", Some("a"), &hash, json!({}))).unwrap();
        s["prompt_sha256"] = json!(hash);
        s["host"] = json!(hash);
        let mut e: serde_json::Value = serde_json::from_str(&end(
            n,
            &ts,
            "summarize",
            Some("a"),
            &hash,
            json!({}),
            "ok",
            100.0,
            true,
            json!({}),
        ))
        .unwrap();
        e["prompt_sha256"] = json!(hash);
        e["host"] = json!(hash);
        lines.push(s.to_string());
        lines.push(e.to_string());
    }
    std::fs::write(env.log_dir().join("events.jsonl"), lines.join("\n") + "\n").unwrap();
    (env, hash)
}

fn longest_line(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn tables_fit_the_width_in_columns_and_name_what_they_left_out() {
    let env = env_with_fixture();
    for width in ["80", "100"] {
        let output = env
            .cmd(["report", "performance"])
            .env("COLUMNS", width)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let table = stdout(&output);
        let limit: usize = width.parse().unwrap();
        assert!(
            longest_line(&table) <= limit,
            "a row wider than {width}:\n{table}"
        );
        assert!(
            table.contains("more columns: --wide or --columns;"),
            "{table}"
        );
        assert!(
            table.contains("p99 ms") && table.contains("total ms"),
            "the footer names them:\n{table}"
        );
    }
    // Not a terminal and no COLUMNS: every column, as scripts always had it.
    let all = stdout(&env.run(["report", "performance"]));
    assert!(
        all.contains("total ms") && !all.contains("more column"),
        "{all}"
    );
    // --wide keeps every column even with COLUMNS set.
    let wide = env
        .cmd(["report", "performance", "--wide"])
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    assert!(stdout(&wide).contains("total ms") && !stdout(&wide).contains("more column"));
}

#[test]
fn columns_chooses_and_orders_them() {
    let env = env_with_fixture();
    let output = env.run(["report", "performance", "--columns", "p95_ms,runs"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    let header = table.lines().nth(1).unwrap();
    let words: Vec<&str> = header
        .split("  ")
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    assert_eq!(words, ["prompt", "variant", "p95 ms", "runs"], "{table}");
    let md = stdout(&env.run([
        "report",
        "performance",
        "--format",
        "markdown",
        "--columns",
        "success",
    ]));
    assert!(md.contains("| prompt | variant | success |"), "{md}");
    let bad = env.run(["report", "performance", "--columns", "nonsense"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("no column `nonsense`"),
        "{}",
        stderr(&bad)
    );
    let json = env.run(["report", "--format", "json", "--columns", "runs"]);
    assert_eq!(json.status.code(), Some(2), "JSON has every column");
}

#[test]
fn hashes_are_short_in_tables_and_full_in_json_and_csv() {
    let (env, hash) = env_with_hashes();
    for by in ["version", "user", "host"] {
        let table = stdout(&env.run(["report", "usage", "--group-by", by]));
        assert!(
            table.contains(&hash[..12]) && !table.contains(&hash),
            "{by}:\n{table}"
        );
        let md = stdout(&env.run(["report", "usage", "--group-by", by, "--format", "markdown"]));
        assert!(
            md.contains(&hash[..12]) && !md.contains(&hash),
            "{by}:\n{md}"
        );
        let csv = stdout(&env.run(["report", "usage", "--group-by", by, "--format", "csv"]));
        assert!(csv.contains(&hash), "{by}:\n{csv}");
        let json = stdout(&env.run(["report", "usage", "--group-by", by, "--format", "json"]));
        assert!(json.contains(&hash), "{by}:\n{json}");
    }
}

#[test]
fn completions_offer_the_configs_prompt_names() {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"summarize": {"file": "s.md", "aliases": ["sum"]}, "review": {"file": "r.md"}}}"#);
    let names = env.run(["__complete-prompts"]);
    assert!(names.status.success(), "{}", stderr(&names));
    assert_eq!(stdout(&names), "review\nsum\nsummarize\n");

    let bash = stdout(&env.run(["completions", "bash"]));
    assert!(
        bash.contains("__complete-prompts"),
        "the hook asks promptrun:\n{bash}"
    );
    assert!(
        bash.contains("complete -F _promptrun_with_prompts"),
        "{bash}"
    );
    let script = env.path("promptrun.bash");
    std::fs::write(&script, &bash).unwrap();
    let complete = |line: &str, cword: usize| {
        let out = env
            .shell_with(
                "bash",
                &format!(
                    "source '{}'; COMP_WORDS=(\"$PROMPTRUN\" {line}); COMP_CWORD={cword}; \
                     _promptrun_with_prompts \"$PROMPTRUN\" \"${{COMP_WORDS[$COMP_CWORD]}}\" x; \
                     printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                    script.display()
                ),
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let offered = complete("su", 1);
    assert!(
        offered.lines().any(|l| l == "summarize") && offered.lines().any(|l| l == "sum"),
        "{offered}"
    );
    assert!(!offered.contains("review"), "{offered}");
    let after_run = complete("run re", 2);
    assert!(after_run.lines().any(|l| l == "review"), "{after_run}");
    // Subcommands are still offered.
    assert!(complete("rep", 1).lines().any(|l| l == "report"));

    // Changing the config changes the names: the script asks each time.
    env.config(r#"{"prompts": {"translate": {"file": "t.md"}}}"#);
    assert!(complete("tr", 1).lines().any(|l| l == "translate"));

    // No config: nothing, and no error.
    let bare = TestEnv::new();
    let none = bare.run(["__complete-prompts"]);
    assert!(
        none.status.success() && none.stdout.is_empty(),
        "{}",
        stderr(&none)
    );

    for shell in ["zsh", "fish"] {
        let text = stdout(&env.run(["completions", shell]));
        assert!(
            text.contains("promptrun") && text.contains("__complete-prompts"),
            "{shell}:\n{text}"
        );
    }
    let zsh = stdout(&env.run(["completions", "zsh"]));
    assert!(
        zsh.contains("matches:_promptrun_prompt_names'"),
        "the prompt argument uses the hook"
    );
}

#[test]
fn feedback_marks_participation_below_the_goal() {
    let env = env_with_fixture();
    // summarize/a: two runs asked, one rated (50%); review: one asked, one rated (100%).
    let table = stdout(&env.run(["report", "feedback"]));
    let row = |name: &str, text: &str| {
        text.lines()
            .find(|l| l.starts_with(name) || l.starts_with(&format!("| {name}")))
            .unwrap_or_else(|| panic!("no {name} row:\n{text}"))
            .to_string()
    };
    assert!(
        row("summarize  a", &table).ends_with("50.0% (<80%)"),
        "{table}"
    );
    assert!(row("review", &table).ends_with("100.0%"), "{table}");
    let md = stdout(&env.run(["report", "feedback", "--format", "markdown"]));
    // Markdown escapes the `<` (it renders as `<80%`).
    assert!(
        row("summarize | a", &md).contains("| 50.0% (\\<80%) |"),
        "{md}"
    );
    // CSV keeps the plain ratio for machines.
    let csv = stdout(&env.run(["report", "feedback", "--format", "csv"]));
    assert!(!csv.contains("<80%"), "{csv}");
}

/// A dashboard page over two weeks of three prompts, with low ratings and a prompt
/// version that changed halfway.
fn dashboard_page(env: &TestEnv) -> std::path::PathBuf {
    use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
    let mut runs = Vec::new();
    for day in 10..24 {
        runs.push(
            FixtureRun::ok("summarize", &nov(day, 9, 0), 300.0)
                .variant("a")
                .rated(if day % 3 == 0 { 1 } else { 4 }),
        );
        runs.push(
            FixtureRun::ok("summarize", &nov(day, 10, 0), 400.0)
                .variant("b")
                .rated(5),
        );
        runs.push(
            FixtureRun::ok("review", &nov(day, 11, 0), 900.0)
                .status(if day % 2 == 0 { "error" } else { "ok" })
                .asked(),
        );
        runs.push(FixtureRun::ok("translate", &nov(day, 12, 0), 200.0).rated(2));
    }
    let old = "ab".repeat(32);
    let new = "cd".repeat(32);
    let log: String = jsonl(&runs)
        .lines()
        .map(|line| {
            let version = if line.contains("\"ts\":\"2026-11-1") {
                &old
            } else {
                &new
            };
            line.replace(
                "\"prompt_sha256\":null",
                &format!("\"prompt_sha256\":\"{version}\""),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    env.write("logs-in/events.jsonl", &log);
    let output = env.run([
        "dashboard",
        "logs-in",
        "-o",
        "dashboard.html",
        "--since",
        "2026-11-10",
        "--until",
        "2026-11-24",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    env.work().join("dashboard.html")
}

#[test]
fn the_dashboard_has_the_first_hour_sections() {
    let env = TestEnv::new();
    let page = dashboard_page(&env);
    let html = std::fs::read_to_string(&page).unwrap();
    for id in ["low-rated", "versions", "rating-over-time", "participation"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no section {id}");
    }
    // Versions: both, newest first, as 12-digit hashes.
    let newer = html.find(&"cd".repeat(6)).expect("the new version");
    let older = html.find(&"ab".repeat(6)).expect("the old version");
    assert!(newer < older, "newest version first");
    // Success bars carry their values, worst first: review (50%) above summarize (100%).
    let success = &html[html.find("Success rate per prompt").unwrap()..];
    let success = &success[..success.find("</svg>").unwrap()];
    assert!(
        success.contains("50%") && success.contains("100%"),
        "value labels"
    );
    // The rating axis leaves room for its last label.
    let mut browser = crate::browser::Browser::start();
    let visit = browser.visit(
        &crate::browser::file_url(&page),
        &[
            // Low ratings: the table's prompts and ratings.
            "[...document.querySelectorAll('#low-rated tbody tr')].map(r => r.cells[1].textContent + ':' + r.cells[3].textContent)",
            // The rating lines chart draws.
            "document.querySelectorAll('#rating-over-time svg.chart circle').length",
            // The participation goal line.
            "document.querySelectorAll('#participation svg [stroke=\"#DC2626\"]').length",
            // The smallest chart label as drawn on the page, in CSS pixels.
            "Math.min(...[...document.querySelectorAll('svg.chart text')].map(t => { \
               const s = t.ownerSVGElement; const scale = s.getBoundingClientRect().width / s.width.baseVal.value; \
               return parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize) * scale; }))",
            // Every chart label inside its chart (the rating axis' 100% is not clipped).
            "[...document.querySelectorAll('svg.chart text')].filter(t => { const b = t.getBBox(); \
               return b.x < -0.5 || b.x + b.width > t.ownerSVGElement.width.baseVal.value + 0.5; }).map(t => t.textContent)",
        ],
    );
    assert!(
        visit.errors.is_empty(),
        "console errors: {:?}",
        visit.errors
    );
    let low: Vec<String> = visit.values[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(low.len(), 10, "the ten latest: {low:?}");
    assert_eq!(low[0], "translate:2", "newest first: {low:?}");
    assert!(low.iter().any(|l| l == "summarize:1"), "{low:?}");
    assert!(
        low.iter().all(|l| !l.ends_with(":4") && !l.ends_with(":5")),
        "{low:?}"
    );
    assert!(
        visit.values[1].as_u64().unwrap() > 10,
        "rating points: {:?}",
        visit.values[1]
    );
    assert!(visit.values[2].as_u64().unwrap() >= 1, "no goal line");
    let smallest = visit.values[3].as_f64().unwrap();
    assert!(smallest >= 11.0, "a chart label drawn at {smallest:.1} px");
    assert_eq!(visit.values[4], serde_json::json!([]), "clipped labels");
}

#[test]
fn a_prompt_keeps_its_colour_across_charts_and_pages() {
    let env = TestEnv::new();
    dashboard_page(&env);
    let output = env.run([
        "trends",
        "logs-in",
        "--format",
        "html",
        "-o",
        "trends.html",
        "--since",
        "2026-11-10",
        "--until",
        "2026-11-24",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let colour_of = |html: &str, name: &str| -> Vec<String> {
        let needle = format!("</i>{name}</li>");
        html.match_indices(&needle)
            .map(|(at, _)| {
                let before = &html[..at];
                let start = before.rfind("background:").unwrap() + "background:".len();
                before[start..start + 7].to_string()
            })
            .collect()
    };
    let dashboard = std::fs::read_to_string(env.work().join("dashboard.html")).unwrap();
    let trends = std::fs::read_to_string(env.work().join("trends.html")).unwrap();
    for name in ["summarize", "review", "translate"] {
        let mut colours = colour_of(&dashboard, name);
        colours.extend(colour_of(&trends, name));
        assert!(colours.len() >= 3, "{name}: {colours:?}");
        assert!(
            colours.windows(2).all(|w| w[0] == w[1]),
            "{name}: {colours:?}"
        );
    }
}

/// summarize/a slows down from 100 ms to 900 ms between the weeks; summarize/b
/// stays at 100 ms; the prompt's version changes with the slow-down.
fn env_with_a_slow_variant() -> TestEnv {
    use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
    let env = TestEnv::new();
    let mut runs = Vec::new();
    for day in 10..24 {
        let slow = day >= 17;
        runs.push(
            FixtureRun::ok(
                "summarize",
                &nov(day, 9, 0),
                if slow { 900.0 } else { 100.0 },
            )
            .variant("a"),
        );
        runs.push(FixtureRun::ok("summarize", &nov(day, 10, 0), 100.0).variant("b"));
        runs.push(FixtureRun::ok("summarize", &nov(day, 11, 0), 100.0).variant("b"));
    }
    let log: String = jsonl(&runs)
        .lines()
        .map(|line| {
            let version = if line.contains("\"ts\":\"2026-11-1")
                && !line.contains("\"ts\":\"2026-11-17")
                && !line.contains("\"ts\":\"2026-11-18")
                && !line.contains("\"ts\":\"2026-11-19")
            {
                "ab".repeat(32)
            } else {
                "cd".repeat(32)
            };
            line.replace(
                "\"prompt_sha256\":null",
                &format!("\"prompt_sha256\":\"{version}\""),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    env.write("logs-in/events.jsonl", &log);
    env
}

const WEEK: [&str; 4] = ["--since", "2026-11-17", "--until", "2026-11-24"];

#[test]
fn trends_name_the_variant_that_regressed() {
    let env = env_with_a_slow_variant();
    let mut args = vec!["trends", "logs-in", "--format", "json"];
    args.extend_from_slice(&WEEK);
    let by_prompt: serde_json::Value = serde_json::from_slice(&env.run(&args).stdout).unwrap();
    assert!(
        by_prompt["changes"][0].get("variant").is_none(),
        "no variant unless asked"
    );

    args.extend_from_slice(&["--group-by", "variant"]);
    let output = env.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let trends: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let changes = trends["changes"].as_array().unwrap();
    let change = |variant: &str| {
        changes
            .iter()
            .find(|c| c["prompt"] == "summarize" && c["variant"] == variant)
            .unwrap_or_else(|| panic!("no summarize/{variant}: {changes:?}"))
    };
    assert!(
        change("a")["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "max_p95_increase_pct"),
        "{changes:?}"
    );
    assert_eq!(change("b")["flags"], json!([]), "{changes:?}");
    assert!(
        trends["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b.get("variant").is_some())
    );

    let table = stdout(&env.run([
        "trends",
        "logs-in",
        "--group-by",
        "variant",
        WEEK[0],
        WEEK[1],
        WEEK[2],
        WEEK[3],
    ]));
    assert!(
        table.contains("summarize / a") && table.contains("summarize / b"),
        "{table}"
    );

    let by_version = stdout(&env.run([
        "report",
        "trends",
        "logs-in",
        "--group-by",
        "version",
        WEEK[0],
        WEEK[1],
        WEEK[2],
        WEEK[3],
    ]));
    assert!(
        by_version.contains(&format!("summarize @ {}", "cd".repeat(6))),
        "{by_version}"
    );

    let bad = env.run(["trends", "logs-in", "--group-by", "host"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn alert_rules_per_variant_name_the_variant() {
    let env = env_with_a_slow_variant();
    env.config(r#"{"alerts": {"per": "variant", "max_p95_ms": 500}}"#);
    let check = env.config_check();
    assert!(check.status.success(), "{}", stderr(&check));
    let mut args = vec!["report", "logs-in", "--check", "--format", "json"];
    args.extend_from_slice(&WEEK);
    let output = env.run(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let breaches = result["breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 1, "{breaches:?}");
    assert_eq!(breaches[0]["prompt"], "summarize");
    assert_eq!(breaches[0]["variant"], "a");
    assert_eq!(result["checked"], 2, "two variants checked");
    let mut text_args = vec!["report", "logs-in", "--check"];
    text_args.extend_from_slice(&WEEK);
    let text = stdout(&env.run(&text_args));
    assert!(text.contains("summarize / a"), "{text}");

    // Per prompt (the default) the prompt as a whole: p95 of its mixed runs.
    env.config(r#"{"alerts": {"max_p95_ms": 500}}"#);
    let result: serde_json::Value = serde_json::from_slice(&env.run(&args).stdout).unwrap();
    assert!(
        result["breaches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b.get("variant").is_none())
    );

    env.config(r#"{"alerts": {"per": "model", "max_p95_ms": 500}}"#);
    let bad = env.config_check();
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("alerts.per") || stdout(&bad).contains("alerts.per"),
        "{}",
        stderr(&bad)
    );
}

impl TestEnv {
    fn config_check(&self) -> std::process::Output {
        self.run(["config", "check", "--config", "router-config.json"])
    }
}

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
            n, &ts, "summarize", Some("a"), &hash, json!({}), "ok", 100.0, true, json!({}),
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
        assert!(longest_line(&table) <= limit, "a row wider than {width}:\n{table}");
        assert!(table.contains("more columns: --wide or --columns;"), "{table}");
        assert!(table.contains("p99 ms") && table.contains("total ms"), "the footer names them:\n{table}");
    }
    // Not a terminal and no COLUMNS: every column, as scripts always had it.
    let all = stdout(&env.run(["report", "performance"]));
    assert!(all.contains("total ms") && !all.contains("more column"), "{all}");
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
    let words: Vec<&str> = header.split("  ").map(str::trim).filter(|w| !w.is_empty()).collect();
    assert_eq!(words, ["prompt", "variant", "p95 ms", "runs"], "{table}");
    let md = stdout(&env.run(["report", "performance", "--format", "markdown", "--columns", "success"]));
    assert!(md.contains("| prompt | variant | success |"), "{md}");
    let bad = env.run(["report", "performance", "--columns", "nonsense"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no column `nonsense`"), "{}", stderr(&bad));
}

#[test]
fn hashes_are_short_in_tables_and_full_in_json_and_csv() {
    let (env, hash) = env_with_hashes();
    for by in ["version", "user", "host"] {
        let table = stdout(&env.run(["report", "usage", "--group-by", by]));
        assert!(table.contains(&hash[..12]) && !table.contains(&hash), "{by}:\n{table}");
        let md = stdout(&env.run(["report", "usage", "--group-by", by, "--format", "markdown"]));
        assert!(md.contains(&hash[..12]) && !md.contains(&hash), "{by}:\n{md}");
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
    assert!(bash.contains("__complete-prompts"), "the hook asks promptrun:\n{bash}");
    assert!(bash.contains("complete -F _promptrun_with_prompts"), "{bash}");
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
    assert!(offered.lines().any(|l| l == "summarize") && offered.lines().any(|l| l == "sum"), "{offered}");
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
    assert!(none.status.success() && none.stdout.is_empty(), "{}", stderr(&none));

    for shell in ["zsh", "fish"] {
        let text = stdout(&env.run(["completions", shell]));
        assert!(text.contains("promptrun") && text.contains("__complete-prompts"), "{shell}:\n{text}");
    }
    let zsh = stdout(&env.run(["completions", "zsh"]));
    assert!(zsh.contains("matches:_promptrun_prompt_names'"), "the prompt argument uses the hook");
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
    assert!(row("summarize  a", &table).ends_with("50.0% (<80%)"), "{table}");
    assert!(row("review", &table).ends_with("100.0%"), "{table}");
    let md = stdout(&env.run(["report", "feedback", "--format", "markdown"]));
    // Markdown escapes the `<` (it renders as `<80%`).
    assert!(row("summarize | a", &md).contains("| 50.0% (\\<80%) |"), "{md}");
    // CSV keeps the plain ratio for machines.
    let csv = stdout(&env.run(["report", "feedback", "--format", "csv"]));
    assert!(!csv.contains("<80%"), "{csv}");
}

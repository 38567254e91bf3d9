//! Models, tokens and cost end to end: what the command writes to the metrics
//! file, `--model` and the config become run_end's model, provider and cost;
//! reports group, filter and total them; the cost alert rules fire; and a
//! prompt the command cannot see is warned about.

use serde_json::{Value, json};

use crate::support::*;

/// A command that appends `lines` to the metrics file and takes the prompt file.
fn writes(lines: &str) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        format!("printf '{lines}' >> \"$PROMPTRUN_METRICS_FILE\"; test -f \"$1\""),
        "sh".into(),
        "{prompt_file}".into(),
    ]
}

/// An environment with prompt `p` (file `p.md`) and the given extra config.
fn env_with(extra: Value) -> TestEnv {
    let env = TestEnv::new();
    env.write("p.md", "the prompt\n");
    let mut config = json!({"prompts": {"p": {"file": "p.md"}}});
    for (key, value) in extra.as_object().unwrap() {
        if key == "p" {
            for (k, v) in value.as_object().unwrap() {
                config["prompts"]["p"][k] = v.clone();
            }
        } else {
            config[key] = value.clone();
        }
    }
    env.config(&config.to_string());
    env
}

fn run_ok(env: &TestEnv, args: &[&str], command: &[String]) -> std::process::Output {
    let mut argv: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    argv.push("--".into());
    argv.extend(command.iter().cloned());
    let out = env.run(&argv);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    out
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
}

#[test]
fn tokens_of_a_known_model_are_priced_and_the_price_hashed() {
    let env = env_with(json!({}));
    let out = run_ok(
        &env,
        &["p"],
        &writes(
            "model=gpt-4o\\nprovider=openai\\ninput_tokens=1000\\ncached_input_tokens=200\\noutput_tokens=500\\n",
        ),
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let end = only_run_end(&env);
    assert_eq!(end["model"], "gpt-4o");
    assert_eq!(end["provider"], "openai");
    // 800 × $2.50 + 200 × $1.25 + 500 × $10.00 per million tokens = $0.00725.
    assert_eq!(end["cost_usd"].as_f64(), Some(0.00725));
    assert_eq!(end["cost_source"], "computed");
    // The hash of the shipped table's entry, in its documented canonical form.
    let entry = r#"{"model":"gpt-4o","input":2.5,"output":10.0,"cached_input":1.25,"checked":"2026-11","provider":"openai"}"#;
    assert_eq!(end["pricing_sha256"], sha256_hex(entry));
    assert_eq!(end["metrics"]["input_tokens"], 1000.0);
    assert!(end["metrics"].get("model").is_none());
}

#[test]
fn a_cost_the_command_reports_wins() {
    let env = env_with(json!({}));
    run_ok(
        &env,
        &["p"],
        &writes("model=gpt-4o\\ninput_tokens=1000\\noutput_tokens=500\\ncost_usd=0.0002\\n"),
    );
    let end = only_run_end(&env);
    assert_eq!(end["cost_usd"].as_f64(), Some(0.0002));
    assert_eq!(end["cost_source"], "reported");
    assert!(end.get("pricing_sha256").is_none(), "{end}");
    // No provider reported, configured or priced: none recorded.
    assert!(end.get("provider").is_none(), "{end}");
}

#[test]
fn model_comes_from_the_command_then_the_flag_then_the_config() {
    let env = env_with(json!({
        "defaults": {"model": "gpt-4.1"},
        "p": {"model": "claude-sonnet-4", "provider": "anthropic-direct",
              "variants": {"a": {}, "m": {"model": "gpt-4o-mini"}}, "default_variant": "a"},
        "pricing": {"claude-sonnet-4": {"input": 1, "output": 2, "checked": "2026-11-01"}}
    }));
    let echo_model = |args: &[&str]| -> (String, Value) {
        let mut command = writes("input_tokens=1000000\\noutput_tokens=1000000\\n");
        command[2].push_str("; echo \"$2|$PROMPTRUN_MODEL\"");
        command.push("{model}".into());
        let out = run_ok(&env, args, &command);
        let ends: Vec<Value> = of_type(&checked_events(&env), "run_end")
            .into_iter()
            .cloned()
            .collect();
        (
            stdout(&out).trim().to_string(),
            ends.last().unwrap().clone(),
        )
    };
    // The prompt's model, priced by the config's own table; its provider.
    let (printed, end) = echo_model(&["p"]);
    assert_eq!(printed, "claude-sonnet-4|claude-sonnet-4");
    assert_eq!(end["model"], "claude-sonnet-4");
    assert_eq!(end["provider"], "anthropic-direct");
    assert_eq!(end["cost_usd"].as_f64(), Some(3.0));
    // The variant's model, priced by the default table.
    let (printed, end) = echo_model(&["p", "--variant", "m"]);
    assert_eq!(printed, "gpt-4o-mini|gpt-4o-mini");
    assert_eq!(end["cost_usd"].as_f64(), Some(0.75));
    // --model beats the config.
    let (printed, end) = echo_model(&["--model", "o3", "p"]);
    assert_eq!(printed, "o3|o3");
    assert_eq!(
        (end["model"].as_str(), end["cost_usd"].as_f64()),
        (Some("o3"), Some(10.0))
    );
    // --dry-run says which model the run would record.
    let dry = stdout(&env.run(["p", "--dry-run", "--", "echo", "{model}"]));
    assert!(
        dry.contains("model:      claude-sonnet-4 (unless the command writes model=)"),
        "{dry}"
    );
    assert!(dry.contains("command:    echo claude-sonnet-4"), "{dry}");
    // The command's own model= beats --model.
    let mut command = writes("model=gpt-4o\\ninput_tokens=1000000\\n");
    command.push("{model}".into());
    run_ok(&env, &["p", "--model", "o3"], &command);
    let events = checked_events(&env);
    let end = of_type(&events, "run_end").last().copied().unwrap().clone();
    assert_eq!(
        (end["model"].as_str(), end["cost_usd"].as_f64()),
        (Some("gpt-4o"), Some(2.5))
    );
}

#[test]
fn a_pricing_file_prices_models_the_config_does_not() {
    let env = env_with(json!({"pricing_file": "prices.json"}));
    env.write(
        "prices.json",
        r#"{"models": {"house-model": {"input": 0.5, "output": 1.5}}}"#,
    );
    run_ok(
        &env,
        &["p", "--model", "house-model"],
        &writes("input_tokens=2000\\noutput_tokens=1000\\n"),
    );
    let end = only_run_end(&env);
    // 2000 × 0.5 + 1000 × 1.5 = 2500 µ$.
    assert_eq!(end["cost_usd"].as_f64(), Some(0.0025));
    assert_eq!(
        end["pricing_sha256"],
        sha256_hex(r#"{"model":"house-model","input":0.5,"output":1.5}"#)
    );
    let out = env.run(["config", "check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn without_tokens_or_a_known_model_there_is_no_cost() {
    let env = env_with(json!({}));
    run_ok(&env, &["p", "--model", "gpt-4o"], &writes("latency=3\\n"));
    run_ok(
        &env,
        &["p", "--model", "no-such-model"],
        &writes("input_tokens=5\\n"),
    );
    let events = checked_events(&env);
    let ends = of_type(&events, "run_end");
    assert_eq!(ends[0]["model"], "gpt-4o");
    assert_eq!(ends[1]["model"], "no-such-model");
    for end in ends {
        assert!(end.get("cost_usd").is_none(), "{end}");
        assert!(end.get("cost_source").is_none(), "{end}");
    }
}

/// Four runs: two of gpt-4o ($0.0075 each), one of gpt-4o-mini ($0.00075), one
/// of claude-3-5-haiku that reported $0.0002 itself.
fn priced_runs(extra: Value) -> TestEnv {
    let env = env_with(extra);
    for lines in [
        "model=gpt-4o\\ninput_tokens=1000\\noutput_tokens=500\\n",
        "model=gpt-4o\\ninput_tokens=1000\\noutput_tokens=500\\n",
        "model=gpt-4o-mini\\ninput_tokens=1000\\noutput_tokens=1000\\n",
        "model=claude-3-5-haiku\\nprovider=anthropic\\ncost_usd=0.0002\\n",
    ] {
        run_ok(&env, &["p"], &writes(lines));
    }
    env
}

fn json_report(env: &TestEnv, args: &[&str]) -> Value {
    let mut argv = vec!["report", "performance", "--format", "json"];
    argv.extend_from_slice(args);
    let out = env.run(&argv);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn group<'a>(report: &'a Value, field: &str, value: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"][field] == value)
        .unwrap_or_else(|| panic!("no {field} {value} in {report}"))
}

#[test]
fn report_by_model_totals_tokens_and_cost_exactly() {
    let env = priced_runs(json!({}));
    let report = json_report(&env, &["--group-by", "model"]);
    assert_eq!(report["groups"].as_array().unwrap().len(), 3);
    let gpt = group(&report, "model", "gpt-4o");
    assert_eq!(gpt["runs"], 2);
    assert_eq!(
        gpt["cost_usd"],
        json!({"runs": 2, "total": 0.015, "mean": 0.0075, "p50": 0.0075, "p95": 0.0075, "max": 0.0075})
    );
    assert_eq!(
        gpt["tokens"],
        json!({"input": 2000.0, "output": 1000.0, "cached_input": 0.0})
    );
    let mini = group(&report, "model", "gpt-4o-mini");
    assert_eq!(mini["cost_usd"]["total"].as_f64(), Some(0.00075));
    let haiku = group(&report, "model", "claude-3-5-haiku");
    assert_eq!(haiku["cost_usd"]["total"].as_f64(), Some(0.0002));
    assert_eq!(haiku["tokens"]["input"].as_f64(), Some(0.0));
    let totals = &report["totals"]["cost_usd"];
    assert_eq!(totals["runs"], 4);
    assert_eq!(totals["total"].as_f64(), Some(0.01595));

    let by_provider = json_report(&env, &["--group-by", "provider"]);
    assert_eq!(group(&by_provider, "provider", "openai")["runs"], 3);
    assert_eq!(group(&by_provider, "provider", "anthropic")["runs"], 1);

    let filtered = json_report(&env, &["--group-by", "model", "--model", "gpt-4o*"]);
    assert_eq!(filtered["totals"]["runs"], 3);
    assert_eq!(filtered["filters"]["model"], json!(["gpt-4o*"]));
    let exact = json_report(&env, &["--model", "gpt-4o"]);
    assert_eq!(exact["totals"]["runs"], 2);
    let none = json_report(&env, &["--model", "-"]);
    assert_eq!(none["totals"]["runs"], 0);
}

#[test]
fn csv_and_table_show_small_costs_with_their_digits() {
    let env = priced_runs(json!({}));
    let out = env.run(["report", "--group-by", "model", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |model: &str| rows.iter().find(|r| &r[0] == model).unwrap().clone();
    assert_eq!(&row("claude-3-5-haiku")[column("cost_usd_total")], "0.0002");
    assert_eq!(&row("gpt-4o")[column("cost_usd_p95")], "0.0075");
    assert_eq!(&row("gpt-4o-mini")[column("cost_usd_mean")], "0.00075");
    assert_eq!(&row("gpt-4o")[column("tokens_output")], "1000");

    let table = stdout(&env.run(["report", "performance", "--group-by", "model"]));
    for header in ["tokens in", "tokens out", "cost", "cost/run", "cost p95"] {
        assert!(table.contains(header), "{header} in\n{table}");
    }
    let line = |model: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{model} ")))
            .unwrap_or_else(|| panic!("{model} in\n{table}"))
            .to_string()
    };
    assert!(line("claude-3-5-haiku").contains("$0.0002"), "{table}");
    assert!(
        line("gpt-4o").contains("$0.015") && line("gpt-4o").contains("$0.0075"),
        "{table}"
    );
    assert!(line("gpt-4o-mini").contains("$0.00075"), "{table}");
    assert!(!table.contains("$0.00 "), "{table}");
    let md = stdout(&env.run([
        "report",
        "performance",
        "--group-by",
        "model",
        "--format",
        "markdown",
    ]));
    assert!(md.contains("$0.0002"), "{md}");
}

#[test]
fn the_dashboard_breaks_cost_and_latency_down_by_model() {
    let env = priced_runs(json!({}));
    let out = env.run(["dashboard", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let html = stdout(&out);
    let at = html.find("<h2>By model</h2>").expect("a by-model table");
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    for text in [
        "gpt-4o-mini",
        "claude-3-5-haiku",
        "$0.015",
        "$0.0002",
        "Cost p95",
        "p95",
    ] {
        assert!(section.contains(text), "{text} in {section}");
    }
}

#[test]
fn cost_alert_rules_fire_past_their_threshold() {
    for (rules, fired) in [
        (json!({"max_cost_total_usd": 0.016}), vec![]),
        (
            json!({"max_cost_total_usd": 0.0159}),
            vec!["max_cost_total_usd"],
        ),
        (json!({"max_cost_p95_usd": 0.0075}), vec![]),
        (json!({"max_cost_p95_usd": 0.007}), vec!["max_cost_p95_usd"]),
    ] {
        let env = priced_runs(json!({ "alerts": rules }));
        let out = env.run(["report", "--check", "--format", "json"]);
        let expected = if fired.is_empty() { 0 } else { 1 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{rules}: {}",
            stderr(&out)
        );
        let result: Value = serde_json::from_slice(&out.stdout).unwrap();
        let names: Vec<&str> = result["breaches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["rule"].as_str().unwrap())
            .collect();
        assert_eq!(names, fired, "{rules}");
        if let Some(breach) = result["breaches"].as_array().unwrap().first() {
            assert_eq!(breach["prompt"], "p");
        }
    }
    let env = priced_runs(json!({ "alerts": {"max_cost_total_usd": 0.01} }));
    let text = stdout(&env.run(["report", "--check"]));
    assert!(
        text.contains("max_cost_total_usd $0.0159 > $0.01"),
        "{text}"
    );
}

#[test]
fn a_prompt_file_the_command_cannot_see_is_warned_about_once() {
    let env = env_with(json!({"p": {"command": ["true"]}}));
    let warning = "the command does not receive the prompt file; add {prompt_file} or --stdin \
                   (silence with logging.warn_unused_prompt=false)";
    let out = env.run(["p", "--", "true"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(err.contains(warning) && err.contains("p.md"), "{err}");
    for quiet in [
        vec!["p", "--", "cat", "{prompt_file}"],
        vec!["p", "--", "echo", "--file={prompt_file}"],
        vec!["p", "--", "echo", "{prompt}"],
        vec!["p", "--stdin", "--", "cat"],
        vec!["p", "--", "sh", "-c", "cat \"$PROMPTRUN_PROMPT_FILE\""],
        vec!["p"],
    ] {
        let out = env.run(&quiet);
        assert_eq!(out.status.code(), Some(0), "{quiet:?}");
        assert!(stderr(&out).is_empty(), "{quiet:?}: {}", stderr(&out));
    }
    // Ad hoc runs (no config) have no prompt file to hand on.
    let adhoc = TestEnv::new();
    let out = adhoc.run(["anything", "--", "true"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    // And the config can silence it.
    let silenced = env_with(json!({"logging": {"warn_unused_prompt": false}}));
    let out = silenced.run(["p", "--", "true"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

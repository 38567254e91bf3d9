//! The LLM client adapters in examples/clients/ and the shipped config's llm command,
//! end to end: promptrun -> adapter -> a real `llm` with the offline `echo` model of
//! the llm-echo plugin, and stand-in `claude` and `codex` programs that print the JSON
//! the real ones print, so that the parsing is tested without a network.
//!
//! The llm tests need llm and llm-echo: `$PROMPTRUN_TEST_LLM` (the llm program) or `llm`
//! on PATH. Without them they fail and say how to install them; `PROMPTRUN_SKIP_LLM=1`
//! skips them instead.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::support::*;

/// The prompt file and the input: distinctive, so a leak into a log would show.
const PROMPT: &str = "Summarize the notes in three bullets (prompt-marker-7f3a).\n";
const INPUT: &str = "Ada met Grace at 10:30 to plan release 2.4 (input-marker-c91e).\n";

fn adapter(name: &str) -> PathBuf {
    repo_root().join("examples/clients").join(name)
}

/// A config with the prompt `notes`, and the input in `input.txt`.
fn notes_env() -> TestEnv {
    let env = TestEnv::new();
    env.write("prompts/notes.md", PROMPT);
    env.write("input.txt", INPUT);
    env.config(r#"{"prompts": {"notes": {"file": "prompts/notes.md"}}}"#);
    env
}

fn input(env: &TestEnv) -> Stdio {
    Stdio::from(std::fs::File::open(env.work().join("input.txt")).unwrap())
}

/// PATH with `dir` first.
fn path_with(dir: &Path) -> OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&rest)))
        .unwrap()
}

/// The llm program to test with, or None (after saying why) with PROMPTRUN_SKIP_LLM=1.
fn llm() -> Option<PathBuf> {
    if std::env::var_os("PROMPTRUN_SKIP_LLM").is_some_and(|v| v == "1") {
        eprintln!(
            "skipped: PROMPTRUN_SKIP_LLM=1, so the llm adapter and the shipped config's llm \
             command are not tested"
        );
        return None;
    }
    if let Some(path) = std::env::var_os("PROMPTRUN_TEST_LLM").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "PROMPTRUN_TEST_LLM={} is not a file",
            path.display()
        );
        return Some(path);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("llm"))
        .find(|candidate| candidate.is_file());
    Some(on_path.unwrap_or_else(|| {
        panic!(
            "the client tests need Simon Willison's llm with the llm-echo plugin, and found \
             neither $PROMPTRUN_TEST_LLM nor `llm` on PATH. Install them and point the tests \
             at llm:\n\
             \x20   python3 -m venv target/ci-venv\n\
             \x20   target/ci-venv/bin/pip install llm==0.36 llm-echo==0.5\n\
             \x20   PROMPTRUN_TEST_LLM=$PWD/target/ci-venv/bin/llm cargo test\n\
             (tests/run.sh does this), or set PROMPTRUN_SKIP_LLM=1 to skip these tests"
        )
    }))
}

/// `command` with llm's directory first on PATH and llm's state in the test's directory.
fn with_llm(env: &TestEnv, llm: &Path, mut command: Command) -> Command {
    let home = env.path("llm-home");
    std::fs::create_dir_all(&home).unwrap();
    command
        .env("PATH", path_with(llm.parent().unwrap()))
        .env("LLM_USER_PATH", home);
    command
}

/// Fails with the fix when llm lacks the echo model.
fn assert_ran(out: &Output) {
    let err = stderr(out);
    assert!(
        !err.contains("Unknown model: echo"),
        "llm has no `echo` model: install the llm-echo plugin next to it \
         (pip install llm-echo==0.5 in llm's virtualenv): {err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// What the echo model answered: it echoes the prompt and system prompt it was given.
fn echoed(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not the echo model's JSON ({e}): {}", stdout(out)))
}

/// Checks the text line `name=value` the command wrote (`model`, `provider`): run_end
/// records it as its own field, and no warning is printed about it.
fn assert_text_metric(end: &Value, err: &str, name: &str, value: &str) {
    assert_eq!(end[name], value, "run_end.{name}: {end}");
    assert!(
        !err.contains(&format!("metric line `{name}=")),
        "warned about {name}: {err}"
    );
}

fn number(end: &Value, name: &str) -> f64 {
    end["metrics"][name]
        .as_f64()
        .unwrap_or_else(|| panic!("no numeric metric {name}: {end}"))
}

/// Neither promptrun's logs nor the adapter's messages hold the prompt or the input.
fn assert_no_text_leaked(env: &TestEnv, err: &str) {
    for marker in ["prompt-marker-7f3a", "input-marker-c91e"] {
        assert!(!err.contains(marker), "stderr shows the text: {err}");
        for entry in std::fs::read_dir(env.log_dir()).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            assert!(!text.contains(marker), "the log holds the text: {text}");
        }
    }
}

#[test]
fn llm_adapter_hands_prompt_and_input_to_llm_and_records_model_and_tokens() {
    let Some(llm) = llm() else { return };
    let env = notes_env();
    let mut command = env.cmd([
        "notes".as_ref(),
        "--".as_ref(),
        adapter("llm.sh").as_os_str(),
    ]);
    command.args(["-m", "echo"]).stdin(input(&env));
    let out = with_llm(&env, &llm, command).output().unwrap();
    assert_ran(&out);
    let answer = echoed(&out);
    assert_eq!(
        answer["system"],
        PROMPT.trim_end(),
        "the prompt file is the system prompt"
    );
    assert_eq!(answer["prompt"], INPUT, "the input is the message");

    let err = stderr(&out);
    let end = only_run_end(&env);
    assert_eq!(end["status"], "ok");
    assert_text_metric(&end, &err, "model", "echo");
    assert_text_metric(&end, &err, "provider", "echo");
    // The counts are llm's own for the same prompt.
    let mut direct = with_llm(&env, &llm, Command::new(&llm));
    direct
        .args(["prompt", "--json", "-n", "-m", "echo", "--sf"])
        .arg(env.work().join("prompts/notes.md"))
        .env_remove("PROMPTRUN_METRICS_FILE")
        .stdin(input(&env));
    let direct = direct.output().unwrap();
    assert_ran(&direct);
    let usage: Value = serde_json::from_slice(&direct.stdout).unwrap();
    for key in ["input_tokens", "output_tokens"] {
        let expected = usage[0][key].as_f64().unwrap();
        assert!(expected > 0.0, "{usage}");
        assert_eq!(number(&end, key), expected, "{key}");
    }
    assert_no_text_leaked(&env, &err);
}

#[test]
fn llm_adapter_sends_the_prompt_as_the_message_when_there_is_no_input() {
    let Some(llm) = llm() else { return };
    let env = notes_env();
    // Standard input /dev/null, then the prompt file itself (--stdin).
    for flags in [&[][..], &["--stdin"][..]] {
        let mut command = env.cmd(["notes"]);
        command
            .args(flags)
            .arg("--")
            .arg(adapter("llm.sh"))
            .args(["-m", "echo"]);
        let out = with_llm(&env, &llm, command).output().unwrap();
        assert_ran(&out);
        let answer = echoed(&out);
        assert_eq!(answer["prompt"], PROMPT, "{flags:?}");
        assert!(
            answer["system"].as_str().unwrap_or("").is_empty(),
            "{flags:?}: {answer}"
        );
    }
    let ends: Vec<Value> = env
        .events()
        .into_iter()
        .filter(|e| e["type"] == "run_end")
        .collect();
    assert_eq!(ends.len(), 2);
    for end in &ends {
        assert!(number(end, "input_tokens") > 0.0 && number(end, "output_tokens") > 0.0);
    }
}

#[test]
fn the_shipped_config_and_the_readme_example_hand_the_prompt_to_llm() {
    let Some(llm) = llm() else { return };
    let env = notes_env();
    let config = repo_root().join("config/router-config.json");
    let terse =
        std::fs::read_to_string(repo_root().join("examples/prompts/summarize-terse.md")).unwrap();
    let summarize =
        std::fs::read_to_string(repo_root().join("examples/prompts/summarize.md")).unwrap();
    // The configured command (`llm --sf {prompt_file}`), with the model from LLM_MODEL;
    // then the README's `promptrun summarize -- llm -m MODEL --sf {prompt_file} < notes.txt`.
    let runs: [(&[&str], &str); 2] = [
        (&["summarize", "--variant", "terse"], &terse),
        (
            &[
                "summarize",
                "--variant",
                "bullets",
                "--",
                "llm",
                "-m",
                "echo",
                "--sf",
                "{prompt_file}",
            ],
            &summarize,
        ),
    ];
    for (args, system) in runs {
        let mut command = env.cmd(["--config".as_ref(), config.as_os_str()]);
        command
            .args(args)
            .env("LLM_MODEL", "echo")
            .stdin(input(&env));
        let out = with_llm(&env, &llm, command).output().unwrap();
        assert_ran(&out);
        let answer = echoed(&out);
        assert_eq!(answer["system"], system.trim_end(), "{args:?}");
        assert_eq!(answer["prompt"], INPUT, "{args:?}");
    }
    let ends: Vec<Value> = checked_events(&env)
        .into_iter()
        .filter(|e| e["type"] == "run_end")
        .collect();
    assert_eq!(ends.len(), 2);
    assert!(
        ends.iter()
            .all(|e| e["status"] == "ok" && e["command"] == "llm")
    );
}

/// A stand-in for a client program: saves its arguments and standard input in the
/// test's directory, prints `output`, and exits with `status`.
fn fake_client(env: &TestEnv, name: &str, output: &str, status: i32) -> PathBuf {
    let bin = env.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = env.path(name);
    std::fs::write(env.path(&format!("{name}.out")), output).unwrap();
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{record}.args'\ncat > '{record}.stdin'\ncat '{record}.out'\nexit {status}\n",
        record = record.display()
    );
    let path = bin.join(name);
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// What the stand-in `name` was given: its arguments (one per line) and standard input.
fn received(env: &TestEnv, name: &str) -> (String, String) {
    let read = |ext: &str| std::fs::read_to_string(env.path(&format!("{name}.{ext}"))).unwrap();
    (read("args"), read("stdin"))
}

fn run_fake(env: &TestEnv, bin: &Path, script: &str, args: &[&str], stdin: Stdio) -> Output {
    let mut command = env.cmd(["notes".as_ref(), "--".as_ref(), adapter(script).as_os_str()]);
    command
        .args(args)
        .env("PATH", path_with(bin))
        .stdin(stdin)
        .output()
        .unwrap()
}

/// `claude -p --output-format json` as Claude Code 2.x prints it: one `result` object.
/// Its shape follows Anthropic's headless-mode documentation
/// (https://docs.anthropic.com/en/docs/claude-code/sdk/sdk-headless) and the result
/// recorded from a real run in Omar-Unpossible/claude_code_orchestrator,
/// docs/research/claude-code-json-response-schema.md (tested 2025-11-03): `usage` for the
/// main model, `modelUsage` per model (Sonnet answering, Haiku for chores), cost in USD.
const CLAUDE_RESULT: &str = r#"{"type":"result","subtype":"success","is_error":false,"duration_ms":14301,"duration_api_ms":27618,"num_turns":2,"result":"- Ada and Grace met at 10:30.\n- They planned release 2.4.","stop_reason":"end_turn","session_id":"550e8400-e29b-41d4-a716-446655440001","total_cost_usd":0.013645,"usage":{"input_tokens":9,"cache_creation_input_tokens":12871,"cache_read_input_tokens":36391,"output_tokens":510,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":12871}},"modelUsage":{"claude-haiku-4-5-20251001":{"inputTokens":380,"outputTokens":407,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"webSearchRequests":0,"costUSD":0.002035,"contextWindow":200000},"claude-sonnet-4-5-20250929":{"inputTokens":9,"outputTokens":510,"cacheReadInputTokens":36391,"cacheCreationInputTokens":12871,"webSearchRequests":0,"costUSD":0.01161,"contextWindow":200000}},"permission_denials":[],"uuid":"3eb1e1b4-106d-48ef-8127-1a1bcc6b9c3e"}"#;

#[test]
fn claude_adapter_hands_over_the_prompt_and_records_model_tokens_and_cost() {
    let env = notes_env();
    let bin = fake_client(&env, "claude", CLAUDE_RESULT, 0);
    let out = run_fake(&env, &bin, "claude.sh", &["--model", "sonnet"], input(&env));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        stdout(&out),
        "- Ada and Grace met at 10:30.\n- They planned release 2.4.\n"
    );
    let (args, message) = received(&env, "claude");
    assert_eq!(args, "-p\n--output-format\njson\n--model\nsonnet\n");
    assert_eq!(
        message,
        format!("{PROMPT}\n{INPUT}"),
        "the prompt, then the input"
    );

    let end = only_run_end(&env);
    assert_eq!(end["status"], "ok");
    assert_text_metric(&end, &err, "model", "claude-sonnet-4-5-20250929");
    assert_text_metric(&end, &err, "provider", "anthropic");
    // Both models' input, cache reads and writes included; both models' output.
    assert_eq!(
        number(&end, "input_tokens"),
        (9 + 380 + 36391 + 12871) as f64
    );
    assert_eq!(number(&end, "cached_input_tokens"), 36391.0);
    assert_eq!(number(&end, "output_tokens"), (510 + 407) as f64);
    assert_eq!(number(&end, "cost_usd"), 0.013645);
    assert_no_text_leaked(&env, &err);
}

/// `claude -p --output-format json --verbose`: every message as an array, the `result`
/// last; here a run that failed (`is_error`), whose claude still exited 0.
const CLAUDE_VERBOSE_ERROR: &str = r#"[{"type":"system","subtype":"init","cwd":"/work","session_id":"efd4dc89-2c85-4b2f-8efb-e9ced52ba6fd","tools":["Bash","Read"],"mcp_servers":[],"model":"claude-opus-4-5-20251101","permissionMode":"default","apiKeySource":"none"},{"type":"assistant","message":{"model":"claude-opus-4-5-20251101","id":"msg_01","type":"message","role":"assistant","content":[{"type":"text","text":"Working on it"}],"usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":1200,"output_tokens":5}},"session_id":"efd4dc89-2c85-4b2f-8efb-e9ced52ba6fd"},{"type":"result","subtype":"error_during_execution","is_error":true,"duration_ms":812,"num_turns":1,"result":"API Error: 529 overloaded","session_id":"efd4dc89-2c85-4b2f-8efb-e9ced52ba6fd","total_cost_usd":0.0021,"usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":1200,"output_tokens":5},"modelUsage":{},"permission_denials":[]}]"#;

#[test]
fn claude_adapter_reads_verbose_output_and_fails_the_run_on_an_error_result() {
    let env = notes_env();
    let bin = fake_client(&env, "claude", CLAUDE_VERBOSE_ERROR, 0);
    let out = run_fake(&env, &bin, "claude.sh", &["--verbose"], Stdio::null());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(err.contains("API Error: 529 overloaded"), "{err}");
    assert!(err.contains("error_during_execution"), "{err}");
    let (_, message) = received(&env, "claude");
    assert_eq!(message, PROMPT, "no input: the prompt alone");

    let end = only_run_end(&env);
    assert_eq!(end["status"], "error");
    assert_eq!(end["exit_code"], 1);
    assert_text_metric(&end, &err, "model", "claude-opus-4-5-20251101");
    assert_eq!(number(&end, "input_tokens"), 1203.0);
    assert_eq!(number(&end, "output_tokens"), 5.0);
    assert_eq!(number(&end, "cost_usd"), 0.0021);
}

/// `codex exec --json` events, as in the sample of docs/exec.md in openai/codex (types in
/// codex-rs/exec/src/exec_events.rs): reasoning, a command, the agent's message, and the
/// turn's token usage (cached input tokens are part of the input tokens).
const CODEX_EVENTS: &str = r#"{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}
{"type":"turn.started"}
{"type":"item.completed","item":{"id":"item_0","type":"reasoning","text":"**Reading the notes**"}}
{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"","status":"in_progress"}}
{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"notes.md\n","exit_code":0,"status":"completed"}}
{"type":"item.completed","item":{"id":"item_2","type":"agent_message","text":"- Ada and Grace met at 10:30 to plan release 2.4."}}
{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}
"#;

#[test]
fn codex_adapter_hands_over_the_prompt_and_records_model_and_tokens() {
    let env = notes_env();
    let bin = fake_client(&env, "codex", CODEX_EVENTS, 0);
    let args = ["-m", "gpt-5-codex", "--skip-git-repo-check"];
    let out = run_fake(&env, &bin, "codex.sh", &args, input(&env));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        stdout(&out),
        "- Ada and Grace met at 10:30 to plan release 2.4.\n"
    );
    let (args, message) = received(&env, "codex");
    assert_eq!(
        args,
        "exec\n--json\n-m\ngpt-5-codex\n--skip-git-repo-check\n"
    );
    assert_eq!(message, format!("{PROMPT}\n{INPUT}"));

    let end = only_run_end(&env);
    assert_eq!(end["status"], "ok");
    assert_text_metric(&end, &err, "model", "gpt-5-codex");
    assert_text_metric(&end, &err, "provider", "openai");
    assert_eq!(number(&end, "input_tokens"), 24763.0);
    assert_eq!(number(&end, "cached_input_tokens"), 24448.0);
    assert_eq!(number(&end, "output_tokens"), 122.0);
    assert_no_text_leaked(&env, &err);
}

#[test]
fn codex_adapter_takes_the_model_from_config_and_fails_the_run_on_a_failed_turn() {
    let env = notes_env();
    // A line that is not an event is passed over; the turn fails before any usage.
    let events = [
        "Reading prompt from stdin...",
        r#"{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}"#,
        r#"{"type":"turn.started"}"#,
        r#"{"type":"turn.failed","error":{"message":"stream disconnected before completion"}}"#,
    ]
    .join("\n");
    let bin = fake_client(&env, "codex", &events, 0);
    let codex_home = env.path("codex-home");
    std::fs::create_dir_all(&codex_home).unwrap();
    std::fs::write(
        codex_home.join("config.toml"),
        "model = \"gpt-5\"\n\n[profiles.fast]\nmodel = \"gpt-5-mini\"\nmodel_provider = \"azure\"\n",
    )
    .unwrap();
    let mut command = env.cmd([
        "notes".as_ref(),
        "--".as_ref(),
        adapter("codex.sh").as_os_str(),
    ]);
    let out = command
        .args(["--profile", "fast"])
        .env("PATH", path_with(&bin))
        .env("CODEX_HOME", &codex_home)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("codex: stream disconnected before completion"),
        "{err}"
    );
    let end = only_run_end(&env);
    assert_eq!(end["status"], "error");
    assert_text_metric(&end, &err, "model", "gpt-5-mini");
    assert_text_metric(&end, &err, "provider", "azure");
    assert!(end["metrics"]["input_tokens"].is_null(), "no usage: {end}");
}

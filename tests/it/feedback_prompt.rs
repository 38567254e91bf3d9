//! The rating question after a run, in a real pseudo-terminal.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::feedback_support::*;
use crate::support::*;

/// A config with the prompt `hello` (variant b) and the given `feedback` section.
fn env_with_feedback(feedback: &str) -> TestEnv {
    let env = TestEnv::new();
    env.write("hello.md", "Say hello.\n");
    env.config(&format!(
        r#"{{
  "prompts": {{
    "hello": {{
      "file": "hello.md",
      "variants": {{ "b": {{ "weight": 1 }} }},
      "default_variant": "b"
    }}
  }},
  "feedback": {feedback}
}}"#
    ));
    env
}

const QUESTION: &str = "Rate \"hello\" (variant b) 1-5, Enter to skip";

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

/// `sh -c SCRIPT sh ARGS...` on a pty, with the test environment's variables.
fn sh_on_pty(env: &TestEnv, script: &str, args: &[String]) -> std::process::Command {
    let template = pty_cmd(env, Vec::<&str>::new());
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(script)
        .arg("sh")
        .args(args)
        .current_dir(env.work())
        .env_clear();
    for (key, value) in template.get_envs() {
        if let Some(value) = value {
            sh.env(key, value);
        }
    }
    sh
}

/// Runs `promptrun hello EXTRA -- sh -c 'exit 3'` on a pty, then `stty -a` on the
/// same terminal, so tests see promptrun's exit status and the terminal it left behind.
fn spawn_hello(env: &TestEnv, extra: &[&str]) -> rexpect::session::PtySession {
    let mut args: Vec<String> = vec![binary().display().to_string(), "hello".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["--", "sh", "-c", "exit 3"].map(String::from));
    spawn_pty(sh_on_pty(
        env,
        r#""$@"; echo "promptrun-exit=$?"; stty -a"#,
        &args,
    ))
}

/// The exit status promptrun reported, and whether the terminal is back in
/// canonical mode with signal keys on (not left raw by the question).
fn finish(session: rexpect::session::PtySession) -> (String, i32) {
    let (output, _) = pty_finish(session);
    let code = output
        .split("promptrun-exit=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no exit status in {output}"));
    let stty = output.split("promptrun-exit=").nth(1).unwrap_or_default();
    for flag in ["icanon", "isig", "icrnl"] {
        assert!(
            stty.split_whitespace().any(|word| word == flag),
            "terminal left without {flag}: {stty}"
        );
    }
    (output, code)
}

#[test]
fn one_key_rates_the_run_and_the_exit_status_stays_the_commands() {
    let env = env_with_feedback("{}");
    let mut session = spawn_hello(&env, &[]);
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "4");
    let (_, code) = finish(session);
    assert_eq!(code, 3);
    let events = env.events();
    assert_valid_events(&events);
    let end = of_type(&events, "run_end")[0];
    let start = of_type(&events, "run_start")[0];
    assert_eq!(end["feedback_asked"], true);
    let feedback = of_type(&events, "feedback");
    assert_eq!(feedback.len(), 1);
    let feedback = feedback[0];
    assert_eq!(feedback["rating"], 4);
    assert_eq!(feedback["source"], "prompt");
    assert_eq!(feedback["comment"], Value::Null);
    assert_eq!(feedback["run_id"], end["run_id"]);
    assert_eq!(feedback["prompt"], "hello");
    assert_eq!(feedback["variant"], "b");
    assert_eq!(feedback["prompt_sha256"], start["prompt_sha256"]);
    assert_eq!(feedback["user"], start["user"]);
}

#[test]
fn enter_skips() {
    let env = env_with_feedback("{}");
    let mut session = spawn_hello(&env, &[]);
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "\r");
    session.exp_string("skipped").unwrap();
    let (_, code) = finish(session);
    assert_eq!(code, 3);
    let events = env.events();
    assert_eq!(of_type(&events, "run_end")[0]["feedback_asked"], true);
    assert!(of_type(&events, "feedback").is_empty());
}

#[test]
fn ctrl_c_or_esc_at_the_question_skips_and_keeps_the_exit_status() {
    for key in ["\x03", "\x1b"] {
        let env = env_with_feedback("{}");
        let mut session = spawn_hello(&env, &[]);
        session.exp_string(QUESTION).unwrap();
        press(&mut session, key);
        session.exp_string("skipped").unwrap();
        let (_, code) = finish(session);
        assert_eq!(code, 3, "{key:?}");
        assert!(of_type(&env.events(), "feedback").is_empty());
    }
}

#[test]
fn a_signal_at_the_question_skips_and_keeps_the_exit_status() {
    use rexpect::process::Signal;
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let env = env_with_feedback("{}");
        let mut session = spawn_pty(pty_cmd(&env, ["hello", "--", "sh", "-c", "exit 3"]));
        session.exp_string(QUESTION).unwrap();
        session.process_mut().signal(signal).unwrap();
        let (output, code) = pty_finish(session);
        assert_eq!(code, Some(3), "{signal}: {output}");
        assert!(of_type(&env.events(), "feedback").is_empty());
    }
}

#[test]
fn a_wrong_key_asks_again() {
    let env = env_with_feedback("{}");
    let mut session = spawn_hello(&env, &[]);
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "x");
    session.exp_string("\"x\" is not 1-5").unwrap();
    press(&mut session, "2");
    let (_, code) = finish(session);
    assert_eq!(code, 3);
    let events = env.events();
    let feedback = of_type(&events, "feedback");
    assert_eq!(feedback.len(), 1);
    assert_eq!(feedback[0]["rating"], 2);
}

#[test]
fn no_key_within_the_timeout_skips_and_restores_the_terminal() {
    let env = env_with_feedback(r#"{ "timeout": "1s" }"#);
    let started = Instant::now();
    let mut session = spawn_hello(&env, &[]);
    session.exp_string(QUESTION).unwrap();
    session.exp_string("no key in 1s").unwrap();
    let (_, code) = finish(session);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(code, 3);
    let events = env.events();
    assert_eq!(of_type(&events, "run_end")[0]["feedback_asked"], true);
    assert!(of_type(&events, "feedback").is_empty());
}

#[test]
fn a_low_rating_asks_for_a_comment() {
    let env = env_with_feedback(r#"{ "comment_below": 2 }"#);
    let mut session = spawn_hello(&env, &[]);
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "1");
    session.exp_string("What went wrong?").unwrap();
    press(&mut session, "too \"long\" ünïcødé ✓x");
    press(&mut session, "\x7f");
    press(&mut session, "\r");
    let (_, code) = finish(session);
    assert_eq!(code, 3);
    let events = env.events();
    assert_valid_events(&events);
    let feedback = of_type(&events, "feedback");
    assert_eq!(feedback[0]["rating"], 1);
    assert_eq!(feedback[0]["comment"], "too \"long\" ünïcødé ✓");
}

#[test]
fn a_high_rating_asks_no_comment() {
    let env = env_with_feedback(r#"{ "comment_below": 2 }"#);
    let mut session = spawn_hello(&env, &[]);
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "3");
    let (output, code) = finish(session);
    assert_eq!(code, 3);
    assert!(!output.contains("What went wrong?"), "{output}");
    assert_eq!(
        of_type(&env.events(), "feedback")[0]["comment"],
        Value::Null
    );
}

#[test]
fn rate_forces_the_question_past_config_never() {
    let env = env_with_feedback(r#"{ "ask": "never" }"#);
    let mut session = spawn_hello(&env, &["--rate"]);
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "5");
    let (_, code) = finish(session);
    assert_eq!(code, 3);
    assert_eq!(of_type(&env.events(), "feedback")[0]["rating"], 5);
}

/// Runs on a terminal where no question may come: it must end on its own, with
/// the command's exit status, and record `feedback_asked: false`.
fn assert_not_asked(env: &TestEnv, extra: &[&str], env_vars: &[(&str, &str)]) {
    let mut command = pty_cmd(
        env,
        ["hello"]
            .iter()
            .chain(extra)
            .chain(&["--", "sh", "-c", "exit 3"]),
    );
    for (key, value) in env_vars {
        command.env(key, value);
    }
    let (output, code) = pty_finish(spawn_pty(command));
    assert_eq!(code, Some(3), "{output}");
    assert!(!output.contains("Rate"), "asked: {output}");
    let events = env.events();
    let ends = of_type(&events, "run_end");
    assert_eq!(ends.last().unwrap()["feedback_asked"], false);
    assert!(of_type(&events, "feedback").is_empty());
}

#[test]
fn never_asked_in_ci_with_no_rate_with_prompt_rate_never_or_config_never() {
    let env = env_with_feedback("{}");
    assert_not_asked(&env, &[], &[("CI", "true")]);
    assert_not_asked(&env, &["--rate"], &[("CI", "true")]);
    assert_not_asked(&env, &["--no-rate"], &[]);
    assert_not_asked(&env, &[], &[("PROMPTRUN_RATE", "never")]);
    let never = env_with_feedback(r#"{ "ask": "never" }"#);
    assert_not_asked(&never, &[], &[]);
    let unsampled = env_with_feedback(r#"{ "sample_rate": 0 }"#);
    assert_not_asked(&unsampled, &[], &[]);
}

#[test]
fn never_asked_when_stdin_is_not_a_terminal() {
    let env = env_with_feedback("{}");
    // No terminal at all.
    let out = env.run(["hello", "--rate", "--", "sh", "-c", "exit 3"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(!stderr(&out).contains("Rate"));
    assert!(
        stderr(&out).contains("--rate: not asking for a rating: stdin or stderr is not a terminal"),
        "{}",
        stderr(&out)
    );
    // (The command takes the prompt file, so there is no warning that it cannot see it.)
    let out = env.run(["hello", "--", "sh", "-c", "exit 3", "sh", "{prompt_file}"]);
    assert_eq!(stderr(&out), "", "no question, and nothing to say about it");
    // stderr on a terminal, stdin redirected.
    let sh = sh_on_pty(
        &env,
        r#""$1" hello --rate -- sh -c 'exit 3' < /dev/null"#,
        &[binary().display().to_string()],
    );
    let (output, code) = pty_finish(spawn_pty(sh));
    assert_eq!(code, Some(3), "{output}");
    assert!(!output.contains("Rate"), "{output}");
    let events = env.events();
    let ends = of_type(&events, "run_end");
    assert_eq!(ends.len(), 3, "every run was logged: {events:?}");
    assert!(
        ends.iter().all(|e| e["feedback_asked"] == false),
        "{ends:?}"
    );
    assert!(of_type(&events, "feedback").is_empty());
    assert_valid_events(&events);
}

#[test]
fn output_without_a_final_newline_is_not_overwritten_by_the_question() {
    let env = env_with_feedback("{}");
    let mut session = spawn_pty(pty_cmd(&env, ["hello", "--", "printf", "partial answer"]));
    let before = session.exp_string(QUESTION).unwrap();
    press(&mut session, "\r");
    let (output, code) = pty_finish(session);
    assert_eq!(code, Some(0), "{output}");
    // The question redraws its line with "\r ESC[2K": it must start on a new one.
    let after_output = before
        .split("partial answer")
        .nth(1)
        .expect("the command's output");
    let redraw = after_output.find("\x1b[2K").expect("the question's redraw");
    assert!(after_output[..redraw].contains('\n'), "{before:?}");
}

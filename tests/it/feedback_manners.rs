//! The rating question keeps out of the way: keys typed during a run stay for
//! the shell, and one prompt is asked about at most once per cooldown.

use crate::feedback_support::*;
use crate::support::*;

const QUESTION: &str = "Rate \"hello\" 1-5, Enter to skip";

fn env_with_feedback(feedback: &str) -> TestEnv {
    let env = TestEnv::new();
    env.write("hello.md", "Say hello.\n");
    env.config(&format!(
        r#"{{"prompts": {{"hello": {{"file": "hello.md"}}}}, "feedback": {feedback}}}"#
    ));
    env
}

/// `sh -c SCRIPT` on a pty with the test environment and $PROMPTRUN.
fn shell_on_pty(env: &TestEnv, script: &str) -> rexpect::session::PtySession {
    let template = pty_cmd(env, Vec::<&str>::new());
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c").arg(script).current_dir(env.work()).env_clear();
    for (key, value) in template.get_envs() {
        if let Some(value) = value {
            sh.env(key, value);
        }
    }
    sh.env("PROMPTRUN", binary());
    spawn_pty(sh)
}

#[test]
fn keys_typed_during_the_run_reach_the_shell_not_the_question() {
    let env = env_with_feedback(r#"{"ask": "always"}"#);
    let mut session = shell_on_pty(
        &env,
        r#"echo started; "$PROMPTRUN" hello -- sleep 1; read line; echo "got:$line""#,
    );
    session.exp_string("started").unwrap();
    // Typed while `sleep 1` runs: the next command, as a user would.
    press(&mut session, "ls -la\r");
    let (output, _) = pty_finish(session);
    assert!(output.contains("got:ls -la"), "{output}");
    assert!(
        !output.contains(QUESTION),
        "asked despite type-ahead: {output}"
    );
    let events = checked_events(&env);
    let end = of_type(&events, "run_end");
    assert_eq!(end.len(), 1, "{events:?}");
    assert_eq!(end[0]["feedback_asked"], false);
    assert!(of_type(&events, "feedback").is_empty());
}

#[test]
fn a_second_run_within_the_cooldown_is_not_asked_about() {
    let env = env_with_feedback(r#"{"ask": "tty"}"#);
    let mut session = shell_on_pty(
        &env,
        r#""$PROMPTRUN" hello -- true; "$PROMPTRUN" hello -- true; echo done"#,
    );
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "4");
    let (output, _) = pty_finish(session);
    assert!(output.contains("done"), "{output}");
    let events = checked_events(&env);
    let asked: Vec<bool> = of_type(&events, "run_end")
        .iter()
        .map(|e| e["feedback_asked"].as_bool().unwrap())
        .collect();
    assert_eq!(asked, [true, false]);
    assert_eq!(of_type(&events, "feedback").len(), 1);

    // With the cooldown off, every run is asked about.
    let env = env_with_feedback(r#"{"ask": "tty", "cooldown": "0"}"#);
    let mut session = shell_on_pty(
        &env,
        r#""$PROMPTRUN" hello -- true; "$PROMPTRUN" hello -- true; echo done"#,
    );
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "4");
    // The answered question is drawn again with its answer, then the next one comes.
    session.exp_string(QUESTION).unwrap();
    session.exp_string(QUESTION).unwrap();
    press(&mut session, "5");
    pty_finish(session);
    assert_eq!(of_type(&checked_events(&env), "feedback").len(), 2);
}

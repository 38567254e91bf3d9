//! examples/run-prompt.sh, the drop-in shim for the old wrapper script.

use crate::support::*;

fn shim() -> String {
    repo_root()
        .join("examples/run-prompt.sh")
        .display()
        .to_string()
}

#[test]
fn the_shim_runs_the_command_through_promptrun() {
    let env = TestEnv::new();
    let out = env
        .shell(&format!(
            "{} report sh -c 'echo \"$PROMPTRUN_PROMPT\" \"$1\"; exit 9' sh 'two words'",
            shim()
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    // A prompt named like a subcommand still works: the shim uses `promptrun run`.
    assert_eq!(stdout(&out), "report two words\n");
    let end = only_run_end(&env);
    assert_eq!(end["prompt"], "report");
    assert_eq!(end["status"], "error");
}

#[test]
fn without_a_command_the_shim_runs_the_configured_one() {
    let env = TestEnv::new();
    env.write("p.md", "configured prompt text\n");
    env.config(r#"{"prompts": {"p": {"file": "p.md", "command": ["cat", "{prompt_file}"]}}}"#);
    let out = env.shell(&format!("{} p", shim())).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "configured prompt text\n");
    only_run_end(&env);
    let usage = env.shell(&shim()).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).starts_with("usage: run-prompt.sh"));
}

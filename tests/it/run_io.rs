//! Standard streams: bytes pass unchanged, stdin is the caller's, a terminal stays a terminal.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use crate::support::*;

/// Every byte value, in a pattern long enough to cross many pipe buffers.
fn all_bytes(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_right(13) as u8)
        .chain(0..=255u8)
        .collect()
}

#[test]
fn binary_stdout_is_unchanged_byte_for_byte() {
    let env = TestEnv::new();
    let data = all_bytes(3 * 1024 * 1024);
    let mut seen = [false; 256];
    data.iter().for_each(|&b| seen[b as usize] = true);
    assert!(
        seen.iter().all(|&s| s),
        "the data covers all 256 byte values"
    );
    std::fs::write(env.work().join("data.bin"), &data).unwrap();
    let out = env.run(["p", "--", "cat", "data.bin"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout == data, "stdout differs from the file");
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    only_run_end(&env);
}

#[test]
fn stdin_is_passed_through() {
    let env = TestEnv::new();
    let data = all_bytes(1024 * 1024);
    let mut child = env
        .cmd(["p", "--", "cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let to_send = data.clone();
    let writer = std::thread::spawn(move || input.write_all(&to_send));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout == data,
        "stdin did not reach the command unchanged"
    );
    only_run_end(&env);
}

#[test]
fn dash_dash_stdin_feeds_the_prompt_file_to_the_command() {
    let env = TestEnv::new();
    env.write("prompts/p.md", "You are terse.\n");
    env.config(r#"{"prompts": {"p": {"file": "prompts/p.md"}}}"#);
    let out = env.run(["p", "--stdin", "--", "cat"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "You are terse.\n");
}

fn pty_command(env: &TestEnv, args: &[&str]) -> std::process::Command {
    let mut command = env.cmd(args);
    // rexpect connects all three streams to the pseudo-terminal itself.
    command
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    command.env("TERM", "xterm");
    command
}

#[test]
fn a_terminal_stays_a_terminal_for_the_command() {
    let env = TestEnv::new();
    let command = pty_command(
        &env,
        &[
            "p",
            "--no-rate",
            "--",
            "sh",
            "-c",
            "if test -t 0 -a -t 1 -a -t 2; then echo TTY-YES; else echo TTY-NO; fi",
        ],
    );
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    let before = session.exp_regex("TTY-(YES|NO)").unwrap();
    assert!(
        before.1.contains("TTY-YES"),
        "the command lost the terminal"
    );
    session.exp_eof().unwrap();
    let status = format!("{:?}", session.process().wait().unwrap());
    assert!(
        status.contains("Exited(") && status.ends_with(", 0)"),
        "{status}"
    );
    only_run_end(&env);
}

#[test]
fn ctrl_c_at_the_terminal_reaches_the_command_and_promptrun_survives_to_record_it() {
    let env = TestEnv::new();
    let ready = env.work().join("ready");
    let count = env.work().join("ints");
    // The terminal sends SIGINT to the whole foreground process group: promptrun
    // must survive it, wait for the command, and pass on the command's own status.
    let script = format!(
        "trap 'echo INT >> {count}; sleep 0.3; exit 3' INT; touch {ready}; while :; do sleep 0.05; done",
        count = count.display(),
        ready = ready.display()
    );
    let command = pty_command(&env, &["p", "--no-rate", "--", "sh", "-c", &script]);
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    assert!(wait_for_file(&ready, Duration::from_secs(20)));
    session.send_control('c').unwrap();
    session.exp_eof().unwrap();
    let status = format!("{:?}", session.process().wait().unwrap());
    assert!(status.ends_with(", 3)"), "{status}");
    let ints = std::fs::read_to_string(&count).unwrap();
    assert!(ints.starts_with("INT"), "the command never got SIGINT");
    let end = only_run_end(&env);
    assert_eq!(end["exit_code"], 3);
}

#[test]
fn arguments_that_are_not_utf8_pass_through_unchanged() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let bytes = b"caf\xe9 \xff\xfe {prompt}";
    let out = env.run([
        std::ffi::OsStr::new("p"),
        std::ffi::OsStr::new("--"),
        std::ffi::OsStr::new("printf"),
        std::ffi::OsStr::new("%s"),
        std::ffi::OsStr::from_bytes(bytes),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, bytes, "the argument was changed");
    only_run_end(&env);
}

#[test]
fn a_closed_stderr_never_lets_warnings_into_the_log() {
    // With descriptor 2 closed, the log file would be opened as descriptor 2 and
    // promptrun's own warnings (here: a malformed metrics line) would land in the
    // JSONL. promptrun opens /dev/null on closed standard descriptors first.
    let env = TestEnv::new();
    let out = env
        .shell(r#""$PROMPTRUN" p -- sh -c 'echo "tokens=lots" >> "$PROMPTRUN_METRICS_FILE"' 2>&-"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = std::fs::read_dir(env.log_dir())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(log).unwrap();
    assert_eq!(
        text.lines().count(),
        2,
        "only run_start and run_end:\n{text}"
    );
    assert_eq!(checked_events(&env).len(), 2);
}

#[test]
fn the_command_starts_with_sigpipe_at_its_default() {
    // promptrun ignores SIGPIPE for itself; the command must not inherit that, or
    // `yes | head` inside it would spin on write errors instead of ending.
    let env = TestEnv::new();
    let out = env.run(["p", "--", "grep", "^SigIgn:", "/proc/self/status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mask = stdout(&out);
    let mask = u64::from_str_radix(mask.trim().trim_start_matches("SigIgn:").trim(), 16).unwrap();
    assert_eq!(
        mask & (1 << (libc::SIGPIPE - 1)),
        0,
        "SIGPIPE ignored: {mask:x}"
    );
}

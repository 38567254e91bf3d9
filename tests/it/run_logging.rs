//! The event log: where it goes, that it never breaks the command, what it never
//! contains, metrics, and many writers at once.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use crate::support::*;

#[test]
fn events_go_to_a_private_file_named_after_the_events_utc_day() {
    let env = TestEnv::new();
    let out = env.run(["p", "--", "true"]);
    assert_eq!(out.status.code(), Some(0));
    let events = checked_events(&env);
    let files: Vec<_> = std::fs::read_dir(env.log_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let day = &events[0]["ts"].as_str().unwrap()[..10];
    assert_eq!(name, format!("events-{day}.jsonl"));
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.ends_with('\n') && text.lines().count() == 2);
}

#[test]
fn a_new_log_directory_is_created_private() {
    let env = TestEnv::new();
    let dir = env.path("fresh/nested/logs");
    let out = env
        .cmd(["p", "--", "true"])
        .env("PROMPTRUN_LOG_DIR", &dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert_eq!(read_events(&dir).len(), 2);
}

#[test]
fn an_unusable_log_dir_warns_once_and_the_command_still_runs() {
    let env = TestEnv::new();
    // A path below a regular file cannot be created, even by root.
    let blocker = env.write("blocker", "not a directory");
    let out = env
        .cmd(["p", "--", "sh", "-c", "echo ran; exit 7"])
        .env("PROMPTRUN_LOG_DIR", blocker.join("logs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(stdout(&out), "ran\n");
    let err = stderr(&out);
    assert_eq!(warning_count(&err), 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("blocker"), "the warning names the path: {err}");
}

#[test]
fn no_log_and_do_not_track_turn_logging_off() {
    for variable in ["PROMPTRUN_NO_LOG", "DO_NOT_TRACK"] {
        let env = TestEnv::new();
        let out = env
            .cmd(["p", "--", "sh", "-c", "echo ran; exit 3"])
            .env(variable, "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{variable}");
        assert_eq!(stdout(&out), "ran\n");
        assert!(stderr(&out).is_empty(), "{variable}: {}", stderr(&out));
        let files: Vec<_> = std::fs::read_dir(env.log_dir()).unwrap().collect();
        assert!(files.is_empty(), "{variable} still logged");
        assert!(
            !env.state_dir().join("salt").exists(),
            "{variable}: salt created"
        );
    }
    let env = TestEnv::new();
    let out = env
        .cmd(["p", "--", "true"])
        .env("DO_NOT_TRACK", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(env.events().len(), 2, "DO_NOT_TRACK=0 keeps logging on");
}

#[test]
fn secrets_prompt_text_and_environment_never_reach_the_log() {
    let env = TestEnv::new();
    env.write("prompts/p.md", "PROMPT-TEXT-SECRET-7781\n");
    env.config(r#"{"prompts": {"p": {"file": "prompts/p.md"}}, "logging": {"log_args": true}}"#);
    let out = env
        .cmd([
            "p",
            "--",
            "sh",
            "-c",
            "exit 0",
            "--model",
            "small",
            "--api-key",
            "SECRET-ONE",
            "--token=SECRET-TWO",
            "OPENAI_API_KEY=SECRET-THREE",
            "Authorization: Bearer SECRET-FOUR",
            "sk-proj-SECRETFIVE0123456789",
            "--password",
            "SECRET-SIX",
        ])
        .env("MY_ENV_SECRET", "SECRET-ENV")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events = checked_events(&env);
    let raw: String = std::fs::read_dir(env.log_dir())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for secret in ["SECRET", "PROMPT-TEXT", "tester"] {
        assert!(
            !raw.contains(secret),
            "`{secret}` leaked into the log: {raw}"
        );
    }
    let args: Vec<&str> = events[0]["args"]
        .as_array()
        .expect("args are logged with log_args on")
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(&args[..4], ["-c", "exit 0", "--model", "small"]);
    assert!(args.contains(&"--api-key") && args.contains(&"[REDACTED]"));
    assert_eq!(events[0]["prompt_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn arguments_are_not_logged_by_default() {
    let env = TestEnv::new();
    let out = env.run(["p", "--", "sh", "-c", "exit 0", "visible-argument"]);
    assert_eq!(out.status.code(), Some(0));
    let events = checked_events(&env);
    assert!(events[0].get("args").is_none());
    assert_eq!(events[0]["command"], "sh");
    let raw = serde_json::to_string(&events).unwrap();
    assert!(!raw.contains("visible-argument"));
}

#[test]
fn user_and_host_are_salted_hashes_stable_across_runs() {
    let env = TestEnv::new();
    for _ in 0..2 {
        assert_eq!(env.run(["p", "--", "true"]).status.code(), Some(0));
    }
    let events = checked_events(&env);
    let salt = env.state_dir().join("salt");
    assert_eq!(
        std::fs::metadata(&salt).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(events[0]["user"], events[2]["user"]);
    assert_eq!(events[0]["host"], events[3]["host"]);
    let plain = format!("{:x}", sha2_of(b"tester"));
    assert_ne!(events[0]["user"].as_str().unwrap(), plain);
}

/// The recorded user and host are the salted hashes of `$USER` (else `$LOGNAME`,
/// else `uid:N`) and of the kernel's host name: read without NSS (no getpwuid,
/// no resolver), so they are the same in a statically linked build, where glibc's
/// NSS lookups would need the shared libraries of the exact glibc linked in.
#[test]
fn user_and_host_hashes_are_of_the_user_variable_and_the_kernel_host_name() {
    let env = TestEnv::new();
    assert_eq!(env.run(["p", "--", "true"]).status.code(), Some(0));
    let salt = std::fs::read(env.state_dir().join("salt")).unwrap();
    let salted = |value: &str| format!("{:x}", sha2_of(&[&salt[..], value.as_bytes()].concat()));
    let events = checked_events(&env);
    assert_eq!(events[0]["user"].as_str().unwrap(), salted("tester"));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(events[0]["host"].as_str().unwrap(), salted(host.trim_end()));
    // Without $USER and $LOGNAME: the uid, not a passwd lookup.
    let out = env
        .cmd(["p", "--", "true"])
        .env_remove("USER")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let uid = unsafe { libc::getuid() };
    let events = checked_events(&env);
    assert_eq!(
        events[2]["user"].as_str().unwrap(),
        salted(&format!("uid:{uid}"))
    );
}

fn sha2_of(bytes: &[u8]) -> impl std::fmt::LowerHex {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
}

#[test]
fn metrics_written_by_the_command_are_recorded_and_the_file_removed() {
    let env = TestEnv::new();
    let script = r#"printf 'tokens_in=120\ntokens_out=45\ncost_usd=0.0031\nnot a metric\n' >> "$PROMPTRUN_METRICS_FILE"; echo "$PROMPTRUN_METRICS_FILE""#;
    let out = env.run(["p", "--", "sh", "-c", script]);
    assert_eq!(out.status.code(), Some(0));
    let metrics_file = stdout(&out).trim().to_string();
    assert!(!metrics_file.is_empty());
    assert!(
        !std::path::Path::new(&metrics_file).exists(),
        "the metrics file was not removed"
    );
    let err = stderr(&out);
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(err.contains(":4:") && err.contains("not a metric"), "{err}");
    let end = only_run_end(&env);
    assert_eq!(end["metrics"]["tokens_in"], 120.0);
    assert_eq!(end["metrics"]["tokens_out"], 45.0);
    assert_eq!(end["metrics"]["cost_usd"], 0.0031);
    assert_eq!(end["metrics"].as_object().unwrap().len(), 3);
}

#[test]
fn concurrent_runs_never_lose_tear_or_interleave_a_line() {
    const PROCESSES: usize = 16;
    const RUNS: usize = 100;
    let env = TestEnv::new();
    // Long tags make each line several hundred bytes, so torn writes would show.
    let script = format!(
        "i=0; while [ $i -lt {RUNS} ]; do \"$PROMPTRUN\" p --tag writer=$W --tag pad={pad} -- true || exit 1; i=$((i+1)); done",
        pad = "x".repeat(300)
    );
    let children: Vec<_> = (0..PROCESSES)
        .map(|writer| {
            env.shell(&script)
                .env("W", writer.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(out.stderr.is_empty(), "{}", stderr(&out));
    }
    // The last-run record, rewritten by every run, is one whole record.
    let last = std::fs::read_to_string(env.state_dir().join("last-run.json")).unwrap();
    let last: serde_json::Value = serde_json::from_str(last.trim_end()).unwrap();
    assert_eq!(last["prompt"], "p");
    let events = checked_events(&env);
    let starts = of_type(&events, "run_start");
    let ends = of_type(&events, "run_end");
    assert_eq!(starts.len(), PROCESSES * RUNS);
    assert_eq!(ends.len(), PROCESSES * RUNS);
    let mut ids: Vec<&str> = ends.iter().map(|e| e["run_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), PROCESSES * RUNS, "run ids are unique");
    for writer in 0..PROCESSES {
        let mine = ends
            .iter()
            .filter(|e| e["tags"]["writer"].as_str() == Some(writer.to_string().as_str()))
            .count();
        assert_eq!(mine, RUNS, "writer {writer}");
    }
}

#[test]
fn a_full_disk_warns_once_and_the_command_still_runs() {
    let env = TestEnv::new();
    // The day's file is past the file size limit, so every write fails as on a
    // full disk (a link to /dev/full, the old way, is now refused as a link).
    // Tomorrow's too, in case the test runs across midnight UTC.
    let today = chrono::Utc::now();
    for day in [today, today + chrono::Duration::days(1)] {
        let name = format!("events-{}.jsonl", day.format("%Y-%m-%d"));
        std::fs::write(env.log_dir().join(name), vec![b'\n'; 4096]).unwrap();
    }
    let out = env
        .shell(r#"ulimit -f 1; exec "$PROMPTRUN" p -- sh -c 'echo ran; exit 5'"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(stdout(&out), "ran\n");
    let err = stderr(&out);
    assert_eq!(warning_count(&err), 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("File too large"), "{err}");
}

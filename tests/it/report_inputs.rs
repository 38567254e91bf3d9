//! Inputs: files, directories, gzip, stdin; robustness to bad lines; --strict; `| head`.

use std::io::Read;
use std::process::Stdio;

use crate::report_support::{fixture, gzip, report_json, report_json_from_stdin};
use crate::support::{TestEnv, stderr, wait_within};

#[test]
fn directories_gzip_and_stdin_give_the_same_numbers() {
    let env = TestEnv::new();
    let plain = report_json(
        &env,
        &[env.write("a/events.jsonl", &fixture()).to_str().unwrap()],
    );
    let dir = env.work().join("artifacts");
    std::fs::create_dir_all(dir.join("job-1/nested")).unwrap();
    std::fs::write(
        dir.join("job-1/nested/events.jsonl.gz"),
        gzip(fixture().as_bytes()),
    )
    .unwrap();
    std::fs::write(dir.join("job-1/notes.txt"), "not an event log").unwrap();
    let from_dir = report_json(&env, &[dir.to_str().unwrap()]);
    assert_eq!(
        from_dir["inputs"]["files"], 1,
        "only *.jsonl and *.jsonl.gz"
    );
    assert_eq!(from_dir["groups"], plain["groups"]);
    assert_eq!(from_dir["totals"], plain["totals"]);

    let from_stdin = report_json_from_stdin(&env, fixture().as_bytes());
    assert_eq!(from_stdin["totals"], plain["totals"]);
}

#[test]
fn the_same_artifact_twice_counts_once() {
    let env = TestEnv::new();
    let one = env.write("one/events.jsonl", &fixture());
    let two = env.write("two/events.jsonl", &fixture());
    let once = report_json(&env, &[one.to_str().unwrap()]);
    let twice = report_json(&env, &[one.to_str().unwrap(), two.to_str().unwrap()]);
    assert_eq!(twice["totals"], once["totals"]);
    assert_eq!(twice["groups"], once["groups"]);
    assert_eq!(twice["inputs"]["files"], 2);
    assert_eq!(twice["inputs"]["duplicates"], 1 + 14);
}

#[test]
fn bad_lines_are_skipped_counted_and_located() {
    let env = TestEnv::new();
    let good = fixture();
    let mut bytes = good
        .lines()
        .take(3)
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    bytes.extend_from_slice(b"\n{\"v\":1,\"type\":\"run_start\",\"prompt\":\"\xff\xfe\"}\n");
    bytes.extend_from_slice(
        good.lines()
            .nth(1)
            .unwrap()
            .replace("\"v\":1", "\"v\":2")
            .as_bytes(),
    );
    bytes.extend_from_slice(b"\n");
    bytes
        .extend_from_slice(format!("{{\"v\":1,\"pad\":\"{}\"}}\n", "x".repeat(3 << 20)).as_bytes());
    bytes.extend_from_slice(&b"[".repeat(200_000));
    bytes.extend_from_slice(b"\n\n   \n");
    bytes.extend_from_slice(&good.lines().nth(3).unwrap().as_bytes()[..40]); // truncated last line
    let path = env.work().join("bad.jsonl");
    std::fs::write(&path, &bytes).unwrap();
    let output = env.run(["report", "--format", "json", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["inputs"]["skipped"], 5);
    assert_eq!(report["totals"]["runs"], 1);
    let examples: Vec<&str> = report["inputs"]["skipped_examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let name = path.display().to_string();
    assert_eq!(examples.len(), 5);
    assert_eq!(examples[0], format!("{name}:4: invalid UTF-8"));
    assert!(examples[1].starts_with(&format!("{name}:5: schema version 2 is newer")));
    assert!(examples[2].starts_with(&format!("{name}:6: line longer than 1 MiB")));
    assert!(
        examples[3].starts_with(&format!("{name}:7: invalid JSON")),
        "{}",
        examples[3]
    );
    assert!(
        examples[4].starts_with(&format!("{name}:10: invalid JSON")),
        "{}",
        examples[4]
    );
    let err = stderr(&output);
    assert!(
        err.contains("skipped 5 lines") && err.contains(&format!("{name}:4: invalid UTF-8")),
        "{err}"
    );
}

#[test]
fn a_truncated_gzip_is_skipped_with_what_was_read() {
    let env = TestEnv::new();
    let whole = gzip(fixture().as_bytes());
    let path = env.work().join("cut.jsonl.gz");
    std::fs::write(&path, &whole[..whole.len() - 30]).unwrap();
    let report = report_json(&env, &[path.to_str().unwrap()]);
    let skipped = report["inputs"]["skipped_examples"].to_string();
    assert!(skipped.contains("truncated gzip"), "{skipped}");
    assert!(report["totals"]["runs"].as_u64().unwrap() >= 1);
}

#[test]
fn strict_turns_skips_into_exit_3() {
    let env = TestEnv::new();
    let path = env.write("events.jsonl", &fixture());
    let output = env.run(["report", "--strict", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        err.starts_with("promptrun: error: 2 lines could not be read (--strict)"),
        "{err}"
    );
    assert!(err.contains("events.jsonl:15: invalid JSON"));
    let clean: String = fixture()
        .lines()
        .take(14)
        .map(|l| format!("{l}\n"))
        .collect();
    let path = env.write("clean.jsonl", &clean);
    assert!(
        env.run(["report", "--strict", path.to_str().unwrap()])
            .status
            .success()
    );
}

#[test]
fn a_missing_input_is_exit_4_naming_it() {
    let env = TestEnv::new();
    let output = env.run(["report", "no/such/file.jsonl"]);
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(
        err.starts_with("promptrun: error: no/such/file.jsonl:"),
        "{err}"
    );
}

#[test]
fn a_broken_config_does_not_stop_a_report_over_explicit_paths() {
    let env = TestEnv::new();
    env.config("{ not json");
    let path = env.write("events.jsonl", &fixture());
    let report = report_json(&env, &[path.to_str().unwrap()]);
    assert_eq!(report["totals"]["runs"], 5);
}

/// A log of `n` runs started and never ended, each of its own prompt
/// (`prompt-0000` on): `n` groups.
fn many_prompts(env: &TestEnv, n: u64) -> std::path::PathBuf {
    let mut lines = String::new();
    for i in 0..n {
        lines.push_str(&crate::report_support::start(
            i,
            "2026-11-20T10:00:00.000Z",
            &format!("prompt-{i:04}"),
            None,
            "u",
            serde_json::json!({}),
        ));
        lines.push('\n');
    }
    env.write("many.jsonl", &lines)
}

/// Runs `report ARGS PATH`, reads the first 64 bytes of its output and closes
/// the pipe; fails if promptrun has not ended 30 s later (a writer left
/// waiting for room that never comes).
fn close_early(env: &TestEnv, args: &[&str], path: &std::path::Path) {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.push(path.to_str().unwrap());
    let mut child = env
        .cmd(all)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = wait_within(child, std::time::Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{args:?}");
    assert_eq!(stderr(&output), "", "{args:?}");
}

#[test]
fn closing_the_pipe_early_ends_quietly() {
    let env = TestEnv::new();
    let path = many_prompts(&env, 3000);
    close_early(&env, &["usage"], &path);
    // JSON of many groups is written by two threads in blocks.
    close_early(&env, &["--format", "json", "--group-by", "prompt"], &path);
}

#[test]
fn json_of_many_groups_holds_each_once_in_report_order() {
    let env = TestEnv::new();
    // Groups are written in blocks of 256 by two threads: 1,000 groups are
    // four blocks, the last one short.
    let path = many_prompts(&env, 1000);
    let report = report_json(
        &env,
        &[
            "--group-by",
            "prompt",
            "--sort",
            "key",
            path.to_str().unwrap(),
        ],
    );
    let prompts: Vec<&str> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["prompt"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..1000).map(|i| format!("prompt-{i:04}")).collect();
    assert_eq!(prompts, expected);
    assert!(
        report["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["incomplete"] == 1)
    );
}

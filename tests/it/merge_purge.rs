//! `promptrun merge` and `promptrun purge`: logs from many machines into one set
//! of day files; retention and erasure.

use std::path::Path;

use serde_json::{Value, json};

use crate::report_support::{end, feedback, fixture, gzip, report_json, run_id, start};
use crate::support::{TestEnv, read_events, stderr, stdout};

/// A report without what describes its inputs (files, lines, duplicates),
/// which differ between the inputs and their merge by design.
fn numbers(mut report: Value) -> Value {
    if let Some(object) = report.as_object_mut() {
        object.remove("inputs");
        object.remove("generated_at");
    }
    report
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn day_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Three sources: machine A's log, machine B's gzipped artifact that repeats
/// some of A's events, and a CI artifact with a run of its own.
fn three_machines(env: &TestEnv) -> Vec<String> {
    let a = fixture();
    let half: Vec<&str> = a.lines().take(7).collect();
    let b = gzip((half.join("\n") + "\n").as_bytes());
    let ci = [
        start(
            20,
            "2026-11-22T08:00:00.000Z",
            "ci-eval",
            None,
            "u9",
            json!({}),
        ),
        end(
            20,
            "2026-11-22T08:00:02.000Z",
            "ci-eval",
            None,
            "u9",
            json!({}),
            "ok",
            2000.0,
            false,
            json!({"tokens": 7}),
        ),
        feedback(20, "2026-11-25T08:00:00.000Z", "ci-eval", None, 4, None),
    ]
    .join("\n")
        + "\n";
    write(&env.path("machine-a/events-mixed.jsonl"), a.as_bytes());
    write(&env.path("machine-b/artifact.jsonl.gz"), &b);
    write(&env.path("ci/run-1/events.jsonl"), ci.as_bytes());
    ["machine-a", "machine-b", "ci"]
        .iter()
        .map(|p| env.path(p).display().to_string())
        .collect()
}

#[test]
fn merge_reports_the_same_numbers_as_its_inputs() {
    let env = TestEnv::new();
    let inputs = three_machines(&env);
    let before: Vec<u8> = std::fs::read(env.path("machine-a/events-mixed.jsonl")).unwrap();
    let out = env.path("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(inputs.iter().cloned());
    args.extend(["-o".into(), out.display().to_string()]);
    let output = env.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("duplicate"), "{}", stdout(&output));

    let input_refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let over_inputs = report_json(&env, &input_refs);
    let over_output = report_json(&env, &[out.to_str().unwrap()]);
    assert_eq!(numbers(over_inputs), numbers(over_output.clone()));
    assert_eq!(over_output["inputs"]["duplicates"], 0, "each event once");

    // One file per UTC day, each in time order; the inputs are untouched.
    assert_eq!(
        day_files(&out),
        [
            "events-2026-11-20.jsonl",
            "events-2026-11-21.jsonl",
            "events-2026-11-22.jsonl",
            "events-2026-11-23.jsonl",
            "events-2026-11-24.jsonl",
            "events-2026-11-25.jsonl"
        ]
    );
    for name in day_files(&out) {
        let events = read_events_of(&out.join(&name));
        let stamps: Vec<&str> = events.iter().map(|e| e["ts"].as_str().unwrap()).collect();
        assert!(
            stamps.windows(2).all(|w| w[0] <= w[1]),
            "{name}: {stamps:?}"
        );
        assert!(
            stamps.iter().all(|ts| name.contains(&ts[..10])),
            "{name}: {stamps:?}"
        );
    }
    assert_eq!(
        std::fs::read(env.path("machine-a/events-mixed.jsonl")).unwrap(),
        before
    );

    // Merging again, or merging the output into itself, changes nothing.
    let again = env.run(&args);
    assert!(again.status.success());
    let all_before = read_events(&out);
    let mut self_merge = args.clone();
    self_merge.splice(1..1 + inputs.len(), [out.display().to_string()]);
    assert!(env.run(&self_merge).status.success());
    assert_eq!(read_events(&out), all_before);
}

fn read_events_of(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn merge_into_a_live_log_directory_keeps_its_events() {
    let env = TestEnv::new();
    let logs = env.log_dir();
    let day = "events-2026-11-20.jsonl";
    let own = start(1, "2026-11-20T09:00:00.000Z", "p", None, "u1", json!({}));
    write(&logs.join(day), format!("{own}\n").as_bytes());
    let incoming = end(
        1,
        "2026-11-20T09:00:01.000Z",
        "p",
        None,
        "u1",
        json!({}),
        "ok",
        1.0,
        false,
        json!({}),
    );
    write(
        &env.path("in/x.jsonl"),
        format!("{incoming}\n{own}\n").as_bytes(),
    );
    let output = env.run([
        "merge",
        env.path("in").to_str().unwrap(),
        logs.to_str().unwrap(),
        "-o",
        logs.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let events = read_events(&logs);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["type"], "run_start");
    assert_eq!(events[1]["type"], "run_end");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(logs.join(day))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn merge_needs_an_output_and_inputs() {
    let env = TestEnv::new();
    assert_eq!(env.run(["merge", "-o", "x"]).status.code(), Some(2));
    assert_eq!(env.run(["merge", "."]).status.code(), Some(2));
    let missing = env.run(["merge", "nowhere", "-o", "x"]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(stderr(&missing).contains("nowhere"), "{}", stderr(&missing));
}

fn purge(env: &TestEnv, args: &[&str]) -> String {
    let mut all = vec!["purge"];
    all.extend_from_slice(args);
    let output = env.run(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

fn fixture_log(env: &TestEnv) {
    let out = env.log_dir();
    write(&env.path("in/fixture.jsonl"), fixture().as_bytes());
    let output = env.run([
        "merge",
        env.path("in").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn purge_before_a_date_drops_older_events_and_says_so() {
    let env = TestEnv::new();
    fixture_log(&env);
    let all = read_events(&env.log_dir()).len();
    let dry = purge(&env, &["--before", "2026-11-22", "--dry-run"]);
    assert!(
        dry.contains("would remove 5 event(s) from 2 file(s)"),
        "{dry}"
    );
    assert_eq!(
        read_events(&env.log_dir()).len(),
        all,
        "a dry run changes nothing"
    );
    let done = purge(&env, &["--before", "2026-11-22"]);
    assert!(done.contains("removed 5 event(s) from 2 file(s)"), "{done}");
    let left = read_events(&env.log_dir());
    assert_eq!(left.len(), all - 5);
    assert!(
        left.iter()
            .all(|e| e["ts"].as_str().unwrap() >= "2026-11-22")
    );
    assert!(!env.log_dir().join("events-2026-11-20.jsonl").exists());
}

#[test]
fn purge_by_user_erases_their_runs_and_the_ratings_of_them() {
    let env = TestEnv::new();
    fixture_log(&env);
    let out = purge(&env, &["--user", "u2"]);
    assert!(out.contains("removed 3 event(s)"), "{out}");
    let left = read_events(&env.log_dir());
    assert!(left.iter().all(|e| e["user"] != "u2"), "{left:?}");
    assert!(
        left.iter()
            .all(|e| e["run_id"] != run_id(2) && e["run_id"] != run_id(4))
    );

    // `me` is this user's salted hash, as runs record it.
    let me = TestEnv::new();
    me.config(r#"{"prompts": {"p": {}}}"#);
    assert!(me.run(["p", "--", "true"]).status.success());
    assert_eq!(read_events(&me.log_dir()).len(), 2);
    let out = purge(&me, &["--user", "me"]);
    assert!(out.contains("removed 2 event(s) of 1 run(s)"), "{out}");
    assert!(read_events(&me.log_dir()).is_empty());
}

#[test]
fn purge_by_prompt_glob() {
    let env = TestEnv::new();
    fixture_log(&env);
    purge(&env, &["--prompt", "rev*"]);
    let left = read_events(&env.log_dir());
    assert!(left.iter().all(|e| e["prompt"] != "review"), "{left:?}");
    assert!(left.iter().any(|e| e["prompt"] == "summarize"));
    assert_eq!(
        env.run(["purge"]).status.code(),
        Some(2),
        "a criterion is required"
    );
    assert_eq!(env.run(["purge", "--prompt", "["]).status.code(), Some(2));
    // A gzipped log stays gzipped, without the erased runs.
    let gz = env.log_dir().join("old/events-2026-11-01.jsonl.gz");
    write(&gz, &gzip(fixture().as_bytes()));
    let out = purge(&env, &["--prompt", "summ*"]);
    assert!(out.contains("events-2026-11-01.jsonl.gz"), "{out}");
    let bytes = std::fs::read(&gz).unwrap();
    assert_eq!(bytes[..2], [0x1f, 0x8b]);
    let report = report_json(&env, &[gz.to_str().unwrap()]);
    assert!(report.to_string().contains("review"));
    assert!(!report.to_string().contains("\"summarize\""), "{report}");
}

#[test]
fn purge_waits_for_a_run_appending_and_loses_nothing() {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"p": {}, "q": {}}}"#);
    // A run holds the day file open across its command: purge replaces the
    // file meanwhile, and the run's run_end must still land in the new one.
    let mut child = env.cmd(["p", "--", "sh", "-c", "sleep 1"]).spawn().unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let file = env.log_dir().join(format!("events-{today}.jsonl"));
    assert!(crate::support::wait_for_file(
        &file,
        std::time::Duration::from_secs(5)
    ));
    assert!(env.run(["q", "--", "true"]).status.success());
    let out = purge(&env, &["--prompt", "q"]);
    assert!(out.contains("removed 2 event(s)"), "{out}");
    assert!(child.wait().unwrap().success());
    let left = read_events(&env.log_dir());
    let kinds: Vec<(&str, &str)> = left
        .iter()
        .map(|e| (e["prompt"].as_str().unwrap(), e["type"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("p", "run_start"), ("p", "run_end")]);
}

#[test]
fn retention_expires_old_day_files_once_a_day_after_a_run() {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"p": {}}, "logging": {"retention_days": 30}}"#);
    let old = env.log_dir().join("events-2020-01-01.jsonl");
    let line = end(
        1,
        "2020-01-01T00:00:00.000Z",
        "p",
        None,
        "u1",
        json!({}),
        "ok",
        1.0,
        false,
        json!({}),
    );
    write(&old, format!("{line}\n").as_bytes());
    let dry = purge(&env, &["--expired", "--dry-run"]);
    assert!(dry.contains("would remove 1 day file(s)"), "{dry}");
    assert!(old.exists());

    assert!(env.run(["p", "--", "true"]).status.success());
    assert!(
        !old.exists(),
        "a run removes expired files after the command"
    );
    let stamp = env.state_dir().join("purge-stamp");
    assert!(stamp.exists());
    // Once a day: a second run the same day does not look again.
    write(&old, format!("{line}\n").as_bytes());
    assert!(env.run(["p", "--", "true"]).status.success());
    assert!(old.exists());
    let out = purge(&env, &["--expired"]);
    assert!(out.contains("removed 1 day file(s)"), "{out}");
    assert!(!old.exists());

    // Without retention_days nothing expires, and --expired says why.
    let keep = TestEnv::new();
    keep.config(r#"{"prompts": {"p": {}}}"#);
    write(
        &keep.log_dir().join("events-2020-01-01.jsonl"),
        format!("{line}\n").as_bytes(),
    );
    assert!(keep.run(["p", "--", "true"]).status.success());
    assert!(keep.log_dir().join("events-2020-01-01.jsonl").exists());
    let refused = keep.run(["purge", "--expired"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("retention_days"),
        "{}",
        stderr(&refused)
    );
}

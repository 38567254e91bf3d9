//! `PROMPTRUN_NO_FAST_PARSE=1` turns the report parser's fast path (lines in
//! promptrun's own layout) off; every report must come out the same byte for byte,
//! so the switch can trace a wrong number to the fast path or away from it.

use crate::report_support::fixture;
use crate::support::{TestEnv, stderr};

/// A log directory with lines of every origin: written by promptrun itself (the
/// fast path's layout), by other writers (the fixture: another key order), lines
/// close to promptrun's layout that the fast path must refuse, and broken ones.
fn mixed_log() -> TestEnv {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"p": {}, "q": {"variants": {"b": {}}}}}"#);
    let metrics = r#"echo tokens=5 >> "$PROMPTRUN_METRICS_FILE"; echo cost=0.25 >> "$PROMPTRUN_METRICS_FILE""#;
    for args in [
        &["p", "--tag", "team=ml", "--", "sh", "-c", metrics][..],
        &["p", "--tag", "team=web", "--", "sh", "-c", "exit 3"],
        &["q", "--variant", "b", "--", "true"],
    ] {
        let out = env.run(args);
        assert!(
            out.status.code().is_some_and(|c| c != 2),
            "{}",
            stderr(&out)
        );
    }
    let rated = env.run(["rate", "last", "4", "--comment", "fine"]);
    assert!(rated.status.success(), "{}", stderr(&rated));
    let own = std::fs::read_dir(env.log_dir())
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect::<String>();
    assert_eq!(
        own.lines().count(),
        7,
        "promptrun wrote three runs and a rating:\n{own}"
    );
    let first_end = own
        .lines()
        .find(|line| line.contains(r#""type":"run_end""#))
        .unwrap();
    let run_id = serde_json::from_str::<serde_json::Value>(first_end).unwrap()["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let near_misses = [
        // Whitespace between members, an integer duration, an unknown status,
        // an extra field (`args`, as with logging.log_args), a truncated line.
        (r#","status":"#, r#", "status": "#),
        ("\"duration_ms\":", "\"duration_ms\":7,\"was\":"),
        (r#""status":"ok""#, r#""status":"paused""#),
        (r#","command":"#, r#","args":["-m","x"],"command":"#),
    ];
    let mut other = fixture();
    for (n, (from, to)) in near_misses.iter().enumerate() {
        // Each its own run: duplicates that differ would make the result depend
        // on which one is read first.
        let line = first_end
            .replace(&run_id, &format!("0192f3a1-0000-7000-8000-0000000000a{n}"))
            .replace(from, to);
        assert_ne!(line, first_end);
        other.push_str(&line);
        other.push('\n');
    }
    other.push_str(&first_end[..first_end.len() / 2]);
    other.push('\n');
    std::fs::write(env.log_dir().join("other-writers.jsonl"), other).unwrap();
    env
}

#[test]
fn reports_are_byte_identical_with_the_fast_path_off() {
    let env = mixed_log();
    let reports = [
        &["report", "--format", "json"][..],
        &["report", "--format", "csv"],
        &["report", "--format", "markdown", "--comments"],
        &["report"],
        &["report", "--format", "json", "--group-by", "tag:team,day"],
        &[
            "report",
            "performance",
            "--format",
            "json",
            "--status",
            "error",
        ],
    ];
    for args in reports {
        let fast = env.run(args);
        let mut plain = env.cmd(args);
        let plain = plain.env("PROMPTRUN_NO_FAST_PARSE", "1").output().unwrap();
        assert!(fast.status.success(), "{args:?}: {}", stderr(&fast));
        assert!(!fast.stdout.is_empty(), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&fast.stdout),
            String::from_utf8_lossy(&plain.stdout),
            "{args:?}"
        );
        assert_eq!(fast.stderr, plain.stderr, "{args:?}");
        assert_eq!(fast.status.code(), plain.status.code(), "{args:?}");
    }
    // The reports saw every kind of line: promptrun's three runs, the fixture's
    // five, the three near misses that parse; the fixture's two bad lines, the
    // unknown status and the truncated line are skipped.
    let json: serde_json::Value = serde_json::from_slice(&env.run(reports[0]).stdout).unwrap();
    assert_eq!(json["totals"]["runs"], 11, "{json:#}");
    assert_eq!(json["inputs"]["skipped"], 4, "{json:#}");
}

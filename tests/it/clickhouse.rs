//! docs/clickhouse.sql, run in chDB (ClickHouse embedded), gives the numbers
//! `promptrun report usage|performance|feedback --format json` gives.
//! tests/clickhouse/check_clickhouse.py does the work; this runs it with the Python
//! in `PROMPTRUN_TEST_PYTHON` (a venv with chdb; `.ci/run` makes one).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::support::{binary, repo_root};

const HOW_TO_INSTALL: &str = "python3 -m venv target/ci-venv-chdb && \
    target/ci-venv-chdb/bin/pip install chdb==4.4.0, then run the tests with \
    PROMPTRUN_TEST_PYTHON=target/ci-venv-chdb/bin/python (tests/run.sh does this); \
    or set PROMPTRUN_SKIP_CHDB=1 to skip this test";

#[test]
fn clickhouse_sql_agrees_with_report_json() {
    if std::env::var("PROMPTRUN_SKIP_CHDB").is_ok_and(|v| v == "1") {
        eprintln!(
            "skipping the ClickHouse check: PROMPTRUN_SKIP_CHDB=1 \
             (docs/clickhouse.sql is not checked against promptrun report)"
        );
        return;
    }
    let python = std::env::var("PROMPTRUN_TEST_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into());
    match Command::new(&python).args(["-c", "import chdb"]).output() {
        Err(err) => panic!("cannot run {python} ({err}): {HOW_TO_INSTALL}"),
        Ok(out) if !out.status.success() => panic!(
            "chdb is not installed for {python} ({}): {HOW_TO_INSTALL}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ),
        Ok(_) => {}
    }
    let started = Instant::now();
    let out = Command::new(&python)
        .arg(repo_root().join("tests/clickhouse/check_clickhouse.py"))
        .arg("--promptrun")
        .arg(binary())
        .arg("--gen-logs")
        .arg(gen_logs_binary())
        .output()
        .expect("run check_clickhouse.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(
        out.status.success(),
        "docs/clickhouse.sql disagrees with promptrun report ({}):\n{stdout}{stderr}",
        out.status
    );
    assert!(
        stdout.contains("6 agreed, 0 disagreed; self-check missed 0 wrong queries"),
        "unexpected summary:\n{stdout}"
    );
    eprintln!("ClickHouse check took {:.1?}", started.elapsed());
}

/// The gen_logs example (benches/gen_logs.rs). `cargo test` builds examples next to the
/// test binaries (target/<profile>/examples); a run of only this test target may not
/// have, so then it is built here.
fn gen_logs_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("gen_logs{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let target_dir = profile_dir.parent().expect("target dir");
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .current_dir(repo_root())
            .args(["build", "--example", "gen_logs", "--target-dir"])
            .arg(target_dir);
        if profile_dir.ends_with("release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("run cargo build --example gen_logs");
        assert!(status.success(), "cargo build --example gen_logs failed");
    }
    path
}

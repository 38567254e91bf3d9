//! `promptrun dashboard`: where it writes, `--open`, and stdout.

use std::os::unix::fs::PermissionsExt;

use crate::dashboard_fixtures::busy_log;
use crate::support::{TestEnv, stderr, stdout};

#[test]
fn open_runs_xdg_open_with_the_page_and_never_fails_without_it() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &busy_log());
    let bin = env.path("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\necho \"$1\" > '{}'\n",
            env.path("opened").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();

    let output = env
        .cmd(["dashboard", "logs-in", "--open", "-o", "page.html"])
        .env("PATH", &bin)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let opened = std::fs::read_to_string(env.path("opened")).unwrap();
    assert_eq!(opened.trim(), "page.html");
    assert!(env.work().join("page.html").is_file());

    let output = env
        .cmd(["dashboard", "logs-in", "--open"])
        .env("PATH", env.path("nothing-here"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "a missing opener never fails the command"
    );
    assert!(
        stderr(&output).contains("promptrun: warning: cannot run xdg-open"),
        "{}",
        stderr(&output)
    );
    assert!(
        env.work().join("dashboard.html").is_file(),
        "the default output file"
    );
}

#[test]
fn dash_o_dash_writes_the_page_to_stdout() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &busy_log());
    let output = env.run(["dashboard", "logs-in", "-o", "-", "--bucket", "week"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert!(page.contains("runs per week"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no URL at all in the page"
    );
}

#[test]
fn a_missing_log_directory_gives_the_first_run_page() {
    let env = TestEnv::new();
    let output = env.run(["dashboard", "-o", "-"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("No runs yet"));
}

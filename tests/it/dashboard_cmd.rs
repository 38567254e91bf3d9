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

/// The x-axis labels of the first chart on a page (plotters writes them as `<text>`).
fn first_chart_labels(html: &str) -> Vec<String> {
    let svg = &html[html.find("<svg").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim().to_string()))
        .collect()
}

#[test]
fn quiet_days_show_as_empty_columns_in_the_dashboard_and_trends() {
    use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
    let env = TestEnv::new();
    let log = jsonl(&[
        FixtureRun::ok("p", &nov(20, 9, 0), 100.0),
        FixtureRun::ok("p", &nov(23, 9, 0), 100.0),
    ]);
    env.write("logs-in/events.jsonl", &log);
    let window = ["--since", "2026-11-19", "--until", "2026-11-24"];
    let mut dashboard = vec!["dashboard", "logs-in", "-o", "d.html"];
    dashboard.extend_from_slice(&window);
    let mut trends = vec![
        "report", "trends", "logs-in", "--format", "html", "-o", "t.html",
    ];
    trends.extend_from_slice(&window);
    for (args, page) in [(dashboard, "d.html"), (trends, "t.html")] {
        let output = env.run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        let html = std::fs::read_to_string(env.work().join(page)).unwrap();
        let labels = first_chart_labels(&html);
        for day in ["2026-11-19", "2026-11-21", "2026-11-22"] {
            assert!(
                labels.iter().any(|l| l == day),
                "{page}: quiet day {day} is on the axis: {labels:?}"
            );
        }
    }
}

#[test]
fn the_runs_axis_has_whole_distinct_ticks() {
    use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
    let env = TestEnv::new();
    let log = jsonl(&[
        FixtureRun::ok("p", &nov(20, 9, 0), 100.0),
        FixtureRun::ok("p", &nov(21, 9, 0), 100.0),
    ]);
    env.write("logs-in/events.jsonl", &log);
    let output = env.run([
        "dashboard",
        "logs-in",
        "-o",
        "d.html",
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-22",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = std::fs::read_to_string(env.work().join("d.html")).unwrap();
    let ticks: Vec<String> = first_chart_labels(&html)
        .into_iter()
        .filter(|l| !l.starts_with("2026"))
        .collect();
    assert!(!ticks.is_empty());
    for (i, tick) in ticks.iter().enumerate() {
        assert!(tick.parse::<u64>().is_ok(), "a whole number: {ticks:?}");
        assert!(!ticks[..i].contains(tick), "no repeated tick: {ticks:?}");
    }
}

#[test]
fn dashboard_and_report_html_take_the_same_filters() {
    use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
    let env = TestEnv::new();
    let log = jsonl(&[
        FixtureRun::ok("good-prompt", &nov(20, 9, 0), 100.0),
        FixtureRun::ok("bad-prompt", &nov(20, 9, 1), 100.0).status("error"),
    ]);
    env.write("logs-in/events.jsonl", &log);
    let filters = [
        "--status",
        "error",
        "--since",
        "2026-11-19",
        "--until",
        "2026-11-22",
    ];
    let mut dashboard = vec!["dashboard", "logs-in", "-o", "d.html"];
    dashboard.extend_from_slice(&filters);
    let mut report = vec!["report", "logs-in", "--format", "html", "-o", "r.html"];
    report.extend_from_slice(&filters);
    for (args, page) in [(dashboard, "d.html"), (report, "r.html")] {
        let output = env.run(&args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let html = std::fs::read_to_string(env.work().join(page)).unwrap();
        assert!(html.contains("bad-prompt"), "{page}");
        assert!(
            !html.contains("good-prompt"),
            "{page}: --status error keeps only failed runs"
        );
    }
}

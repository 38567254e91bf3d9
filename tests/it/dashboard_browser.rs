//! The dashboard in a real headless Chromium: it loads with no console error and no
//! network request, its charts are there, and hostile prompt names stay text.

use crate::browser::{Browser, file_url};
use crate::dashboard_fixtures::{HOSTILE, busy_log};
use crate::support::{TestEnv, stderr};

fn dashboard(env: &TestEnv, log: &str, extra: &[&str]) -> std::path::PathBuf {
    env.write("logs-in/events.jsonl", log);
    let page = env.work().join("dashboard.html");
    let mut args = vec!["dashboard", "logs-in", "-o", "dashboard.html"];
    args.extend_from_slice(extra);
    let output = env.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    page
}

#[test]
fn the_harness_sees_console_errors_requests_and_injected_scripts() {
    let env = TestEnv::new();
    let page = env.write(
        "bad.html",
        "<!DOCTYPE html><html><body><p>bad</p><script>alert(1)</script>\
         <img src=\"http://192.0.2.1/pixel.png\"><script>console.error('boom')</script></body></html>",
    );
    let mut browser = Browser::start();
    let visit = browser.visit(&file_url(&page), &[]);
    assert_eq!(visit.alerts, 1, "{visit:?}");
    assert!(
        visit.requests.iter().any(|r| r.contains("192.0.2.1")),
        "{visit:?}"
    );
    assert!(visit.errors.iter().any(|e| e.contains("boom")), "{visit:?}");
}

#[test]
fn the_dashboard_loads_cleanly_and_hostile_names_stay_text() {
    let env = TestEnv::new();
    let page = dashboard(
        &env,
        &busy_log(),
        &["--since", "2026-11-17", "--until", "2026-11-24"],
    );
    let mut browser = Browser::start();
    let visit = browser.visit(
        &file_url(&page),
        &[
            "document.body.textContent.includes('<script>alert(1)</script>')",
            "document.body.textContent.includes('\"><img src=x onerror=alert(1)>')",
            "document.querySelectorAll('img').length + document.querySelectorAll('body script').length",
            "document.body.textContent.includes('<svg onload=alert(2)>')",
            "(() => { const t = document.getElementById('prompts'); const th = t.tHead.rows[0].cells[1]; \
               th.click(); const first = Number(t.tBodies[0].rows[0].cells[1].dataset.v); \
               th.click(); const last = Number(t.tBodies[0].rows[0].cells[1].dataset.v); return [first, last]; })()",
        ],
    );
    assert!(
        visit.errors.is_empty(),
        "console errors: {:?}",
        visit.errors
    );
    assert!(
        visit.requests.is_empty(),
        "network requests: {:?}",
        visit.requests
    );
    assert_eq!(visit.alerts, 0, "a script from the data ran");
    assert!(
        visit.svgs >= 4,
        "expected the four charts, found {} svg elements",
        visit.svgs
    );
    assert_eq!(visit.values[0], true, "{} shows as text", HOSTILE[0]);
    assert_eq!(visit.values[1], true, "{} shows as text", HOSTILE[1]);
    assert_eq!(
        visit.values[2], 1,
        "only the page's own sorting script, no img"
    );
    assert_eq!(
        visit.values[3], true,
        "the hostile variant name shows as text"
    );
    let sorted = visit.values[4].as_array().unwrap();
    assert!(
        sorted[0].as_f64() > sorted[1].as_f64(),
        "clicking Runs sorts both ways: {sorted:?}"
    );
}

#[test]
fn an_empty_log_gives_a_friendly_page() {
    let env = TestEnv::new();
    let page = dashboard(&env, "", &[]);
    let mut browser = Browser::start();
    let visit = browser.visit(&file_url(&page), &["document.body.innerText"]);
    assert!(visit.errors.is_empty(), "{:?}", visit.errors);
    assert!(visit.requests.is_empty(), "{:?}", visit.requests);
    let text = visit.values[0].as_str().unwrap();
    assert!(text.contains("No runs yet"), "{text}");
    assert!(
        text.contains("promptrun summarize --"),
        "says how to record a run: {text}"
    );
}

#[test]
fn report_format_html_and_trends_html_load_cleanly_too() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &busy_log());
    env.config(r#"{"alerts": {"min_success_rate": 0.99}}"#);
    let window = ["--since", "2026-11-17", "--until", "2026-11-24"];
    let mut browser = Browser::start();
    for (args, page, charts) in [
        (
            vec!["report", "logs-in", "--format", "html", "-o", "report.html"],
            "report.html",
            4,
        ),
        (
            vec![
                "report",
                "trends",
                "logs-in",
                "--format",
                "html",
                "-o",
                "trends.html",
            ],
            "trends.html",
            2,
        ),
    ] {
        let mut args = args.clone();
        args.extend_from_slice(&window);
        let output = env.run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        let visit = browser.visit(
            &file_url(&env.work().join(page)),
            &["document.body.textContent.includes('<script>alert(1)</script>')"],
        );
        assert!(visit.errors.is_empty(), "{page}: {:?}", visit.errors);
        assert!(visit.requests.is_empty(), "{page}: {:?}", visit.requests);
        assert_eq!(visit.alerts, 0, "{page}: a script from the data ran");
        assert!(visit.svgs >= charts, "{page}: {} svg", visit.svgs);
        assert_eq!(visit.values[0], true, "{page}");
    }
    let html = std::fs::read_to_string(env.work().join("report.html")).unwrap();
    assert!(
        html.contains("<h2>Alerts</h2>") && html.contains("min_success_rate"),
        "the dashboard shows the alert check"
    );
}

/// What every chart's rectangles look like in the browser: `[svgs, rects with
/// a negative size attribute, svgs without a drawn bar]`.
const RECT_SIZES: &str = "(() => { const svgs = [...document.querySelectorAll('svg.chart:not(.lines)')]; \
    const negative = svgs.flatMap(s => [...s.querySelectorAll('rect')]) \
      .filter(r => (r.getAttribute('width') || '').startsWith('-') || (r.getAttribute('height') || '').startsWith('-')).length; \
    const bare = svgs.filter(s => [...s.querySelectorAll('rect')].filter(r => { const b = r.getBBox(); \
      return b.width > 0 && b.height > 0 && b.width < s.width.baseVal.value; }).length === 0).length; \
    return [svgs.length, negative, bare]; })()";

#[test]
fn one_bucket_and_one_prompt_still_draw_every_bar() {
    use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
    let env = TestEnv::new();
    let log = jsonl(&[
        FixtureRun::ok("solo", &nov(20, 10, 0), 120.0).rated(4),
        FixtureRun::ok("solo", &nov(20, 11, 0), 180.0).rated(5),
    ]);
    let page = dashboard(
        &env,
        &log,
        &["--since", "2026-11-20", "--until", "2026-11-21"],
    );
    let mut browser = Browser::start();
    let visit = browser.visit(&file_url(&page), &[RECT_SIZES]);
    assert!(
        visit.errors.is_empty(),
        "console errors: {:?}",
        visit.errors
    );
    let sizes = visit.values[0].as_array().unwrap();
    assert_eq!(
        sizes[0], 5,
        "five bar charts (participation too): {sizes:?}"
    );
    assert_eq!(sizes[1], 0, "rects with a negative size: {sizes:?}");
    assert_eq!(sizes[2], 0, "charts with no visible bar: {sizes:?}");
}

#[test]
fn hourly_buckets_over_a_month_are_summed_into_visible_columns() {
    use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
    let env = TestEnv::new();
    let runs: Vec<FixtureRun> = (1..=28)
        .flat_map(|day| {
            (0..24)
                .step_by(3)
                .map(move |hour| FixtureRun::ok("p", &nov(day, hour, 0), 90.0))
        })
        .collect();
    let page = dashboard(
        &env,
        &jsonl(&runs),
        &[
            "--bucket",
            "hour",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-29",
        ],
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("each column sums 4 hours"),
        "28 days of hours (672) become 168 columns, and the page says so"
    );
    let mut browser = Browser::start();
    let visit = browser.visit(&file_url(&page), &[RECT_SIZES]);
    assert!(
        visit.errors.is_empty(),
        "console errors: {:?}",
        visit.errors
    );
    let sizes = visit.values[0].as_array().unwrap();
    assert_eq!(sizes[1], 0, "rects with a negative size: {sizes:?}");
    assert_eq!(sizes[2], 0, "charts with no visible bar: {sizes:?}");
}

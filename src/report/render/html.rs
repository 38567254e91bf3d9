//! The dashboard: one self-contained HTML page with inline SVG charts.

use std::fmt::Write;

use super::breaches;
use super::charts::{self, PALETTE};
use super::html_page::{cell, count, escape, millis, page, percent, value_in};
use crate::report::alerts::prompt_of;
use crate::report::dashboard::{self, DashboardData, Headline};
use crate::report::model::GroupStats;

/// How many prompts the per-prompt charts show (all of them are in the table).
const CHART_PROMPTS: usize = 15;
/// Lists longer than this start folded.
const SHORT_LIST: usize = 10;
/// How many prompts with variants get a side-by-side table.
const VARIANT_PROMPTS: usize = 12;

/// The whole dashboard page; a friendly "record your first run" page when no run was selected.
pub fn render_dashboard(data: &DashboardData) -> String {
    let mut body = String::from("<main>\n");
    header(&mut body, data);
    if data.current.totals.runs == 0 {
        empty(&mut body, data);
    } else {
        headline_cards(&mut body, data);
        alerts(&mut body, data);
        over_time(&mut body, data);
        per_prompt_charts(&mut body, data);
        variants(&mut body, data);
        prompt_table(&mut body, &data.current.groups);
    }
    inputs(&mut body, data);
    body.push_str("</main>\n");
    page("promptrun dashboard", &body)
}

fn header(out: &mut String, data: &DashboardData) {
    let _ = write!(
        out,
        "<header><h1>promptrun dashboard</h1><p>{}{} · runs per {} · generated {} UTC</p></header>",
        escape(&data.window.to_string()),
        data.previous_window
            .as_ref()
            .map(|w| format!(", compared with {}", escape(&w.to_string())))
            .unwrap_or_default(),
        escape(&data.bucket),
        escape(&crate::report::window::minutes(&data.generated))
    );
}

fn empty(out: &mut String, data: &DashboardData) {
    let filtered = !data.current.filters.is_empty();
    let _ = write!(
        out,
        "<section class=\"empty\"><h2>No runs {}yet</h2>\
         <p>promptrun records a run every time you run a prompt through it. Record your first one:</p>\
         <pre>promptrun summarize -- llm -m gpt-4o &lt; notes.txt</pre>\
         <p class=\"muted\">then make this page again with <code>promptrun dashboard --open</code>.{}</p></section>",
        if filtered { "match these filters " } else { "" },
        if filtered {
            " Or widen the filters (--since, --prompt, ...)."
        } else {
            ""
        }
    );
}

fn headline_cards(out: &mut String, data: &DashboardData) {
    let previous = data.previous.as_ref().map(|report| &report.totals);
    out.push_str("<div class=\"cards\">\n");
    for headline in dashboard::headlines(&data.current.totals, previous) {
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"change\">{}</div></div>",
            headline.label,
            value_in(headline.unit, headline.value),
            change(&headline)
        );
    }
    out.push_str("</div>\n");
}

fn change(headline: &Headline) -> String {
    let (Some(now), Some(before)) = (headline.value, headline.previous) else {
        return "no previous window".into();
    };
    let delta = now - before;
    let shown = match headline.unit {
        "percent" => format!("{:+.1} pts", delta * 100.0),
        "ms" => format!(
            "{}{}",
            if delta >= 0.0 { "+" } else { "−" },
            millis(delta.abs())
        ),
        "stars" => format!("{delta:+.2}"),
        _ if before > 0.0 => format!("{:+.0}%", delta / before * 100.0),
        _ => format!("{delta:+.0}"),
    };
    let class = if delta.abs() < 1e-9 {
        "muted"
    } else if (delta > 0.0) == headline.higher_is_better {
        "good"
    } else {
        "bad"
    };
    format!("<span class=\"{class}\">{shown}</span> vs previous")
}

fn alerts(out: &mut String, data: &DashboardData) {
    let Some(check) = &data.check else { return };
    let class = if check.breaches.is_empty() {
        "good"
    } else {
        "flag"
    };
    let _ = write!(
        out,
        "<section><h2>Alerts</h2><p class=\"{class}\">{}</p>",
        escape(&breaches::summary(check))
    );
    if !check.breaches.is_empty() {
        let open = if check.breaches.len() <= SHORT_LIST {
            " open"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<details{open}><summary>{} breach(es)</summary><div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>Prompt</th><th>Rule</th><th class=\"num\">Value</th><th class=\"num\">Threshold</th><th class=\"num\">Runs</th></tr></thead><tbody>",
            check.breaches.len()
        );
        for breach in &check.breaches {
            let _ = write!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"flag\">{}</td><td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\">{} {}</td><td class=\"num\" data-v=\"{}\">{}</td></tr>",
                escape(&breach.prompt),
                breach.rule,
                breach.value,
                escape(&breaches::value(breach.rule, breach.value)),
                escape(breaches::comparison(breach)),
                escape(&breaches::value(breach.rule, breach.threshold)),
                breach.runs,
                count(breach.runs as f64)
            );
        }
        out.push_str("</tbody></table></div></details>");
    }
    out.push_str("</section>\n");
}

fn chart_or_note(out: &mut String, svg: Option<String>) {
    match svg {
        Some(svg) => out.push_str(&svg),
        None => out.push_str("<p class=\"muted\">(chart unavailable)</p>"),
    }
}

fn legend(out: &mut String, items: &[(String, String)]) {
    out.push_str("<ul class=\"legend\">");
    for (colour, label) in items {
        let _ = write!(
            out,
            "<li><i style=\"background:{colour}\"></i>{}</li>",
            escape(label)
        );
    }
    out.push_str("</ul>");
}

fn over_time(out: &mut String, data: &DashboardData) {
    let (buckets, series) = dashboard::runs_over_time(&data.timeline, &data.current);
    let buckets: Vec<String> = buckets
        .iter()
        .map(|b| dashboard::bucket_label(b, &data.bucket))
        .collect();
    out.push_str("<section><h2>Runs over time</h2>");
    chart_or_note(out, charts::stacked_columns(&buckets, &series));
    let items: Vec<(String, String)> = series
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (charts::css(PALETTE[i.min(PALETTE.len() - 1)]), name.clone()))
        .collect();
    legend(out, &items);
    out.push_str("</section>\n");
}

fn per_prompt_charts(out: &mut String, data: &DashboardData) {
    let mut groups: Vec<&GroupStats> = data.current.groups.iter().collect();
    groups.sort_by(|a, b| {
        b.runs
            .cmp(&a.runs)
            .then_with(|| prompt_of(a).cmp(prompt_of(b)))
    });
    if groups.len() > CHART_PROMPTS {
        let _ = write!(
            out,
            "<p class=\"muted\">The charts show the {CHART_PROMPTS} prompts with the most runs, of {}; the table below has them all.</p>",
            groups.len()
        );
        groups.truncate(CHART_PROMPTS);
    }
    let name = |g: &GroupStats| prompt_of(g).to_string();
    out.push_str("<div class=\"grid wide\">\n<section><h2>Duration per prompt</h2>");
    let timed: Vec<(String, f64, f64)> = groups
        .iter()
        .filter_map(|g| Some((name(g), g.duration_ms.p50?, g.duration_ms.p95?)))
        .collect();
    let max = timed.iter().map(|row| row.2).fold(0.0, f64::max);
    chart_or_note(
        out,
        charts::bullet_bars(&timed, max, (PALETTE[0], PALETTE[0]), &millis),
    );
    legend(
        out,
        &[
            (charts::css(PALETTE[0]), "p50".into()),
            (format!("{}73", charts::css(PALETTE[0])), "p95".into()),
        ],
    );
    out.push_str("</section>\n<section><h2>Success rate per prompt</h2>");
    let rates: Vec<(String, f64)> = groups
        .iter()
        .filter_map(|g| Some((name(g), g.success_rate?)))
        .collect();
    chart_or_note(
        out,
        charts::horizontal_bars(&rates, 1.0, PALETTE[2], &|v| format!("{:.0}%", v * 100.0)),
    );
    out.push_str("</section>\n<section><h2>Rating distribution per prompt</h2>");
    let rated: Vec<(String, [u64; 5])> = groups
        .iter()
        .filter(|g| g.ratings.count > 0)
        .map(|g| (name(g), g.ratings.dist))
        .collect();
    if rated.is_empty() {
        out.push_str("<p class=\"muted\">No ratings in this window.</p>");
    } else {
        chart_or_note(out, charts::rating_shares(&rated));
        let items: Vec<(String, String)> = (0..5)
            .map(|i| {
                (
                    charts::css(charts::RATING_COLOURS[i]),
                    format!("{} ★", i + 1),
                )
            })
            .collect();
        legend(out, &items);
    }
    out.push_str("</section>\n");
    worst(out, data);
    out.push_str("</div>\n");
}

fn variants(out: &mut String, data: &DashboardData) {
    let mut sets = dashboard::variant_sets(&data.variants);
    if sets.is_empty() {
        return;
    }
    let runs = |groups: &[&GroupStats]| groups.iter().map(|g| g.runs).sum::<u64>();
    sets.sort_by(|a, b| runs(&b.1).cmp(&runs(&a.1)).then_with(|| a.0.cmp(&b.0)));
    out.push_str("<section><h2>Variants side by side</h2>");
    if sets.len() > VARIANT_PROMPTS {
        let _ = write!(
            out,
            "<p class=\"muted\">The {VARIANT_PROMPTS} prompts with variants that ran most, of {}.</p>",
            sets.len()
        );
        sets.truncate(VARIANT_PROMPTS);
    }
    out.push_str("<div class=\"grid wide\">");
    for (prompt, groups) in sets {
        let _ = write!(
            out,
            "<div><h3 class=\"name\">{}</h3><div class=\"scroll\"><table><thead><tr><th>Variant</th><th class=\"num\">Runs</th><th class=\"num\">Success</th><th class=\"num\">p50</th><th class=\"num\">p95</th><th class=\"num\">Rating</th><th class=\"num\">Rated</th></tr></thead><tbody>",
            escape(&prompt)
        );
        for group in groups {
            let _ = write!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(dashboard::variant_of(group).unwrap_or("(none)")),
                count(group.runs as f64),
                value_in("percent", group.success_rate),
                value_in("ms", group.duration_ms.p50),
                value_in("ms", group.duration_ms.p95),
                value_in("stars", group.ratings.mean),
                group.ratings.count
            );
        }
        out.push_str("</tbody></table></div></div>");
    }
    out.push_str("</div></section>\n");
}

fn prompt_table(out: &mut String, groups: &[GroupStats]) {
    out.push_str("<section><h2>Every prompt</h2><p class=\"muted\">Click a column to sort.</p><div class=\"scroll\"><table class=\"sortable\" id=\"prompts\"><thead><tr>");
    for heading in [
        "Prompt",
        "Runs",
        "Share",
        "Success",
        "Failed",
        "Incomplete",
        "p50",
        "p95",
        "p99",
        "Mean rating",
        "Ratings",
        "Participation",
    ] {
        let class = if heading == "Prompt" {
            ""
        } else {
            " class=\"num\""
        };
        let _ = write!(out, "<th{class}>{heading}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for g in groups {
        let _ = write!(out, "<tr><td class=\"name\">{}</td>", escape(prompt_of(g)));
        out.push_str(&cell(&count(g.runs as f64), Some(g.runs as f64)));
        out.push_str(&cell(&percent(g.share), Some(g.share)));
        out.push_str(&cell(&value_in("percent", g.success_rate), g.success_rate));
        let failed = dashboard::failures(g) - g.incomplete;
        out.push_str(&cell(&count(failed as f64), Some(failed as f64)));
        out.push_str(&cell(
            &count(g.incomplete as f64),
            Some(g.incomplete as f64),
        ));
        for value in [g.duration_ms.p50, g.duration_ms.p95, g.duration_ms.p99] {
            out.push_str(&cell(&value_in("ms", value), value));
        }
        out.push_str(&cell(&value_in("stars", g.ratings.mean), g.ratings.mean));
        out.push_str(&cell(
            &count(g.ratings.count as f64),
            Some(g.ratings.count as f64),
        ));
        out.push_str(&cell(
            &value_in("percent", g.participation),
            g.participation,
        ));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div></section>\n");
}

fn worst(out: &mut String, data: &DashboardData) {
    out.push_str("<section><h2>Slowest prompts (p95)</h2>");
    let slow = dashboard::slowest(&data.current, 5);
    short_list(
        out,
        &slow,
        |g| value_in("ms", g.duration_ms.p95),
        "No completed run.",
    );
    out.push_str("<h2 class=\"gap\">Most failing prompts</h2>");
    let failing = dashboard::most_failing(&data.current, 5);
    short_list(
        out,
        &failing,
        |g| format!("{} of {} runs", dashboard::failures(g), g.runs),
        "No failed or incomplete run.",
    );
    out.push_str("</section>\n");
}

fn short_list(
    out: &mut String,
    groups: &[&GroupStats],
    value: impl Fn(&GroupStats) -> String,
    none: &str,
) {
    if groups.is_empty() {
        let _ = write!(out, "<p class=\"muted\">{none}</p>");
        return;
    }
    out.push_str("<table><tbody>");
    for group in groups {
        let _ = write!(
            out,
            "<tr><td class=\"name\">{}</td><td class=\"num\">{}</td></tr>",
            escape(prompt_of(group)),
            escape(&value(group))
        );
    }
    out.push_str("</tbody></table>");
}

fn inputs(out: &mut String, data: &DashboardData) {
    let inputs = &data.current.inputs;
    let _ = write!(
        out,
        "<section><h2>Inputs and filters</h2><table><tbody><tr><th>Files</th><td>{}</td></tr><tr><th>Lines</th><td>{}</td></tr><tr><th>Events used</th><td>{}</td></tr><tr><th>Skipped lines</th><td>{}</td></tr><tr><th>Duplicates</th><td>{}</td></tr>",
        count(inputs.files as f64),
        count(inputs.lines as f64),
        count(inputs.events as f64),
        count(inputs.skipped as f64),
        count(inputs.duplicates as f64)
    );
    for example in &inputs.skipped_examples {
        let _ = write!(
            out,
            "<tr><th>skipped</th><td class=\"name\">{}</td></tr>",
            escape(example)
        );
    }
    for (name, value) in &data.current.filters {
        let shown = match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"name\">{}</td></tr>",
            escape(name),
            escape(&shown)
        );
    }
    out.push_str("</tbody></table></section>\n<footer>Made by promptrun from JSONL logs; this page loads nothing from the network.</footer>\n");
}

/// `--format html` through the report renderers: one report as a dashboard with no
/// window comparison. (`promptrun report --format html` itself goes through
/// `cmd::report_extras`, which computes the comparisons too.)
pub struct HtmlReport;

impl super::Renderer for HtmlReport {
    fn render(
        &self,
        report: &crate::report::Report,
        _options: &super::RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let data = DashboardData {
            current: report.clone(),
            variants: report.clone(),
            bucket: "day".into(),
            generated: crate::event::timestamp(chrono::Utc::now()),
            ..DashboardData::default()
        };
        out.write_all(render_dashboard(&data).as_bytes())
    }
}

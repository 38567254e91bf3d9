//! The dashboard: one self-contained HTML page with inline SVG charts.

use std::fmt::Write;

use super::breaches;
use super::charts::{self, PALETTE};
use super::html_page::{count, escape, millis, page, value_in};
use super::html_tables::{inputs, model_table, prompt_table, variants, worst};
use crate::report::alerts::evaluate::prompt_of;
use crate::report::dashboard::{self, DashboardData, Headline};
use crate::report::engine::model::GroupStats;
use crate::report::window::{MAX_COLUMNS, coarsen};

/// How many prompts the per-prompt charts show (all of them are in the table).
/// Lists longer than this start folded.
const SHORT_LIST: usize = 10;

/// The whole dashboard page; a friendly "record your first run" page when no run was selected.
pub fn render_dashboard(data: &DashboardData) -> String {
    let mut body = String::from("<main>\n");
    header(&mut body, data);
    if data.current.totals.runs == 0 {
        empty(&mut body, data);
    } else {
        headline_cards(&mut body, data);
        alerts(&mut body, data);
        learned(&mut body, data);
        over_time(&mut body, data);
        per_prompt_charts(&mut body, data);
        variants(&mut body, data);
        prompt_table(&mut body, &data.current.groups);
        model_table(&mut body, &data.models);
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
         <pre>promptrun summarize -- llm -m gpt-4o --sf {{prompt_file}} &lt; notes.txt</pre>\
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
    out.push_str("<div class=\"cards\">\n");
    for headline in &data.headlines {
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"change\">{}</div></div>",
            headline.label,
            value_in(headline.unit, headline.value),
            change(headline)
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
                escape(&breach.name()),
                breach.rule,
                breach.value,
                escape(&breaches::value_and_threshold(breach).0),
                escape(breaches::comparison(breach)),
                escape(&breaches::value_and_threshold(breach).1),
                breach.runs,
                count(breach.runs as f64)
            );
        }
        out.push_str("</tbody></table></div></details>");
    }
    out.push_str("</section>\n");
}

/// The verdicts of `compare` and the top recommendations.
fn learned(out: &mut String, data: &DashboardData) {
    if data.verdicts.is_empty() && data.recommendations.is_empty() {
        return;
    }
    out.push_str("<section id=\"learn\"><h2>Verdicts and recommendations</h2>");
    if !data.verdicts.is_empty() {
        out.push_str(
            "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>Prompt</th><th>Compared</th>\
             <th class=\"num\">Runs</th><th class=\"num\">Rated</th><th class=\"num\">Score A</th>\
             <th class=\"num\">Score B</th><th>Verdict</th></tr></thead><tbody>",
        );
        for c in &data.verdicts {
            let class = match c.outcome.kind {
                "winner" => "good",
                "vetoed" => "flag",
                _ => "muted",
            };
            let _ = write!(
                out,
                "<tr><td class=\"name\">{}</td><td>{} {} vs {}</td><td class=\"num\">{} / {}</td>\
                 <td class=\"num\">{} / {}</td><td class=\"num\" data-v=\"{}\">{:.0} [{:.0}, {:.0}]</td>\
                 <td class=\"num\" data-v=\"{}\">{:.0} [{:.0}, {:.0}]</td><td class=\"{class}\">{}</td></tr>",
                escape(&c.prompt),
                escape(c.kind),
                escape(&c.a.name),
                escape(&c.b.name),
                c.a.runs,
                c.b.runs,
                c.a.rated,
                c.b.rated,
                c.a.score.value,
                c.a.score.value,
                c.a.score.lo,
                c.a.score.hi,
                c.b.score.value,
                c.b.score.value,
                c.b.score.lo,
                c.b.score.hi,
                escape(&c.summary)
            );
        }
        out.push_str("</tbody></table></div><p class=\"muted\">Scores (0–100) are for display; verdicts use the anytime-valid interval of the rating (or success) difference. <code>promptrun compare</code> has the details.</p>");
    }
    if !data.recommendations.is_empty() {
        out.push_str("<h3>What to do next</h3><ol class=\"recommendations\">");
        for r in &data.recommendations {
            let _ = write!(
                out,
                "<li><strong>{}</strong><br><span class=\"muted\">{}</span></li>",
                escape(&r.action),
                escape(&r.evidence)
            );
        }
        out.push_str("</ol><p class=\"muted\"><code>promptrun recommend</code> lists them all; <code>--apply</code> makes the config changes it can.</p>");
    }
    out.push_str("</section>\n");
}

fn chart_or_note(out: &mut String, svg: Option<String>) {
    match svg {
        Some(svg) => out.push_str(&svg),
        None => out.push_str("<p class=\"muted\">(chart unavailable)</p>"),
    }
}

/// Says so when a time chart sums several buckets per column.
pub fn coarsened_note(out: &mut String, per_column: usize, bucket: &str) {
    if per_column > 1 {
        let _ = write!(
            out,
            "<p class=\"muted\">Too many {bucket}s for one column each: each column sums {per_column} {bucket}s, labelled by the first.</p>",
            bucket = escape(bucket)
        );
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
    let mut series = data.runs_over_time.series.clone();
    let (buckets, per_column) = coarsen(&data.runs_over_time.buckets, &mut series, MAX_COLUMNS);
    let buckets: Vec<String> = buckets
        .iter()
        .map(|b| dashboard::bucket_label(b, &data.bucket))
        .collect();
    out.push_str("<section><h2>Runs over time</h2>");
    coarsened_note(out, per_column, &data.bucket);
    chart_or_note(out, charts::stacked_columns(&buckets, &series));
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    let items: Vec<(String, String)> = names
        .iter()
        .zip(charts::series_colours(&names))
        .map(|(name, colour)| (charts::css(colour), name.clone()))
        .collect();
    legend(out, &items);
    out.push_str("</section>\n");
}

fn per_prompt_charts(out: &mut String, data: &DashboardData) {
    let groups: Vec<&GroupStats> = data.chart_prompts.iter().collect();
    if data.current.groups.len() > groups.len() {
        let _ = write!(
            out,
            "<p class=\"muted\">The charts show the {} prompts with the most runs, of {}; the table below has them all.</p>",
            groups.len(),
            data.current.groups.len()
        );
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
    // Worst first: the prompt to look at is at the top, its rate written on its bar.
    let mut rates: Vec<(String, f64)> = groups
        .iter()
        .filter_map(|g| Some((name(g), g.success_rate?)))
        .collect();
    rates.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    chart_or_note(
        out,
        charts::labelled_bars(&rates, 1.0, PALETTE[2], &percent, None),
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
    participation_chart(out, &groups);
    worst(out, data);
    out.push_str("</div>\n");
    first_hour_sections(out, data);
}

/// A ratio as a whole percentage.
fn percent(value: f64) -> String {
    format!("{:.0}%", value * 100.0)
}

/// Participation per prompt (rated of asked runs) against the 80% goal line.
fn participation_chart(out: &mut String, groups: &[&GroupStats]) {
    let goal = crate::report::render::PARTICIPATION_GOAL;
    let _ = write!(
        out,
        "<section id=\"participation\"><h2>Rating participation per prompt</h2>"
    );
    let mut shares: Vec<(String, f64)> = groups
        .iter()
        .filter_map(|g| Some((prompt_of(g).to_string(), g.participation?)))
        .collect();
    shares.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    if shares.is_empty() {
        out.push_str("<p class=\"muted\">No run asked for a rating in this window.</p>");
    } else {
        chart_or_note(
            out,
            charts::labelled_bars(&shares, 1.0, PALETTE[4], &percent, Some(goal)),
        );
        legend(
            out,
            &[
                (charts::css(PALETTE[4]), "rated of asked runs".into()),
                (
                    charts::css(charts::GOAL),
                    format!("{:.0}% goal", goal * 100.0),
                ),
            ],
        );
    }
    out.push_str("</section>\n");
}

/// The latest low ratings, the mean rating over time per prompt and variant, and
/// when each prompt version first ran.
fn first_hour_sections(out: &mut String, data: &DashboardData) {
    out.push_str("<div class=\"grid wide\">\n");
    let _ = write!(
        out,
        "<section id=\"low-rated\"><h2>Latest low ratings (≤ {} ★)</h2>",
        dashboard::LOW_RATING
    );
    if data.low_rated.is_empty() {
        out.push_str("<p class=\"muted\">No low rating with a comment in this window.</p>");
    } else {
        out.push_str("<div class=\"scroll\"><table><thead><tr><th>When</th><th>Prompt</th><th>Variant</th><th class=\"num\">★</th><th>Comment</th></tr></thead><tbody>");
        for low in &data.low_rated {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"name\">{}</td><td class=\"name\">{}</td><td class=\"num\">{}</td><td class=\"name\">{}</td></tr>",
                escape(&crate::report::window::minutes(&low.ts)),
                escape(&low.prompt),
                escape(low.variant.as_deref().unwrap_or("-")),
                low.rating,
                escape(&low.comment)
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>\n<section id=\"versions\"><h2>Prompt versions</h2>");
    if data.versions.is_empty() {
        out.push_str(
            "<p class=\"muted\">No run recorded its prompt file's version in this window.</p>",
        );
    } else {
        out.push_str("<div class=\"scroll\"><table><thead><tr><th>First run</th><th>Prompt</th><th>Version</th><th class=\"num\">Runs</th></tr></thead><tbody>");
        for seen in &data.versions {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"name\">{}</td><td title=\"{}\"><code>{}</code></td><td class=\"num\">{}</td></tr>",
                escape(&crate::report::window::minutes(&seen.first_ts)),
                escape(&seen.prompt),
                escape(&seen.version),
                escape(crate::report::render::short_hash(&seen.version)),
                seen.runs
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>\n</div>\n");
    let _ = write!(
        out,
        "<section id=\"rating-over-time\"><h2>Mean rating per {} and variant</h2>",
        escape(&data.bucket)
    );
    let rating = &data.rating_over_time;
    if rating.series.is_empty() {
        out.push_str("<p class=\"muted\">No ratings in this window.</p>");
    } else {
        let buckets: Vec<String> = rating
            .buckets
            .iter()
            .map(|b| dashboard::bucket_label(b, &data.bucket))
            .collect();
        chart_or_note(
            out,
            charts::lines_up_to(
                &buckets,
                &rating.series,
                &|v| format!("{v:.1} ★"),
                Some(5.0),
            ),
        );
        let names: Vec<String> = rating.series.iter().map(|(name, _)| name.clone()).collect();
        let items: Vec<(String, String)> = names
            .iter()
            .zip(charts::series_colours(&names))
            .map(|(name, colour)| (charts::css(colour), name.clone()))
            .collect();
        legend(out, &items);
    }
    out.push_str("</section>\n");
}

//! Trends as a self-contained HTML page: runs per bucket stacked by prompt, then
//! the per-bucket and the window-against-previous tables (sortable).

use std::fmt::Write;

use super::charts::{self, PALETTE};
use super::html_page::{cell, count, escape, millis, page, value_in};
use crate::report::trends::Trends;
use crate::report::window::{MAX_COLUMNS, coarsen, fill_buckets};

/// Every bucket of the window, quiet ones included, oldest first.
fn all_buckets(trends: &Trends) -> Vec<String> {
    let mut present: Vec<String> = trends.buckets.iter().map(|p| p.bucket.clone()).collect();
    present.dedup();
    fill_buckets(&present, &trends.window, &trends.bucket)
}

/// The page.
pub fn render_trends(trends: &Trends) -> String {
    let mut body = String::from("<main>\n");
    let _ = write!(
        body,
        "<header><h1>promptrun trends</h1><p>per {} · {}{}</p></header>",
        escape(&trends.bucket),
        escape(&trends.window.to_string()),
        trends
            .previous_window
            .as_ref()
            .map(|w| format!(", compared with {}", escape(&w.to_string())))
            .unwrap_or_default()
    );
    runs_chart(&mut body, trends);
    p95_chart(&mut body, trends);
    changes(&mut body, trends);
    buckets(&mut body, trends);
    body.push_str("</main>\n");
    page("promptrun trends", &body)
}

fn runs_chart(out: &mut String, trends: &Trends) {
    let labels = all_buckets(trends);
    let mut prompts: Vec<(String, u64)> = Vec::new();
    for p in &trends.buckets {
        match prompts.iter_mut().find(|(name, _)| *name == p.name()) {
            Some((_, runs)) => *runs += p.runs,
            None => prompts.push((p.name(), p.runs)),
        }
    }
    prompts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let top: Vec<String> = prompts
        .iter()
        .take(PALETTE.len() - 1)
        .map(|(n, _)| n.clone())
        .collect();
    let mut series: Vec<(String, Vec<f64>)> = top
        .iter()
        .map(|n| (n.clone(), vec![0.0; labels.len()]))
        .collect();
    let mut other = vec![0.0; labels.len()];
    for p in &trends.buckets {
        let Ok(slot) = labels.binary_search(&p.bucket) else {
            continue;
        };
        match top.iter().position(|n| *n == p.name()) {
            Some(at) => series[at].1[slot] += p.runs as f64,
            None => other[slot] += p.runs as f64,
        }
    }
    if other.iter().any(|v| *v > 0.0) {
        series.push(("other".into(), other));
    }
    let (columns, per_column) = coarsen(&labels, &mut series, MAX_COLUMNS);
    let shown: Vec<String> = columns
        .iter()
        .map(|l| crate::report::dashboard::bucket_label(l, &trends.bucket))
        .collect();
    out.push_str("<section><h2>Runs per bucket</h2>");
    super::html::coarsened_note(out, per_column, &trends.bucket);
    match charts::stacked_columns(&shown, &series) {
        Some(svg) => out.push_str(&svg),
        None => out.push_str("<p class=\"muted\">No runs in this window.</p>"),
    }
    out.push_str("<ul class=\"legend\">");
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    for (name, colour) in names.iter().zip(charts::series_colours(&names)) {
        let _ = write!(
            out,
            "<li><i style=\"background:{}\"></i>{}</li>",
            charts::css(colour),
            escape(name)
        );
    }
    out.push_str("</ul></section>\n");
}

/// p95 per bucket for the prompts with the most runs.
fn p95_chart(out: &mut String, trends: &Trends) {
    let labels = all_buckets(trends);
    let mut top: Vec<&crate::report::trends::TrendChange> = trends
        .changes
        .iter()
        .filter(|c| c.current.runs > 0)
        .collect();
    top.sort_by(|a, b| {
        b.current
            .runs
            .cmp(&a.current.runs)
            .then_with(|| a.name().cmp(&b.name()))
    });
    top.truncate(PALETTE.len() - 1);
    let p95: std::collections::HashMap<(&str, String), f64> = trends
        .buckets
        .iter()
        .filter_map(|p| Some(((p.bucket.as_str(), p.name()), p.p95_ms?)))
        .collect();
    let series: Vec<(String, Vec<Option<f64>>)> = top
        .iter()
        .map(|change| {
            let values = labels
                .iter()
                .map(|label| p95.get(&(label.as_str(), change.name())).copied())
                .collect();
            (change.name(), values)
        })
        .collect();
    let shown: Vec<String> = labels
        .iter()
        .map(|l| crate::report::dashboard::bucket_label(l, &trends.bucket))
        .collect();
    let Some(svg) = charts::lines(&shown, &series, &millis) else {
        return;
    };
    let _ = write!(
        out,
        "<section><h2>p95 duration per {}</h2>{svg}<ul class=\"legend\">",
        escape(&trends.bucket)
    );
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    for (name, colour) in names.iter().zip(charts::series_colours(&names)) {
        let _ = write!(
            out,
            "<li><i style=\"background:{}\"></i>{}</li>",
            charts::css(colour),
            escape(name)
        );
    }
    out.push_str("</ul></section>\n");
}

fn changes(out: &mut String, trends: &Trends) {
    out.push_str("<section><h2>Window against previous window</h2><div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>Prompt</th><th class=\"num\">Runs</th><th class=\"num\">Prev.</th><th class=\"num\">Success</th><th class=\"num\">Change (pts)</th><th class=\"num\">p95</th><th class=\"num\">Change</th><th class=\"num\">Rating</th><th class=\"num\">Change</th><th>Flags</th></tr></thead><tbody>\n");
    for c in &trends.changes {
        let _ = write!(out, "<tr><td class=\"name\">{}</td>", escape(&c.name()));
        out.push_str(&cell(
            &count(c.current.runs as f64),
            Some(c.current.runs as f64),
        ));
        let before = c.previous.as_ref().map(|p| p.runs as f64);
        out.push_str(&cell(&value_in("count", before), before));
        out.push_str(&cell(
            &value_in("percent", c.current.success_rate),
            c.current.success_rate,
        ));
        out.push_str(&cell(
            &c.success_rate_change_pts
                .map_or("–".into(), |v| format!("{v:+.1}")),
            c.success_rate_change_pts,
        ));
        out.push_str(&cell(&value_in("ms", c.current.p95_ms), c.current.p95_ms));
        out.push_str(&cell(
            &c.p95_change_pct.map_or("–".into(), |v| format!("{v:+.1}%")),
            c.p95_change_pct,
        ));
        out.push_str(&cell(
            &value_in("stars", c.current.mean_rating),
            c.current.mean_rating,
        ));
        out.push_str(&cell(
            &c.rating_change.map_or("–".into(), |v| format!("{v:+.2}")),
            c.rating_change,
        ));
        let _ = write!(
            out,
            "<td class=\"flag\">{}</td></tr>",
            escape(&c.flags.join(", "))
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

fn buckets(out: &mut String, trends: &Trends) {
    let _ = write!(
        out,
        "<section><h2>Per {} and prompt</h2><div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>Bucket</th><th>Prompt</th><th class=\"num\">Runs</th><th class=\"num\">Success</th><th class=\"num\">p95</th><th class=\"num\">Rating</th></tr></thead><tbody>",
        escape(&trends.bucket)
    );
    for p in &trends.buckets {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"name\">{}</td>",
            escape(&crate::report::dashboard::bucket_label(
                &p.bucket,
                &trends.bucket
            )),
            escape(&p.name())
        );
        out.push_str(&cell(&count(p.runs as f64), Some(p.runs as f64)));
        out.push_str(&cell(&value_in("percent", p.success_rate), p.success_rate));
        out.push_str(&cell(&value_in("ms", p.p95_ms), p.p95_ms));
        out.push_str(&cell(&value_in("stars", p.mean_rating), p.mean_rating));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div></section>\n");
}

//! The dashboard's tables: variants side by side, every prompt (sortable), the
//! slowest and most failing prompts, and the inputs and filters.

use std::fmt::Write;

use super::columns::{has_cost, usd};
use super::html_page::{cell, count, escape, percent, value_in};
use crate::report::alerts::evaluate::prompt_of;
use crate::report::dashboard::{self, DashboardData};
use crate::report::engine::model::{GroupStats, Report};

/// How many prompts with variants get a side-by-side table.
const VARIANT_PROMPTS: usize = 12;

pub(super) fn variants(out: &mut String, data: &DashboardData) {
    let sets = &data.variant_sets;
    if sets.is_empty() {
        return;
    }
    out.push_str("<section><h2>Variants side by side</h2>");
    if sets.len() > VARIANT_PROMPTS {
        let _ = write!(
            out,
            "<p class=\"muted\">The {VARIANT_PROMPTS} prompts with variants that ran most, of {}.</p>",
            sets.len()
        );
    }
    let sets = &sets[..sets.len().min(VARIANT_PROMPTS)];
    out.push_str("<div class=\"grid wide\">");
    for (prompt, groups) in sets {
        let _ = write!(
            out,
            "<div><h3 class=\"name\">{}</h3><div class=\"scroll\"><table><thead><tr><th>Variant</th><th class=\"num\">Runs</th><th class=\"num\">Success</th><th class=\"num\">p50</th><th class=\"num\">p95</th><th class=\"num\">Rating</th><th class=\"num\">Rated</th></tr></thead><tbody>",
            escape(prompt)
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

pub(super) fn prompt_table(out: &mut String, groups: &[GroupStats]) {
    let shown = &groups[..groups.len().min(crate::report::dashboard::TABLE_PROMPTS)];
    let heading = if shown.len() < groups.len() {
        format!(
            "<section><h2>Prompts</h2><p class=\"muted\">The {} prompts with the most runs, of {}; \
             <code>promptrun report --format csv</code> lists them all. Click a column to sort.</p>",
            shown.len(),
            groups.len()
        )
    } else {
        "<section><h2>Every prompt</h2><p class=\"muted\">Click a column to sort.</p>".to_string()
    };
    let groups = shown;
    out.push_str(&heading);
    out.push_str("<div class=\"scroll\"><table class=\"sortable\" id=\"prompts\"><thead><tr>");
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

/// Cost and latency by model; left out when no run has a model, a cost or tokens.
pub(super) fn model_table(out: &mut String, models: &Report) {
    let named = models
        .groups
        .iter()
        .any(|g| g.key.get("model").is_some_and(|m| !m.is_empty()));
    if !named && !has_cost(models) {
        return;
    }
    out.push_str("<section><h2>By model</h2><p class=\"muted\">Cost is what the command reported, else its tokens at the price table's prices. Click a column to sort.</p><div class=\"scroll\"><table class=\"sortable\" id=\"models\"><thead><tr>");
    for heading in [
        "Model",
        "Runs",
        "Success",
        "p50",
        "p95",
        "Tokens in",
        "Tokens out",
        "Cost",
        "Cost/run",
        "Cost p95",
    ] {
        let class = if heading == "Model" {
            ""
        } else {
            " class=\"num\""
        };
        let _ = write!(out, "<th{class}>{heading}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for g in &models.groups {
        let model = g
            .key
            .get("model")
            .filter(|m| !m.is_empty())
            .map_or("(unknown)", String::as_str);
        let _ = write!(out, "<tr><td class=\"name\">{}</td>", escape(model));
        out.push_str(&cell(&count(g.runs as f64), Some(g.runs as f64)));
        out.push_str(&cell(&value_in("percent", g.success_rate), g.success_rate));
        for value in [g.duration_ms.p50, g.duration_ms.p95] {
            out.push_str(&cell(&value_in("ms", value), value));
        }
        for tokens in [g.tokens.input, g.tokens.output] {
            out.push_str(&cell(&count(tokens), Some(tokens)));
        }
        let total = (g.cost_usd.runs > 0).then_some(g.cost_usd.total);
        for value in [total, g.cost_usd.mean, g.cost_usd.p95] {
            out.push_str(&cell(&usd(value), value));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div></section>\n");
}

pub(super) fn worst(out: &mut String, data: &DashboardData) {
    out.push_str("<section><h2>Slowest prompts (p95)</h2>");
    let slow: Vec<&GroupStats> = data.slowest.iter().collect();
    short_list(
        out,
        &slow,
        |g| value_in("ms", g.duration_ms.p95),
        "No completed run.",
    );
    out.push_str("<h2 class=\"gap\">Most failing prompts</h2>");
    let failing: Vec<&GroupStats> = data.most_failing.iter().collect();
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

pub(super) fn inputs(out: &mut String, data: &DashboardData) {
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

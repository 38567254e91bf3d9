//! The result of `report --check` as text lines or Markdown (JSON is the serialised value).

use std::fmt::Write;

use super::text_safe::{markdown_cell, printable};
use crate::report::alerts::evaluate::{Breach, CheckResult};

/// A rule's value or threshold in its unit (`90.0%`, `1200 ms`, `+25.0%`, `$0.0075`, `0.50`).
pub fn value(rule: &str, value: f64) -> String {
    match rule {
        "min_success_rate" | "min_participation" | "max_incomplete_rate" => {
            format!("{:.1}%", value * 100.0)
        }
        "max_p95_ms" => format!("{value:.0} ms"),
        "max_p95_increase_pct" => format!("{value:+.1}%"),
        "max_cost_p95_usd" | "max_cost_total_usd" => super::columns::usd(Some(value)),
        _ => format!("{value:.2}"),
    }
}

/// `<` for a minimum that was undershot, `>` for a maximum that was exceeded.
pub fn comparison(breach: &Breach) -> &'static str {
    if breach.rule.starts_with("min_") {
        "<"
    } else {
        ">"
    }
}

/// One line per breach, then a summary line.
pub fn text(result: &CheckResult) -> String {
    let mut out = String::new();
    for b in &result.breaches {
        let _ = writeln!(
            out,
            "BREACH {}: {} {} {} {} ({} runs, window {})",
            printable(&b.prompt),
            b.rule,
            value(b.rule, b.value),
            comparison(b),
            value(b.rule, b.threshold),
            b.runs,
            result.window
        );
    }
    let _ = writeln!(out, "{}", summary(result));
    out
}

/// `N breach(es) in M prompt(s) checked`, or `no breach: ...`.
pub fn summary(result: &CheckResult) -> String {
    let skipped = match result.skipped_few_runs.len() {
        0 => String::new(),
        n => format!(", {n} skipped for too few runs (min_runs)"),
    };
    match result.breaches.len() {
        0 => format!("no breach: {} prompt(s) checked{skipped}", result.checked),
        n => format!(
            "{n} breach(es) in {} prompt(s) checked{skipped}",
            result.checked
        ),
    }
}

/// A Markdown table of the breaches, for job summaries.
pub fn markdown(result: &CheckResult) -> String {
    let compared = result
        .previous_window
        .as_ref()
        .map(|w| format!(", compared with {w}"))
        .unwrap_or_default();
    let mut out = format!(
        "## Alert check\n\nWindow: {}{compared}.\n\n{}\n",
        result.window,
        summary(result)
    );
    if !result.breaches.is_empty() {
        out.push_str("\n| prompt | rule | value | threshold | runs |\n|---|---|---|---|---|\n");
        for b in &result.breaches {
            let prompt = markdown_cell(&b.prompt);
            let _ = writeln!(
                out,
                "| {prompt} | {} | {} | {} {} | {} |",
                b.rule,
                value(b.rule, b.value),
                comparison(b),
                value(b.rule, b.threshold),
                b.runs
            );
        }
    }
    out
}

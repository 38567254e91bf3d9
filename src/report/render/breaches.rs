//! The result of `report --check` as text lines or Markdown (JSON is the serialised value).

use std::fmt::Write;

use super::text_safe::{markdown_cell, printable};
use crate::report::alerts::evaluate::{Breach, CheckResult};

/// A rule's value or threshold in its unit (`90.0%`, `1200 ms`, `+25.0%`, `$0.0075`, `0.50`).
pub fn value(rule: &str, value: f64) -> String {
    with_decimals(rule, value, 0)
}

/// The breach's value and threshold, with as many more decimals as it takes for
/// the two to read differently (`0.504 > 0.50`, never `0.50 > 0.50`).
pub fn value_and_threshold(breach: &Breach) -> (String, String) {
    for extra in 0..=6 {
        let pair = (
            with_decimals(breach.rule, breach.value, extra),
            with_decimals(breach.rule, breach.threshold, extra),
        );
        if pair.0 != pair.1 {
            return pair;
        }
    }
    (
        with_decimals(breach.rule, breach.value, 6),
        with_decimals(breach.rule, breach.threshold, 6),
    )
}

fn with_decimals(rule: &str, value: f64, extra: usize) -> String {
    match rule {
        "min_success_rate" | "min_participation" | "max_incomplete_rate" => {
            format!("{:.*}%", 1 + extra, value * 100.0)
        }
        "max_p95_ms" => format!("{value:.extra$} ms"),
        "max_p95_increase_pct" => format!("{:+.*}%", 1 + extra, value),
        "max_cost_p95_usd" | "max_cost_total_usd" if extra == 0 => super::columns::usd(Some(value)),
        "max_cost_p95_usd" | "max_cost_total_usd" => format!("${:.*}", 4 + extra, value),
        _ => format!("{:.*}", 2 + extra, value),
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
        let (value, threshold) = value_and_threshold(b);
        let _ = writeln!(
            out,
            "BREACH {}: {} {} {} {} ({} runs, window {})",
            printable(&b.name()),
            b.rule,
            value,
            comparison(b),
            threshold,
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
        0 => format!(
            "no breach: {} prompt(s) checked{skipped}; window {}",
            result.checked, result.window
        ),
        n => format!(
            "{n} breach(es) in {} prompt(s) checked{skipped}; window {}",
            result.checked, result.window
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
            let prompt = markdown_cell(&b.name());
            let (value, threshold) = value_and_threshold(b);
            let _ = writeln!(
                out,
                "| {prompt} | {} | {value} | {} {threshold} | {} |",
                b.rule,
                comparison(b),
                b.runs
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breach(rule: &'static str, value: f64, threshold: f64) -> Breach {
        Breach {
            prompt: "p".into(),
            variant: None,
            rule,
            value,
            threshold,
            runs: 10,
        }
    }

    #[test]
    fn a_breach_never_reads_as_its_own_threshold() {
        let cases = [
            (breach("max_rating_drop", 0.504, 0.5), ("0.504", "0.500")),
            (breach("max_rating_drop", 0.9, 0.5), ("0.90", "0.50")),
            (
                breach("min_success_rate", 0.94996, 0.95),
                ("94.996%", "95.000%"),
            ),
            (
                breach("max_p95_ms", 1200.4, 1200.0),
                ("1200.4 ms", "1200.0 ms"),
            ),
        ];
        for (breach, (value, threshold)) in cases {
            let shown = value_and_threshold(&breach);
            assert_eq!(
                shown,
                (value.to_string(), threshold.to_string()),
                "{breach:?}"
            );
        }
    }
}

//! `promptrun compare` as text and Markdown.

use std::fmt::Write;

use crate::report::compare::{ArmJson, CompareReport, Comparison, superiority_words};

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn arm_cells(arm: &ArmJson) -> [String; 6] {
    [
        arm.name.clone(),
        arm.runs.to_string(),
        arm.rated.to_string(),
        format!(
            "{} [{}, {}]",
            pct(arm.success.mean),
            pct(arm.success.lo),
            pct(arm.success.hi)
        ),
        format!(
            "{:.2}★ [{:.2}, {:.2}]",
            arm.rating.mean, arm.rating.lo, arm.rating.hi
        ),
        format!(
            "{:.0} [{:.0}, {:.0}] = {:.0} success + {:.0} rating",
            arm.score.value,
            arm.score.lo,
            arm.score.hi,
            arm.score.success_points,
            arm.score.rating_points
        ),
    ]
}

/// How many single-arm prompts the table names.
const SHOWN_SINGLE: usize = 20;

const HEAD: [&str; 6] = [
    "arm",
    "runs",
    "rated",
    "success",
    "rating",
    "score (display only)",
];

fn title(c: &Comparison) -> String {
    match c.kind {
        "variants" => format!("{}: variant {} vs {}", c.prompt, c.a.name, c.b.name),
        _ => format!(
            "{}{}: version {} (previous) vs {} (current)",
            c.prompt,
            c.a.variant
                .as_deref()
                .map(|v| format!(" variant {v}"))
                .unwrap_or_default(),
            c.a.name,
            c.b.name
        ),
    }
}

fn guardrails(c: &Comparison) -> String {
    let g = &c.guardrails;
    let ratio = |r: Option<f64>| r.map_or_else(|| "n/a".to_string(), |r| format!("{r:.2}×"));
    format!(
        "guardrails ({} against {}): latency {}, success {:+.1} points, cost {}",
        c.b.name,
        c.a.name,
        ratio(g.latency_ratio),
        g.success_diff * 100.0,
        ratio(g.cost_ratio)
    )
}

fn difference(c: &Comparison) -> String {
    let metric = if c.metric == "rating" {
        crate::learn::verdict::Metric::Rating
    } else {
        crate::learn::verdict::Metric::Success
    };
    match c.difference {
        Some(d) => format!(
            "difference {} − {} on {}: {}, 95% anytime interval {} to {}",
            c.b.name,
            c.a.name,
            c.metric,
            crate::report::compare::amount(metric, d.diff),
            crate::report::compare::amount(metric, d.lo),
            crate::report::compare::amount(metric, d.hi)
        ),
        None => format!("difference on {}: no data yet", c.metric),
    }
}

/// Aligned text, one block per comparison.
pub fn table(report: &CompareReport) -> String {
    let mut out = String::new();
    if report.comparisons.is_empty() {
        out.push_str("nothing to compare: no prompt has more than one arm (variant or version)");
        out.push('\n');
    }
    for (i, c) in report.comparisons.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", title(c));
        let rows = [HEAD.map(String::from), arm_cells(&c.a), arm_cells(&c.b)];
        let widths: Vec<usize> = (0..6)
            .map(|col| {
                rows.iter()
                    .map(|r| r[col].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &rows {
            let mut line = String::from(" ");
            for (col, cell) in row.iter().enumerate() {
                let pad = widths[col] - cell.chars().count();
                if (1..=2).contains(&col) {
                    let _ = write!(line, " {}{cell}", " ".repeat(pad));
                } else {
                    let _ = write!(line, " {cell}{}", " ".repeat(pad));
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let _ = writeln!(out, "  {}", difference(c));
        let _ = writeln!(out, "  {}", superiority_words(c));
        let _ = writeln!(out, "  {}", guardrails(c));
        let _ = writeln!(out, "  {}", c.summary);
    }
    let single = &report.single_arm_prompts;
    if !single.is_empty() {
        let shown = single.len().min(SHOWN_SINGLE);
        let more = match single.len() - shown {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let _ = writeln!(
            out,
            "\none arm only (nothing to compare): {}{more}",
            single[..shown].join(", ")
        );
    }
    out
}

fn md_escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// GitHub-flavoured Markdown.
pub fn markdown(report: &CompareReport) -> String {
    let mut out = String::from("## Compare\n\n");
    if report.comparisons.is_empty() {
        out.push_str("Nothing to compare: no prompt has more than one arm.\n");
    }
    for c in &report.comparisons {
        let _ = writeln!(out, "### {}\n", md_escape(&title(c)));
        let _ = writeln!(out, "| {} |", HEAD.join(" | "));
        let _ = writeln!(out, "| --- | ---: | ---: | --- | --- | --- |");
        for arm in [&c.a, &c.b] {
            let cells: Vec<String> = arm_cells(arm).iter().map(|s| md_escape(s)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "- {}", md_escape(&difference(c)));
        let _ = writeln!(out, "- {}", md_escape(&superiority_words(c)));
        let _ = writeln!(out, "- {}", md_escape(&guardrails(c)));
        let _ = writeln!(out, "- **{}**\n", md_escape(&c.summary));
    }
    out
}

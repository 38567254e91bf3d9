//! `promptrun recommend` as text and Markdown.

use std::fmt::Write;

use crate::report::recommend::Recommendations;

/// Numbered actions with their evidence.
pub fn table(doc: &Recommendations) -> String {
    let mut out = String::new();
    if doc.recommendations.is_empty() {
        let _ = writeln!(
            out,
            "nothing to recommend ({}): no verdict to act on and no prompt in trouble",
            doc.window.label()
        );
    }
    for r in &doc.recommendations {
        let _ = writeln!(out, "{:>2}. {}", r.rank, r.action);
        let _ = writeln!(out, "    evidence: {}", r.evidence);
        if let Some(change) = &r.change {
            let state = if r.applied { "applied" } else { "--apply" };
            let _ = writeln!(out, "    {state}: {}", change.describe());
        }
    }
    if let Some(applied) = &doc.applied {
        let _ = writeln!(
            out,
            "\nchanged {} ({} change(s)); the old file is {}",
            applied.config,
            applied.changes.len(),
            applied.backup
        );
    }
    out
}

/// A Markdown list.
pub fn markdown(doc: &Recommendations) -> String {
    let mut out = String::from("## Recommendations\n\n");
    if doc.recommendations.is_empty() {
        let _ = writeln!(out, "Nothing to recommend ({}).", doc.window.label());
    }
    for r in &doc.recommendations {
        let _ = writeln!(out, "{}. **{}**  ", r.rank, r.action.replace('|', "\\|"));
        let _ = writeln!(out, "   {}", r.evidence.replace('|', "\\|"));
        if let Some(change) = &r.change {
            let state = if r.applied {
                "applied"
            } else {
                "with `--apply`"
            };
            let _ = writeln!(out, "   ({state}: {})", change.describe());
        }
    }
    if let Some(applied) = &doc.applied {
        let _ = writeln!(
            out,
            "\nChanged `{}`; the old file is `{}`.",
            applied.config, applied.backup
        );
    }
    out
}

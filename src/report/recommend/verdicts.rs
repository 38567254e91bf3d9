//! Recommendations from verdicts: promote a winner, retire a loser, revert an
//! edit that made a prompt worse.

use super::*;

pub(super) fn metric(c: &Comparison) -> Metric {
    if c.metric == "rating" {
        Metric::Rating
    } else {
        Metric::Success
    }
}

pub(super) fn verdict_evidence(c: &Comparison, window: &str) -> String {
    let interval = match (c.outcome.diff, c.outcome.lo, c.outcome.hi) {
        (Some(d), Some(lo), Some(hi)) => format!(
            "{} {}, 95% anytime interval {} to {}",
            c.metric,
            amount(metric(c), d),
            amount(metric(c), lo),
            amount(metric(c), hi)
        ),
        _ => c.summary.clone(),
    };
    format!(
        "{}: {} vs {} runs ({} vs {} rated), {window}; {interval}",
        c.kind, c.a.runs, c.b.runs, c.a.rated, c.b.rated
    )
}

pub(super) fn verdicts(inputs: &Inputs, window: &str, out: &mut Vec<Recommendation>) {
    let defaults: BTreeMap<&str, Option<&str>> = inputs
        .config
        .map(|l| {
            l.config
                .prompts
                .iter()
                .map(|(n, p)| (n.as_str(), p.default_variant.as_deref()))
                .collect()
        })
        .unwrap_or_default();
    for c in &inputs.compare.comparisons {
        if c.outcome.kind != "winner" {
            continue;
        }
        let (winner, loser) = if c.outcome.arm == Some("a") {
            (&c.a, &c.b)
        } else {
            (&c.b, &c.a)
        };
        let size = c.outcome.diff.unwrap_or(0.0).abs();
        let evidence = verdict_evidence(c, window);
        match c.kind {
            "variants" => {
                let Some(variant) = winner.variant.clone() else {
                    continue;
                };
                let current = defaults.get(c.prompt.as_str()).copied().flatten();
                if current != Some(variant.as_str()) {
                    let mut r = rec(
                        100.0 + size,
                        "promote_winner",
                        &c.prompt,
                        format!(
                            "promote variant {variant} of {}: set default_variant to \"{variant}\"",
                            c.prompt
                        ),
                        evidence.clone(),
                    );
                    let configured = inputs.config.is_some_and(|l| {
                        l.config
                            .prompts
                            .get(&c.prompt)
                            .is_some_and(|p| p.variants.contains_key(&variant))
                    });
                    if configured {
                        r.change = Some(ConfigChange::SetDefaultVariant {
                            prompt: c.prompt.clone(),
                            variant,
                        });
                    }
                    out.push(r);
                }
                out.push(rec(
                    90.0 + size,
                    "retire_loser",
                    &c.prompt,
                    format!(
                        "retire variant {} of {}: set its weight to 0 or remove it",
                        loser.name, c.prompt
                    ),
                    evidence,
                ));
            }
            _ if c.outcome.arm == Some("a") => out.push(rec(
                95.0 + size,
                "revert_edit",
                &c.prompt,
                format!(
                    "the edit of {}{} made it worse: version {} is worse than the previous \
                     {}; revert the prompt file or fix it",
                    c.prompt,
                    c.a.variant
                        .as_deref()
                        .map(|v| format!(" (variant {v})"))
                        .unwrap_or_default(),
                    c.b.name,
                    c.a.name
                ),
                evidence,
            )),
            _ => {}
        }
    }
}

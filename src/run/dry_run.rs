//! `--dry-run`: how a prompt resolves and what would run, with nothing run or logged.

use super::plan::{RunPlan, lossy};
use crate::config::context::Context;

/// The lines `--dry-run` prints.
pub fn describe(plan: &RunPlan, stdin: bool, context: &Context) -> String {
    let resolved = &plan.resolved;
    let config = context
        .config
        .as_ref()
        .map_or("(none: ad hoc run)".to_string(), |c| {
            c.path.display().to_string()
        });
    let file = resolved
        .file
        .as_ref()
        .map_or("-".to_string(), |p| p.display().to_string());
    let log = if crate::record::run_recorder::disabled_by_env() {
        "off (PROMPTRUN_NO_LOG or DO_NOT_TRACK)".to_string()
    } else {
        context
            .log_dir
            .as_ref()
            .map_or("none".to_string(), |d| d.display().to_string())
    };
    let mut lines = vec![
        format!("config:     {config}"),
        format!(
            "prompt:     {} (requested `{}`, resolved by {})",
            resolved.name,
            resolved.requested,
            resolved.resolution.as_str()
        ),
        format!("variant:    {}", resolved.variant.as_deref().unwrap_or("-")),
    ];
    if let Some(choice) = &resolved.choice {
        lines.push(format!("strategy:   {}", choice.why));
        lines.push(format!(
            "chances:    {}",
            choice
                .selection
                .probs
                .iter()
                .map(|(name, p)| format!("{name} {:.1}%", p * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines.extend([format!("file:       {file}")]);
    if let Some(model) = &plan.model {
        lines.push(format!(
            "model:      {model} (unless the command writes model=)"
        ));
    }
    lines.push(format!(
        "command:    {}",
        shell_words(&lossy(&plan.spec.argv))
    ));
    if stdin {
        lines.push("stdin:      the prompt file".to_string());
    }
    lines.push(format!(
        "timeout:    {}",
        plan.timeout
            .map_or("none".to_string(), |t| format!("{t:?}"))
    ));
    lines.push(format!("log dir:    {log}"));
    // Names and paths come from the config and the command line: one line each.
    lines
        .iter()
        .map(|line| crate::report::render::text_safe::printable(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Quotes arguments the way a POSIX shell would need them.
fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|arg| {
            let plain = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                arg.clone()
            } else {
                format!("'{}'", arg.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

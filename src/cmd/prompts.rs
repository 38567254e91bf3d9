//! `promptrun prompts`: the configured prompts.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::{ListFormat, PromptsArgs};
use crate::config::context::Context;
use crate::error::{Result, exit};
use crate::report::render::text_width;

#[derive(Serialize)]
struct PromptRow<'a> {
    name: &'a str,
    description: Option<&'a str>,
    aliases: &'a [String],
    /// The file as written in the config (relative to the config file).
    file: Option<&'a str>,
    /// The file's absolute path.
    path: Option<PathBuf>,
    default_variant: Option<&'a str>,
    /// How a variant is picked (null without variants).
    strategy: Option<&'static str>,
    /// Why the shares are what they are now.
    selection: Option<String>,
    variants: Vec<VariantRow<'a>>,
}

#[derive(Serialize)]
struct VariantRow<'a> {
    name: &'a str,
    weight: f64,
    /// The variant's chance of being picked by the next run without
    /// `--variant`: its weight's share under `weighted` and `sticky` (over
    /// users), 1 or 0 under `fixed` (and `default_variant`), the current
    /// allocation under `best` and `bandit`.
    share: f64,
    file: Option<&'a str>,
    path: Option<PathBuf>,
}

/// Lists prompts as a table or JSON.
pub fn run(context: &Context, args: &PromptsArgs) -> Result<i32> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let rows: Vec<PromptRow> = context
        .config
        .iter()
        .flat_map(|loaded| {
            loaded
                .config
                .prompts
                .iter()
                .map(move |entry| (loaded, entry))
        })
        .map(|(loaded, (name, prompt))| {
            let absolute = |file: &str| {
                let joined = loaded.resolve_path(file);
                let joined = std::path::absolute(&joined).unwrap_or(joined);
                std::fs::canonicalize(&joined).unwrap_or(joined)
            };
            let env = crate::run::plan::selection_env(context);
            let choice = crate::run::selection::probabilities(name, prompt, loaded, &env);
            let share = |variant: &str| {
                choice
                    .as_ref()
                    .and_then(|c| c.selection.probs.get(variant).copied())
                    .unwrap_or(0.0)
            };
            PromptRow {
                name,
                description: prompt.description.as_deref(),
                aliases: &prompt.aliases,
                file: prompt.file.as_deref(),
                path: prompt.file.as_deref().map(absolute),
                default_variant: prompt.default_variant.as_deref(),
                strategy: choice.as_ref().map(|c| c.strategy.as_str()),
                selection: choice.as_ref().map(|c| c.why.clone()),
                variants: prompt
                    .variants
                    .iter()
                    .map(|(name, variant)| VariantRow {
                        name,
                        weight: variant.weight,
                        share: share(name),
                        file: variant.file.as_deref(),
                        path: variant.file.as_deref().map(absolute),
                    })
                    .collect(),
            }
        })
        .collect();
    match args.format {
        ListFormat::Json => {
            crate::cmd::output::print_line(
                &serde_json::to_string_pretty(&rows).unwrap_or_default(),
            )?;
        }
        ListFormat::Table if context.config.is_none() => {
            eprintln!("promptrun: {}", crate::config::discover::NOT_FOUND);
        }
        ListFormat::Table => print_table(&rows, &cwd)?,
    }
    Ok(exit::OK)
}

/// A path for people: relative to the working directory when below it.
fn shown(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

fn print_table(rows: &[PromptRow], cwd: &Path) -> Result<()> {
    let mut lines: Vec<[String; 6]> = vec![[
        "PROMPT".to_string(),
        "ALIASES".to_string(),
        "STRATEGY".to_string(),
        "VARIANTS (weight, share)".to_string(),
        "FILE".to_string(),
        "DESCRIPTION".to_string(),
    ]];
    for row in rows {
        let variants = row
            .variants
            .iter()
            .map(|v| {
                let default = if Some(v.name) == row.default_variant {
                    "*"
                } else {
                    ""
                };
                format!(
                    "{}{default} ({}, {:.0}%)",
                    v.name,
                    v.weight,
                    v.share * 100.0
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        lines.push([
            row.name.to_string(),
            row.aliases.join(", "),
            row.strategy.unwrap_or("-").to_string(),
            if variants.is_empty() {
                "-".into()
            } else {
                variants
            },
            row.path
                .as_deref()
                .map_or("-".to_string(), |p| shown(p, cwd)),
            row.description.unwrap_or("").to_string(),
        ]);
    }
    // Names, aliases, descriptions and paths come from the config.
    for line in lines.iter_mut().skip(1) {
        for cell in line.iter_mut() {
            *cell = crate::report::render::text_safe::printable(cell);
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|col| {
            lines
                .iter()
                .map(|l| text_width::width(&l[col]))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let mut out = String::new();
        for (col, cell) in line.iter().enumerate() {
            if col == 5 {
                out.push_str(cell);
            } else {
                out.push_str(&text_width::pad(cell, widths[col], false));
                out.push_str("  ");
            }
        }
        crate::cmd::output::print_line(out.trim_end())?;
    }
    if rows.iter().any(|r| r.default_variant.is_some()) {
        crate::cmd::output::print_line("(* default variant)")?;
    }
    Ok(())
}

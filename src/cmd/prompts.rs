//! `promptrun prompts`: the configured prompts.

use serde::Serialize;

use crate::cli::{ListFormat, PromptsArgs};
use crate::context::Context;
use crate::error::{Result, exit};

#[derive(Serialize)]
struct PromptRow<'a> {
    name: &'a str,
    description: Option<&'a str>,
    aliases: &'a [String],
    file: Option<&'a str>,
    default_variant: Option<&'a str>,
    variants: Vec<VariantRow<'a>>,
}

#[derive(Serialize)]
struct VariantRow<'a> {
    name: &'a str,
    weight: f64,
    file: Option<&'a str>,
}

/// Lists prompts as a table or JSON.
pub fn run(context: &Context, args: &PromptsArgs) -> Result<i32> {
    let rows: Vec<PromptRow> = context
        .config
        .iter()
        .flat_map(|loaded| loaded.config.prompts.iter())
        .map(|(name, prompt)| PromptRow {
            name,
            description: prompt.description.as_deref(),
            aliases: &prompt.aliases,
            file: prompt.file.as_deref(),
            default_variant: prompt.default_variant.as_deref(),
            variants: prompt
                .variants
                .iter()
                .map(|(name, variant)| VariantRow {
                    name,
                    weight: variant.weight,
                    file: variant.file.as_deref(),
                })
                .collect(),
        })
        .collect();
    match args.format {
        ListFormat::Json => {
            crate::output::print_line(&serde_json::to_string_pretty(&rows).unwrap_or_default());
        }
        ListFormat::Table if context.config.is_none() => {
            eprintln!(
                "promptrun: no router-config.json found (searched from the current directory up, \
                 and $XDG_CONFIG_HOME/promptrun); pass --config PATH"
            );
        }
        ListFormat::Table => print_table(&rows),
    }
    Ok(exit::OK)
}

fn print_table(rows: &[PromptRow]) {
    let mut lines = vec![[
        "PROMPT".to_string(),
        "ALIASES".to_string(),
        "VARIANTS (weight)".to_string(),
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
                format!("{}{default} ({})", v.name, v.weight)
            })
            .collect::<Vec<_>>()
            .join(", ");
        lines.push([
            row.name.to_string(),
            row.aliases.join(", "),
            if variants.is_empty() {
                "-".into()
            } else {
                variants
            },
            row.file.unwrap_or("-").to_string(),
            row.description.unwrap_or("").to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|col| {
            lines
                .iter()
                .map(|l| l[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let mut out = String::new();
        for (col, cell) in line.iter().enumerate() {
            if col == 4 {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[col]));
            }
        }
        crate::output::print_line(out.trim_end());
    }
    if rows.iter().any(|r| r.default_variant.is_some()) {
        crate::output::print_line("(* default variant)");
    }
}

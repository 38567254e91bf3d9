//! `promptrun __complete-prompts`: the configured prompt names and aliases, one a
//! line, for the completion scripts to offer as the main argument. Hidden; prints
//! nothing (and succeeds) when there is no config or it cannot be read, so a
//! completion never shows an error.

use std::collections::BTreeSet;

use crate::cli::GlobalArgs;
use crate::error::{Result, exit};

/// Prints every prompt name and alias of the config, sorted, once each.
pub fn run(global: &GlobalArgs) -> Result<i32> {
    let Ok(context) = global.context() else {
        return Ok(exit::OK);
    };
    let names: BTreeSet<&str> = context
        .config
        .iter()
        .flat_map(|loaded| loaded.config.prompts.iter())
        .flat_map(|(name, prompt)| {
            std::iter::once(name.as_str()).chain(prompt.aliases.iter().map(String::as_str))
        })
        // A name a shell would split or expand is no completion.
        .filter(|name| {
            !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c.is_control())
        })
        .collect();
    let mut text = String::new();
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    crate::cmd::output::write_all(text.as_bytes())?;
    Ok(exit::OK)
}

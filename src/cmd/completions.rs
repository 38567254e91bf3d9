//! `promptrun completions <SHELL>`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Result, exit};

/// Prints the completion script for a shell.
pub fn run(args: &CompletionsArgs) -> Result<i32> {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "promptrun", &mut buffer);
    crate::cmd::output::write_all(&buffer)?;
    Ok(exit::OK)
}

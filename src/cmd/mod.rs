//! One file per subcommand (`check` is `report --check`; `selection` turns the
//! report flags into inputs, filters and a window); this module only dispatches.

mod check;
mod compare;
mod complete_prompts;
mod completions;
mod config_check;
mod dashboard;
mod export;
mod merge;
mod orientation;
pub mod output;
mod prompts;
mod purge;
mod rate;
mod recommend;
mod report;
mod run;
mod selection;
mod trends;

use crate::cli::{Cli, Command, ConfigCommand};
use crate::error::Result;

/// Runs what the command line asks for and returns the exit status.
pub fn dispatch(cli: Cli) -> Result<i32> {
    if cli.command.is_some() && cli.run.is_given() {
        return Err(crate::error::Error::Usage(
            "run options and a prompt cannot come before a subcommand; write \
             `promptrun run [OPTIONS] <PROMPT> [-- CMD...]` for a prompt named like a subcommand"
                .into(),
        ));
    }
    match &cli.command {
        None if !cli.run.is_given() => orientation::run(&cli.global.context()?),
        None => run::run(&cli.global.context()?, &cli.run),
        Some(Command::Run(args)) => run::run(&cli.global.context()?, args),
        Some(Command::Prompts(args)) => prompts::run(&cli.global.context()?, args),
        Some(Command::Config(ConfigCommand::Check)) => config_check::run(&cli.global),
        Some(Command::Rate(args)) => rate::run(&cli.global.context()?, &cli.global, args),
        Some(Command::Completions(args)) => completions::run(args),
        Some(Command::CompletePrompts) => complete_prompts::run(&cli.global),
        Some(Command::Report(args)) => report::run(&cli.global, args),
        Some(Command::Dashboard(args)) => dashboard::run(&cli.global, args),
        Some(Command::Trends(args)) => trends::run(&cli.global, args),
        Some(Command::Merge(args)) => merge::run(args),
        Some(Command::Purge(args)) => purge::run(&cli.global.context()?, args),
        Some(Command::Export(args)) => export::run(&cli.global.context()?, args),
        Some(Command::Compare(args)) => compare::run(&cli.global, args),
        Some(Command::Recommend(args)) => recommend::run(&cli.global, args),
    }
}

//! promptrun: run LLM prompts through a router config, time them, and log every
//! run as JSONL for reports.

pub mod cli;
mod cmd;
pub mod config;
pub mod context;
pub mod error;
pub mod event;
pub mod feedback;
pub mod glob;
pub mod last_run;
pub mod metrics;
pub mod output;
pub mod paths;
pub mod privacy;
pub mod report;
pub mod router;
pub mod run_log;
pub mod runner;
pub mod store;

use clap::Parser;

/// Parses the command line, does the work, and returns the process exit status.
pub fn run() -> i32 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    match cmd::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("promptrun: error: {err}");
            err.exit_code()
        }
    }
}

/// Help and version print as clap renders them; every other parse error becomes
/// one `promptrun: error:` line with a pointer to `--help`.
fn usage_error(err: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            error::exit::OK
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            error::exit::USAGE
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            let message = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("promptrun: error: {message} (see `promptrun --help`)");
            error::exit::USAGE
        }
    }
}

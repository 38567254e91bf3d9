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
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    error::exit::OK
                }
                _ => error::exit::USAGE,
            };
        }
    };
    match cmd::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("promptrun: error: {err}");
            err.exit_code()
        }
    }
}

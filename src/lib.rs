//! promptrun: run LLM prompts through a router config, time them, and log every
//! run as JSONL for reports.

pub mod align;
pub mod cli;
mod cmd;
pub mod config;
pub mod context;
pub mod error;
pub mod event;
pub mod feedback;
pub mod glob;
pub mod last_run;
pub mod learn;
mod libm_shim;
pub mod metrics;
pub mod output;
pub mod paths;
pub mod placeholders;
pub mod privacy;
mod process_setup;
pub mod report;
pub mod router;
pub mod run_log;
pub mod runner;
pub mod store;

pub use process_setup::process_setup;

use clap::Parser;

/// Parses the command line `argv` (program name first), does the work, and returns
/// the process exit status.
pub fn run(argv: Vec<std::ffi::OsString>) -> i32 {
    let args = argv.get(1..).unwrap_or_default();
    let parsed = match cli::plain_run::parse(args, |name| std::env::var_os(name)) {
        Some(cli) => Ok(cli),
        None => cli::Cli::try_parse_from(&argv),
    };
    let cli = match parsed {
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
            eprintln!(
                "promptrun: error: {} (see `promptrun --help`)",
                one_line(&err.render().to_string())
            );
            error::exit::USAGE
        }
    }
}

/// Folds clap's rendered error into one line: the message, the missing or valid
/// values it lists, and its tip, without the usage block.
fn one_line(rendered: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line.strip_prefix("error: ").unwrap_or(line).to_string());
        }
    }
    let mut text = parts.join(" ");
    if let Some(stripped) = text.strip_suffix(':') {
        text = stripped.to_string();
    }
    text.replace(" tip: ", "; tip: ")
}

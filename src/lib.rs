//! promptrun: run LLM prompts through a router config, time them, and log every
//! run as JSONL for reports.
//!
//! Where each job lives:
//!
//! - [`cli`]: the command line (clap types per subcommand, the plain-run fast parser).
//! - `cmd`: one file per subcommand: parse, call a module, print.
//! - [`config`]: `router-config.json` (model, discovery, validation) and the
//!   resolved [`config::context::Context`] every command starts from.
//! - [`run`]: the run sequence: resolve the prompt, spawn and time the child,
//!   signals, timeout, the metrics file.
//! - [`record`]: the event schema, the log directory and its writer, the last
//!   run, privacy.
//! - [`feedback`]: the rating question after a run, and `promptrun rate`.
//! - [`learn`]: scores, A/B verdicts and variant selection: pure maths, no I/O.
//! - [`report`]: the report engine, renderers, trends, alerts, dashboard data.
//! - [`files`]: opening what promptrun did not create: owner and mode checks,
//!   no blocking on FIFOs, regular files only, bounded reads.
//! - [`error`]: the error type and exit codes; [`startup`]: process set-up.

pub mod cli;
mod cmd;
pub mod config;
pub mod error;
pub mod export;
pub mod feedback;
pub mod files;
pub mod learn;
pub mod record;
pub mod report;
pub mod run;
pub mod startup;

use clap::Parser;
pub use startup::process_setup;

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
        Err(error::Error::StdoutClosed) => error::exit::OK,
        Err(err) => {
            let message = report::render::text_safe::printable_lines(&err.to_string());
            eprintln!("promptrun: error: {message}");
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

//! promptrun's own errors and the exit codes they map to.
//!
//! When promptrun runs a command, the command's own exit status passes through;
//! the codes here are the ones promptrun itself chooses.

use std::path::PathBuf;

use crate::report::render::text_safe::{printable, printable_lines};

/// The exit codes promptrun documents (README, "Exit status").
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// `report --check` found a breach.
    pub const CHECK_FAILED: i32 = 1;
    /// Usage or config error: bad flags, unknown prompt, invalid router config.
    pub const USAGE: i32 = 2;
    /// `report --strict` met input it had to skip.
    pub const BAD_INPUT: i32 = 3;
    /// An I/O error on promptrun's own files (not the log: logging problems only warn).
    pub const IO: i32 = 4;
    /// `report --check`: `alerts.command` could not start, failed or timed out.
    pub const ALERT_COMMAND_FAILED: i32 = 5;
    /// The command ran past `--timeout`.
    pub const TIMEOUT: i32 = 124;
    /// The command exists but cannot be executed.
    pub const NOT_EXECUTABLE: i32 = 126;
    /// The command was not found.
    pub const NOT_FOUND: i32 = 127;
    /// A command killed by signal N exits with SIGNAL_BASE + N.
    pub const SIGNAL_BASE: i32 = 128;
}

/// Everything that can stop promptrun before or instead of running a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A usage mistake; the message says what to do instead.
    #[error("{0}")]
    Usage(String),

    /// The router config cannot be used.
    #[error("{0}")]
    Config(String),

    /// The prompt name matches nothing in the config.
    #[error("unknown prompt `{}` in {}{}", printable(.name), printable(&.config.display().to_string()), did_you_mean(.suggestions))]
    UnknownPrompt {
        name: String,
        config: PathBuf,
        suggestions: Vec<String>,
    },

    /// A file promptrun needs could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// Input data that `--strict` refuses.
    #[error("{0}")]
    BadInput(String),

    /// `report --check` found breaches (already printed).
    #[error("{0}")]
    CheckFailed(String),

    /// `alerts.command` could not deliver the breaches.
    #[error("{0}; the breaches were not delivered")]
    AlertCommandFailed(String),

    /// A rating could not be written to the log.
    #[error("{0}; the rating was not recorded")]
    RatingNotRecorded(String),

    /// Standard output is a closed pipe (`| head`): promptrun stops quietly.
    #[error("standard output is closed")]
    StdoutClosed,
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::from(" (see `promptrun prompts`)"),
        [one] => format!("; did you mean `{}`?", printable(one)),
        many => format!(
            "; did you mean one of: {}?",
            many.iter()
                .map(|s| format!("`{}`", printable(s)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Error {
    /// The exit code this error maps to.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Config(_) | Error::UnknownPrompt { .. } => exit::USAGE,
            Error::Io { .. } => exit::IO,
            Error::BadInput(_) => exit::BAD_INPUT,
            Error::CheckFailed(_) => exit::CHECK_FAILED,
            Error::AlertCommandFailed(_) => exit::ALERT_COMMAND_FAILED,
            Error::StdoutClosed => exit::OK,
            Error::RatingNotRecorded(_) => exit::IO,
        }
    }

    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// promptrun's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An I/O error in words a user acts on ("no such file", "permission denied").
pub fn describe_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

/// Prints a warning on stderr in promptrun's format (one line, and indented
/// lines for what it lists); whatever the message holds (a file name, a config
/// key) cannot start a line of its own or reach the terminal as a control sequence.
pub fn warn(message: impl std::fmt::Display) {
    eprintln!(
        "promptrun: warning: {}",
        printable_lines(&message.to_string())
    );
}

//! The command line: the clap types (this file: the root, the subcommand list and
//! the small subcommands; `run.rs` and `report.rs` the big ones), doc comments as
//! the help text, and the plain-run fast parser.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod plain_run;
mod report;
mod run;

pub use report::*;
pub use run::*;

const ROOT_EXAMPLES: &str = "\
Examples:
  promptrun summarize -- llm --sf {prompt_file} < notes.txt  the prompt file as llm's system prompt
  promptrun summarize < notes.txt                            run the prompt's configured command
  promptrun summarize --dry-run                              show how it resolves; run nothing
  promptrun run report -- ./ask.sh                           a prompt named like a subcommand
  promptrun prompts                                          list the configured prompts
  promptrun report --since 7d                                usage, performance and feedback

Exit status: the command's own; 128+N when it was killed by signal N; 124 on timeout;
126 not executable; 127 not found; 2 for promptrun's own usage or config errors.";

/// Run LLM prompts through a router config, time them, and log every run as JSONL.
///
/// `promptrun <PROMPT> -- <CMD...>` resolves PROMPT through router-config.json
/// (name, alias or route), runs CMD with the prompt file handed over in its
/// environment and arguments, and appends a run_start and a run_end event to
/// the day's JSONL log. The command's output and exit status pass through untouched.
#[derive(Debug, Parser)]
#[command(
    name = "promptrun",
    version,
    about,
    long_about,
    after_help = ROOT_EXAMPLES,
    subcommand_value_name = "COMMAND",
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// Options every subcommand understands.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The router config to use, instead of searching for router-config.json.
    #[arg(
        long,
        global = true,
        env = "PROMPTRUN_CONFIG",
        value_name = "PATH",
        value_parser = path_parser()
    )]
    pub config: Option<PathBuf>,

    /// Where the JSONL event logs live (default: config logging.dir, else
    /// $XDG_STATE_HOME/promptrun/events).
    #[arg(
        long,
        global = true,
        env = "PROMPTRUN_LOG_DIR",
        value_name = "DIR",
        value_parser = path_parser()
    )]
    pub log_dir: Option<PathBuf>,
}

impl GlobalArgs {
    /// The config and directories these flags select: the config is found,
    /// loaded and warned about once, here.
    pub fn context(&self) -> crate::error::Result<crate::config::context::Context> {
        crate::config::context::Context::resolve(self.config_path(), self.log_dir_path())
    }

    /// `--config`/PROMPTRUN_CONFIG, unless empty (`PROMPTRUN_CONFIG=` means unset).
    pub fn config_path(&self) -> Option<&std::path::Path> {
        self.config.as_deref().filter(|p| !p.as_os_str().is_empty())
    }

    /// `--log-dir`/PROMPTRUN_LOG_DIR, unless empty (`PROMPTRUN_LOG_DIR=` means unset).
    pub fn log_dir_path(&self) -> Option<&std::path::Path> {
        self.log_dir
            .as_deref()
            .filter(|p| !p.as_os_str().is_empty())
    }
}

/// Paths from flags or the environment; unlike clap's PathBuf parser this accepts
/// an empty value, so an exported but empty variable reads as unset instead of failing.
fn path_parser() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser;
    clap::builder::OsStringValueParser::new().map(PathBuf::from)
}

/// The subcommands. Anything else as the first argument is a prompt name.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a prompt (the explicit form, for prompts named like a subcommand).
    #[command(after_help = "Example:\n  promptrun run report -- ./ask.sh --model small")]
    Run(RunArgs),

    /// List the configured prompts with their aliases, variants and files.
    #[command(
        after_help = "Examples:\n  promptrun prompts\n  promptrun prompts --format json | jq '.[].name'"
    )]
    Prompts(PromptsArgs),

    /// Inspect the router config.
    #[command(
        subcommand,
        after_help = "Example:\n  promptrun config check --config config/router-config.json"
    )]
    Config(ConfigCommand),

    /// Rate a run afterwards: `promptrun rate last 5`.
    Rate(RateArgs),

    /// Print shell completions for bash, zsh, fish, elvish or PowerShell.
    #[command(after_help = "Examples:
  promptrun completions bash > ~/.local/share/bash-completion/completions/promptrun
  promptrun completions zsh > ~/.zfunc/_promptrun
  promptrun completions fish > ~/.config/fish/completions/promptrun.fish")]
    Completions(CompletionsArgs),

    /// The configured prompt names and aliases, one a line (for the completion scripts).
    #[command(name = "__complete-prompts", hide = true)]
    CompletePrompts,

    /// Usage, performance and feedback reports over JSONL event logs.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(Lazy<ReportArgs>),

    /// Per prompt, this window against the one before (same as `promptrun report trends`).
    #[command(after_help = TRENDS_EXAMPLES)]
    Trends(Lazy<TrendsArgs>),

    /// Write the HTML dashboard: usage, speed, failures and ratings on one self-contained page.
    #[command(after_help = "Examples:
  promptrun dashboard --open                      write dashboard.html and open it
  promptrun dashboard --since 7d -o week.html     the last 7 days, against the 7 before
  promptrun dashboard ci-logs/ -o -               from CI artifacts, to stdout

Same page as `promptrun report --format html`. It loads nothing from the network.")]
    Dashboard(Lazy<DashboardArgs>),

    /// Merge logs from many machines and CI artifacts into one set of day files.
    #[command(after_help = "Examples:
  promptrun merge laptop-logs/ ci-artifacts/ -o all-logs/
  promptrun merge promptrun-logs/ new-run/ -o promptrun-logs/   fold a CI job's logs into the cache

Each event is written once, in the file of its UTC day, in time order; the output's own
day files are merged too, each replaced atomically under its lock. Inputs (plain or .gz)
are only read. `promptrun report` over the output gives what it gives over the inputs.")]
    Merge(Lazy<MergeArgs>),

    /// Remove expired logs, or erase events by date, prompt or user.
    #[command(after_help = "Examples:
  promptrun purge --expired                   day files older than logging.retention_days
  promptrun purge --before 2026-01-01         every event before that day
  promptrun purge --before 90d --dry-run      what would go
  promptrun purge --user me                   your runs and ratings, on this log directory
  promptrun purge --prompt 'legal-*'

Criteria combine (an event must match all). Each file is rewritten atomically under the
lock runs append with, so a run writing meanwhile is not lost.")]
    Purge(Lazy<PurgeArgs>),

    /// Send runs to an OpenTelemetry collector as spans (OTLP/HTTP protobuf).
    #[command(after_help = "Examples:
  PROMPTRUN_OTLP=batch OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 promptrun export
  promptrun export --since 7d --dry-run

Needs PROMPTRUN_OTLP=batch|on-exit or export.mode in the config. Sends runs not sent
before (a cursor per file in the state directory), 512 spans per request, retrying
429 and 5xx with backoff.")]
    Export(Lazy<ExportArgs>),

    /// Compare a prompt's variants, or its current version against the previous one:
    /// each arm's numbers, the difference with an anytime-valid interval, and a verdict.
    #[command(after_help = COMPARE_EXAMPLES)]
    Compare(Lazy<CompareArgs>),

    /// What to do next, from the logs: promote winners, revert worse edits, fix
    /// failing, slow or rarely rated prompts, tidy the config (--apply does what it can).
    #[command(after_help = RECOMMEND_EXAMPLES)]
    Recommend(Lazy<RecommendArgs>),
}

/// `promptrun merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Files or directories (every *.jsonl and *.jsonl.gz below them), `-` for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// The directory to write the day files to (created when missing).
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    pub output: PathBuf,
}

/// `promptrun purge`.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).multiple(true).args(["expired", "before", "prompt", "user"]))]
pub struct PurgeArgs {
    /// Remove the day files older than logging.retention_days.
    #[arg(long, conflicts_with_all = ["before", "prompt", "user"])]
    pub expired: bool,

    /// Remove events before this time: a date (2026-11-01), an RFC 3339 time, or a time ago (90d).
    #[arg(long, value_name = "DATE")]
    pub before: Option<String>,

    /// Remove the runs (and ratings) of prompts matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub prompt: Option<String>,

    /// Remove the runs (and ratings) of this user: a salted hash as in the logs, or `me`.
    #[arg(long, value_name = "HASH|me")]
    pub user: Option<String>,

    /// Say what would be removed; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `promptrun export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Files or directories to export [default: the log directory].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Only runs that ended at or after this time: a date, an RFC 3339 time, or a time ago (7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Print the spans that would be sent (as JSON lines); send nothing, move no cursor.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments clap defines only when their subcommand is used (or when help and
/// completions need them), so running a prompt does not pay, at every start,
/// for building the report's and the dashboard's dozens of flags.
#[derive(Debug, Clone)]
pub struct Lazy<T>(pub T);

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(keep_about::<T>)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(keep_about::<T>)
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

/// Adds `T`'s arguments, keeping the subcommand's own help text (the deferred
/// arguments would otherwise replace it with their struct's doc comment).
fn keep_about<T: Args>(cmd: clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = T::augment_args(cmd);
    let cmd = match about {
        Some(about) => cmd.about(about),
        None => cmd.about(None::<&'static str>),
    };
    match long_about {
        Some(long_about) => cmd.long_about(long_about),
        None => cmd.long_about(None::<&'static str>),
    }
}

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// `promptrun prompts`.
#[derive(Debug, Clone, Args)]
pub struct PromptsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Formats for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// A JSON array for scripts.
    Json,
}

/// `promptrun config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config: each problem as `path:line:column: message`; exit 0 when valid, 2 when not.
    #[command(
        after_help = "Examples:\n  promptrun config check\n  promptrun config check --config ci/router-config.json"
    )]
    Check,
}

/// `promptrun rate`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  promptrun rate last 5
  promptrun rate 0192f3a1 2 --comment \"answered the wrong question\"
  promptrun rate --pending")]
pub struct RateArgs {
    /// The run: `last`, a full run id, or a unique prefix of one.
    #[arg(value_name = "RUN_ID|last", required_unless_present = "pending")]
    pub run: Option<String>,

    /// The rating, 1 (bad) to 5 (great).
    #[arg(
        value_name = "1-5",
        required_unless_present = "pending",
        allow_negative_numbers = true
    )]
    pub rating: Option<String>,

    /// A comment to keep with the rating.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,

    /// Walk through your unrated runs of the last 7 days, newest first, and rate each
    /// (Enter skips one, Esc stops). Not on a terminal: list them and ask nothing.
    #[arg(long, conflicts_with_all = ["run", "rating"])]
    pub pending: bool,
}

/// `promptrun completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::time::Duration;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("5 minutes").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-1").is_err());
        assert_eq!(parse_duration("365d"), Ok(MAX_DURATION));
        for huge in ["366d", "2562047788015215h", "1e300", "inf", "NaN"] {
            assert!(parse_duration(huge).is_err(), "{huge}");
        }
        assert!(
            parse_duration("2562047788015215h")
                .unwrap_err()
                .contains("365 days")
        );
    }

    #[test]
    fn tags_parse() {
        assert_eq!(parse_tag("team=ml"), Ok(("team".into(), "ml".into())));
        assert_eq!(parse_tag("empty="), Ok(("empty".into(), String::new())));
        assert!(parse_tag("=x").is_err());
        assert!(parse_tag("novalue").is_err());
    }
}

//! The command line: every clap type lives here, and doc comments are the help text.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod plain_run;

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

    /// Usage, performance and feedback reports over JSONL event logs.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(Lazy<ReportArgs>),

    /// Write the HTML dashboard: usage, speed, failures and ratings on one self-contained page.
    #[command(after_help = "Examples:
  promptrun dashboard --open                      write dashboard.html and open it
  promptrun dashboard --since 7d -o week.html     the last 7 days, against the 7 before
  promptrun dashboard ci-logs/ -o -               from CI artifacts, to stdout

Same page as `promptrun report --format html`. It loads nothing from the network.")]
    Dashboard(Lazy<DashboardArgs>),
}

const REPORT_EXAMPLES: &str = "\
Examples:
  promptrun report                                   all reports over the log directory
  promptrun report trends --since 14d --bucket day   per day, and this week against the last
  promptrun report --since 7d --check                exit 1 when an alert rule is breached
  promptrun report --format html -o dashboard.html   the dashboard
  promptrun report performance --since 7d            the last week's performance
  promptrun report usage --group-by prompt,version ci-artifacts/
  promptrun report --format json -o report.json logs/*.jsonl.gz
  promptrun report feedback --prompt 'summ*' --comments
  cat events.jsonl | promptrun report -

Exit status: 0; 2 for bad options; 3 with --strict when a line had to be skipped;
4 when an input cannot be read; with --check, 1 when a rule is breached and 5 when
alerts.command failed.";

/// `promptrun report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The report (usage, performance, feedback, all, or trends; default all), then files or
    /// directories (every *.jsonl and *.jsonl.gz below them), `-` for stdin
    /// [default: the log directory].
    #[arg(value_name = "REPORT|PATH")]
    pub args: Vec<PathBuf>,

    /// The report, as in prompt-analytics.sh: usage, performance, feedback or all.
    #[arg(long = "report", value_enum, value_name = "REPORT")]
    pub report: Option<ReportKind>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Group by prompt, variant, version, command, user, host, resolution, tag:KEY,
    /// hour, day or week (comma-separated or repeated) [default: prompt,variant].
    #[arg(long = "group-by", value_name = "FIELD", value_delimiter = ',')]
    pub group_by: Vec<String>,

    /// Order of the groups.
    #[arg(long, value_enum, default_value_t = SortArg::Runs)]
    pub sort: SortArg,

    /// Show only the first N groups.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table, env = "PROMPTRUN_REPORT_FORMAT")]
    pub format: ReportFormat,

    /// Write the report to FILE instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Show the latest comments of each group (feedback report).
    #[arg(long)]
    pub comments: bool,

    /// Fail (exit 3) instead of skipping malformed lines.
    #[arg(long)]
    pub strict: bool,

    /// Check the alert rules (config `alerts`) instead of reporting: print each breach;
    /// exit 0 with none, 1 with any, 5 when alerts.command failed.
    #[arg(long)]
    pub check: bool,

    /// With --check: also write the check as Markdown to FILE (for a CI job summary),
    /// from the same check, so alerts.command runs once.
    #[arg(long, value_name = "FILE", requires = "check")]
    pub check_markdown: Option<PathBuf>,

    /// With --check: fail (exit 1) when no prompt was checked at all (no run in the
    /// window, or all below min_runs), instead of passing on nothing.
    #[arg(long, requires = "check")]
    pub require_runs: bool,

    /// The time bucket of `report trends` and of the HTML dashboard's runs over time.
    #[arg(long, value_enum, value_name = "BUCKET")]
    pub bucket: Option<TimeBucket>,
}

/// Which runs a report or the dashboard looks at.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only runs started at or after this: a date (2026-11-24), RFC 3339, or a time ago (24h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Only runs started before this: a date, RFC 3339, or a time ago.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Only these prompts (repeatable; globs: 'summ*').
    #[arg(long = "prompt", value_name = "GLOB")]
    pub prompts: Vec<String>,

    /// Only these variants (repeatable; globs; `-` for runs without a variant).
    #[arg(long = "variant", value_name = "GLOB")]
    pub variants: Vec<String>,

    /// Only runs with this tag (repeatable; all must match).
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,

    /// Only runs with this outcome (repeatable).
    #[arg(long = "status", value_enum, value_name = "STATUS")]
    pub statuses: Vec<StatusArg>,

    /// Only runs of this user: `me`, or a user hash or a prefix of one (repeatable).
    #[arg(long = "user", value_name = "USER")]
    pub users: Vec<String>,
}

/// The reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// Runs per group, share, users, first and last run, resolutions.
    Usage,
    /// Success rate, statuses, durations, metrics.
    Performance,
    /// Ratings, their distribution and participation.
    Feedback,
    /// All three.
    All,
}

/// Report output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns for people (colour on a terminal).
    Table,
    /// The promptrun.report/v1 JSON document.
    Json,
    /// One row per group, stable columns.
    Csv,
    /// GitHub-flavoured Markdown tables (CI job summaries, PR comments).
    Markdown,
    /// The self-contained HTML dashboard (same as `promptrun dashboard`).
    Html,
}

/// Run outcomes for `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Ok,
    Error,
    Signal,
    Timeout,
    #[value(alias = "spawn_failed")]
    SpawnFailed,
    /// A run_start without a run_end.
    Incomplete,
}

/// Orders for `--sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Most runs first.
    Runs,
    /// By group key.
    #[value(alias = "name")]
    Key,
    /// Lowest success rate first.
    SuccessRate,
    /// Slowest p95 first.
    P95,
    /// Slowest mean first.
    Mean,
    /// Best mean rating first.
    Rating,
    /// Most failed runs first.
    Failures,
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

/// How to run one prompt.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// The prompt to run: a configured name, an alias, or a name a route matches.
    #[arg(value_name = "PROMPT")]
    pub prompt: Option<String>,

    /// Use this variant instead of choosing one.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,

    /// Record a KEY=VALUE tag with the run (repeatable).
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,

    /// Stop the command after this long (90s, 5m, 1h30m, 250ms): SIGTERM, then
    /// SIGKILL after the grace period (without a terminal, to its whole process
    /// group); exit status 124. `0` turns off the config's defaults.timeout.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// After a timeout, how long the command gets between SIGTERM and SIGKILL [default: 5s].
    #[arg(
        long,
        env = "PROMPTRUN_KILL_GRACE",
        value_name = "DURATION",
        value_parser = parse_duration
    )]
    pub kill_grace: Option<Duration>,

    /// Feed the prompt file's text to the command's standard input.
    #[arg(long)]
    pub stdin: bool,

    /// Print how the prompt resolves and the command that would run; run nothing, log nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Ask for a 1-5 rating after the run even if the config says not to (terminal only).
    #[arg(long, conflicts_with = "no_rate")]
    pub rate: bool,

    /// Never ask for a rating after this run (also: PROMPTRUN_RATE=never).
    #[arg(long)]
    pub no_rate: bool,

    /// The command to run, after `--`; {prompt_file}, {prompt}, {variant} and {run_id} are replaced.
    /// Any bytes: arguments that are not UTF-8 pass through unchanged.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

impl RunArgs {
    /// True when anything was typed for a run (environment defaults do not count).
    pub fn is_given(&self) -> bool {
        self.prompt.is_some()
            || self.variant.is_some()
            || !self.tags.is_empty()
            || self.timeout.is_some()
            || self.stdin
            || self.dry_run
            || self.rate
            || self.no_rate
            || !self.command.is_empty()
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

/// `promptrun dashboard`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("since", |arg| arg.help(
    "Runs from this time on: a date, RFC 3339, or a time ago (24h, 7d, 2w). The headline \
     numbers compare with the window of the same length before it"
)))]
pub struct DashboardArgs {
    /// Log files or directories (`*.jsonl`, `*.jsonl.gz`, recursively); `-` for stdin
    /// (default: the log directory).
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Where to write the page; `-` for stdout.
    #[arg(short, long, value_name = "FILE", default_value = "dashboard.html")]
    pub output: PathBuf,

    /// Open the page in the default browser afterwards (xdg-open / open).
    #[arg(long)]
    pub open: bool,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Read on past bad lines (default); --strict fails on the first one.
    #[arg(long)]
    pub strict: bool,

    /// The time bucket of the runs-over-time chart.
    #[arg(long, value_enum, default_value_t = TimeBucket::Day)]
    pub bucket: TimeBucket,
}

/// Time buckets for runs over time and trends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimeBucket {
    Hour,
    Day,
    Week,
}

/// Parses `KEY=VALUE`.
pub fn parse_tag(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got `{text}`")),
    }
}

/// Parses durations such as `90s`, `5m`, `1h30m`, `250ms`, or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("expected a duration such as 90s, 5m, 1h30m or 250ms, got `{text}`");
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|_| bad());
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return Err(bad()),
        };
        total += number * factor;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
    }

    #[test]
    fn tags_parse() {
        assert_eq!(parse_tag("team=ml"), Ok(("team".into(), "ml".into())));
        assert_eq!(parse_tag("empty="), Ok(("empty".into(), String::new())));
        assert!(parse_tag("=x").is_err());
        assert!(parse_tag("novalue").is_err());
    }
}

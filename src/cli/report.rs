//! `promptrun report`, `trends` and `dashboard`: their flags and the filters they share.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::run::parse_tag;

pub(super) const REPORT_EXAMPLES: &str = "\
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
    /// `trends`: this window against the one before (see `promptrun report trends --help`).
    #[command(subcommand)]
    pub command: Option<ReportCommand>,

    /// The report (usage, performance, feedback or all; default all), then files or
    /// directories (every *.jsonl and *.jsonl.gz below them), `-` for stdin
    /// [default: the log directory].
    #[arg(value_name = "REPORT|PATH")]
    pub args: Vec<PathBuf>,

    /// The report, as in prompt-analytics.sh: usage, performance, feedback or all.
    #[arg(long = "report", value_enum, value_name = "REPORT")]
    pub report: Option<ReportKind>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Group by prompt, variant, version, command, user, host, resolution, model,
    /// provider, period, tag:KEY, hour, day or week (comma-separated or repeated) [default: prompt,variant].
    #[arg(long = "group-by", value_name = "FIELD", value_delimiter = ',')]
    pub group_by: Vec<String>,

    /// Order of the groups [default: runs; by key, oldest first, when grouping by hour,
    /// day or week].
    #[arg(long, value_enum)]
    pub sort: Option<SortArg>,

    /// Show only the first N groups.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table, env = "PROMPTRUN_REPORT_FORMAT")]
    pub format: ReportFormat,

    /// Write the report to FILE instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Table and Markdown: only these columns besides the group columns, in this
    /// order (comma-separated headers; `p95_ms` for "p95 ms").
    #[arg(long = "columns", value_name = "COLUMN", value_delimiter = ',')]
    pub columns: Vec<String>,

    /// Table: every column, however wide. Without it a table on a terminal (or with
    /// COLUMNS set) leaves out the columns that do not fit and names them.
    #[arg(long)]
    pub wide: bool,

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

    /// The time bucket of the HTML dashboard's runs over time.
    #[arg(long, value_enum, value_name = "BUCKET")]
    pub bucket: Option<TimeBucket>,
}

/// What `promptrun report` can do besides a report.
#[derive(Debug, Clone, Subcommand)]
pub enum ReportCommand {
    /// Per prompt, this window against the one before: runs, success, p95 and
    /// rating, and which change rules fire (same as `promptrun trends`).
    #[command(after_help = TRENDS_EXAMPLES)]
    Trends(Box<TrendsArgs>),
}

pub(super) const TRENDS_EXAMPLES: &str = "\
Examples:
  promptrun report trends                            the last 7 days against the 7 before
  promptrun report trends --since 14d --bucket day   per day over two weeks
  promptrun trends ci-logs/ --format markdown        from CI artifacts, for a job summary

The window defaults to the last 7 days; --since and --until choose another.";

/// `promptrun report trends` and `promptrun trends`.
#[derive(Debug, Clone, Args)]
pub struct TrendsArgs {
    /// Log files or directories (`*.jsonl`, `*.jsonl.gz`, recursively); `-` for stdin
    /// [default: the log directory].
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table, env = "PROMPTRUN_REPORT_FORMAT")]
    pub format: ReportFormat,

    /// Write to FILE instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 3) instead of skipping malformed lines.
    #[arg(long)]
    pub strict: bool,

    /// The time bucket of the timeline.
    #[arg(long, value_enum, default_value_t = TimeBucket::Day)]
    pub bucket: TimeBucket,

    /// One row per prompt, or per prompt and variant, or per prompt and version, so
    /// the variant or the prompt version that regressed is the one named.
    #[arg(long = "group-by", value_enum, default_value_t = TrendsGroup::Prompt, value_name = "FIELD")]
    pub group_by: TrendsGroup,
}

/// What `trends --group-by` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrendsGroup {
    /// Each prompt.
    Prompt,
    /// Each prompt and variant.
    Variant,
    /// Each prompt and prompt version (file hash).
    Version,
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

    /// Only runs on these models (repeatable; globs: 'gpt-4o*'; `-` for runs without a model).
    #[arg(long = "model", value_name = "GLOB")]
    pub models: Vec<String>,

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

pub(super) const COMPARE_EXAMPLES: &str = "\
Examples:
  promptrun compare                                  every prompt with more than one arm
  promptrun compare summarize --variants bullets,terse
  promptrun compare review --versions                the current version against the previous
  promptrun compare --since 30d --format json -o compare.json

An arm is a prompt's variant at one prompt version (prompt_sha256); a comparison never
mixes versions unless --all-versions. Exit status: 0 whatever the verdict; 2 for bad
options; 3 with --strict when a line had to be skipped; 4 when an input cannot be read;
with --fail-on-regression, 1 when a current version is worse than the previous one.";

/// `promptrun compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// The prompt to compare (default: every prompt with more than one arm), then
    /// log files or directories; `-` for stdin [default: the log directory].
    #[arg(value_name = "PROMPT|PATH")]
    pub args: Vec<PathBuf>,

    /// Compare these two variants of the prompt (A is the baseline).
    #[arg(
        id = "pair",
        long = "variants",
        value_name = "A,B",
        value_delimiter = ',',
        conflicts_with = "versions"
    )]
    pub pair: Vec<String>,

    /// Compare each variant's current prompt version against its previous one.
    #[arg(long)]
    pub versions: bool,

    /// Pool all prompt versions of a variant instead of its current version.
    #[arg(long, conflicts_with = "versions")]
    pub all_versions: bool,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LearnFormat::Table)]
    pub format: LearnFormat,

    /// Write to FILE instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 3) instead of skipping malformed lines.
    #[arg(long)]
    pub strict: bool,

    /// Exit 1 when a version comparison names the previous version the winner.
    #[arg(long)]
    pub fail_on_regression: bool,
}

pub(super) const RECOMMEND_EXAMPLES: &str = "\
Examples:
  promptrun recommend                                what to do, most important first
  promptrun recommend --since 30d --format markdown
  promptrun recommend --apply                        also make the config changes it can

--apply edits router-config.json in place (only the bytes of each change; a copy of
the old file goes to router-config.json.bak) and skips an edit that `config check` would
fail. Without --apply nothing is changed. Exit status: 0; 2 for bad options or --apply
without a config; 3 with --strict when a line had to be skipped; 4 when an input or
the config cannot be read or written.";

/// `promptrun recommend`.
#[derive(Debug, Clone, Args)]
pub struct RecommendArgs {
    /// Log files or directories; `-` for stdin [default: the log directory].
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LearnFormat::Table)]
    pub format: LearnFormat,

    /// Write to FILE instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 3) instead of skipping malformed lines.
    #[arg(long)]
    pub strict: bool,

    /// Make the config changes that can be made (set default_variant to a winner,
    /// add an alias), after saving router-config.json.bak.
    #[arg(long)]
    pub apply: bool,
}

/// Output formats of compare and recommend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LearnFormat {
    /// Aligned text for people.
    Table,
    /// The documented JSON document.
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

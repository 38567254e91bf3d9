//! How to run one prompt: the flags of `promptrun <PROMPT>` and their parsers.

use std::ffi::OsString;
use std::time::Duration;

use clap::Args;

/// How to run one prompt.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// The prompt to run: a configured name, an alias, or a name a route matches.
    #[arg(value_name = "PROMPT")]
    pub prompt: Option<String>,

    /// Use this variant instead of choosing one.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,

    /// The model this run uses (`{model}` in the command); a `model=` line the
    /// command writes to $PROMPTRUN_METRICS_FILE still wins. Default: the config's.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// Record a KEY=VALUE tag with the run (repeatable, each key once). At most
    /// 32 tags, keys of 128 bytes and values of 1 KiB are recorded; longer ones
    /// are cut, with a warning.
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

    /// The command to run, after `--`; {prompt_file}, {prompt}, {variant}, {model} and {run_id} are replaced.
    /// Any bytes: arguments that are not UTF-8 pass through unchanged.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

impl RunArgs {
    /// True when anything was typed for a run (environment defaults do not count).
    pub fn is_given(&self) -> bool {
        self.prompt.is_some()
            || self.variant.is_some()
            || self.model.is_some()
            || !self.tags.is_empty()
            || self.timeout.is_some()
            || self.stdin
            || self.dry_run
            || self.rate
            || self.no_rate
            || !self.command.is_empty()
    }
}

/// Parses `KEY=VALUE`.
pub fn parse_tag(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got `{text}`")),
    }
}

/// The longest duration promptrun accepts (365 days): longer ones are typing
/// mistakes, and a deadline that far cannot overflow the monotonic clock.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 86_400);

/// Parses durations such as `90s`, `5m`, `1h30m`, `250ms`, or a plain number of
/// seconds, up to [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = parse_duration_unbounded(text)?;
    if duration > MAX_DURATION {
        return Err(format!(
            "duration `{}` is longer than the maximum of 365 days",
            text.trim()
        ));
    }
    Ok(duration)
}

/// [`parse_duration`] without the cap, for spans that are not deadlines
/// (`report --since 100000d`: a time ago, checked against the clock by its caller).
pub fn parse_duration_unbounded(text: &str) -> Result<Duration, String> {
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

//! Which runs a report, trends, the check or the dashboard reads: the inputs,
//! the filters and the window, from their flags.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::cli::{FilterArgs, StatusArg, TimeBucket};
use crate::config::context::Context;
use crate::config::glob::Glob;
use crate::error::{Error, Result, warn};
use crate::report::engine::time;
use crate::report::window::views::Selection;
use crate::report::{Bucket, EngineOptions, Filters, Report, Source, StatusFilter, expand};

/// The window of trends and of the check with a change rule, when no `--since`
/// is given: the last 7 days (against the 7 days before).
pub const DEFAULT_WINDOW: chrono::Duration = chrono::Duration::days(7);

/// Explicit paths, else the context's log directory.
pub fn sources(context: &Context, paths: &[PathBuf]) -> Result<Vec<Source>> {
    if !paths.is_empty() {
        return expand(paths);
    }
    let Some(dir) = context.log_dir.as_ref() else {
        return Err(Error::Usage(
            "no log directory: give files or directories to read, or set --log-dir".into(),
        ));
    };
    if !dir.exists() {
        warn(format_args!(
            "no event log at {} yet; record a run with `promptrun <prompt> -- <command>`",
            dir.display()
        ));
        return Ok(Vec::new());
    }
    expand(std::slice::from_ref(dir))
}

/// The filters of `--since`, `--until`, `--prompt`, ..., and how to show them.
pub fn filters(args: &FilterArgs) -> Result<(Filters, BTreeMap<String, Value>)> {
    let now = chrono::Utc::now().timestamp_millis();
    let point = |flag: &str, text: &Option<String>| -> Result<Option<i64>> {
        text.as_deref()
            .map(|t| time::parse_point(t, now).map_err(|e| Error::Usage(format!("--{flag}: {e}"))))
            .transpose()
    };
    let globs = |flag: &str, patterns: &[String]| -> Result<Vec<Glob>> {
        patterns
            .iter()
            .map(|p| Glob::new(p).map_err(|e| Error::Usage(format!("--{flag}: {e}"))))
            .collect()
    };
    let users = args
        .users
        .iter()
        .map(|user| match user.as_str() {
            "me" => crate::record::privacy::IdentityHasher::load_or_create(
                crate::config::dirs::state_dir().as_deref(),
            )
            .hash(&crate::record::privacy::user_name()),
            other => other.to_string(),
        })
        .collect();
    let filters = Filters {
        since_ms: point("since", &args.since)?,
        until_ms: point("until", &args.until)?,
        prompts: globs("prompt", &args.prompts)?,
        variants: globs("variant", &args.variants)?,
        tags: args.tags.clone(),
        statuses: args.statuses.iter().map(|s| status(*s)).collect(),
        users,
        models: globs("model", &args.models)?,
    };
    if let (Some(since), Some(until)) = (filters.since_ms, filters.until_ms)
        && since >= until
    {
        return Err(Error::Usage(
            "the window is empty: --since must be before --until".into(),
        ));
    }
    let shown = shown_filters(args, &filters);
    Ok((filters, shown))
}

/// The runs of `filters` over a window: `--since` (or `default_since` back from
/// `--until` or now) to `--until` (or now).
pub fn window(
    sources: Vec<Source>,
    args: &FilterArgs,
    bucket: TimeBucket,
    default_since: Option<chrono::Duration>,
) -> Result<Selection> {
    let (mut filters, shown_filters) = self::filters(args)?;
    let (since, until) = (filters.since_ms.take(), filters.until_ms.take());
    let end_ms = until.unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
    let since = since
        .or_else(|| default_since.map(|length| end_ms.saturating_sub(length.num_milliseconds())));
    Ok(Selection {
        sources,
        filters,
        shown_filters,
        window: Selection::window_from(since, until, chrono::Utc::now())?,
        bucket: engine_bucket(bucket),
        detail: None,
    })
}

/// The engine's bucket for a command-line bucket.
pub fn engine_bucket(bucket: TimeBucket) -> Bucket {
    match bucket {
        TimeBucket::Hour => Bucket::Hour,
        TimeBucket::Day => Bucket::Day,
        TimeBucket::Week => Bucket::Week,
    }
}

/// Engine options: a progress bar only on a terminal.
pub fn engine_options() -> EngineOptions {
    EngineOptions {
        progress: std::io::stderr().is_terminal(),
        ..EngineOptions::default()
    }
}

/// Says on stderr how many lines were skipped and where the first ones are;
/// with `--strict`, any skipped line is an error.
pub fn report_skips(report: &Report, strict: bool) -> Result<()> {
    let inputs = &report.inputs;
    if inputs.skipped == 0 {
        return Ok(());
    }
    let lines = if inputs.skipped == 1 { "line" } else { "lines" };
    let examples: String = inputs
        .skipped_examples
        .iter()
        .map(|e| format!("\n  {}", crate::report::render::text_safe::printable(e)))
        .collect();
    if strict {
        return Err(Error::BadInput(format!(
            "{} {lines} could not be read (--strict):{examples}",
            inputs.skipped
        )));
    }
    warn(format_args!(
        "skipped {} {lines} that could not be read; the first:{examples}",
        inputs.skipped
    ));
    Ok(())
}

/// The width a terminal table must fit, or None to keep every column. `COLUMNS`, when
/// set to a number, is the width even when stdout is not a terminal (so scripts and
/// tests can ask for a fitted table); otherwise a terminal's own width (TIOCGWINSZ);
/// a file or a pipe keeps every column, as scripts have always seen.
pub fn table_width(output: Option<&Path>) -> Option<usize> {
    if output.is_some_and(|path| path.as_os_str() != "-") {
        return None;
    }
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(columns);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ fills a winsize for a terminal fd and touches nothing else.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    Some(if ok && size.ws_col > 0 {
        size.ws_col as usize
    } else {
        80
    })
}

/// Colour only for stdout (no `-o`, or `-o -`) on a terminal, with NO_COLOR
/// unset or empty (<https://no-color.org>) and TERM not dumb.
pub fn colour_allowed(output: Option<&Path>) -> bool {
    output.is_none_or(|path| path.as_os_str() == "-")
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

fn shown_filters(args: &FilterArgs, filters: &Filters) -> BTreeMap<String, Value> {
    let mut shown = BTreeMap::new();
    if let Some(ms) = filters.since_ms {
        shown.insert("since".into(), json!(time::format_ms(ms)));
    }
    if let Some(ms) = filters.until_ms {
        shown.insert("until".into(), json!(time::format_ms(ms)));
    }
    let mut list = |name: &str, values: Vec<String>| {
        if !values.is_empty() {
            shown.insert(name.into(), json!(values));
        }
    };
    list("prompt", args.prompts.clone());
    list("variant", args.variants.clone());
    list(
        "tag",
        args.tags.iter().map(|(k, v)| format!("{k}={v}")).collect(),
    );
    list(
        "status",
        filters
            .statuses
            .iter()
            .map(|s| s.name().to_string())
            .collect(),
    );
    list("user", args.users.clone());
    list("model", args.models.clone());
    shown
}

fn status(arg: StatusArg) -> StatusFilter {
    match arg {
        StatusArg::Ok => StatusFilter::Ok,
        StatusArg::Error => StatusFilter::Error,
        StatusArg::Signal => StatusFilter::Signal,
        StatusArg::Timeout => StatusFilter::Timeout,
        StatusArg::SpawnFailed => StatusFilter::SpawnFailed,
        StatusArg::Incomplete => StatusFilter::Incomplete,
    }
}

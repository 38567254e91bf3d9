//! `promptrun report`: resolve the inputs and the view, aggregate, render.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::cli::{GlobalArgs, ReportArgs, ReportKind, SortArg, StatusArg};
use crate::config::context::Context;
use crate::config::glob::Glob;
use crate::error::{Error, Result, warn};
use crate::report::render::{Part, RenderOptions, renderer};
use crate::report::{
    EngineOptions, Filters, GroupField, Report, SortKey, Source, StatusFilter, ViewSpec, aggregate,
    engine::time, expand,
};

/// How many comments per group `--comments` shows.
const COMMENTS_PER_GROUP: usize = 5;

/// Runs the report and prints it.
pub fn run(global: &GlobalArgs, args: &ReportArgs) -> Result<i32> {
    if let Some(code) = super::report_extras::intercept(global, args)? {
        return Ok(code);
    }
    let (kind, paths) = split_kind(args)?;
    let sources = resolve_inputs(global, paths)?;
    let view = view_spec(args)?;
    let group_fields: Vec<String> = view.group_by.iter().map(GroupField::name).collect();
    let options = EngineOptions {
        progress: std::io::stderr().is_terminal(),
        ..EngineOptions::default()
    };
    let report = aggregate(&sources, &[view], &options)?
        .pop()
        .unwrap_or_default();
    report_skips(&report, args.strict)?;
    let render_options = RenderOptions {
        part: match kind {
            ReportKind::Usage => Part::Usage,
            ReportKind::Performance => Part::Performance,
            ReportKind::Feedback => Part::Feedback,
            ReportKind::All => Part::All,
        },
        colour: colour_allowed(args.output.as_deref()),
        group_fields,
    };
    let mut bytes = Vec::new();
    let Some(renderer) = renderer(args.format) else {
        // Never reached: report_extras::intercept renders every --format html.
        return Err(Error::Usage(
            "--format html is the dashboard: see `promptrun dashboard --help`".into(),
        ));
    };
    renderer
        .render(&report, &render_options, &mut bytes)
        .map_err(|err| Error::io("<report>", err))?;
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, &bytes).map_err(|err| Error::io(path, err))?
        }
        _ => crate::cmd::output::write_all(&bytes),
    }
    Ok(crate::error::exit::OK)
}

/// The report kind: the first positional argument when it names one, or `--report`.
pub(super) fn split_kind(args: &ReportArgs) -> Result<(ReportKind, &[PathBuf])> {
    let named = args.args.first().and_then(|first| match first.to_str()? {
        "usage" => Some(ReportKind::Usage),
        "performance" => Some(ReportKind::Performance),
        "feedback" => Some(ReportKind::Feedback),
        "all" => Some(ReportKind::All),
        _ => None,
    });
    match (named, args.report) {
        (Some(_), Some(_)) => Err(Error::Usage(
            "give the report either as the first argument or with --report, not both".into(),
        )),
        (Some(kind), None) => Ok((kind, &args.args[1..])),
        (None, kind) => {
            if let Some(word) = args.args.first().and_then(|f| f.to_str())
                && !word.is_empty()
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !std::path::Path::new(word).exists()
            {
                return Err(Error::Usage(format!(
                    "unknown report `{word}` (and no file of that name): use usage, performance, \
                     feedback, all or trends, then the paths to read"
                )));
            }
            Ok((kind.unwrap_or(ReportKind::All), &args.args[..]))
        }
    }
}

/// Explicit paths, else the log directory. A broken config only matters when
/// the log directory has to come from it.
pub(super) fn resolve_inputs(global: &GlobalArgs, paths: &[PathBuf]) -> Result<Vec<Source>> {
    if !paths.is_empty() {
        return expand(paths);
    }
    let dir = match global.log_dir_path() {
        Some(dir) => Some(dir.to_path_buf()),
        None => Context::resolve(global)?.log_dir,
    };
    let Some(dir) = dir else {
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
    expand(&[dir])
}

pub(super) fn view_spec(args: &ReportArgs) -> Result<ViewSpec> {
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
        .filters
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
        since_ms: point("since", &args.filters.since)?,
        until_ms: point("until", &args.filters.until)?,
        prompts: globs("prompt", &args.filters.prompts)?,
        variants: globs("variant", &args.filters.variants)?,
        tags: args.filters.tags.clone(),
        statuses: args.filters.statuses.iter().map(|s| status(*s)).collect(),
        users,
    };
    if let (Some(since), Some(until)) = (filters.since_ms, filters.until_ms)
        && since >= until
    {
        return Err(Error::Usage(
            "the window is empty: --since must be before --until".into(),
        ));
    }
    let group_by = if args.group_by.is_empty() {
        vec![GroupField::Prompt, GroupField::Variant]
    } else {
        args.group_by
            .iter()
            .map(|f| GroupField::parse(f.trim()).map_err(Error::Usage))
            .collect::<Result<Vec<_>>>()?
    };
    if group_by
        .iter()
        .filter(|f| matches!(f, GroupField::Time(_)))
        .count()
        > 1
    {
        return Err(Error::Usage(
            "--group-by takes at most one of hour, day and week".into(),
        ));
    }
    // The report kind only picks what the table shows; the JSON is the same.
    let wants_comments = args.comments;
    Ok(ViewSpec {
        shown_filters: shown_filters(args, &filters),
        filters,
        group_by,
        sort: sort(args.sort),
        top: args.top,
        comments: if wants_comments {
            COMMENTS_PER_GROUP
        } else {
            0
        },
    })
}

fn shown_filters(args: &ReportArgs, filters: &Filters) -> BTreeMap<String, Value> {
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
    list("prompt", args.filters.prompts.clone());
    list("variant", args.filters.variants.clone());
    list(
        "tag",
        args.filters
            .tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
    );
    list(
        "status",
        filters
            .statuses
            .iter()
            .map(|s| s.name().to_string())
            .collect(),
    );
    list("user", args.filters.users.clone());
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

fn sort(arg: SortArg) -> SortKey {
    match arg {
        SortArg::Runs => SortKey::Runs,
        SortArg::Key => SortKey::Key,
        SortArg::SuccessRate => SortKey::SuccessRate,
        SortArg::P95 => SortKey::P95,
        SortArg::Mean => SortKey::Mean,
        SortArg::Rating => SortKey::Rating,
        SortArg::Failures => SortKey::Failures,
    }
}

/// Says on stderr how many lines were skipped and where the first ones are;
/// with `--strict`, any skipped line is an error.
pub(super) fn report_skips(report: &Report, strict: bool) -> Result<()> {
    let inputs = &report.inputs;
    if inputs.skipped == 0 {
        return Ok(());
    }
    let lines = if inputs.skipped == 1 { "line" } else { "lines" };
    let examples: String = inputs
        .skipped_examples
        .iter()
        .map(|e| format!("\n  {e}"))
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

/// Colour only for stdout (no `-o`, or `-o -`) on a terminal, with NO_COLOR
/// unset or empty (<https://no-color.org>) and TERM not dumb.
pub(super) fn colour_allowed(output: Option<&std::path::Path>) -> bool {
    output.is_none_or(|path| path.as_os_str() == "-")
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

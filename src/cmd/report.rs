//! `promptrun report`: resolve the inputs and the view, aggregate, render.

use std::path::PathBuf;

use super::selection;
use crate::cli::{
    GlobalArgs, ReportArgs, ReportCommand, ReportFormat, ReportKind, SortArg, TimeBucket,
};
use crate::config::context::Context;
use crate::error::{Error, Result, exit};
use crate::report::engine::aggregate_rows;
use crate::report::render::{Part, RenderOptions, renderer, write_streamed};
use crate::report::{GroupField, SortKey, ViewSpec};

/// How many comments per group `--comments` shows.
const COMMENTS_PER_GROUP: usize = 5;

/// Runs the report (or trends, the check, the dashboard page) and prints it.
pub fn run(global: &GlobalArgs, args: &ReportArgs) -> Result<i32> {
    if let Some(ReportCommand::Trends(trends)) = &args.command {
        refuse_flags_before_trends(args)?;
        return super::trends::run(global, trends);
    }
    let html = args.format == ReportFormat::Html;
    if args.check || html {
        refuse_ignored_flags(args)?;
    } else if args.bucket.is_some() {
        return Err(Error::Usage(
            "--bucket applies to `report trends` and `--format html` only".into(),
        ));
    }
    if !args.columns.is_empty() && matches!(args.format, ReportFormat::Json | ReportFormat::Csv) {
        return Err(Error::Usage(
            "--columns shapes the table and Markdown; JSON and CSV always hold every column".into(),
        ));
    }
    let (kinds, paths) = split_kinds(args)?;
    if args.check {
        return super::check::run(global, args, paths);
    }
    if html {
        let page = super::dashboard::PageArgs {
            paths,
            filters: &args.filters,
            bucket: args.bucket.unwrap_or(TimeBucket::Day),
            strict: args.strict,
        };
        super::output::write_to(
            args.output.as_deref(),
            super::dashboard::page(global, &page)?.as_bytes(),
        )?;
        return Ok(exit::OK);
    }
    // A broken config only matters when the log directory has to come from it.
    let context = if paths.is_empty() && global.log_dir_path().is_none() {
        global.context()?
    } else {
        Context::with_config(global.log_dir_path(), None)
    };
    let sources = selection::sources(&context, paths)?;
    let view = view_spec(args)?;
    let group_fields: Vec<String> = view.group_by.iter().map(GroupField::name).collect();
    let (report, groups) = aggregate_rows(&sources, &[view], &selection::engine_options())?
        .pop()
        .unwrap_or_default();
    selection::report_skips(&report, args.strict)?;
    // Every format writes the groups one at a time from `groups`, each group's
    // statistics made as it is written (JSON's with its score).
    let json = args.format == ReportFormat::Json;
    let prior = crate::report::arms::prior(&report.totals);
    let score = |group: &mut crate::report::GroupStats| {
        group.score = Some(crate::report::arms::group_score(group, &prior));
    };
    let sections = Part::sections_of(&kinds.iter().map(|kind| part(*kind)).collect::<Vec<_>>());
    check_column_names(&report, &sections, &group_fields, &args.columns)?;
    let render_options = RenderOptions {
        sections,
        colour: selection::colour_allowed(args.output.as_deref()),
        group_fields,
        width: if args.wide {
            None
        } else {
            selection::table_width(args.output.as_deref())
        },
        columns: args.columns.clone(),
    };
    let Some(renderer) = renderer(args.format) else {
        return Err(Error::Usage(
            "--format html is the dashboard: see `promptrun dashboard --help`".into(),
        ));
    };
    let render = |out: &mut dyn std::io::Write| {
        if json {
            write_streamed(&report, &groups, &score, out)
        } else {
            renderer.render_groups(&report, &groups, &render_options, out)
        }
    };
    match args
        .output
        .as_deref()
        .filter(|path| path.as_os_str() != "-")
    {
        // To stdout: streamed, not held whole in memory.
        None => super::output::stream(render)?,
        Some(path) => {
            let mut bytes = Vec::new();
            render(&mut bytes).map_err(|err| Error::io("<report>", err))?;
            super::output::write_to(Some(path), &bytes)?;
        }
    }
    Ok(exit::OK)
}

/// A usage error for a `--columns` name that no shown section has.
fn check_column_names(
    report: &crate::report::Report,
    sections: &[crate::report::render::Section],
    group_fields: &[String],
    names: &[String],
) -> Result<()> {
    use crate::report::render::columns;
    use crate::report::render::{has_cost, metric_names, same_column};
    let mut known: Vec<String> = Vec::new();
    for section in sections {
        for column in columns(
            *section,
            group_fields,
            &metric_names(report),
            has_cost(report),
        ) {
            if !known.contains(&column.header) {
                known.push(column.header);
            }
        }
    }
    match names
        .iter()
        .find(|name| !known.iter().any(|header| same_column(header, name)))
    {
        Some(name) => Err(Error::Usage(format!(
            "--columns: no column `{name}` in this report; its columns: {}",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// `report trends` reads its own flags; report flags before `trends` would be ignored.
fn refuse_flags_before_trends(args: &ReportArgs) -> Result<()> {
    let given = [
        ("--check", args.check),
        ("--report", args.report.is_some()),
        ("--group-by", !args.group_by.is_empty()),
        ("--top", args.top.is_some()),
        ("--comments", args.comments),
        ("--columns", !args.columns.is_empty()),
        ("--wide", args.wide),
        ("a report or path", !args.args.is_empty()),
    ];
    match given.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(Error::Usage(format!(
            "report trends does not take {flag}; give its options after `trends` \
             (see `promptrun report trends --help`)"
        ))),
        None => Ok(()),
    }
}

/// A usage error for the flags that shape the plain report's table but that the
/// check and the dashboard would silently ignore.
fn refuse_ignored_flags(args: &ReportArgs) -> Result<()> {
    let what = if args.check {
        "report --check"
    } else {
        "report --format html"
    };
    let ignored = [
        ("--group-by", !args.group_by.is_empty()),
        ("--top", args.top.is_some()),
        ("--comments", args.comments),
        ("--columns", !args.columns.is_empty()),
        ("--wide", args.wide),
    ];
    match ignored.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(Error::Usage(format!(
            "{what} does not take {flag}: it always groups by prompt (see `promptrun report --help`)"
        ))),
        None => Ok(()),
    }
}

/// The reports asked for: the leading positional arguments that name one
/// (`report usage performance`), or `--report`; the rest are paths.
fn split_kinds(args: &ReportArgs) -> Result<(Vec<ReportKind>, &[PathBuf])> {
    let named: Vec<ReportKind> = args
        .args
        .iter()
        .map_while(|arg| match arg.to_str()? {
            "usage" => Some(ReportKind::Usage),
            "performance" => Some(ReportKind::Performance),
            "feedback" => Some(ReportKind::Feedback),
            "all" => Some(ReportKind::All),
            _ => None,
        })
        .collect();
    let paths = &args.args[named.len()..];
    match (named.is_empty(), args.report) {
        (false, Some(_)) => Err(Error::Usage(
            "give the report either as the first argument or with --report, not both".into(),
        )),
        (false, None) => Ok((named, paths)),
        (true, kind) => {
            if let Some(word) = paths.first().and_then(|f| f.to_str())
                && !word.is_empty()
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !std::path::Path::new(word).exists()
            {
                return Err(Error::Usage(format!(
                    "unknown report `{word}` (and no file of that name): use usage, performance, \
                     feedback, all or trends, then the paths to read"
                )));
            }
            Ok((vec![kind.unwrap_or(ReportKind::All)], paths))
        }
    }
}

fn part(kind: ReportKind) -> Part {
    match kind {
        ReportKind::Usage => Part::Usage,
        ReportKind::Performance => Part::Performance,
        ReportKind::Feedback => Part::Feedback,
        ReportKind::All => Part::All,
    }
}

fn view_spec(args: &ReportArgs) -> Result<ViewSpec> {
    let (filters, shown_filters) = selection::filters(&args.filters)?;
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
    // Time groups read as a series: by their key (oldest first) unless asked otherwise.
    let sort = match args.sort {
        Some(arg) => self::sort(arg),
        None if group_by.iter().any(|f| matches!(f, GroupField::Time(_))) => SortKey::Key,
        None => SortKey::Runs,
    };
    // The report kind only picks what the table shows; the JSON is the same.
    let wants_comments = args.comments;
    Ok(ViewSpec {
        shown_filters,
        filters,
        group_by,
        sort,
        top: args.top,
        comments: if wants_comments {
            COMMENTS_PER_GROUP
        } else {
            0
        },
    })
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

//! `promptrun rate <RUN_ID|last> <1-5> [--comment TEXT]` and `promptrun rate --pending`.

use std::path::PathBuf;

use crate::cli::{GlobalArgs, RateArgs};
use crate::cmd::output;
use crate::config::context::Context;
use crate::error::{Error, Result, exit, warn};
use crate::feedback::find::{self, FoundRun};
use crate::feedback::question::{self, Answer, Question};
use crate::feedback::record::{self, RatedRun, Rating, Source};
use crate::feedback::terminal;
use crate::record::event;
use crate::record::last_run::LastRun;
use crate::record::log_writer::EventWriter;
use crate::record::privacy::{self, IdentityHasher};
use crate::report::render::text_safe::printable;

/// How far back `--pending` looks, in days.
const PENDING_DAYS: u64 = 7;
/// At most this many runs are offered by `--pending`.
const PENDING_LIMIT: usize = 20;
/// At most this many candidates are listed for an ambiguous prefix.
const CANDIDATES_SHOWN: usize = 10;

/// Records a rating given on the command line, or walks through unrated runs.
pub fn run(context: &Context, global: &GlobalArgs, args: &RateArgs) -> Result<i32> {
    if crate::record::run_recorder::disabled_by_env() {
        return Err(Error::Usage(
            "logging is turned off (PROMPTRUN_NO_LOG or DO_NOT_TRACK), so a rating cannot be recorded".into(),
        ));
    }
    if args.pending {
        return pending(context);
    }
    let (Some(run), Some(rating)) = (args.run.as_deref(), args.rating.as_deref()) else {
        return Err(Error::Usage(
            "usage: promptrun rate <RUN_ID|last> <1-5> [--comment TEXT]".into(),
        ));
    };
    let rating = Rating::parse(rating).map_err(Error::Usage)?;
    let (rated, dir) = if run == "last" {
        find_last(context, global)?
    } else {
        find_by_prefix(context, run)?
    };
    let comment = args.comment.clone().filter(|comment| !comment.is_empty());
    let event = record::feedback_event(&rated, rating, comment, Source::Cli, user_hash(context));
    EventWriter::new(dir.clone())
        .append(chrono::Utc::now(), &event::to_line(&event))
        .map_err(Error::RatingNotRecorded)?;
    let short = find::shortest_unique_prefix(&dir, &rated.run_id);
    output::print_line(&format!(
        "rated {}: {} (its shortest unique prefix: {})",
        describe(&rated.prompt, rated.variant.as_deref(), &rated.run_id),
        rating.value(),
        printable(&short)
    ))?;
    Ok(exit::OK)
}

/// The run in the last-run state file, and the log directory to record to: an
/// explicit `--log-dir`/PROMPTRUN_LOG_DIR, else the one the run was logged in.
fn find_last(context: &Context, global: &GlobalArgs) -> Result<(RatedRun, PathBuf)> {
    let none = || {
        Error::Usage(
            "no run recorded yet on this machine; run a prompt first, or give a run id".into(),
        )
    };
    let state_dir = context.state_dir.as_deref().ok_or_else(none)?;
    let last = LastRun::load(state_dir)
        .map_err(|err| Error::io(crate::record::last_run::path(state_dir), err))?
        .ok_or_else(none)?;
    let dir = match (global.log_dir_path(), &last.log_dir) {
        (None, Some(dir)) => Some(dir.clone()),
        _ => context.log_dir.clone(),
    }
    .ok_or_else(no_log_dir)?;
    let rated = RatedRun {
        run_id: last.run_id,
        prompt: last.prompt,
        variant: last.variant,
        prompt_sha256: last.prompt_sha256,
    };
    Ok((rated, dir))
}

/// The one run whose id starts with `text`; none or several is a usage error.
fn find_by_prefix(context: &Context, text: &str) -> Result<(RatedRun, PathBuf)> {
    let prefix = find::canonical_prefix(text).map_err(Error::Usage)?;
    let dir = context.log_dir.clone().ok_or_else(no_log_dir)?;
    let found = match find::runs_with_prefix(&dir, &prefix) {
        Ok(found) => found,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => find::Found::default(),
        Err(err) => return Err(Error::io(&dir, err)),
    };
    report_notes(&found.notes);
    match found.runs.as_slice() {
        [] => Err(Error::Usage(format!(
            "no run with an id starting with `{}` in {} ({} day file(s) searched); list unrated runs with `promptrun rate --pending`",
            printable(text),
            printable(&dir.display().to_string()),
            found.files
        ))),
        [run] => Ok((rated_run(run), dir)),
        many => Err(Error::Usage(ambiguous(text, many))),
    }
}

fn ambiguous(text: &str, runs: &[FoundRun]) -> String {
    let mut message = format!(
        "run id prefix `{}` is ambiguous: it matches {} runs; give more of the id:",
        printable(text),
        runs.len()
    );
    for run in runs.iter().rev().take(CANDIDATES_SHOWN) {
        message.push_str(&format!("\n  {}", run_line(run)));
    }
    if runs.len() > CANDIDATES_SHOWN {
        message.push_str(&format!(
            "\n  ... and {} more",
            runs.len() - CANDIDATES_SHOWN
        ));
    }
    message
}

/// `--pending`: asks about each of this user's recent unrated runs, newest first.
/// Without a terminal it lists them and asks nothing.
fn pending(context: &Context) -> Result<i32> {
    let dir = context.log_dir.clone().ok_or_else(no_log_dir)?;
    let user = user_hash(context);
    let found = match find::unrated_runs(&dir, &user, PENDING_DAYS, find::today()) {
        Ok(found) => found,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => find::Found::default(),
        Err(err) => return Err(Error::io(&dir, err)),
    };
    report_notes(&found.notes);
    let runs: Vec<&FoundRun> = found.runs.iter().take(PENDING_LIMIT).collect();
    if runs.is_empty() {
        eprintln!("promptrun: no unrated runs of yours in the last {PENDING_DAYS} days");
        return Ok(exit::OK);
    }
    if !terminal::is_interactive() {
        for run in &runs {
            output::print_line(&run_line(run))?;
        }
        eprintln!(
            "promptrun: {} unrated run(s); not asking because stdin or stderr is not a terminal. \
             Rate one with `promptrun rate <RUN_ID> <1-5>`",
            runs.len()
        );
        return Ok(exit::OK);
    }
    let settings = match &context.config {
        Some(loaded) => loaded.config.feedback.settings().0,
        None => Default::default(),
    };
    let mut writer = EventWriter::new(dir);
    let mut rated_count = 0;
    eprintln!(
        "{} unrated run(s), newest first. Enter skips a run, Esc stops.",
        runs.len()
    );
    for run in &runs {
        eprintln!("{}", run_line(run));
        let question = Question {
            prompt: run.prompt.clone(),
            variant: run.variant.clone(),
            timeout: settings.timeout,
            comment_below: settings.comment_below,
        };
        match question::ask(&question) {
            Answer::Rated { rating, comment } => {
                let Some(rating) = Rating::new(rating) else {
                    continue;
                };
                let event = record::feedback_event(
                    &rated_run(run),
                    rating,
                    comment,
                    Source::Cli,
                    user.clone(),
                );
                writer
                    .append(chrono::Utc::now(), &event::to_line(&event))
                    .map_err(Error::RatingNotRecorded)?;
                rated_count += 1;
            }
            Answer::Skipped => {}
            Answer::Cancelled | Answer::TimedOut | Answer::Unavailable => break,
        }
    }
    eprintln!("promptrun: rated {rated_count} of {} run(s)", runs.len());
    Ok(exit::OK)
}

fn rated_run(run: &FoundRun) -> RatedRun {
    RatedRun {
        run_id: run.run_id.clone(),
        prompt: run.prompt.clone(),
        variant: run.variant.clone(),
        prompt_sha256: run.prompt_sha256.clone(),
    }
}

/// `<run id>  <ts>  <prompt> (variant v)  <status>`.
fn run_line(run: &FoundRun) -> String {
    let status = match (&run.status, run.exit_code) {
        (Some(status), Some(code)) if status != "ok" => {
            format!("{} (exit {code})", printable(status))
        }
        (Some(status), _) => printable(status),
        (None, _) => "no run_end".to_string(),
    };
    let duration = run.duration_ms.map_or_else(String::new, |ms| {
        if ms >= 1000.0 {
            format!("  {:.1} s", ms / 1000.0)
        } else {
            format!("  {ms:.0} ms")
        }
    });
    format!(
        "{}  {}  {}  {status}{duration}",
        printable(&run.run_id),
        printable(&run.ts),
        describe(&run.prompt, run.variant.as_deref(), "")
    )
}

/// `<id> summarize (variant b)` for messages; without an id, just the prompt and variant.
fn describe(prompt: &str, variant: Option<&str>, run_id: &str) -> String {
    let variant = variant
        .map(|v| format!(" (variant {})", printable(v)))
        .unwrap_or_default();
    let prompt = printable(prompt);
    if run_id.is_empty() {
        format!("{prompt}{variant}")
    } else {
        format!("{} {prompt}{variant}", printable(run_id))
    }
}

fn user_hash(context: &Context) -> String {
    IdentityHasher::load_or_create(context.state_dir.as_deref()).hash(&privacy::user_name())
}

fn no_log_dir() -> Error {
    Error::Usage("no log directory (HOME is unset); set --log-dir or PROMPTRUN_LOG_DIR".into())
}

fn report_notes(notes: &[String]) {
    for note in notes.iter().take(5) {
        warn(note);
    }
    if notes.len() > 5 {
        warn(format!("... and {} more lines skipped", notes.len() - 5));
    }
}

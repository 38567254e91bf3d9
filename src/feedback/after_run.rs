//! The question in the run path: decided before run_end is written (which
//! records `feedback_asked`), asked after, so a terminal closed at the question
//! loses no run.

use crate::cli::RunArgs;
use crate::config::context::Context;
use crate::config::feedback::{AskPolicy, FeedbackSettings};
use crate::error::warn;
use crate::record::event::{RunEnd, RunStatus};
use crate::record::run_recorder::RunRecorder;

use super::cooldown;
use super::decide::{self, RateFlag, Situation};
use super::question::{self, Answer, Question};
use super::record::{self, RatedRun, Rating, Source};

/// A question that will be asked once run_end is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    settings: FeedbackSettings,
    /// Where the cooldown notes when a prompt was asked about.
    state_dir: Option<std::path::PathBuf>,
}

/// The question to ask after this run, or `None` when none will be asked.
pub fn plan(
    context: &Context,
    args: &RunArgs,
    run: (&str, &str),
    status: RunStatus,
    logging: bool,
) -> Option<Planned> {
    let (run_id, prompt) = run;
    let flag = match (args.rate, args.no_rate) {
        (_, true) => RateFlag::Never,
        (true, _) => RateFlag::Force,
        _ => RateFlag::Default,
    };
    if flag == RateFlag::Never {
        return None;
    }
    let env_policy = env_policy();
    let terminal = super::terminal::is_interactive();
    // The config's settings (and warnings about them) matter only on a terminal.
    let settings = if terminal {
        settings(context)
    } else {
        FeedbackSettings::default()
    };
    let recently_asked = terminal
        && match (settings.cooldown, context.state_dir.as_deref()) {
            (Some(cooldown), Some(state_dir)) => cooldown::recently_asked(
                state_dir,
                prompt,
                cooldown,
                chrono::Utc::now().timestamp_millis(),
            ),
            _ => false,
        };
    let situation = Situation {
        flag,
        env_policy,
        ci: decide::ci_from_env(),
        terminal,
        logging,
        status,
        draw: decide::draw_from_run_id(run_id),
        typed_ahead: terminal && super::terminal::typed_ahead(),
        recently_asked,
    };
    match decide::decide(&situation, &settings) {
        Ok(()) => Some(Planned {
            settings,
            state_dir: context.state_dir.clone(),
        }),
        Err(skip) => {
            if flag == RateFlag::Force
                && let Some(why) = skip.explain()
            {
                warn(format!("--rate: not asking for a rating: {why}"));
            }
            None
        }
    }
}

/// Asks `question` about the run `end` describes and appends the rating, if one is given.
pub fn ask_and_record(planned: Planned, end: &RunEnd, log: &mut RunRecorder) {
    if !log.is_enabled() {
        return;
    }
    let question = Question {
        prompt: end.prompt.clone(),
        variant: end.variant.clone(),
        timeout: planned.settings.timeout,
        comment_below: planned.settings.comment_below,
    };
    if let Some(state_dir) = &planned.state_dir
        && let Err(err) = cooldown::note_asked(
            state_dir,
            &end.prompt,
            chrono::Utc::now().timestamp_millis(),
        )
    {
        warn(format!(
            "cannot note the question in {}: {err}; the cooldown may ask again",
            state_dir.display()
        ));
    }
    let Answer::Rated { rating, comment } = question::ask(&question) else {
        return;
    };
    let Some(rating) = Rating::new(rating) else {
        return;
    };
    let run = RatedRun {
        run_id: end.run_id.clone(),
        prompt: end.prompt.clone(),
        variant: end.variant.clone(),
        prompt_sha256: end.prompt_sha256.clone(),
    };
    log.write(&record::feedback_event(
        &run,
        rating,
        comment,
        Source::Prompt,
        end.user.clone(),
    ));
}

/// PROMPTRUN_RATE, warning about a value it does not know.
fn env_policy() -> Option<AskPolicy> {
    let value = std::env::var("PROMPTRUN_RATE").ok()?;
    decide::parse_env_policy(&value).map_err(warn).ok()
}

/// The config's feedback settings, warning about bad values (which fall back to defaults).
fn settings(context: &Context) -> FeedbackSettings {
    let Some(loaded) = &context.config else {
        return FeedbackSettings::default();
    };
    let (settings, messages) = loaded.config.feedback.settings();
    for message in messages {
        warn(format!("{}: {message}", loaded.path.display()));
    }
    settings
}

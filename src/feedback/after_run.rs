//! The question in the run path: decided before run_end is written (which
//! records `feedback_asked`), asked after, so a terminal closed at the question
//! loses no run.

use crate::cli::RunArgs;
use crate::config::context::Context;
use crate::config::feedback::{AskPolicy, FeedbackSettings};
use crate::error::warn;
use crate::record::event::{RunEnd, RunStatus};
use crate::record::run_recorder::RunRecorder;

use super::decide::{self, RateFlag, Situation};
use super::question::{self, Answer, Question};
use super::record::{self, RatedRun, Rating, Source};

/// A question that will be asked once run_end is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Planned {
    settings: FeedbackSettings,
}

/// The question to ask after this run, or `None` when none will be asked.
pub fn plan(
    context: &Context,
    args: &RunArgs,
    run_id: &str,
    status: RunStatus,
    logging: bool,
) -> Option<Planned> {
    let flag = match (args.rate, args.no_rate) {
        (_, true) => RateFlag::Never,
        (true, _) => RateFlag::Force,
        _ => RateFlag::Default,
    };
    if flag == RateFlag::Never {
        return None;
    }
    let env_policy = env_policy();
    let situation = Situation {
        flag,
        env_policy,
        ci: decide::ci_from_env(),
        terminal: super::terminal::is_interactive(),
        logging,
        status,
        draw: decide::draw_from_run_id(run_id),
    };
    // The config's settings (and warnings about them) matter only on a terminal.
    let settings = if situation.terminal {
        settings(context)
    } else {
        FeedbackSettings::default()
    };
    match decide::decide(&situation, &settings) {
        Ok(()) => Some(Planned { settings }),
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

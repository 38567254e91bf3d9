//! The run path: from the typed prompt name to the command's exit status.
//!
//! [`plan`] resolves everything before the command starts (prompt, variant,
//! argv, timeout); [`execute`] is the sequence itself: run_start, spawn and
//! wait ([`child`], [`signals`]), the metrics file, run_end, the last run, the
//! rating question, and the exit status to pass on.

pub mod child;
pub mod dry_run;
pub mod metrics_file;
pub mod placeholders;
pub mod plan;
pub mod pricing;
pub mod router;
pub mod selection;
pub mod selection_cache;
pub mod signals;
pub mod spawn;

use chrono::Utc;

use crate::cli::RunArgs;
use crate::config::context::Context;
use crate::error::warn;
use crate::feedback::after_run;
use crate::record::event::{Ending, RunEnd};
use crate::record::run_recorder::RunRecorder;
use plan::RunPlan;
use signals::SignalPipe;

/// Runs a prepared plan and returns the exit status to pass on. Logging problems
/// only warn: the command runs whatever happens to the log.
pub fn execute(context: &Context, args: &RunArgs, plan: RunPlan) -> i32 {
    if plan.prompt_unreached && warns_unused_prompt(context) {
        warn(format!(
            "prompt `{}` has a file ({}), but the command does not receive the prompt file; \
             add {{prompt_file}} or --stdin (silence with logging.warn_unused_prompt=false)",
            plan.resolved.name,
            plan.resolved.file_in_config.as_deref().unwrap_or_default()
        ));
    }
    if let Some(choice) = &plan.resolved.choice {
        selection::warn_fallback(choice);
    }
    let mut recorder = RunRecorder::open(context);
    for warning in &plan.warnings {
        warn(warning);
    }
    let start = plan.run_start(&recorder, context);
    recorder.write(&start);

    let signals = SignalPipe::install().ok();
    let outcome = child::run(&plan.spec, signals.as_ref());
    if let Some(error) = &outcome.spawn_error {
        report_spawn_error(&plan, error);
    }
    let mut metrics = metrics_file::collect(&plan.metrics_file);
    for warning in &metrics.warnings {
        warn(warning);
    }
    let model = metrics.model.take().or_else(|| plan.model.clone());
    let cost = pricing::run_cost(
        context.config.as_ref(),
        model.as_deref(),
        &metrics.values,
        &mut |message| warn(message),
    );

    let question = after_run::plan(
        context,
        args,
        (&plan.run_id, &plan.resolved.name),
        outcome.status,
        recorder.is_enabled(),
    );
    let ending = Ending {
        at: Utc::now(),
        duration: outcome.duration,
        status: outcome.status,
        exit_code: outcome.exit_code,
        signal: outcome.signal,
    };
    let mut end = RunEnd::from_start(&start, ending, metrics.values, question.is_some());
    end.provider = metrics
        .provider
        .take()
        .or_else(|| plan.resolved.provider.clone())
        .or_else(|| cost.as_ref().and_then(|c| c.provider.clone()));
    end.model = model;
    if let Some(cost) = cost {
        end.cost_usd = Some(cost.usd);
        end.cost_source = Some(cost.source);
        end.pricing_sha256 = cost.pricing_sha256;
    }
    recorder.write(&end);
    recorder.save_last_run(&end, context.state_dir.as_deref());
    // Routing that learns: take the new lines into the statistics (bounded,
    // skipped when another run is at it); other strategies do no extra work.
    if plan.resolved.choice.as_ref().is_some_and(|c| c.learns()) && recorder.is_enabled() {
        selection::fold_after_run(&plan::selection_env(context), context.config.as_ref());
    }
    // The run is recorded: from here on a signal may end promptrun as usual.
    drop(signals);
    if let Some(question) = question {
        after_run::ask_and_record(question, &end, &mut recorder);
    }
    // After the command, never before it: the span of the run (when
    // PROMPTRUN_OTLP or export.mode says on-exit), then the daily expiry of old logs.
    crate::export::otlp::on_exit::after_run(context, &end);
    crate::export::purge::after_run(context);
    if let Some(signal) = outcome.interrupt_to_pass_on() {
        signals::die_of(signal);
    }
    outcome.exit_code()
}

/// Whether `logging.warn_unused_prompt` leaves the warning on (the default).
fn warns_unused_prompt(context: &Context) -> bool {
    context
        .config
        .as_ref()
        .is_none_or(|c| c.config.logging.warn_unused_prompt != Some(false))
}

/// One line on stderr saying why the command could not start.
fn report_spawn_error(plan: &RunPlan, error: &std::io::Error) {
    let what = match error.kind() {
        std::io::ErrorKind::NotFound => "command not found".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied (not executable?)".to_string(),
        _ => error.to_string(),
    };
    eprintln!(
        "promptrun: error: cannot run `{}`: {what}",
        crate::report::render::text_safe::printable(&plan.spec.argv[0].to_string_lossy())
    );
}

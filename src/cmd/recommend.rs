//! `promptrun recommend`: one pass over the logs (the trend views and the arm
//! and resolution views together), the verdicts, the ranked actions, and with
//! `--apply` the config edits.

use super::selection::{self, DEFAULT_WINDOW};
use crate::cli::{GlobalArgs, LearnFormat, RecommendArgs, TimeBucket};
use crate::config::LoadedConfig;
use crate::config::edit::ConfigChange;
use crate::config::validate::{self, Severity};
use crate::error::{Error, Result, exit, warn};
use crate::report::alerts::rules;
use crate::report::engine::time;
use crate::report::recommend::{self, Applied, Recommendations, WindowJson};
use crate::report::render::recommend_text;

/// Prints the recommendations; with `--apply` makes the config changes first.
pub fn run(global: &GlobalArgs, args: &RecommendArgs) -> Result<i32> {
    let context = super::compare::load_context(global, &args.paths)?;
    let alerts = rules::from_config(context.config.as_ref())?;
    let sources = selection::sources(&context, &args.paths)?;
    let (filters, shown) = selection::filters(&args.filters)?;
    let window = WindowJson {
        since: filters.since_ms.map(time::format_ms),
        until: filters.until_ms.map(time::format_ms),
    };
    let trend = selection::window(
        sources,
        &args.filters,
        TimeBucket::Day,
        Some(DEFAULT_WINDOW),
    )?;
    let (reports, extra) = trend.compute_with(
        &selection::engine_options(),
        recommend::learn_views(&filters, &shown),
    )?;
    let learned = recommend::learn(
        context.config.as_ref(),
        &alerts,
        &trend,
        &reports,
        extra,
        &filters.prompts,
        window.clone(),
    );
    selection::report_skips(&learned.arms_inputs, args.strict)?;
    let mut recommendations = learned.recommendations;
    let applied = match (&context.config, args.apply) {
        (Some(loaded), true) => apply(loaded, &mut recommendations)?,
        (None, true) => {
            return Err(Error::Usage(
                "--apply needs a router config to change: give --config".into(),
            ));
        }
        _ => None,
    };
    let doc = Recommendations {
        schema: recommend::RECOMMEND_SCHEMA,
        window,
        trend_window: trend.window.label(),
        recommendations,
        applied,
    };
    let text = match args.format {
        LearnFormat::Table => recommend_text::table(&doc),
        LearnFormat::Markdown => recommend_text::markdown(&doc),
        LearnFormat::Json => {
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    super::output::write_to(args.output.as_deref(), text.as_bytes())?;
    Ok(exit::OK)
}

/// Makes every change it can (a later change to the same value wins over none:
/// the first, best-ranked one is kept), checks the result like `config check`,
/// and writes it after saving the old file as `<config>.bak`.
fn apply(
    loaded: &LoadedConfig,
    recommendations: &mut [recommend::Recommendation],
) -> Result<Option<Applied>> {
    let mut text = loaded.text.clone();
    let mut done: Vec<ConfigChange> = Vec::new();
    let baseline = config_errors(&loaded.path, &text).map_or(usize::MAX, |e| e.len());
    for r in recommendations.iter_mut() {
        let Some(change) = &r.change else { continue };
        let clash = done.iter().any(|d| match (d, change) {
            (
                ConfigChange::SetDefaultVariant { prompt: a, .. },
                ConfigChange::SetDefaultVariant { prompt: b, .. },
            ) => a == b,
            (ConfigChange::AddAlias { alias: a, .. }, ConfigChange::AddAlias { alias: b, .. }) => {
                a == b
            }
            _ => false,
        });
        if clash {
            continue;
        }
        let Some(next) = change.apply(&text) else {
            continue;
        };
        // Each change must leave `config check` no worse than it found the file.
        match config_errors(&loaded.path, &next) {
            Some(errors) if errors.len() <= baseline => {
                text = next;
                r.applied = true;
                done.push(change.clone());
            }
            Some(errors) => warn(format_args!(
                "not applied: {} would fail `config check`:\n  {}",
                change.describe(),
                errors.join("\n  ")
            )),
            None => warn(format_args!(
                "not applied: {} would leave a config that does not load",
                change.describe()
            )),
        }
    }
    if done.is_empty() {
        return Ok(None);
    }
    let path = &loaded.path;
    let backup = {
        let mut name = path.as_os_str().to_owned();
        name.push(".bak");
        std::path::PathBuf::from(name)
    };
    std::fs::write(&backup, &loaded.text).map_err(|err| Error::io(&backup, err))?;
    std::fs::write(path, &text).map_err(|err| Error::io(path, err))?;
    Ok(Some(Applied {
        config: path.display().to_string(),
        backup: backup.display().to_string(),
        changes: done,
    }))
}

/// The `config check` errors of config text, or `None` when it does not load.
fn config_errors(path: &std::path::Path, text: &str) -> Option<Vec<String>> {
    let edited = LoadedConfig::parse(path, text.to_string()).ok()?;
    Some(
        validate::check(&edited)
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.render(&edited))
            .collect(),
    )
}

//! `promptrun compare`: one pass of the engine grouped by arm, then the verdicts.

use std::path::PathBuf;

use super::selection;
use crate::cli::{CompareArgs, GlobalArgs, LearnFormat};
use crate::config::context::Context;
use crate::error::{Error, Result, exit};
use crate::report::aggregate;
use crate::report::arms::arm_view;
use crate::report::compare::{self, CompareOptions, CompareReport, Mode};
use crate::report::render::compare_text;

/// Compares and prints; exit 1 only with `--fail-on-regression` and a regression.
pub fn run(global: &GlobalArgs, args: &CompareArgs) -> Result<i32> {
    let (prompt, paths) = split_prompt(&args.args);
    let mode = match args.pair.as_slice() {
        [] if args.versions => Mode::Versions,
        [] => Mode::Auto,
        [a, b] if a != b => Mode::Variants(a.clone(), b.clone()),
        _ => {
            return Err(Error::Usage(
                "--variants takes two different variants: --variants A,B".into(),
            ));
        }
    };
    if matches!(mode, Mode::Variants(..)) && prompt.is_none() {
        return Err(Error::Usage(
            "--variants needs the prompt: `promptrun compare PROMPT --variants A,B`".into(),
        ));
    }
    let context = load_context(global, paths)?;
    let sources = selection::sources(&context, paths)?;
    let (filters, shown) = selection::filters(&args.filters)?;
    let report = aggregate(
        &sources,
        &[arm_view(filters, shown)],
        &selection::engine_options(),
    )?
    .pop()
    .unwrap_or_default();
    selection::report_skips(&report, args.strict)?;
    let options = CompareOptions {
        prompt,
        mode,
        all_versions: args.all_versions,
        default_variants: compare::default_variants(context.config.as_ref()),
    };
    let result = compare::compute(report, &options);
    if let (Some(name), true) = (&options.prompt, result.comparisons.is_empty()) {
        crate::error::warn(format_args!(
            "nothing to compare for `{name}`: it needs two variants or two versions with runs \
             in the selection"
        ));
    }
    let text = render(&result, args.format);
    super::output::write_to(args.output.as_deref(), text.as_bytes())?;
    let regressed = result
        .comparisons
        .iter()
        .any(|c| c.kind == "versions" && c.outcome.kind == "winner" && c.outcome.arm == Some("a"));
    Ok(if args.fail_on_regression && regressed {
        exit::CHECK_FAILED
    } else {
        exit::OK
    })
}

fn render(result: &CompareReport, format: LearnFormat) -> String {
    match format {
        LearnFormat::Table => compare_text::table(result),
        LearnFormat::Markdown => compare_text::markdown(result),
        LearnFormat::Json => {
            let mut text = serde_json::to_string_pretty(result).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}

/// The first argument is the prompt unless it is `-` or an existing path.
fn split_prompt(args: &[PathBuf]) -> (Option<String>, &[PathBuf]) {
    match args.split_first() {
        Some((first, rest))
            if first.as_os_str() != "-" && !first.exists() && first.to_str().is_some() =>
        {
            (first.to_str().map(str::to_string), rest)
        }
        _ => (None, args),
    }
}

/// The config matters for the log directory and the default variants; a broken
/// config only fails when the log directory has to come from it.
pub fn load_context(global: &GlobalArgs, paths: &[PathBuf]) -> Result<Context> {
    if paths.is_empty() && global.log_dir_path().is_none() {
        global.context()
    } else {
        Ok(global
            .context()
            .unwrap_or_else(|_| Context::with_config(global.log_dir_path(), None)))
    }
}

//! `promptrun` alone on a terminal: where things are and what to try next,
//! instead of only a usage line.

use std::io::IsTerminal;

use crate::config::context::Context;
use crate::error::{Error, Result, exit};
use crate::report::{ViewSpec, aggregate};

/// Prints the orientation when stdout is a terminal; elsewhere (a script) the
/// usual usage error, so nothing that parses the output changes.
pub fn run(context: &Context) -> Result<i32> {
    if !std::io::stdout().is_terminal() {
        return Err(Error::Usage(
            "no prompt given; usage: promptrun <PROMPT> [-- <CMD>...] (see `promptrun --help`)"
                .into(),
        ));
    }
    super::output::print_line(&describe(context))?;
    Ok(exit::OK)
}

/// The orientation's lines.
pub fn describe(context: &Context) -> String {
    let config = match &context.config {
        Some(loaded) => format!(
            "{} ({} prompts)",
            loaded.path.display(),
            loaded.config.prompts.len()
        ),
        None => "none found (runs are ad hoc: promptrun NAME -- CMD...)".to_string(),
    };
    let (log_dir, runs) = match context.log_dir.as_ref() {
        Some(dir) if dir.exists() => {
            let runs = crate::report::expand(std::slice::from_ref(dir))
                .and_then(|sources| {
                    aggregate(&sources, &[ViewSpec::by(Vec::new())], &Default::default())
                })
                .map(|reports| reports.first().map_or(0, |r| r.totals.runs));
            let runs = match runs {
                Ok(runs) => format!("{runs} run(s) logged"),
                Err(err) => format!("cannot read it: {err}"),
            };
            (dir.display().to_string(), runs)
        }
        Some(dir) => (dir.display().to_string(), "no run logged yet".to_string()),
        None => (
            "none (HOME is unset; set --log-dir)".to_string(),
            String::new(),
        ),
    };
    let first_prompt = context
        .config
        .as_ref()
        .and_then(|loaded| {
            let prompts = &loaded.config.prompts;
            let hello = prompts.contains_key("hello").then(|| "hello".to_string());
            hello.or_else(|| prompts.keys().next().cloned())
        })
        .unwrap_or_else(|| "hello".to_string());
    format!(
        "promptrun {version}: runs LLM prompts through a router config and logs every run.\n\
         \n\
         config:   {config}\n\
         logs:     {log_dir}{runs}\n\
         \n\
         Try:\n\
         \x20 promptrun prompts                     the prompts you can run\n\
         \x20 promptrun {first_prompt} --dry-run{pad}how it resolves, without running it\n\
         \x20 promptrun {first_prompt} -- CMD...{pad}run CMD for it, timed and logged\n\
         \x20 promptrun report --since 7d           usage, performance and ratings\n\
         \x20 promptrun rate last 5                 rate your latest run\n\
         \x20 promptrun --help                      everything else",
        version = env!("CARGO_PKG_VERSION"),
        runs = if runs.is_empty() {
            String::new()
        } else {
            format!(" ({runs})")
        },
        pad = " ".repeat(18usize.saturating_sub(first_prompt.chars().count()).max(1)),
    )
}

//! `promptrun config check`: validate the router config.

use crate::cli::GlobalArgs;
use crate::config::validate::{self, Severity};
use crate::config::{LoadedConfig, discover};
use crate::error::{Error, Result, exit};
use crate::report::render::text_safe::printable;

/// Prints each problem as `path:line:column: message`; 0 when valid, 2 when not.
pub fn run(global: &GlobalArgs) -> Result<i32> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let Some((path, origin)) = discover::find(global.config_path(), &cwd) else {
        return Err(Error::Config(discover::NOT_FOUND.into()));
    };
    // A refused config is an error like any other; only its own problems are listed.
    let text = match LoadedConfig::read_checked(&path, origin) {
        Ok((text, _)) => text,
        Err(Error::Io { path, source }) => {
            return Err(Error::Config(format!(
                "cannot read config file {}: {}",
                path.display(),
                crate::error::describe_io(&source)
            )));
        }
        Err(err) => return Err(err),
    };
    let loaded = match LoadedConfig::parse(&path, text) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("{}", printable(&err.to_string()));
            return Ok(exit::USAGE);
        }
    };
    let mut problems = validate::check(&loaded);
    // In file order, so the list reads top to bottom like the file.
    problems.sort_by_key(|problem| {
        let at = loaded.position(&problem.path, problem.at_key);
        (at.line, at.column)
    });
    for problem in &problems {
        eprintln!("{}", printable(&problem.render(&loaded)));
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    if errors > 0 {
        eprintln!(
            "{}: {errors} error(s), {warnings} warning(s)",
            printable(&loaded.path.display().to_string())
        );
        Ok(exit::USAGE)
    } else {
        crate::cmd::output::print_line(&format!(
            "{}: ok ({} prompts, {} routes, {warnings} warning(s))",
            printable(&loaded.path.display().to_string()),
            loaded.config.prompts.len(),
            loaded.config.routes.len()
        ))?;
        Ok(exit::OK)
    }
}

//! `promptrun config check`: every problem in a parsed config, with its position.

use std::collections::BTreeMap;

use super::LoadedConfig;
use super::locate::Segment;
use crate::cli::parse_duration;
use crate::config::glob;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The config cannot be used as it is.
    Error,
    /// Worth fixing; the config still works.
    Warning,
}

/// One problem, at a position in the config file.
#[derive(Debug, Clone)]
pub struct Problem {
    pub severity: Severity,
    pub path: Vec<Segment>,
    /// Point at the key rather than the value.
    pub at_key: bool,
    pub message: String,
}

impl Problem {
    /// An error at `path`.
    pub fn error(path: Vec<Segment>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            path,
            at_key: false,
            message: message.into(),
        }
    }

    /// `file:line:column: message`.
    pub fn render(&self, config: &LoadedConfig) -> String {
        let label = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        format!("{}: {label}{}", self.location(config), self.message)
    }

    /// `file:line:column` of the problem.
    pub fn location(&self, config: &LoadedConfig) -> String {
        let at = config.position(&self.path, self.at_key);
        format!("{}:{}:{}", config.path.display(), at.line, at.column)
    }
}

/// The warning for a key the config model does not know.
pub fn unknown_key(path: &[Segment]) -> Problem {
    Problem {
        severity: Severity::Warning,
        path: path.to_vec(),
        at_key: true,
        message: format!("unknown key `{}` (ignored)", super::dotted(path)),
    }
}

fn key(name: &str) -> Segment {
    Segment::Key(name.to_string())
}

fn at(parts: &[&str]) -> Vec<Segment> {
    parts.iter().map(|part| key(part)).collect()
}

/// Every problem in `loaded`: unknown keys (warnings), missing prompt files,
/// bad variants, alias clashes, routes to nowhere, bad commands and timeouts.
pub fn check(loaded: &LoadedConfig) -> Vec<Problem> {
    let config = &loaded.config;
    let mut problems: Vec<Problem> = loaded
        .unknown_keys
        .iter()
        .map(|path| unknown_key(path))
        .collect();

    let mut owners: BTreeMap<&str, &str> = config
        .prompts
        .keys()
        .map(|name| (name.as_str(), name.as_str()))
        .collect();
    for (name, prompt) in &config.prompts {
        let here = |rest: &[&str]| {
            let mut path = at(&["prompts", name]);
            path.extend(rest.iter().map(|part| key(part)));
            path
        };
        if name.trim().is_empty() {
            problems.push(Problem::error(here(&[]), "a prompt name cannot be empty"));
        }
        if let Some(file) = &prompt.file {
            check_file(loaded, file, here(&["file"]), &mut problems);
        }
        for (index, alias) in prompt.aliases.iter().enumerate() {
            let mut path = here(&["aliases"]);
            path.push(Segment::Index(index));
            match owners.insert(alias, name) {
                Some(other) if other != name || config.prompts.contains_key(alias.as_str()) => {
                    problems.push(Problem::error(
                        path,
                        format!("alias `{alias}` of `{name}` is already used by `{other}`"),
                    ))
                }
                _ => {}
            }
        }
        if let Some(command) = &prompt.command {
            check_command(command, here(&["command"]), &mut problems);
        }
        for (variant_name, variant) in &prompt.variants {
            let variant_path = || here(&["variants", variant_name]);
            if let Some(file) = &variant.file {
                let mut path = variant_path();
                path.push(key("file"));
                check_file(loaded, file, path, &mut problems);
            } else if prompt.file.is_none() {
                problems.push(Problem::error(
                    variant_path(),
                    format!(
                        "variant `{variant_name}` has no file, and neither has prompt `{name}`"
                    ),
                ));
            }
            if !(variant.weight.is_finite() && variant.weight >= 0.0) {
                let mut path = variant_path();
                path.push(key("weight"));
                problems.push(Problem::error(path, "weight must be a number >= 0"));
            }
        }
        if !prompt.variants.is_empty() && prompt.variants.values().all(|v| v.weight <= 0.0) {
            problems.push(Problem::error(
                here(&["variants"]),
                "at least one variant needs a weight above 0",
            ));
        }
        if let Some(default) = &prompt.default_variant
            && !prompt.variants.contains_key(default)
        {
            problems.push(Problem::error(
                here(&["default_variant"]),
                format!("default_variant `{default}` is not one of the variants of `{name}`"),
            ));
        }
        if let Some(selection) = &prompt.selection {
            check_selection(prompt, selection, &here, &mut problems);
        }
    }

    for (index, route) in config.routes.iter().enumerate() {
        let route_path = |field: &str| vec![key("routes"), Segment::Index(index), key(field)];
        if route.pattern.is_empty() {
            problems.push(Problem::error(
                route_path("match"),
                "a route needs a `match` glob",
            ));
        } else if let Err(message) = glob::Glob::new(&route.pattern) {
            problems.push(Problem::error(route_path("match"), message));
        }
        if !config.prompts.contains_key(&route.prompt) {
            problems.push(Problem::error(
                route_path("prompt"),
                format!(
                    "route sends names to `{}`, which is not a configured prompt",
                    route.prompt
                ),
            ));
        }
    }

    if let Some(command) = &config.defaults.command {
        check_command(command, at(&["defaults", "command"]), &mut problems);
    }
    if let Some(timeout) = &config.defaults.timeout
        && let Err(message) = parse_duration(timeout)
    {
        problems.push(Problem::error(at(&["defaults", "timeout"]), message));
    }
    if config
        .logging
        .dir
        .as_deref()
        .is_some_and(|dir| dir.trim().is_empty())
    {
        problems.push(Problem::error(
            at(&["logging", "dir"]),
            "logging.dir cannot be empty; remove the key to use the default log directory",
        ));
    }
    for (model, price) in &config.pricing {
        if !price.is_valid() {
            problems.push(Problem::error(
                at(&["pricing", model]),
                format!("the prices of `{model}` must be numbers >= 0 (USD per million tokens)"),
            ));
        }
    }
    if let Some(file) = &config.pricing_file {
        let path = loaded.resolve_path(file);
        let read = std::fs::read_to_string(&path)
            .map_err(|e| crate::error::describe_io(&e))
            .and_then(|text| crate::run::pricing::parse_table(&text));
        if let Err(why) = read {
            problems.push(Problem::error(
                at(&["pricing_file"]),
                format!("cannot read price table {}: {why}", path.display()),
            ));
        }
    }
    for (index, pattern) in config.logging.redact.iter().enumerate() {
        let path = vec![key("logging"), key("redact"), Segment::Index(index)];
        if pattern.is_empty() {
            problems.push(Problem::error(path, "a redact pattern cannot be empty"));
        } else if let Err(message) = glob::Glob::new(pattern) {
            problems.push(Problem::error(path, message));
        }
    }
    problems.extend(super::feedback::check(&config.feedback));
    problems.extend(crate::report::alerts::rules::check(&config.alerts));
    problems
}

/// The `selection` of one prompt: numbers in range, and settings that do nothing.
fn check_selection(
    prompt: &super::PromptDef,
    selection: &super::SelectionDef,
    here: &dyn Fn(&[&str]) -> Vec<Segment>,
    problems: &mut Vec<Problem>,
) {
    use super::{StickyBy, StrategyName};
    let arms = prompt.variants.len();
    if arms == 0 {
        problems.push(Problem {
            severity: Severity::Warning,
            path: here(&["selection"]),
            at_key: true,
            message: "`selection` does nothing for a prompt without variants".into(),
        });
    }
    let floor = selection.floor;
    if !(floor.is_finite() && (0.0..=1.0).contains(&floor)) {
        problems.push(Problem::error(
            here(&["selection", "floor"]),
            "floor must be a number from 0 to 1",
        ));
    } else if arms > 0 && floor * arms as f64 > 1.0 {
        problems.push(Problem::error(
            here(&["selection", "floor"]),
            format!("a floor of {floor} for each of {arms} variants is more than all the traffic"),
        ));
    }
    if selection.update_every == 0 {
        problems.push(Problem::error(
            here(&["selection", "update_every"]),
            "update_every must be at least 1",
        ));
    }
    let objective = selection.objective;
    for (field, weight) in [("success", objective.success), ("rating", objective.rating)] {
        if !(weight.is_finite() && weight >= 0.0) {
            problems.push(Problem::error(
                here(&["selection", "objective", field]),
                "an objective weight must be a number >= 0",
            ));
        }
    }
    if objective.success <= 0.0 && objective.rating <= 0.0 {
        problems.push(Problem::error(
            here(&["selection", "objective"]),
            "the objective needs a weight above 0 for success or rating",
        ));
    }
    if selection.sticky_by != StickyBy::User && selection.strategy != StrategyName::Sticky {
        problems.push(Problem {
            severity: Severity::Warning,
            path: here(&["selection", "sticky_by"]),
            at_key: true,
            message: format!(
                "sticky_by is only read by the sticky strategy, not `{}`",
                selection.strategy.as_str()
            ),
        });
    }
    if prompt.default_variant.is_some() && selection.strategy != StrategyName::Fixed {
        problems.push(Problem {
            severity: Severity::Warning,
            path: here(&["default_variant"]),
            at_key: true,
            message: format!(
                "default_variant is ignored: selection.strategy `{}` picks the variant \
                 (use strategy `fixed` to always run the default)",
                selection.strategy.as_str()
            ),
        });
    }
}

fn check_file(loaded: &LoadedConfig, file: &str, path: Vec<Segment>, problems: &mut Vec<Problem>) {
    let resolved = loaded.resolve_path(file);
    if !resolved.is_file() {
        problems.push(Problem::error(
            path,
            format!("prompt file {} does not exist", resolved.display()),
        ));
    }
}

fn check_command(command: &[String], path: Vec<Segment>, problems: &mut Vec<Problem>) {
    if command.first().is_none_or(|program| program.is_empty()) {
        problems.push(Problem::error(
            path,
            "a command needs at least a program name",
        ));
    }
}

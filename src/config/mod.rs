//! `router-config.json`: the model, where it is found, and how it is read.

pub mod context;
pub mod dirs;
pub mod discover;
pub mod feedback;
pub mod glob;
pub mod locate;
pub mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use locate::{Position, Segment};

/// The router config as written in `router-config.json`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RouterConfig {
    /// The JSON Schema the file declares (editors use it; promptrun ignores it).
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    /// Prompts by name.
    pub prompts: BTreeMap<String, PromptDef>,
    /// Tried in order when a name is neither a prompt nor an alias.
    pub routes: Vec<Route>,
    /// Defaults for every prompt.
    pub defaults: Defaults,
    /// Where and what to log.
    pub logging: Logging,
    /// When to ask for a rating after a run.
    pub feedback: feedback::FeedbackConfig,
    /// Thresholds for `promptrun report --check`.
    pub alerts: crate::report::alerts::rules::AlertsConfig,
}

/// One prompt.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PromptDef {
    /// The prompt text, relative to the config file.
    pub file: Option<String>,
    /// What the prompt is for.
    pub description: Option<String>,
    /// Other names that resolve to this prompt.
    pub aliases: Vec<String>,
    /// The argv template run when no command follows `--`.
    pub command: Option<Vec<String>>,
    /// Alternative versions of the prompt, by name.
    pub variants: BTreeMap<String, VariantDef>,
    /// The variant used unless `--variant` says otherwise.
    pub default_variant: Option<String>,
    /// How a variant is picked when none is forced (default: at random by weight).
    pub selection: Option<SelectionDef>,
}

/// How a prompt's variant is picked: `"selection"` of a prompt.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct SelectionDef {
    /// The strategy (weighted).
    pub strategy: StrategyName,
    /// What `sticky` keeps a variant for (user).
    pub sticky_by: StickyBy,
    /// Rated runs per variant (runs, when the objective ignores ratings)
    /// before `best` and `bandit` adapt (10).
    pub min_samples: u64,
    /// Least share of traffic per variant under `bandit` (0.05).
    pub floor: f64,
    /// What "better" means: weights of success and rating (0.5 each).
    pub objective: ObjectiveDef,
    /// New results (runs and ratings) of the prompt between two updates of
    /// the allocation, which stays constant in between (10).
    pub update_every: u64,
}

impl Default for SelectionDef {
    fn default() -> Self {
        SelectionDef {
            strategy: StrategyName::Weighted,
            sticky_by: StickyBy::User,
            min_samples: 10,
            floor: 0.05,
            objective: ObjectiveDef::default(),
            update_every: 10,
        }
    }
}

/// The routing strategies by name.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum StrategyName {
    /// Always `default_variant` (else the first variant).
    Fixed,
    /// At random in proportion to the weights.
    #[default]
    Weighted,
    /// By a salted hash of the user (or host) and the prompt, split by weight.
    Sticky,
    /// By weight until a verdict names a winner, then the winner.
    Best,
    /// Thompson sampling with a floor.
    Bandit,
}

impl StrategyName {
    /// The word used in the config, events and `--dry-run`.
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyName::Fixed => "fixed",
            StrategyName::Weighted => "weighted",
            StrategyName::Sticky => "sticky",
            StrategyName::Best => "best",
            StrategyName::Bandit => "bandit",
        }
    }

    /// Whether the strategy reads the statistics cache.
    pub fn learns(self) -> bool {
        matches!(self, StrategyName::Best | StrategyName::Bandit)
    }
}

/// What `sticky` routing keys on.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum StickyBy {
    /// The user name.
    #[default]
    User,
    /// The host name.
    Host,
    /// Nothing: random by weight.
    None,
}

/// The weights of success and rating in what `best` and `bandit` maximise.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ObjectiveDef {
    /// Weight of the success rate.
    pub success: f64,
    /// Weight of the mean rating.
    pub rating: f64,
}

impl Default for ObjectiveDef {
    fn default() -> Self {
        ObjectiveDef {
            success: 0.5,
            rating: 0.5,
        }
    }
}

/// One variant of a prompt.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct VariantDef {
    /// The variant's prompt text, relative to the config file (default: the prompt's file).
    pub file: Option<String>,
    /// Relative weight for random choice.
    pub weight: f64,
}

impl Default for VariantDef {
    fn default() -> Self {
        VariantDef {
            file: None,
            weight: 1.0,
        }
    }
}

/// A glob on requested names that sends them to a prompt.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Route {
    /// The glob (`*`, `?`, `[abc]`) matched against the whole requested name.
    #[serde(rename = "match")]
    pub pattern: String,
    /// The prompt the matching names run.
    pub prompt: String,
}

/// Defaults for every prompt.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Defaults {
    /// The argv template for prompts without a command of their own.
    pub command: Option<Vec<String>>,
    /// A timeout such as "5m" for every run.
    pub timeout: Option<String>,
}

/// Logging settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Logging {
    /// The log directory, relative to the config file.
    pub dir: Option<String>,
    /// Record the command's arguments (secrets redacted). Off by default.
    pub log_args: bool,
}

/// A config read from disk, with what is needed to explain problems in it.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The file it came from.
    pub path: PathBuf,
    /// The file's text, for locating problems.
    pub text: String,
    /// The parsed config.
    pub config: RouterConfig,
    /// Keys serde did not know, as paths into the document.
    pub unknown_keys: Vec<Vec<Segment>>,
}

impl LoadedConfig {
    /// Reads and parses `path`. Syntax and type errors name `path:line:column`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::io(path, source))?;
        Self::parse(path, text)
    }

    /// Parses config text that came from `path`.
    pub fn parse(path: &Path, text: String) -> Result<Self> {
        let mut unknown_keys = Vec::new();
        let mut deserializer = serde_json::Deserializer::from_str(&text);
        let parsed = serde_ignored::deserialize(&mut deserializer, |ignored| {
            unknown_keys.push(segments(&ignored));
        })
        .and_then(|config: RouterConfig| deserializer.end().map(|_| config));
        let config = parsed.map_err(|err| {
            Error::Config(format!(
                "{}:{}:{}: {}",
                path.display(),
                err.line(),
                char_column(&text, err.line(), err.column()),
                strip_position(&err.to_string())
            ))
        })?;
        Ok(LoadedConfig {
            path: path.to_path_buf(),
            text,
            config,
            unknown_keys,
        })
    }

    /// The directory relative paths in the config start from.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Resolves a path written in the config against the config's directory.
    pub fn resolve_path(&self, relative: &str) -> PathBuf {
        self.dir().join(relative)
    }

    /// `path:line:column` for a value (or, with `key`, for its key).
    pub fn position(&self, path: &[Segment], key: bool) -> Position {
        locate::locate(&self.text, path, key)
    }

    /// One warning line per unknown key, as `path:line:column: unknown key ...`.
    pub fn unknown_key_warnings(&self) -> Vec<String> {
        self.unknown_keys
            .iter()
            .map(|path| {
                let problem = validate::unknown_key(path);
                format!("{}: {}", problem.location(self), problem.message)
            })
            .collect()
    }
}

/// Renders a path as `prompts.summarize.file` / `routes[0].match`.
pub fn dotted(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

fn segments(path: &serde_ignored::Path) -> Vec<Segment> {
    use serde_ignored::Path;
    match path {
        Path::Root => Vec::new(),
        Path::Seq { parent, index } => {
            let mut out = segments(parent);
            out.push(Segment::Index(*index));
            out
        }
        Path::Map { parent, key } => {
            let mut out = segments(parent);
            out.push(Segment::Key(key.clone()));
            out
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => segments(parent),
    }
}

/// serde_json counts columns in bytes; positions elsewhere (and editors) count
/// characters. Converts a 1-based byte column on 1-based `line` to characters.
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(line_text) = text.split('\n').nth(line.saturating_sub(1)) else {
        return byte_column;
    };
    let mut end = byte_column.saturating_sub(1).min(line_text.len());
    while !line_text.is_char_boundary(end) {
        end -= 1;
    }
    line_text[..end].chars().count() + 1
}

/// serde_json appends " at line L column C"; the prefix already says where.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_count_columns_in_characters() {
        let text = "{\"prompts\": {\"é\": {\"file\": 1}}}".to_string();
        let err = LoadedConfig::parse(Path::new("c.json"), text).unwrap_err();
        // `1` is the 28th character (29th byte).
        assert!(err.to_string().starts_with("c.json:1:28: "), "{err}");
    }
}

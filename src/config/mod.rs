//! `router-config.json`: the model, where it is found, and how it is read.

pub mod context;
pub mod dirs;
pub mod discover;
pub mod edit;
pub mod feedback;
pub mod glob;
pub mod locate;
pub mod trust;
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
    /// Prices by model, USD per million tokens (before `pricing_file` and the default table).
    pub pricing: crate::run::pricing::PriceTable,
    /// A JSON price table (as `config/pricing.json`), relative to the config file;
    /// read only when a run has token metrics to price.
    pub pricing_file: Option<String>,
    /// Sending runs elsewhere (OTLP).
    pub export: crate::export::otlp::settings::ExportConfig,
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
    /// The model the prompt runs on (`{model}` in commands), unless the command or `--model` says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Who serves the model, unless the command says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
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
    /// The variant's model (default: the prompt's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The variant's provider (default: the prompt's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

impl Default for VariantDef {
    fn default() -> Self {
        VariantDef {
            file: None,
            weight: 1.0,
            model: None,
            provider: None,
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
    /// The model of prompts that name none.
    pub model: Option<String>,
    /// The provider of prompts that name none.
    pub provider: Option<String>,
}

/// Logging settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Logging {
    /// The log directory, relative to the config file.
    pub dir: Option<String>,
    /// Record the command's arguments (secrets redacted). Off by default.
    pub log_args: bool,
    /// Warn when a prompt's file cannot reach the command (no `{prompt_file}`,
    /// `{prompt}` or `--stdin`). On unless set to false.
    pub warn_unused_prompt: Option<bool>,
    /// Remove day files older than this many days (at most once a day, after a
    /// run, or with `promptrun purge --expired`). Unset keeps everything.
    pub retention_days: Option<u32>,
    /// More to redact when `log_args` is on: globs (`*`, `?`, `[abc]`) matched
    /// against every word of the arguments (a match is hidden) and against every
    /// flag, variable, header or query name (its value is hidden).
    pub redact: Vec<String>,
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
    /// The config was discovered, not named, so the prompt files it names must
    /// belong to the user too (see [`trust`]).
    pub strict_files: bool,
}

/// Config bytes as text; bytes that are not UTF-8 are an error naming the byte
/// offset (and line) of the first bad byte.
fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let line = 1 + err.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Error::Config(format!(
            "{}:{line}: not UTF-8 at byte offset {offset}; save the file as UTF-8",
            path.display()
        ))
    })
}

/// The largest config or prompt file promptrun reads: a bound, so that a file
/// linked to /dev/zero or grown without end is an error, not an endless read.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

impl LoadedConfig {
    /// Reads and parses `path`. Syntax and type errors name `path:line:column`.
    pub fn load(path: &Path) -> Result<Self> {
        Self::load_from(path, trust::Origin::Explicit)
    }

    /// Reads `path` (a regular file of at most [`MAX_FILE_BYTES`]), checks it as
    /// [`trust`] says for a config of `origin`, and parses it.
    pub fn load_from(path: &Path, origin: trust::Origin) -> Result<Self> {
        let (text, strict_files) = Self::read_checked(path, origin)?;
        let mut loaded = Self::parse(path, text)?;
        loaded.strict_files = strict_files;
        Ok(loaded)
    }

    /// The text of the config at `path`, once [`trust`] accepts it for `origin`,
    /// and whether the prompt files it names must pass the same checks.
    pub fn read_checked(path: &Path, origin: trust::Origin) -> Result<(String, bool)> {
        use crate::files::open::{Links, read_regular};
        let (bytes, meta) = read_regular(path, Links::Follow, MAX_FILE_BYTES)
            .map_err(|source| Error::io(path, source))?;
        let strict_files = trust::check_config(path, &meta, origin)?;
        let text = utf8(path, bytes)?;
        Ok((text, strict_files))
    }

    /// Parses config bytes that came from `path` (see [`utf8`]).
    pub fn parse_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self> {
        Self::parse(path, utf8(path, bytes)?)
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
            strict_files: false,
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

    #[test]
    fn bytes_that_are_not_utf8_are_named_by_offset() {
        let bytes = b"{\n  \"prompts\": {\"a\xff\": {}}\n}".to_vec();
        let err = LoadedConfig::parse_bytes(Path::new("c.json"), bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.json:2: not UTF-8 at byte offset 18; save the file as UTF-8"
        );
    }

    /// A config error is one line that starts with the file's name.
    fn assert_one_line_naming_the_file(result: Result<LoadedConfig>) {
        if let Err(err) = result {
            let message = err.to_string();
            assert!(message.starts_with("dir/router-config.json:"), "{message}");
            assert!(!message.contains('\n'), "{message:?}");
        }
    }

    /// JSON values of every shape, nested a few levels, with keys the model knows.
    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let key = prop_oneof![
            Just("prompts".to_string()),
            Just("routes".to_string()),
            Just("defaults".to_string()),
            Just("timeout".to_string()),
            Just("logging".to_string()),
            Just("redact".to_string()),
            Just("file".to_string()),
            Just("match".to_string()),
            Just("prompt".to_string()),
            Just("variants".to_string()),
            Just("weight".to_string()),
            Just("feedback".to_string()),
            Just("alerts".to_string()),
            "\\PC{0,6}",
        ];
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            "\\PC{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(key.clone(), inner, 0..5)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let path = Path::new("dir/router-config.json");
            assert_one_line_naming_the_file(LoadedConfig::parse_bytes(path, bytes));
        }

        #[test]
        fn arbitrary_json_never_panics(value in json_value()) {
            let path = Path::new("dir/router-config.json");
            let loaded = LoadedConfig::parse_bytes(path, value.to_string().into_bytes());
            if let Ok(loaded) = &loaded {
                // Checking and locating a parsed config must not panic either.
                for problem in validate::check(loaded) {
                    let line = problem.render(loaded);
                    assert!(line.starts_with("dir/router-config.json:"), "{line}");
                }
                let _ = loaded.unknown_key_warnings();
            }
            assert_one_line_naming_the_file(loaded);
        }
    }
}

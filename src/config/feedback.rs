//! The `feedback` section of the router config: when to ask for a rating.
//!
//! Values are read loosely (strings and numbers) so that `config check` can
//! point at a bad one with its position, and a run with a bad value still works:
//! [`FeedbackConfig::settings`] falls back to the default and says why.

use std::time::Duration;

use serde::Deserialize;

use super::locate::Segment;
use super::validate::{Problem, Severity};
use crate::cli::parse_duration;

/// How long the question waits for a key unless `feedback.timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long after a question about a prompt the next one waits, unless
/// `feedback.cooldown` says otherwise: long enough that a burst of runs of one
/// prompt asks once, short enough that a working session still gives ratings.
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(10 * 60);

/// Settings for the rating question after a run, as written in the config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FeedbackConfig {
    /// "tty" (default: ask on a terminal), "always" (on a terminal, every run,
    /// ignoring sample_rate) or "never" (only `--rate` asks).
    pub ask: Option<String>,
    /// Ask after only this share of runs, 0 to 1 (default 1).
    pub sample_rate: Option<f64>,
    /// Skip the question when no key comes for this long ("30s" by default; "0" waits forever).
    pub timeout: Option<String>,
    /// Ask for a one-line comment after a rating at or below this (1-5; default: never).
    pub comment_below: Option<u8>,
    /// With "tty": ask about one prompt at most once per this long ("10m" by default; "0": every run).
    pub cooldown: Option<String>,
}

/// When the config says to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AskPolicy {
    /// On a terminal, for a `sample_rate` share of runs.
    #[default]
    Tty,
    /// On a terminal, after every run.
    Always,
    /// Only when `--rate` asks for it.
    Never,
}

impl AskPolicy {
    /// Parses "tty", "always" or "never".
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "tty" => Some(AskPolicy::Tty),
            "always" => Some(AskPolicy::Always),
            "never" => Some(AskPolicy::Never),
            _ => None,
        }
    }
}

/// The feedback settings a run uses, every value checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeedbackSettings {
    /// When to ask.
    pub ask: AskPolicy,
    /// 0 to 1.
    pub sample_rate: f64,
    /// `None`: wait for a key as long as it takes.
    pub timeout: Option<Duration>,
    /// Ask for a comment at or below this rating; 0 never asks.
    pub comment_below: u8,
    /// With `tty`: the least time between two questions about one prompt (`None`: none).
    pub cooldown: Option<Duration>,
}

impl Default for FeedbackSettings {
    fn default() -> Self {
        FeedbackSettings {
            ask: AskPolicy::Tty,
            sample_rate: 1.0,
            timeout: Some(DEFAULT_TIMEOUT),
            comment_below: 0,
            cooldown: Some(DEFAULT_COOLDOWN),
        }
    }
}

impl FeedbackConfig {
    /// The settings to use; a bad value falls back to its default, with one
    /// message per problem as `feedback.KEY: ...`.
    pub fn settings(&self) -> (FeedbackSettings, Vec<String>) {
        let mut settings = FeedbackSettings::default();
        let mut messages = Vec::new();
        let mut note = |message: String| messages.push(format!("{message}; using the default"));
        match self
            .ask
            .as_deref()
            .map(|text| (text, AskPolicy::parse(text)))
        {
            Some((_, Some(policy))) => settings.ask = policy,
            Some((text, None)) => note(ask_message(text)),
            None => {}
        }
        match self.sample_rate {
            Some(rate) if valid_rate(rate) => settings.sample_rate = rate,
            Some(rate) => note(rate_message(rate)),
            None => {}
        }
        match self.timeout.as_deref().map(parse_timeout) {
            Some(Ok(timeout)) => settings.timeout = timeout,
            Some(Err(message)) => note(message),
            None => {}
        }
        match self.comment_below {
            Some(rating) if rating <= 5 => settings.comment_below = rating,
            Some(rating) => note(comment_message(rating)),
            None => {}
        }
        match self.cooldown.as_deref().map(parse_cooldown) {
            Some(Ok(cooldown)) => settings.cooldown = cooldown,
            Some(Err(message)) => note(message),
            None => {}
        }
        (settings, messages)
    }
}

fn valid_rate(rate: f64) -> bool {
    (0.0..=1.0).contains(&rate)
}

fn ask_message(text: &str) -> String {
    format!("feedback.ask: expected \"tty\", \"always\" or \"never\", got \"{text}\"")
}

fn rate_message(rate: f64) -> String {
    format!("feedback.sample_rate: expected a share of runs between 0 and 1, got {rate}")
}

fn comment_message(rating: u8) -> String {
    format!("feedback.comment_below: expected a rating from 1 to 5 (0: never ask), got {rating}")
}

/// Parses `feedback.timeout`: a duration, where zero means no timeout.
fn parse_timeout(text: &str) -> Result<Option<Duration>, String> {
    parse_duration(text)
        .map(|timeout| (!timeout.is_zero()).then_some(timeout))
        .map_err(|message| format!("feedback.timeout: {message}"))
}

/// Parses `feedback.cooldown`: a duration, where zero means none.
fn parse_cooldown(text: &str) -> Result<Option<Duration>, String> {
    parse_duration(text)
        .map(|cooldown| (!cooldown.is_zero()).then_some(cooldown))
        .map_err(|message| format!("feedback.cooldown: {message}"))
}

/// Problems in the `feedback` section.
pub fn check(config: &FeedbackConfig) -> Vec<Problem> {
    let at = |key: &str| vec![Segment::Key("feedback".into()), Segment::Key(key.into())];
    let mut problems = Vec::new();
    if let Some(text) = &config.ask
        && AskPolicy::parse(text).is_none()
    {
        problems.push(Problem::error(at("ask"), ask_message(text)));
    }
    if let Some(rate) = config.sample_rate {
        if !valid_rate(rate) {
            problems.push(Problem::error(at("sample_rate"), rate_message(rate)));
        } else if rate < 1.0 && config.ask.as_deref() == Some("always") {
            problems.push(Problem {
                severity: Severity::Warning,
                path: at("sample_rate"),
                at_key: false,
                message: "feedback.sample_rate is ignored when ask is \"always\"".into(),
            });
        }
    }
    if let Some(Err(message)) = config.timeout.as_deref().map(parse_timeout) {
        problems.push(Problem::error(at("timeout"), message));
    }
    if let Some(Err(message)) = config.cooldown.as_deref().map(parse_cooldown) {
        problems.push(Problem::error(at("cooldown"), message));
    }
    if let Some(rating) = config.comment_below
        && rating > 5
    {
        problems.push(Problem::error(at("comment_below"), comment_message(rating)));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> FeedbackConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn defaults_ask_on_a_terminal_every_run_with_a_30s_timeout() {
        let (settings, messages) = config("{}").settings();
        assert_eq!(settings, FeedbackSettings::default());
        assert_eq!(settings.timeout, Some(Duration::from_secs(30)));
        assert!(messages.is_empty());
        assert!(check(&config("{}")).is_empty());
    }

    #[test]
    fn valid_values_are_used() {
        let (settings, messages) =
            config(r#"{"ask":"never","sample_rate":0.25,"timeout":"2s","comment_below":2}"#)
                .settings();
        assert!(messages.is_empty());
        assert_eq!(settings.ask, AskPolicy::Never);
        assert_eq!(settings.sample_rate, 0.25);
        assert_eq!(settings.timeout, Some(Duration::from_secs(2)));
        assert_eq!(settings.comment_below, 2);
        assert_eq!(config(r#"{"timeout":"0"}"#).settings().0.timeout, None);
    }

    #[test]
    fn the_shipped_example_config_has_valid_feedback_settings() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/router-config.json");
        let loaded = crate::config::LoadedConfig::load(&path).unwrap();
        assert!(check(&loaded.config.feedback).is_empty());
        let (settings, messages) = loaded.config.feedback.settings();
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(settings.comment_below, 2);
    }

    #[test]
    fn bad_values_fall_back_and_are_reported() {
        let bad =
            config(r#"{"ask":"sometimes","sample_rate":1.5,"timeout":"soon","comment_below":9}"#);
        let (settings, messages) = bad.settings();
        assert_eq!(settings, FeedbackSettings::default());
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("feedback.ask: expected"));
        let problems = check(&bad);
        assert_eq!(problems.len(), 4);
        assert!(problems.iter().all(|p| p.severity == Severity::Error));
        assert_eq!(
            problems[1].path,
            vec![
                Segment::Key("feedback".into()),
                Segment::Key("sample_rate".into())
            ]
        );
    }
}

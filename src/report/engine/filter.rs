//! Which runs a view selects, and how it groups them.

use crate::config::glob::Glob;

use super::time::Bucket;

/// A run's outcome as filters see it: a run_end status or `incomplete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Ok,
    Error,
    Signal,
    Timeout,
    SpawnFailed,
    /// A run_start with no run_end.
    Incomplete,
}

impl StatusFilter {
    /// The status index of [`super::parse::STATUS_NAMES`], or `None` for incomplete.
    pub fn index(self) -> Option<u8> {
        match self {
            StatusFilter::Ok => Some(0),
            StatusFilter::Error => Some(1),
            StatusFilter::Signal => Some(2),
            StatusFilter::Timeout => Some(3),
            StatusFilter::SpawnFailed => Some(4),
            StatusFilter::Incomplete => None,
        }
    }

    /// The name used in the filters and the JSON.
    pub fn name(self) -> &'static str {
        self.index()
            .map_or("incomplete", |i| super::parse::STATUS_NAMES[i as usize])
    }
}

/// The runs a view selects. Empty lists select everything.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Runs that started at or after this time (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Runs that started before this time (ms since the epoch).
    pub until_ms: Option<i64>,
    /// Prompt name globs; a run matches when any matches.
    pub prompts: Vec<Glob>,
    /// Variant globs; a run matches when any matches (`-` matches no variant).
    pub variants: Vec<Glob>,
    /// `KEY=VALUE` tags a run must all have.
    pub tags: Vec<(String, String)>,
    /// Outcomes; a run matches when it has any of them.
    pub statuses: Vec<StatusFilter>,
    /// User hashes or unique prefixes of them; a run matches when any matches.
    pub users: Vec<String>,
    /// Model globs; a run matches when any matches (`-` matches no model).
    pub models: Vec<Glob>,
}

/// What a view groups runs by. Several fields make a composite key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupField {
    Prompt,
    Variant,
    /// The prompt's version: `prompt_sha256`.
    Version,
    Command,
    User,
    Host,
    Resolution,
    /// The model the run used (run_end's `model`).
    Model,
    /// Who served the model (run_end's `provider`).
    Provider,
    /// The value of one tag (`tag:KEY`).
    Tag(String),
    /// When the run started, by hour, day or week.
    Time(Bucket),
    /// The allocation period of a learning router (`selection.period`; 0 when
    /// absent), so comparisons can be made within periods of constant split.
    Period,
}

impl GroupField {
    /// The name used in `GroupStats.key` and on the command line.
    pub fn name(&self) -> String {
        match self {
            GroupField::Prompt => "prompt".into(),
            GroupField::Variant => "variant".into(),
            GroupField::Version => "version".into(),
            GroupField::Command => "command".into(),
            GroupField::User => "user".into(),
            GroupField::Host => "host".into(),
            GroupField::Resolution => "resolution".into(),
            GroupField::Model => "model".into(),
            GroupField::Provider => "provider".into(),
            GroupField::Tag(key) => format!("tag:{key}"),
            GroupField::Time(bucket) => bucket.name().into(),
            GroupField::Period => "period".into(),
        }
    }

    /// Parses `prompt`, `variant`, `version`, `command`, `user`, `host`, `resolution`,
    /// `model`, `provider`, `period`, `tag:KEY`, `hour`, `day` or `week`.
    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(match text {
            "prompt" => GroupField::Prompt,
            "variant" => GroupField::Variant,
            "version" => GroupField::Version,
            "command" => GroupField::Command,
            "user" => GroupField::User,
            "host" => GroupField::Host,
            "resolution" => GroupField::Resolution,
            "model" => GroupField::Model,
            "provider" => GroupField::Provider,
            "period" => GroupField::Period,
            "hour" => GroupField::Time(Bucket::Hour),
            "day" => GroupField::Time(Bucket::Day),
            "week" => GroupField::Time(Bucket::Week),
            _ => match text.strip_prefix("tag:") {
                Some(key) if !key.is_empty() => GroupField::Tag(key.into()),
                _ => {
                    return Err(format!(
                        "cannot group by `{text}`: use prompt, variant, version, command, \
                         user, host, resolution, model, provider, period, tag:KEY, hour, day or week"
                    ));
                }
            },
        })
    }
}

/// The fields of a run that filters and group keys read, decoded once per distinct combination.
#[derive(Debug, Clone, Default)]
pub struct RunFields {
    pub prompt: String,
    pub variant: Option<String>,
    pub version: Option<String>,
    pub resolution: Option<String>,
    pub command: Option<String>,
    pub user: Option<String>,
    pub host: Option<String>,
    pub model: Option<String>,
    pub provider: Option<String>,
    pub tags: Vec<(String, String)>,
    /// The allocation period (`selection.period`), 0 when absent.
    pub period: u64,
}

impl RunFields {
    fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a (non-time) group field; null fields become "".
    pub fn value(&self, field: &GroupField) -> String {
        let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
        match field {
            GroupField::Prompt => self.prompt.clone(),
            GroupField::Variant => or_empty(&self.variant),
            GroupField::Version => or_empty(&self.version),
            GroupField::Command => or_empty(&self.command),
            GroupField::User => or_empty(&self.user),
            GroupField::Host => or_empty(&self.host),
            GroupField::Resolution => or_empty(&self.resolution),
            GroupField::Model => or_empty(&self.model),
            GroupField::Provider => or_empty(&self.provider),
            GroupField::Tag(key) => self.tag(key).unwrap_or_default().to_string(),
            GroupField::Time(_) => String::new(),
            GroupField::Period => self.period.to_string(),
        }
    }
}

impl Filters {
    /// Whether the filters that depend on a run's fields (not its time or status) select it.
    pub fn selects_fields(&self, run: &RunFields) -> bool {
        let prompt_ok =
            self.prompts.is_empty() || self.prompts.iter().any(|g| g.matches(&run.prompt));
        let variant_ok = self.variants.is_empty()
            || self
                .variants
                .iter()
                .any(|g| g.matches(run.variant.as_deref().unwrap_or("-")));
        let tags_ok = self
            .tags
            .iter()
            .all(|(k, v)| run.tag(k) == Some(v.as_str()));
        let user_ok = self.users.is_empty()
            || run
                .user
                .as_deref()
                .is_some_and(|user| self.users.iter().any(|u| user.starts_with(u.as_str())));
        let model_ok = self.models.is_empty()
            || self
                .models
                .iter()
                .any(|g| g.matches(run.model.as_deref().unwrap_or("-")));
        prompt_ok && variant_ok && tags_ok && user_ok && model_ok
    }

    /// Whether a run's start time is inside the window.
    #[inline]
    pub fn selects_time(&self, ms: i64) -> bool {
        self.since_ms.is_none_or(|since| ms >= since)
            && self.until_ms.is_none_or(|until| ms < until)
    }

    /// Whether a run's outcome (a status index, or `None` when incomplete) is selected.
    #[inline]
    pub fn selects_status(&self, status: Option<u8>) -> bool {
        self.statuses.is_empty() || self.statuses.iter().any(|s| s.index() == status)
    }
}

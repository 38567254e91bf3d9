//! `promptrun recommend`: concrete actions, each with its evidence, most
//! important first. Pure: it reads computed reports, the comparisons and the
//! config, and decides nothing statistical itself (verdicts come from
//! `learn::verdict`, changes from `trends`/`alerts::evaluate`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::alerts::evaluate::prompt_of;
use super::alerts::rules::AlertsConfig;
use super::arms::arm_view;
use super::compare::CompareOptions;
use super::compare::{CompareReport, Comparison, amount};
use super::engine::model::{GroupStats, Report};
use super::engine::{Filters, GroupField, SortKey, ViewSpec};
use super::trends::Trends;
use super::window::views::{Selection, WindowedReports};
use crate::config::LoadedConfig;
use crate::config::edit::ConfigChange;
use crate::config::glob::Glob;
use crate::learn::verdict::Metric;

/// The `schema` of `recommend --format json`.
pub const RECOMMEND_SCHEMA: &str = "promptrun.recommend/v1";

/// Participation the feedback loop aims for; "far under" is under half of it.
pub const TARGET_PARTICIPATION: f64 = 0.8;
/// Runs before a prompt's failure, timeout or participation is judged.
pub const MIN_RUNS: u64 = 10;
/// Success below this is "fails often".
pub const FAILING_BELOW: f64 = 0.9;
/// Timeouts above this share of completed runs are "times out often".
pub const TIMEOUTS_ABOVE: f64 = 0.05;
/// Ad hoc runs of a name before an alias is suggested for it.
pub const MIN_ALIAS_RUNS: u64 = 3;
/// Share of a prompt's runs that came through a route before an alias is worth it.
pub const ROUTE_SHARE: f64 = 0.5;

/// The whole document.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendations {
    /// Always [`RECOMMEND_SCHEMA`].
    pub schema: &'static str,
    /// The runs the verdicts and counts read (`--since`/`--until`; null: all).
    pub window: WindowJson,
    /// The window trends compare with the one before (default: the last 7 days).
    pub trend_window: super::window::WindowLabel,
    /// Most important first.
    pub recommendations: Vec<Recommendation>,
    /// `--apply`: the config file changed and its backup, when anything was applied.
    pub applied: Option<Applied>,
}

/// A window as `[start, end)`, null ends unbounded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WindowJson {
    pub since: Option<String>,
    pub until: Option<String>,
}

impl WindowJson {
    /// `all runs`, `since X`, `X to Y`.
    pub fn label(&self) -> String {
        match (&self.since, &self.until) {
            (None, None) => "all runs".into(),
            (Some(s), None) => format!("since {}", super::window::minutes(s)),
            (None, Some(u)) => format!("until {}", super::window::minutes(u)),
            (Some(s), Some(u)) => format!(
                "{} to {}",
                super::window::minutes(s),
                super::window::minutes(u)
            ),
        }
    }
}

/// What `--apply` did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub config: String,
    pub backup: String,
    pub changes: Vec<ConfigChange>,
}

/// One action.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// 1 = most important.
    pub rank: usize,
    /// `promote_winner`, `retire_loser`, `revert_edit`, `failing`, `timeouts`,
    /// `slower`, `rating_fell`, `rarely_rated`, `never_run`, `zero_weight`,
    /// `add_alias` or `route_alias`.
    pub kind: &'static str,
    pub prompt: String,
    /// What to do.
    pub action: String,
    /// Why: counts, window, interval.
    pub evidence: String,
    /// The config change `--apply` makes, when it can make one.
    pub change: Option<ConfigChange>,
    /// Whether `--apply` made it.
    pub applied: bool,
    #[serde(skip)]
    priority: f64,
}

fn rec(
    priority: f64,
    kind: &'static str,
    prompt: &str,
    action: String,
    evidence: String,
) -> Recommendation {
    Recommendation {
        rank: 0,
        kind,
        prompt: prompt.to_string(),
        action,
        evidence,
        change: None,
        applied: false,
        priority,
    }
}

/// What recommend reads.
pub struct Inputs<'a> {
    /// Verdicts over the selected runs.
    pub compare: &'a CompareReport,
    /// The selected runs by prompt and resolution.
    pub resolutions: &'a Report,
    /// The trend window by prompt.
    pub current: &'a Report,
    /// This trend window against the one before.
    pub trends: &'a Trends,
    pub config: Option<&'a LoadedConfig>,
    /// `--prompt` globs, so unselected configured prompts are not "never run".
    pub selects: &'a dyn Fn(&str) -> bool,
    pub window: WindowJson,
}

/// The views compare and recommend add to a windowed pass: the arms and the
/// runs by prompt and resolution, over `filters`.
pub fn learn_views(
    filters: &Filters,
    shown: &BTreeMap<String, serde_json::Value>,
) -> Vec<ViewSpec> {
    let resolutions = ViewSpec {
        filters: filters.clone(),
        group_by: vec![GroupField::Prompt, GroupField::Resolution],
        sort: SortKey::Key,
        ..ViewSpec::default()
    };
    vec![arm_view(filters.clone(), shown.clone()), resolutions]
}

/// What the learn views say.
pub struct Learned {
    pub compare: CompareReport,
    pub recommendations: Vec<Recommendation>,
    /// What the arm view read (for skipped lines).
    pub arms_inputs: Report,
}

/// The verdicts and the ranked recommendations from a windowed pass and the
/// results of [`learn_views`].
pub fn learn(
    config: Option<&LoadedConfig>,
    alerts: &AlertsConfig,
    trend: &Selection,
    reports: &WindowedReports,
    mut extra: Vec<Report>,
    prompt_globs: &[Glob],
    window: WindowJson,
) -> Learned {
    let resolutions = extra.pop().unwrap_or_default();
    let arms = extra.pop().unwrap_or_default();
    let arms_inputs = Report {
        inputs: arms.inputs.clone(),
        ..Report::default()
    };
    let trends = super::trends::compute(
        alerts,
        &reports.timeline,
        &reports.current,
        reports.previous.as_ref(),
        trend.bucket.name(),
        trend.window.label(),
        trend.window.previous().map(|w| w.label()),
    );
    let compare = super::compare::compute(
        arms,
        &CompareOptions {
            default_variants: super::compare::default_variants(config),
            ..CompareOptions::default()
        },
    );
    let selects =
        |name: &str| prompt_globs.is_empty() || prompt_globs.iter().any(|g| g.matches(name));
    let recommendations = compute(&Inputs {
        compare: &compare,
        resolutions: &resolutions,
        current: &reports.current,
        trends: &trends,
        config,
        selects: &selects,
        window,
    });
    Learned {
        compare,
        recommendations,
        arms_inputs,
    }
}

/// The ranked recommendations.
pub fn compute(inputs: &Inputs) -> Vec<Recommendation> {
    let window = inputs.window.label();
    let trend_window = match &inputs.trends.window.start {
        Some(start) => format!(
            "{} to {}",
            super::window::minutes(start),
            super::window::minutes(&inputs.trends.window.end)
        ),
        None => format!(
            "until {}",
            super::window::minutes(&inputs.trends.window.end)
        ),
    };
    let mut out = Vec::new();
    verdicts(inputs, &window, &mut out);
    health(inputs.current, &trend_window, &mut out);
    changes(inputs.trends, &trend_window, &mut out);
    if let Some(config) = inputs.config {
        config_hygiene(inputs, config, &window, &mut out);
    }
    out.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.prompt.cmp(&b.prompt))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    out
}

fn metric(c: &Comparison) -> Metric {
    if c.metric == "rating" {
        Metric::Rating
    } else {
        Metric::Success
    }
}

fn verdict_evidence(c: &Comparison, window: &str) -> String {
    let interval = match (c.outcome.diff, c.outcome.lo, c.outcome.hi) {
        (Some(d), Some(lo), Some(hi)) => format!(
            "{} {}, 95% anytime interval {} to {}",
            c.metric,
            amount(metric(c), d),
            amount(metric(c), lo),
            amount(metric(c), hi)
        ),
        _ => c.summary.clone(),
    };
    format!(
        "{}: {} vs {} runs ({} vs {} rated), {window}; {interval}",
        c.kind, c.a.runs, c.b.runs, c.a.rated, c.b.rated
    )
}

fn verdicts(inputs: &Inputs, window: &str, out: &mut Vec<Recommendation>) {
    let defaults: BTreeMap<&str, Option<&str>> = inputs
        .config
        .map(|l| {
            l.config
                .prompts
                .iter()
                .map(|(n, p)| (n.as_str(), p.default_variant.as_deref()))
                .collect()
        })
        .unwrap_or_default();
    for c in &inputs.compare.comparisons {
        if c.outcome.kind != "winner" {
            continue;
        }
        let (winner, loser) = if c.outcome.arm == Some("a") {
            (&c.a, &c.b)
        } else {
            (&c.b, &c.a)
        };
        let size = c.outcome.diff.unwrap_or(0.0).abs();
        let evidence = verdict_evidence(c, window);
        match c.kind {
            "variants" => {
                let Some(variant) = winner.variant.clone() else {
                    continue;
                };
                let current = defaults.get(c.prompt.as_str()).copied().flatten();
                if current != Some(variant.as_str()) {
                    let mut r = rec(
                        100.0 + size,
                        "promote_winner",
                        &c.prompt,
                        format!(
                            "promote variant {variant} of {}: set default_variant to \"{variant}\"",
                            c.prompt
                        ),
                        evidence.clone(),
                    );
                    let configured = inputs.config.is_some_and(|l| {
                        l.config
                            .prompts
                            .get(&c.prompt)
                            .is_some_and(|p| p.variants.contains_key(&variant))
                    });
                    if configured {
                        r.change = Some(ConfigChange::SetDefaultVariant {
                            prompt: c.prompt.clone(),
                            variant,
                        });
                    }
                    out.push(r);
                }
                out.push(rec(
                    90.0 + size,
                    "retire_loser",
                    &c.prompt,
                    format!(
                        "retire variant {} of {}: set its weight to 0 or remove it",
                        loser.name, c.prompt
                    ),
                    evidence,
                ));
            }
            _ if c.outcome.arm == Some("a") => out.push(rec(
                95.0 + size,
                "revert_edit",
                &c.prompt,
                format!(
                    "the edit of {}{} made it worse: version {} is worse than the previous \
                     {}; revert the prompt file or fix it",
                    c.prompt,
                    c.a.variant
                        .as_deref()
                        .map(|v| format!(" (variant {v})"))
                        .unwrap_or_default(),
                    c.b.name,
                    c.a.name
                ),
                evidence,
            )),
            _ => {}
        }
    }
}

fn completed(group: &GroupStats) -> u64 {
    group.statuses.values().sum()
}

fn health(current: &Report, window: &str, out: &mut Vec<Recommendation>) {
    for group in &current.groups {
        let prompt = prompt_of(group);
        let done = completed(group);
        if done < MIN_RUNS {
            continue;
        }
        if let Some(rate) = group.success_rate.filter(|r| *r < FAILING_BELOW) {
            let ok_ci = crate::learn::success::wilson(group.ok, done, 1.96);
            out.push(rec(
                80.0 + (1.0 - rate) * 10.0,
                "failing",
                prompt,
                format!(
                    "{prompt} fails often: look at its failed runs (`promptrun report \
                     --prompt {prompt} --status error`)"
                ),
                format!(
                    "{} of {done} runs failed ({:.0}% success, 95% interval {:.0}% to {:.0}%), {window}",
                    done - group.ok,
                    rate * 100.0,
                    ok_ci.lo * 100.0,
                    ok_ci.hi * 100.0
                ),
            ));
        }
        let timeouts = group.statuses.get("timeout").copied().unwrap_or(0);
        let share = timeouts as f64 / done as f64;
        if share > TIMEOUTS_ABOVE {
            out.push(rec(
                78.0 + share * 10.0,
                "timeouts",
                prompt,
                format!(
                    "{prompt} times out often: raise its timeout (`defaults.timeout` or \
                     `--timeout`) or make it faster"
                ),
                format!(
                    "{timeouts} of {done} runs timed out ({:.0}%), {window}",
                    share * 100.0
                ),
            ));
        }
        let rated = group.ratings.count;
        match group.participation {
            Some(p) if p < TARGET_PARTICIPATION / 2.0 => out.push(rec(
                40.0 + (TARGET_PARTICIPATION - p) * 10.0,
                "rarely_rated",
                prompt,
                format!(
                    "{prompt} is rarely rated: ask more often (`feedback.sample_rate` closer \
                     to 1, `feedback.ask` \"always\") and catch up with `promptrun rate --pending`"
                ),
                format!(
                    "{rated} of {done} runs rated, {:.0}% of those asked (aim: {:.0}%), {window}",
                    p * 100.0,
                    TARGET_PARTICIPATION * 100.0
                ),
            )),
            None if rated == 0 => out.push(rec(
                38.0,
                "rarely_rated",
                prompt,
                format!(
                    "{prompt} is never rated: no run asked for a rating; set `feedback.ask` \
                     and `feedback.sample_rate`, or rate with `promptrun rate --pending`"
                ),
                format!("0 of {done} runs rated, none asked, {window}"),
            )),
            _ => {}
        }
    }
}

fn changes(trends: &Trends, window: &str, out: &mut Vec<Recommendation>) {
    for change in &trends.changes {
        let prompt = &change.prompt;
        let before = change.previous.as_ref();
        for flag in &change.flags {
            match *flag {
                "max_p95_increase_pct" => out.push(rec(
                    70.0,
                    "slower",
                    prompt,
                    format!("{prompt} got slower: check what changed (model, prompt, input size)"),
                    format!(
                        "p95 {} → {} ms ({:+.0}%), {} → {} runs, {window} against the window before",
                        before.and_then(|p| p.p95_ms).map_or("?".into(), |v| format!("{v:.0}")),
                        change.current.p95_ms.map_or("?".into(), |v| format!("{v:.0}")),
                        change.p95_change_pct.unwrap_or(0.0),
                        before.map_or(0, |p| p.runs),
                        change.current.runs
                    ),
                )),
                "max_rating_drop" => out.push(rec(
                    75.0,
                    "rating_fell",
                    prompt,
                    format!(
                        "{prompt}'s rating fell: read its latest comments (`promptrun report \
                         feedback --prompt {prompt} --comments`)"
                    ),
                    format!(
                        "mean rating {} → {} ({}), {window} against the window before",
                        before.and_then(|p| p.mean_rating).map_or("?".into(), |v| format!("{v:.2}★")),
                        change.current.mean_rating.map_or("?".into(), |v| format!("{v:.2}★")),
                        change.rating_change.map_or("?".into(), |v| format!("{v:+.2}★"))
                    ),
                )),
                _ => {}
            }
        }
    }
}

fn config_hygiene(
    inputs: &Inputs,
    loaded: &LoadedConfig,
    window: &str,
    out: &mut Vec<Recommendation>,
) {
    let mut runs: BTreeMap<&str, u64> = BTreeMap::new();
    let mut routed: BTreeMap<&str, u64> = BTreeMap::new();
    let mut adhoc: BTreeMap<&str, u64> = BTreeMap::new();
    for group in &inputs.resolutions.groups {
        let prompt = prompt_of(group);
        *runs.entry(prompt).or_default() += group.runs;
        match group.key.get("resolution").map(String::as_str) {
            Some("route") => *routed.entry(prompt).or_default() += group.runs,
            Some("adhoc") => *adhoc.entry(prompt).or_default() += group.runs,
            _ => {}
        }
    }
    for (name, prompt) in &loaded.config.prompts {
        if (inputs.selects)(name) && !runs.contains_key(name.as_str()) {
            out.push(rec(
                20.0,
                "never_run",
                name,
                format!(
                    "{name} is configured but never run: remove it, or tell its users its name"
                ),
                format!("0 runs, {window}"),
            ));
        }
        for (variant, def) in &prompt.variants {
            if def.weight <= 0.0 && prompt.default_variant.as_deref() != Some(variant.as_str()) {
                out.push(rec(
                    15.0,
                    "zero_weight",
                    name,
                    format!(
                        "variant {variant} of {name} has weight 0 and is never picked: remove it \
                         or give it a weight"
                    ),
                    format!("prompts.{name}.variants.{variant}.weight = 0 in the config"),
                ));
            }
        }
    }
    for (&prompt, &n) in &routed {
        let total = runs.get(prompt).copied().unwrap_or(n);
        if n >= MIN_RUNS && n as f64 >= ROUTE_SHARE * total as f64 {
            out.push(rec(
                25.0,
                "route_alias",
                prompt,
                format!(
                    "{prompt} is mostly reached through a route: add the names people type as \
                     aliases (`prompts.{prompt}.aliases`)"
                ),
                format!("{n} of {total} runs resolved by a route, {window}"),
            ));
        }
    }
    let configured = |name: &str| {
        loaded.config.prompts.contains_key(name)
            || loaded
                .config
                .prompts
                .values()
                .any(|p| p.aliases.iter().any(|a| a == name))
    };
    for (&typed, &n) in &adhoc {
        if configured(typed) || n < MIN_ALIAS_RUNS {
            continue;
        }
        let target = crate::run::router::suggestions(loaded, typed)
            .into_iter()
            .find_map(|name| {
                if loaded.config.prompts.contains_key(&name) {
                    Some(name)
                } else {
                    loaded
                        .config
                        .prompts
                        .iter()
                        .find(|(_, p)| p.aliases.contains(&name))
                        .map(|(n, _)| n.clone())
                }
            });
        let evidence =
            format!("{n} runs named `{typed}` matched no configured prompt (ran ad hoc), {window}");
        let mut r = match &target {
            Some(target) => rec(
                30.0 + (n as f64).ln_1p(),
                "add_alias",
                target,
                format!("add `{typed}` as an alias of {target}"),
                evidence,
            ),
            None => rec(
                28.0,
                "add_alias",
                typed,
                format!("`{typed}` resolves to no prompt: add it to the config or as an alias"),
                evidence,
            ),
        };
        r.change = target.map(|prompt| ConfigChange::AddAlias {
            prompt,
            alias: typed.to_string(),
        });
        out.push(r);
    }
}

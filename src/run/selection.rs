//! Picking a prompt's variant: the configured strategy turned into one
//! decision through [`crate::learn::decide`], with the probabilities logged in
//! run_start's `selection` and a one-line reason for `--dry-run`.
//!
//! `fixed` and `weighted` need nothing but the config; `sticky` hashes the
//! salted user (or host) name with the prompt; `best` and `bandit` read the
//! statistics cache ([`super::selection_cache`]) and nothing else before the
//! command runs — folding new log lines happens after it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::{LoadedConfig, PromptDef, SelectionDef, StickyBy, StrategyName};
use crate::error::warn;
use crate::learn::period::Period;
use crate::learn::rating::PRIOR_STRENGTH;
use crate::learn::select::{Objective, objective_posterior};
use crate::learn::strategy::{DecideInput, LearnConfig};
use crate::learn::verdict::{Outcome, Side, VerdictConfig};
use crate::learn::{ArmStats, RatingPrior, Strategy, decide};
use crate::record::event::Selection;
use crate::record::privacy::{self, IdentityHasher};

use super::selection_cache::{self, CacheError};

/// Where the learning strategies find their statistics.
#[derive(Debug, Clone, Default)]
pub struct SelectionEnv {
    /// promptrun's state directory (salt, statistics cache).
    pub state_dir: Option<PathBuf>,
    /// The log directory the statistics come from.
    pub log_dir: Option<PathBuf>,
    /// Whether runs are logged (learning needs the log).
    pub logging: bool,
}

/// How a variant was picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The chosen variant.
    pub variant: String,
    /// The strategy in force (after any fallback).
    pub strategy: StrategyName,
    /// The configured strategy (before any fallback).
    pub configured: StrategyName,
    /// What run_start logs.
    pub selection: Selection,
    /// Why, in one line: `bandit: ...`.
    pub why: String,
}

impl Choice {
    /// Whether the statistics cache should take in this run after it ended
    /// (also after a fallback: a damaged cache is rebuilt then).
    pub fn learns(&self) -> bool {
        self.configured.learns()
    }
}

/// The variants of a prompt with their weights and files, in config order.
struct Arms<'a> {
    names: Vec<&'a str>,
    weights: Vec<f64>,
}

impl<'a> Arms<'a> {
    fn of(prompt: &'a PromptDef) -> Self {
        Arms {
            names: prompt.variants.keys().map(String::as_str).collect(),
            weights: prompt.variants.values().map(|v| v.weight).collect(),
        }
    }
}

/// The strategy a prompt uses: its `selection.strategy`, else `fixed` when it
/// has a `default_variant`, else `weighted` (the behaviour before strategies).
pub fn strategy_of(prompt: &PromptDef) -> StrategyName {
    match &prompt.selection {
        Some(def) => def.strategy,
        None if prompt.default_variant.is_some() => StrategyName::Fixed,
        None => StrategyName::Weighted,
    }
}

/// Every variant's probability under the prompt's strategy, as of now, with
/// the reason: what `promptrun prompts` and `--dry-run` show. None without
/// variants.
pub fn probabilities(
    name: &str,
    prompt: &PromptDef,
    loaded: &LoadedConfig,
    env: &SelectionEnv,
) -> Option<Choice> {
    choose(name, prompt, loaded, env, 0.0)
}

/// Picks a variant with the uniform number `u` (in [0, 1)). None when the
/// prompt has no variants.
pub fn choose(
    name: &str,
    prompt: &PromptDef,
    loaded: &LoadedConfig,
    env: &SelectionEnv,
    u: f64,
) -> Option<Choice> {
    if prompt.variants.is_empty() {
        return None;
    }
    let arms = Arms::of(prompt);
    let configured = strategy_of(prompt);
    let def = prompt.selection.clone().unwrap_or_default();
    let learn = LearnConfig {
        objective: Objective {
            success: def.objective.success,
            rating: def.objective.rating,
        },
        min_samples: def.min_samples,
        floor: def.floor,
    };
    let none = RatingPrior::uniform(PRIOR_STRENGTH);
    let input = |stats, prior| DecideInput::new(stats, &arms.weights, prior, u);
    let fallback = |why: String| {
        let d = decide(Strategy::Weighted, &input(&[], &none), &learn)?;
        Some(make(
            StrategyName::Weighted,
            configured,
            &arms,
            d,
            0,
            format!("weighted (instead of {}): {why}", configured.as_str()),
        ))
    };
    match configured {
        StrategyName::Fixed => {
            let index = prompt
                .default_variant
                .as_deref()
                .and_then(|d| arms.names.iter().position(|n| *n == d))
                .unwrap_or(0);
            let d = decide(Strategy::Fixed(index), &input(&[], &none), &learn)?;
            let why = format!(
                "fixed: always `{}`{}",
                arms.names[d.index],
                if prompt.default_variant.is_some() {
                    " (default_variant)"
                } else {
                    " (the first variant)"
                }
            );
            Some(make(configured, configured, &arms, d, 0, why))
        }
        StrategyName::Weighted => {
            let d = decide(Strategy::Weighted, &input(&[], &none), &learn)?;
            let why = "weighted: drawn at random by weight".to_string();
            Some(make(configured, configured, &arms, d, 0, why))
        }
        StrategyName::Sticky => {
            let key = match def.sticky_by {
                StickyBy::User => Some(("user", privacy::user_name())),
                StickyBy::Host => Some(("host", privacy::host_name())),
                StickyBy::None => None,
            };
            let Some((by, key)) = key else {
                let d = decide(Strategy::Sticky, &input(&[], &none), &learn)?;
                let why = "sticky by none: drawn at random by weight".to_string();
                return Some(make(configured, configured, &arms, d, 0, why));
            };
            let hashed = IdentityHasher::load_or_create(env.state_dir.as_deref()).hash(&key);
            let hash = crate::learn::sticky::sticky_hash(hashed.as_bytes(), name.as_bytes());
            let keyed = DecideInput {
                key_hash: Some(hash),
                ..input(&[], &none)
            };
            let d = decide(Strategy::Sticky, &keyed, &learn)?;
            let why = format!(
                "sticky by {by}: the salted hash of the {by} and the prompt falls in `{}`'s \
                 share of the weights (same {by}, same variant while the weights stay)",
                arms.names[d.index]
            );
            Some(make(configured, configured, &arms, d, 0, why))
        }
        StrategyName::Best | StrategyName::Bandit => {
            let (Some(state_dir), Some(log_dir)) = (&env.state_dir, &env.log_dir) else {
                return fallback("no state or log directory for statistics".into());
            };
            if !env.logging {
                return fallback("logging is off, so there are no statistics".into());
            }
            let (snapshot, period) = match selection_cache::load(state_dir, log_dir) {
                Ok(cache) => cache.snapshot(name),
                Err(CacheError::Missing) => (BTreeMap::new(), 0),
                Err(CacheError::Unusable(why)) => {
                    return fallback(format!("statistics cache unusable ({why})"));
                }
            };
            let shas = variant_shas(prompt, loaded);
            let stats: Vec<ArmStats> = arms
                .names
                .iter()
                .zip(&shas)
                .map(|(v, sha)| {
                    snapshot
                        .get(&(v.to_string(), sha.clone()))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            let mut global = [0u64; 5];
            for s in snapshot.values() {
                for (g, c) in global.iter_mut().zip(s.ratings) {
                    *g += c;
                }
            }
            let prior = RatingPrior::from_global(&global, PRIOR_STRENGTH);
            if configured == StrategyName::Bandit {
                bandit(&arms, &stats, &prior, &learn, &def, u, period)
            } else {
                best(&arms, &stats, &prior, &learn, &def, u, period)
            }
        }
    }
}

fn make(
    strategy: StrategyName,
    configured: StrategyName,
    arms: &Arms,
    d: crate::learn::Decision,
    period: u64,
    why: String,
) -> Choice {
    Choice {
        variant: arms.names[d.index].to_string(),
        strategy,
        configured,
        selection: Selection {
            strategy: strategy.as_str(),
            p: d.p,
            probs: probs_map(arms, &d.probs),
            period,
        },
        why,
    }
}

fn probs_map(arms: &Arms, probs: &[f64]) -> BTreeMap<String, f64> {
    arms.names
        .iter()
        .zip(probs)
        .map(|(n, p)| (n.to_string(), *p))
        .collect()
}

/// How many samples each arm has towards `min_samples`, and the word for them.
fn samples(stats: &[ArmStats], learn: &LearnConfig) -> (Vec<u64>, &'static str) {
    if learn.objective.normalized().1 > 0.0 {
        (stats.iter().map(|s| s.rated).collect(), "rated runs")
    } else {
        (stats.iter().map(|s| s.runs).collect(), "runs")
    }
}

fn listing(arms: &Arms, values: &[String]) -> String {
    arms.names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bandit(
    arms: &Arms,
    stats: &[ArmStats],
    prior: &RatingPrior,
    learn: &LearnConfig,
    def: &SelectionDef,
    u: f64,
    period: u64,
) -> Option<Choice> {
    let input = DecideInput {
        stats,
        weights: &arms.weights,
        prior,
        u,
        key_hash: None,
    };
    let d = decide(Strategy::Bandit, &input, learn)?;
    let (have, unit) = samples(stats, learn);
    let ready = have.iter().all(|&n| n >= learn.min_samples);
    let why = if ready {
        let mut order: Vec<usize> = (0..arms.names.len()).collect();
        order.sort_by(|&a, &b| d.probs[b].total_cmp(&d.probs[a]));
        let parts: Vec<String> = order
            .iter()
            .map(|&i| {
                let note = if (d.probs[i] - learn.floor).abs() < 1e-9 {
                    format!("(floor {})", learn.floor)
                } else {
                    "(p best)".to_string()
                };
                format!("{} {:.2} {note}", arms.names[i], d.probs[i])
            })
            .collect();
        format!(
            "bandit: {} {unit} per arm reached; {} (period {period}, updated every {} results)",
            learn.min_samples,
            parts.join(", "),
            def.update_every
        )
    } else {
        let counts: Vec<String> = have.iter().map(u64::to_string).collect();
        format!(
            "bandit: exploring by weight until every variant has {} {unit} (now {})",
            learn.min_samples,
            listing(arms, &counts)
        )
    };
    Some(make(
        StrategyName::Bandit,
        StrategyName::Bandit,
        arms,
        d,
        period,
        why,
    ))
}

/// `best`: the weights until a verdict names a winner over every other
/// variant, then the winner; when a later verdict withdraws it, the weights
/// again.
fn best(
    arms: &Arms,
    stats: &[ArmStats],
    prior: &RatingPrior,
    learn: &LearnConfig,
    def: &SelectionDef,
    u: f64,
    period: u64,
) -> Option<Choice> {
    let k = arms.names.len();
    let leader = (0..k).max_by(|&a, &b| {
        let m = |i: usize| objective_posterior(&stats[i], prior, &learn.objective).0;
        m(a).total_cmp(&m(b))
    })?;
    let periods = [Period {
        shares: arms.weights.clone(),
        arms: stats.to_vec(),
    }];
    let cfg = VerdictConfig {
        min_rated: def.min_samples,
        min_runs: def.min_samples,
        ..VerdictConfig::default()
    };
    let mut more = 0u64;
    let mut wins = k > 1;
    let mut margins = Vec::new();
    for other in (0..k).filter(|&i| i != leader) {
        let verdict = crate::learn::compare(&periods, other, leader, prior, &cfg);
        match verdict.outcome {
            Outcome::Winner {
                arm: Side::B,
                diff,
                lo,
                hi,
            } => margins.push(match verdict.metric {
                crate::learn::verdict::Metric::Rating => format!(
                    "beats {} by {diff:+.2}★ [{lo:+.2}, {hi:+.2}]",
                    arms.names[other]
                ),
                crate::learn::verdict::Metric::Success => format!(
                    "beats {} by {:+.1} points of success [{:+.1}, {:+.1}]",
                    arms.names[other],
                    diff * 100.0,
                    lo * 100.0,
                    hi * 100.0
                ),
            }),
            Outcome::NoWinnerYet { more_per_arm } => {
                wins = false;
                more = more.max(more_per_arm);
            }
            _ => wins = false,
        }
    }
    let input = DecideInput {
        stats,
        weights: &arms.weights,
        prior,
        u,
        key_hash: None,
    };
    if wins {
        let d = decide(Strategy::Fixed(leader), &input, learn)?;
        let why = format!(
            "best: verdict: `{}` {}; always `{}` (period {period})",
            arms.names[leader],
            margins.join(", "),
            arms.names[leader]
        );
        return Some(make(
            StrategyName::Best,
            StrategyName::Best,
            arms,
            d,
            period,
            why,
        ));
    }
    let d = decide(Strategy::Weighted, &input, learn)?;
    let why = if more == 0 || more == u64::MAX {
        "best: no verdict yet; drawn at random by weight".to_string()
    } else {
        format!(
            "best: no verdict yet (about {more} more samples per variant); drawn at random by weight"
        )
    };
    Some(make(
        StrategyName::Best,
        StrategyName::Best,
        arms,
        d,
        period,
        why,
    ))
}

/// The prompt_sha256 each variant's runs are logged with ("" without a file):
/// an edited prompt file is a new arm with no statistics.
fn variant_shas(prompt: &PromptDef, loaded: &LoadedConfig) -> Vec<String> {
    prompt
        .variants
        .values()
        .map(|v| {
            v.file
                .as_deref()
                .or(prompt.file.as_deref())
                .map(|file| {
                    std::fs::read(loaded.resolve_path(file))
                        .map(|bytes| privacy::sha256_hex(&bytes))
                        .unwrap_or_default()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// The record of a `--variant` run: not drawn, probability 1.
pub fn forced(prompt: &PromptDef, variant: &str) -> Choice {
    let configured = strategy_of(prompt);
    Choice {
        variant: variant.to_string(),
        strategy: configured,
        configured,
        selection: Selection {
            strategy: "forced",
            p: 1.0,
            probs: prompt
                .variants
                .keys()
                .map(|n| (n.clone(), if n == variant { 1.0 } else { 0.0 }))
                .collect(),
            period: 0,
        },
        why: "forced: --variant".to_string(),
    }
}

/// Folds the new log lines into the statistics cache after a run (skipped
/// when another process is folding; written back only when an allocation
/// update is due); a failure warns once.
pub fn fold_after_run(env: &SelectionEnv, loaded: Option<&LoadedConfig>) {
    let (Some(state_dir), Some(log_dir)) = (&env.state_dir, &env.log_dir) else {
        return;
    };
    if !env.logging {
        return;
    }
    if let Err(err) = selection_cache::fold(
        state_dir,
        log_dir,
        loaded.map(|l| &l.config),
        selection_cache::FOLD_BUDGET,
        false,
        selection_cache::WriteBack::WhenDue,
    ) {
        warn(format_args!(
            "cannot update the routing statistics in {}: {err}",
            state_dir.display()
        ));
    }
}

/// Warns that a learning strategy fell back to `weighted`, once per run.
pub fn warn_fallback(choice: &Choice) {
    if choice.configured != choice.strategy {
        warn(&choice.why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn loaded(selection: &str) -> LoadedConfig {
        LoadedConfig::parse(
            Path::new("/nowhere/router-config.json"),
            format!(
                r#"{{"prompts": {{"p": {{"file": "p.md",
                    "variants": {{"a": {{"weight": 1}}, "b": {{"weight": 3}}}},
                    "selection": {selection}}}}}}}"#
            ),
        )
        .unwrap()
    }

    #[test]
    fn sticky_gives_one_key_one_variant_whatever_the_draw() {
        let state = tempfile::tempdir().unwrap();
        let env = SelectionEnv {
            state_dir: Some(state.path().to_path_buf()),
            ..SelectionEnv::default()
        };
        let cfg = loaded(r#"{"strategy": "sticky", "sticky_by": "host"}"#);
        let prompt = &cfg.config.prompts["p"];
        let picks: Vec<Choice> = [0.0, 0.3, 0.6, 0.999]
            .iter()
            .map(|&u| choose("p", prompt, &cfg, &env, u).unwrap())
            .collect();
        assert!(picks.iter().all(|c| c.variant == picks[0].variant));
        let first = &picks[0].selection;
        assert_eq!((first.strategy, first.period), ("sticky", 0));
        assert_eq!(first.p, first.probs[&picks[0].variant]);
        assert_eq!(first.probs["b"], 0.75);
        // Without a key: random by weight.
        let cfg = loaded(r#"{"strategy": "sticky", "sticky_by": "none"}"#);
        let prompt = &cfg.config.prompts["p"];
        assert_eq!(choose("p", prompt, &cfg, &env, 0.1).unwrap().variant, "a");
        assert_eq!(choose("p", prompt, &cfg, &env, 0.9).unwrap().variant, "b");
    }

    #[test]
    fn learning_strategies_fall_back_without_statistics() {
        let cfg = loaded(r#"{"strategy": "bandit"}"#);
        let prompt = &cfg.config.prompts["p"];
        let off = choose("p", prompt, &cfg, &SelectionEnv::default(), 0.5).unwrap();
        assert_eq!(off.strategy, StrategyName::Weighted);
        assert!(off.learns(), "the configured strategy still folds");
        assert!(
            off.why.starts_with("weighted (instead of bandit)"),
            "{}",
            off.why
        );
        let dir = tempfile::tempdir().unwrap();
        let env = SelectionEnv {
            state_dir: Some(dir.path().join("state")),
            log_dir: Some(dir.path().join("logs")),
            logging: true,
        };
        // No cache yet: the bandit explores by weight, no fallback.
        let fresh = choose("p", prompt, &cfg, &env, 0.5).unwrap();
        assert_eq!(fresh.strategy, StrategyName::Bandit);
        assert_eq!(fresh.selection.probs["b"], 0.75);
        assert!(fresh.why.contains("exploring by weight"), "{}", fresh.why);
    }

    #[test]
    fn best_follows_the_verdict() {
        let names = ["a", "b"];
        let arms = Arms {
            names: names.to_vec(),
            weights: vec![1.0, 1.0],
        };
        let prior = RatingPrior::uniform(PRIOR_STRENGTH);
        let learn = LearnConfig::default();
        let def = SelectionDef::default();
        let none = [ArmStats::default(), ArmStats::default()];
        let early = best(&arms, &none, &prior, &learn, &def, 0.7, 0).unwrap();
        assert_eq!(early.selection.probs["a"], 0.5);
        assert!(
            early.why.starts_with("best: no verdict yet"),
            "{}",
            early.why
        );
        let (mut bad, mut good) = (ArmStats::default(), ArmStats::default());
        for i in 0..300 {
            bad.add_run(i % 2 == 0, None, None, None);
            bad.add_rating(2);
            good.add_run(i % 10 != 0, None, None, None);
            good.add_rating(if i % 3 == 0 { 4 } else { 5 });
        }
        let decided = best(&arms, &[bad, good], &prior, &learn, &def, 0.0, 4).unwrap();
        assert_eq!(decided.variant, "b", "{}", decided.why);
        assert_eq!((decided.selection.p, decided.selection.period), (1.0, 4));
        assert!(decided.why.contains("verdict"), "{}", decided.why);
    }
}

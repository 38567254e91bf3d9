//! Price tables and the cost of one run.
//!
//! A price is USD per million tokens (`input`, `output`, `cached_input`). Tables
//! are tried in order, per model: the config's `pricing`, then the file named by
//! `pricing_file`, then the default table shipped in `config/pricing.json`
//! (dated; check before relying on it). A table is only read when a run has
//! token metrics to price, so runs without them pay nothing for this.
//!
//! The run_end records `pricing_sha256`, the SHA-256 of the price entry that
//! priced the run (see [`Price::sha256`]), so a report of old runs never changes
//! when prices do, and which price was used can always be told.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::config::LoadedConfig;

/// The default table, built in; parsed on first use only.
pub const DEFAULT_TABLE: &str = include_str!("../../config/pricing.json");

/// The price of one model, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Price {
    /// Input (prompt) tokens.
    pub input: f64,
    /// Output (completion) tokens.
    pub output: f64,
    /// Cached input tokens; without it they cost as much as other input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input: Option<f64>,
    /// When the price was last checked (e.g. `2026-11`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<String>,
    /// Who sells the model (recorded as the run's provider when nothing else says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

impl Price {
    /// SHA-256 (hex) of this entry under `model`: the compact JSON
    /// `{"model":…,"input":…,"output":…,"cached_input":…,"checked":…,"provider":…}`
    /// (absent fields left out), so the same price always hashes the same.
    pub fn sha256(&self, model: &str) -> String {
        #[derive(Serialize)]
        struct Entry<'a> {
            model: &'a str,
            #[serde(flatten)]
            price: &'a Price,
        }
        let bytes = serde_json::to_vec(&Entry { model, price: self }).expect("prices serialise");
        crate::record::privacy::sha256_hex(&bytes)
    }

    /// The cost in USD of the tokens. `input` counts every input token, cached
    /// ones included (as OpenAI and Gemini report them); `cached` of them are
    /// billed at `cached_input`. Products are summed before the one division,
    /// so whole token counts at prices with few decimals come out exact.
    pub fn cost(&self, input: f64, cached: f64, output: f64) -> f64 {
        let cached = cached.clamp(0.0, input.max(0.0));
        let cached_price = self.cached_input.unwrap_or(self.input);
        ((input - cached) * self.input + cached * cached_price + output * self.output) / 1e6
    }

    /// Whether every price is a finite number, 0 or more.
    pub fn is_valid(&self) -> bool {
        [Some(self.input), Some(self.output), self.cached_input]
            .into_iter()
            .flatten()
            .all(|p| p.is_finite() && p >= 0.0)
    }
}

/// A price table: model name to price.
pub type PriceTable = BTreeMap<String, Price>;

/// A price file: `{"models": {...}}` with any other keys (dates, notes) beside,
/// or a bare table.
pub fn parse_table(text: &str) -> Result<PriceTable, String> {
    #[derive(Deserialize)]
    struct File {
        models: PriceTable,
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if value.get("models").is_some() {
        return serde_json::from_value::<File>(value)
            .map(|file| file.models)
            .map_err(|e| e.to_string());
    }
    let mut value = value;
    if let Some(object) = value.as_object_mut() {
        object.retain(|key, _| !key.starts_with('$'));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// The default table (parsed once, on first use).
pub fn default_table() -> &'static PriceTable {
    static TABLE: OnceLock<PriceTable> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(DEFAULT_TABLE).expect("config/pricing.json is valid"))
}

/// The entry for `model`: the exact name, else ignoring case, else a dated or
/// `-latest` version of a listed model (`gpt-4o-2024-08-06` is `gpt-4o`, the
/// longest such name wins), each also after a `provider/` prefix.
pub fn lookup<'a>(table: &'a PriceTable, model: &str) -> Option<(&'a str, &'a Price)> {
    let bare = model.rsplit_once('/').map_or(model, |(_, name)| name);
    for name in [model, bare] {
        if let Some((key, price)) = table.get_key_value(name) {
            return Some((key, price));
        }
        if let Some((key, price)) = table.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            return Some((key, price));
        }
        let lower = name.to_ascii_lowercase();
        let versioned = table
            .iter()
            .filter(|(key, _)| {
                lower
                    .strip_prefix(&key.to_ascii_lowercase())
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|rest| {
                        rest == "latest" || rest.starts_with(|c: char| c.is_ascii_digit())
                    })
            })
            .max_by_key(|(key, _)| key.len());
        if let Some((key, price)) = versioned {
            return Some((key, price));
        }
    }
    None
}

/// What a run cost and how that is known.
#[derive(Debug, Clone, PartialEq)]
pub struct RunCost {
    pub usd: f64,
    /// "reported" (the command wrote `cost_usd=`) or "computed" (from a price table).
    pub source: &'static str,
    /// The hash of the price entry, when computed.
    pub pricing_sha256: Option<String>,
    /// The entry's provider, when computed and it names one.
    pub provider: Option<String>,
}

/// The cost of a run: the command's own `cost_usd` metric when it reported one,
/// else its token metrics at the price of `model`. `None` without either (no
/// table is read then), or when no table prices the model.
pub fn run_cost(
    config: Option<&LoadedConfig>,
    model: Option<&str>,
    metrics: &BTreeMap<String, f64>,
    warn: &mut dyn FnMut(String),
) -> Option<RunCost> {
    if let Some(&usd) = metrics
        .get("cost_usd")
        .filter(|c| c.is_finite() && **c >= 0.0)
    {
        return Some(RunCost {
            usd,
            source: "reported",
            pricing_sha256: None,
            provider: None,
        });
    }
    let tokens = |name: &str| metrics.get(name).copied().filter(|t| *t >= 0.0);
    let (input, output) = (tokens("input_tokens"), tokens("output_tokens"));
    if input.is_none() && output.is_none() {
        return None;
    }
    let model = model?;
    let (key, price) = find_price(config, model, warn)?;
    let input = input.unwrap_or(0.0);
    Some(RunCost {
        usd: price.cost(
            input,
            tokens("cached_input_tokens").unwrap_or(0.0),
            output.unwrap_or(0.0),
        ),
        source: "computed",
        pricing_sha256: Some(price.sha256(&key)),
        provider: price.provider.clone(),
    })
}

/// The price of `model`: the config's `pricing`, then `pricing_file`, then the default table.
fn find_price(
    config: Option<&LoadedConfig>,
    model: &str,
    warn: &mut dyn FnMut(String),
) -> Option<(String, Price)> {
    let owned = |(key, price): (&str, &Price)| (key.to_string(), price.clone());
    if let Some(loaded) = config {
        if let Some(found) = lookup(&loaded.config.pricing, model).filter(|(_, p)| p.is_valid()) {
            return Some(owned(found));
        }
        if let Some(file) = &loaded.config.pricing_file {
            let path = loaded.resolve_path(file);
            match std::fs::read_to_string(&path)
                .map_err(|e| crate::error::describe_io(&e))
                .and_then(|text| parse_table(&text))
            {
                Ok(table) => {
                    if let Some(found) = lookup(&table, model).filter(|(_, p)| p.is_valid()) {
                        return Some(owned(found));
                    }
                }
                Err(why) => warn(format!(
                    "cannot read pricing_file {} (configured in {}): {why}; using the default prices",
                    path.display(),
                    loaded.path.display()
                )),
            }
        }
    }
    lookup(default_table(), model).map(owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_is_dated_and_complete() {
        let table = default_table();
        for model in [
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4.1",
            "o3",
            "claude-sonnet-4",
            "claude-3-5-haiku",
            "gemini-2.5-pro",
            "gemini-2.5-flash",
        ] {
            let price = &table[model];
            assert!(price.is_valid(), "{model}");
            assert_eq!(price.checked.as_deref(), Some("2026-11"), "{model}");
            assert!(price.provider.is_some(), "{model}");
        }
        assert!(DEFAULT_TABLE.contains("CHECK BEFORE RELYING ON IT"));
    }

    #[test]
    fn versions_and_prefixes_find_their_model() {
        let table = default_table();
        let key = |model: &str| lookup(table, model).map(|(k, _)| k);
        assert_eq!(key("gpt-4o"), Some("gpt-4o"));
        assert_eq!(key("GPT-4o"), Some("gpt-4o"));
        assert_eq!(key("gpt-4o-2024-08-06"), Some("gpt-4o"));
        assert_eq!(key("gpt-4o-mini-2024-07-18"), Some("gpt-4o-mini"));
        assert_eq!(key("openai/gpt-4o-mini"), Some("gpt-4o-mini"));
        assert_eq!(key("claude-3-5-haiku-latest"), Some("claude-3-5-haiku"));
        assert_eq!(key("claude-sonnet-4-20250514"), Some("claude-sonnet-4"));
        // Another model, not a version: no price rather than a wrong one.
        assert_eq!(key("o3-mini"), None);
        assert_eq!(key("gemini-2.5-flash-lite"), None);
    }

    #[test]
    fn cost_bills_cached_tokens_at_their_price() {
        let price = &default_table()["gpt-4o"];
        // 1000 in (200 cached), 500 out: 800 × 2.5 + 200 × 1.25 + 500 × 10 = 7250 µ$.
        assert_eq!(price.cost(1000.0, 200.0, 500.0), 0.00725);
        assert_eq!(price.cost(1000.0, 0.0, 500.0), 0.0075);
        let no_cache_price = Price {
            cached_input: None,
            ..price.clone()
        };
        assert_eq!(no_cache_price.cost(1000.0, 200.0, 0.0), 0.0025);
    }

    #[test]
    fn reported_cost_wins_and_nothing_without_tokens() {
        let mut metrics = BTreeMap::from([
            ("input_tokens".to_string(), 1000.0),
            ("output_tokens".to_string(), 500.0),
        ]);
        let mut warn = |w: String| panic!("{w}");
        let computed = run_cost(None, Some("gpt-4o"), &metrics, &mut warn).unwrap();
        assert_eq!((computed.usd, computed.source), (0.0075, "computed"));
        assert_eq!(computed.provider.as_deref(), Some("openai"));
        assert_eq!(
            computed.pricing_sha256,
            Some(default_table()["gpt-4o"].sha256("gpt-4o"))
        );
        assert_eq!(
            run_cost(None, Some("unknown-model"), &metrics, &mut warn),
            None
        );
        assert_eq!(run_cost(None, None, &metrics, &mut warn), None);
        metrics.insert("cost_usd".into(), 0.0002);
        let reported = run_cost(None, Some("gpt-4o"), &metrics, &mut warn).unwrap();
        assert_eq!((reported.usd, reported.source), (0.0002, "reported"));
        assert_eq!(reported.pricing_sha256, None);
        let tokenless = BTreeMap::from([("latency".to_string(), 1.0)]);
        assert_eq!(run_cost(None, Some("gpt-4o"), &tokenless, &mut warn), None);
    }
}

//! From the name a user typed to a prompt, its file and its variant.

use std::path::PathBuf;

use serde::Serialize;

use super::selection::{self, Choice, SelectionEnv};
use crate::config::glob::Glob;
use crate::config::{LoadedConfig, PromptDef};
use crate::error::{Error, Result};

/// How a requested name was resolved (the `resolution` field of run_start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// The name of a configured prompt.
    Name,
    /// An alias of a configured prompt.
    Alias,
    /// A route's glob matched the name.
    Route,
    /// No config: the name is recorded as typed.
    Adhoc,
}

impl Resolution {
    /// The word used in events and `--dry-run`.
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Name => "name",
            Resolution::Alias => "alias",
            Resolution::Route => "route",
            Resolution::Adhoc => "adhoc",
        }
    }
}

/// A prompt ready to run.
#[derive(Debug, Clone)]
pub struct ResolvedPrompt {
    /// The name as typed.
    pub requested: String,
    /// The configured name (the typed one for ad hoc runs).
    pub name: String,
    /// How `requested` became `name`.
    pub resolution: Resolution,
    /// The chosen variant, if the prompt has variants or one was forced.
    pub variant: Option<String>,
    /// The prompt file as written in the config (variant's file first).
    pub file_in_config: Option<String>,
    /// The prompt file's absolute path.
    pub file: Option<PathBuf>,
    /// The command template from the config (prompt's own, else the default).
    pub command: Option<Vec<String>>,
    /// The configured model: the variant's, else the prompt's, else the default.
    pub model: Option<String>,
    /// The configured provider, found the same way.
    pub provider: Option<String>,
    /// How the variant was picked, for prompts with variants.
    pub choice: Option<Choice>,
}

/// Resolves `requested`: exact name, then alias, then the first matching route.
/// Without a config the name runs ad hoc. `forced` is `--variant`.
pub fn resolve(
    config: Option<&LoadedConfig>,
    requested: &str,
    forced: Option<&str>,
    env: &SelectionEnv,
) -> Result<ResolvedPrompt> {
    let Some(loaded) = config else {
        return Ok(ResolvedPrompt {
            requested: requested.to_string(),
            name: requested.to_string(),
            resolution: Resolution::Adhoc,
            variant: forced.map(str::to_string),
            file_in_config: None,
            file: None,
            command: None,
            model: None,
            provider: None,
            choice: None,
        });
    };
    let prompts = &loaded.config.prompts;
    let (name, resolution) = if prompts.contains_key(requested) {
        (requested.to_string(), Resolution::Name)
    } else if let Some((name, _)) = prompts
        .iter()
        .find(|(_, prompt)| prompt.aliases.iter().any(|alias| alias == requested))
    {
        (name.clone(), Resolution::Alias)
    } else if let Some(route) = loaded
        .config
        .routes
        .iter()
        .find(|route| Glob::new(&route.pattern).is_ok_and(|glob| glob.matches(requested)))
    {
        if !prompts.contains_key(&route.prompt) {
            return Err(Error::Config(format!(
                "{}: route `{}` sends `{requested}` to `{}`, which is not a configured prompt \
                 (run `promptrun config check`)",
                loaded.path.display(),
                route.pattern,
                route.prompt
            )));
        }
        (route.prompt.clone(), Resolution::Route)
    } else {
        return Err(Error::UnknownPrompt {
            name: requested.to_string(),
            config: loaded.path.clone(),
            suggestions: suggestions(loaded, requested),
        });
    };
    let prompt = &prompts[&name];
    let choice = match forced {
        Some(_) => choose_variant(&name, prompt, forced, 0.0)?
            .map(|variant| selection::forced(prompt, &variant)),
        None => selection::choose(&name, prompt, loaded, env, random_unit()),
    };
    let variant = choice.as_ref().map(|c| c.variant.clone());
    let variant_def = variant.as_ref().and_then(|v| prompt.variants.get(v));
    let file_in_config = variant_def
        .and_then(|v| v.file.clone())
        .or_else(|| prompt.file.clone());
    let defaults = &loaded.config.defaults;
    let model = variant_def
        .and_then(|v| v.model.clone())
        .or_else(|| prompt.model.clone())
        .or_else(|| defaults.model.clone());
    let provider = variant_def
        .and_then(|v| v.provider.clone())
        .or_else(|| prompt.provider.clone())
        .or_else(|| defaults.provider.clone());
    let file = file_in_config.as_deref().map(|file| {
        let path = loaded.resolve_path(file);
        std::fs::canonicalize(&path)
            .or_else(|_| std::path::absolute(&path))
            .unwrap_or(path)
    });
    Ok(ResolvedPrompt {
        requested: requested.to_string(),
        name,
        resolution,
        variant,
        file_in_config,
        file,
        command: prompt
            .command
            .clone()
            .or_else(|| loaded.config.defaults.command.clone()),
        model,
        provider,
        choice,
    })
}

/// Picks the variant: `forced`, else `default_variant`, else at random by weight
/// (`roll` is uniform in [0, 1)). What `--variant` goes through; the routing
/// strategies are in [`super::selection`].
pub fn choose_variant(
    name: &str,
    prompt: &PromptDef,
    forced: Option<&str>,
    roll: f64,
) -> Result<Option<String>> {
    if let Some(forced) = forced {
        if prompt.variants.contains_key(forced) {
            return Ok(Some(forced.to_string()));
        }
        let known: Vec<&str> = prompt.variants.keys().map(String::as_str).collect();
        return Err(Error::Usage(if known.is_empty() {
            format!("prompt `{name}` has no variants, so --variant {forced} cannot apply")
        } else {
            format!(
                "prompt `{name}` has no variant `{forced}`; its variants are: {}",
                known.join(", ")
            )
        }));
    }
    if let Some(default) = &prompt.default_variant {
        return Ok(Some(default.clone()));
    }
    let total: f64 = prompt.variants.values().map(|v| v.weight.max(0.0)).sum();
    if prompt.variants.is_empty() || total <= 0.0 {
        return Ok(prompt.variants.keys().next().cloned());
    }
    let mut target = roll * total;
    for (variant_name, variant) in &prompt.variants {
        target -= variant.weight.max(0.0);
        if target < 0.0 {
            return Ok(Some(variant_name.clone()));
        }
    }
    Ok(prompt.variants.keys().next_back().cloned())
}

/// A uniform number in [0, 1) from the OS's random source.
pub fn random_unit() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

/// Up to three configured names or aliases closest to `requested`.
pub fn suggestions(loaded: &LoadedConfig, requested: &str) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = loaded
        .config
        .prompts
        .iter()
        .flat_map(|(name, prompt)| {
            std::iter::once(name.as_str()).chain(prompt.aliases.iter().map(String::as_str))
        })
        .map(|candidate| (strsim::jaro_winkler(requested, candidate), candidate))
        .filter(|(score, candidate)| {
            *score >= 0.8 || (requested.len() >= 3 && candidate.contains(requested))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(3)
        .map(|(_, name)| name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> LoadedConfig {
        LoadedConfig::parse(Path::new("/cfg/router-config.json"), text.to_string()).unwrap()
    }

    const TEXT: &str = r#"{
        "prompts": {
            "summarize": {"file": "s.md", "aliases": ["sum"],
                "variants": {"a": {"weight": 1}, "b": {"file": "b.md", "weight": 3}}},
            "review": {"file": "r.md", "default_variant": "strict",
                "variants": {"strict": {}, "kind": {}}}
        },
        "routes": [{"match": "review-*", "prompt": "review"}]
    }"#;

    #[test]
    fn resolves_name_alias_route() {
        let loaded = config(TEXT);
        let by_name = resolve(Some(&loaded), "review", None, &SelectionEnv::default()).unwrap();
        assert_eq!(by_name.resolution, Resolution::Name);
        assert_eq!(by_name.variant.as_deref(), Some("strict"));
        let by_alias = resolve(Some(&loaded), "sum", Some("b"), &SelectionEnv::default()).unwrap();
        assert_eq!(
            (by_alias.name.as_str(), by_alias.resolution),
            ("summarize", Resolution::Alias)
        );
        assert_eq!(by_alias.file.unwrap(), Path::new("/cfg/b.md"));
        assert_eq!(by_alias.model, None);
        let by_route = resolve(
            Some(&loaded),
            "review-python",
            None,
            &SelectionEnv::default(),
        )
        .unwrap();
        assert_eq!(
            (by_route.name.as_str(), by_route.resolution),
            ("review", Resolution::Route)
        );
    }

    #[test]
    fn unknown_names_suggest_close_ones() {
        let loaded = config(TEXT);
        let err = resolve(Some(&loaded), "sumarize", None, &SelectionEnv::default()).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("did you mean"), "{message}");
        assert!(message.contains("`summarize`"), "{message}");
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    }

    #[test]
    fn weights_split_the_unit_interval() {
        let loaded = config(TEXT);
        let prompt = &loaded.config.prompts["summarize"];
        let pick = |roll| {
            choose_variant("summarize", prompt, None, roll)
                .unwrap()
                .unwrap()
        };
        assert_eq!(pick(0.0), "a");
        assert_eq!(pick(0.24), "a");
        assert_eq!(pick(0.26), "b");
        assert_eq!(pick(0.999), "b");
        assert!(choose_variant("summarize", prompt, Some("zzz"), 0.0).is_err());
    }
}

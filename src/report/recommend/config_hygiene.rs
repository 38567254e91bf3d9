//! Recommendations about the config: prompts never run, variants with weight 0,
//! names that reach a prompt only through a route or not at all.

use super::*;

pub(super) fn config_hygiene(
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

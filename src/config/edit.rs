//! Textual edits of the router config: one value set or one array item added at
//! its JSON position, every other byte of the file kept as it was (comments of
//! layout, key order, indentation). The edits `recommend --apply` makes.

use super::locate::{Segment, value_span};

/// One change to the config.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ConfigChange {
    /// `prompts.<prompt>.default_variant = <variant>`.
    SetDefaultVariant { prompt: String, variant: String },
    /// Add `<alias>` to `prompts.<prompt>.aliases`.
    AddAlias { prompt: String, alias: String },
}

impl ConfigChange {
    /// The change as a line of text.
    pub fn describe(&self) -> String {
        match self {
            ConfigChange::SetDefaultVariant { prompt, variant } => {
                format!("set prompts.{prompt}.default_variant to \"{variant}\"")
            }
            ConfigChange::AddAlias { prompt, alias } => {
                format!("add \"{alias}\" to prompts.{prompt}.aliases")
            }
        }
    }

    /// `text` with the change made, or `None` when the prompt is not an object in it.
    pub fn apply(&self, text: &str) -> Option<String> {
        let key = |k: &str| Segment::Key(k.to_string());
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
        match self {
            ConfigChange::SetDefaultVariant { prompt, variant } => set_member(
                text,
                &[key("prompts"), key(prompt)],
                "default_variant",
                &quoted(variant),
            ),
            ConfigChange::AddAlias { prompt, alias } => {
                let object = [key("prompts"), key(prompt)];
                let mut path = object.to_vec();
                path.push(key("aliases"));
                match value_span(text, &path) {
                    Some(span) if text[span.clone()].starts_with('[') => {
                        let inner = &text[span.start + 1..span.end - 1];
                        let close = span.end - 1;
                        let (at, insert) = if inner.trim().is_empty() {
                            (span.start + 1, quoted(alias))
                        } else {
                            let last = span.start + 1 + inner.trim_end().len();
                            (last, format!(", {}", quoted(alias)))
                        };
                        debug_assert!(at <= close);
                        Some(format!("{}{insert}{}", &text[..at], &text[at..]))
                    }
                    Some(_) => None,
                    None => set_member(text, &object, "aliases", &format!("[{}]", quoted(alias))),
                }
            }
        }
    }
}

/// Sets member `name` of the object at `object` to the JSON `value`: replaces
/// the old value's bytes, or inserts the member first in the object, indented
/// like the member after it.
pub fn set_member(text: &str, object: &[Segment], name: &str, value: &str) -> Option<String> {
    let mut path = object.to_vec();
    path.push(Segment::Key(name.to_string()));
    if let Some(span) = value_span(text, &path) {
        return Some(format!(
            "{}{value}{}",
            &text[..span.start],
            &text[span.end..]
        ));
    }
    let span = value_span(text, object)?;
    if !text[span.clone()].starts_with('{') {
        return None;
    }
    let body = &text[span.start + 1..span.end - 1];
    let key = serde_json::to_string(name).ok()?;
    let after_brace = span.start + 1;
    if body.trim().is_empty() {
        return Some(format!(
            "{}{key}: {value}{}",
            &text[..after_brace],
            &text[after_brace..]
        ));
    }
    let gap = body.len() - body.trim_start().len();
    let first = after_brace + gap;
    let indent = &text[after_brace..first];
    let separator = if indent.is_empty() { " " } else { indent };
    Some(format!(
        "{}{key}: {value},{separator}{}",
        &text[..first],
        &text[first..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"prompts\": {\n    \"a\": {\n      \"file\": \"a.md\",\n      \"aliases\": [\"x\"]\n    },\n    \"b\": {}\n  }\n}\n";

    #[test]
    fn sets_and_inserts_in_place() {
        let set = |p: &str, v: &str| {
            ConfigChange::SetDefaultVariant {
                prompt: p.into(),
                variant: v.into(),
            }
            .apply(TEXT)
        };
        let inserted = set("a", "t").unwrap();
        assert_eq!(
            inserted,
            TEXT.replace(
                "{\n      \"file\"",
                "{\n      \"default_variant\": \"t\",\n      \"file\""
            )
        );
        let replaced = ConfigChange::SetDefaultVariant {
            prompt: "a".into(),
            variant: "u".into(),
        }
        .apply(&inserted)
        .unwrap();
        assert_eq!(replaced, inserted.replace("\"t\"", "\"u\""));
        assert_eq!(
            set("b", "t").unwrap(),
            TEXT.replace("\"b\": {}", "\"b\": {\"default_variant\": \"t\"}")
        );
        assert_eq!(set("nope", "t"), None);
    }

    #[test]
    fn adds_aliases() {
        let add = |p: &str, a: &str| {
            ConfigChange::AddAlias {
                prompt: p.into(),
                alias: a.into(),
            }
            .apply(TEXT)
            .unwrap()
        };
        assert_eq!(add("a", "y"), TEXT.replace("[\"x\"]", "[\"x\", \"y\"]"));
        assert_eq!(
            add("b", "y"),
            TEXT.replace("\"b\": {}", "\"b\": {\"aliases\": [\"y\"]}")
        );
        for text in [&add("a", "y"), &add("b", "y")] {
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
    }
}

//! How much a run may record, so that every line promptrun writes is one its own
//! readers accept (`report` skips lines over 1 MiB): tags and logged arguments
//! are bounded, and what is cut says so in a warning.
//!
//! The limits (README, "Events"): at most [`MAX_TAGS`] tags, keys of at most
//! [`MAX_TAG_KEY`] bytes, values of at most [`MAX_TAG_VALUE`] bytes; at most
//! [`MAX_ARGS`] logged arguments of at most [`MAX_ARG`] bytes each and
//! [`MAX_ARGS_JSON`] in all. A run_start then stays below 1 MiB: at most about
//! 220 KiB of tags (as JSON), 256 KiB of arguments, and the names, each no
//! longer than one argument the kernel passes (128 KiB).

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// The most tags a run records.
pub const MAX_TAGS: usize = 32;
/// The longest tag key recorded, in bytes.
pub const MAX_TAG_KEY: usize = 128;
/// The longest tag value recorded, in bytes.
pub const MAX_TAG_VALUE: usize = 1024;
/// The most arguments `logging.log_args` records.
pub const MAX_ARGS: usize = 128;
/// The longest argument `logging.log_args` records, in bytes.
pub const MAX_ARG: usize = 4096;
/// The most bytes the logged arguments take in an event line, as JSON.
pub const MAX_ARGS_JSON: usize = 256 * 1024;

/// What marks a cut value.
const CUT: &str = "…";

/// The tags of `--tag` as recorded, with a warning for each one cut. A key given
/// twice is a usage error naming it (the first value would otherwise be lost).
pub fn tags(given: &[(String, String)]) -> Result<(BTreeMap<String, String>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut out = BTreeMap::new();
    for (index, (key, value)) in given.iter().enumerate() {
        if let Some((_, first)) = given[..index].iter().find(|(k, _)| k == key) {
            let (key, first, value) = (cut(key, 64), cut(first, 64), cut(value, 64));
            return Err(Error::Usage(format!(
                "--tag `{key}` is given more than once (`{key}={first}`, `{key}={value}`); give each key once"
            )));
        }
    }
    if given.len() > MAX_TAGS {
        warnings.push(format!(
            "{} tags given; only the first {MAX_TAGS} are recorded",
            given.len()
        ));
    }
    for (key, value) in given.iter().take(MAX_TAGS) {
        let short_key = cut(key, MAX_TAG_KEY);
        if short_key.len() < key.len() {
            warnings.push(format!(
                "tag key `{short_key}` is {} bytes; recorded cut to {MAX_TAG_KEY}",
                key.len()
            ));
        }
        let short_value = cut(value, MAX_TAG_VALUE);
        if short_value.len() < value.len() {
            warnings.push(format!(
                "tag `{short_key}` has a value of {} bytes; recorded cut to {MAX_TAG_VALUE}",
                value.len()
            ));
        }
        if out.insert(short_key.clone(), short_value).is_some() {
            return Err(Error::Usage(format!(
                "--tag keys cut to {MAX_TAG_KEY} bytes clash at `{short_key}`; give shorter keys"
            )));
        }
    }
    Ok((out, warnings))
}

/// The arguments `logging.log_args` records: each at most [`MAX_ARG`] bytes, at
/// most [`MAX_ARGS`] of them and [`MAX_ARGS_JSON`] bytes once written as JSON
/// (control characters grow sixfold as `\u001b`), with a warning when anything
/// is cut.
pub fn args(args: Vec<String>) -> (Vec<String>, Option<String>) {
    let total = args.len();
    let mut was_cut = false;
    let mut written = 0;
    let mut out: Vec<String> = Vec::with_capacity(total.min(MAX_ARGS));
    for arg in args {
        let arg = if arg.len() > MAX_ARG {
            was_cut = true;
            format!("{}{CUT}", cut(&arg, MAX_ARG))
        } else {
            arg
        };
        written += serde_json::to_string(&arg).map_or(arg.len() * 6, |json| json.len() + 1);
        if out.len() == MAX_ARGS || written > MAX_ARGS_JSON {
            break;
        }
        out.push(arg);
    }
    if out.len() < total {
        was_cut = true;
        out.push(format!("{CUT} {} more", total - out.len()));
    }
    let warning = was_cut.then(|| {
        format!(
            "logging.log_args: arguments recorded cut to {MAX_ARGS} of at most {MAX_ARG} bytes each, {} KiB in all", MAX_ARGS_JSON / 1024
        )
    });
    (out, warning)
}

/// The longest prefix of `text` of at most `limit` bytes, ending on a character boundary.
fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(key: &str, value: &str) -> (String, String) {
        (key.to_string(), value.to_string())
    }

    #[test]
    fn a_key_given_twice_is_an_error_naming_it() {
        let err = tags(&[pair("a", "b"), pair("x", "1"), pair("a", "c")]).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`a`") && message.contains("a=b") && message.contains("a=c"));
    }

    #[test]
    fn long_tags_are_cut_with_a_warning() {
        let many: Vec<_> = (0..40).map(|i| pair(&format!("k{i}"), "v")).collect();
        let (kept, warnings) = tags(&many).unwrap();
        assert_eq!(kept.len(), MAX_TAGS);
        assert_eq!(warnings.len(), 1);
        let (kept, warnings) = tags(&[pair(&"k".repeat(200), &"é".repeat(1000))]).unwrap();
        let (key, value) = kept.iter().next().unwrap();
        assert_eq!(key.len(), MAX_TAG_KEY);
        assert!(value.len() <= MAX_TAG_VALUE && value.len() >= MAX_TAG_VALUE - 1);
        assert_eq!(warnings.len(), 2);
    }

    #[test]
    fn logged_args_are_bounded() {
        let (out, warning) = args(vec!["x".repeat(100); MAX_ARGS + 5]);
        assert_eq!(out.len(), MAX_ARGS + 1);
        assert_eq!(out[MAX_ARGS], "… 5 more");
        assert!(warning.is_some());
        // Escapes count: 4 KiB of ESC is 24 KiB of JSON.
        let (out, _) = args(vec!["\u{1b}".repeat(MAX_ARG); 100]);
        let json = serde_json::to_string(&out).unwrap();
        assert!(json.len() <= MAX_ARGS_JSON + 100, "{}", json.len());
        let (out, warning) = args(vec!["x".repeat(MAX_ARG + 10); 3]);
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|a| a.len() <= MAX_ARG + CUT.len()));
        assert!(warning.is_some());
        assert_eq!(args(vec!["-m".into()]), (vec!["-m".to_string()], None));
    }
}

//! The built-in secret shapes that are more than a name or a prefix: URL
//! passwords, random-looking keys, private key blocks and secret JSON members.

use std::ops::Range;

use super::Redactor;
use super::text::runs;

/// `-phunter2` (mysql and friends): a password glued to `-p`, except the
/// compiler flags that look alike.
pub(super) fn is_attached_password(flag: &str) -> bool {
    let Some(rest) = flag.strip_prefix("-p") else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('-')
        && !matches!(
            rest,
            "thread" | "edantic" | "edantic-errors" | "ipe" | "g" | "ie"
        )
        && !rest.starts_with("rint")
}

/// `scheme://user:password@host`: the password.
pub(super) fn url_passwords(text: &str, found: &mut Vec<Range<usize>>) {
    for (at, _) in text.match_indices("://") {
        let start = at + 3;
        let authority_end = text[start..]
            .find(['/', '?', '#', ' '])
            .map_or(text.len(), |i| start + i);
        let authority = &text[start..authority_end];
        if let Some(user_end) = authority.rfind('@')
            && let Some(colon) = authority[..user_end].find(':')
        {
            found.push(start + colon + 1..start + user_end);
        }
    }
}

/// Long random-looking runs of base64 (an AWS secret access key, a bare API
/// key): at least 32 characters mixing upper case, lower case and digits, with
/// the spread of characters of random text (entropy) and its case changing
/// every few letters, unlike the CamelCase words of a path.
pub(super) fn high_entropy(text: &str, found: &mut Vec<Range<usize>>) {
    let is_base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/');
    for run in runs(text, is_base64) {
        let word = text[run.clone()].trim_matches('/');
        if word.len() < 32 {
            continue;
        }
        let has = |f: fn(&u8) -> bool| word.as_bytes().iter().any(f);
        if has(u8::is_ascii_uppercase)
            && has(u8::is_ascii_lowercase)
            && has(u8::is_ascii_digit)
            && entropy(word) >= 4.2
            && case_changes(word) * 5 >= word.len()
        {
            let end =
                run.end + text[run.end..].len() - text[run.end..].trim_start_matches('=').len();
            found.push(run.start..end);
        }
    }
}

/// How often the case changes between adjacent letters.
pub(super) fn case_changes(word: &str) -> usize {
    word.as_bytes()
        .windows(2)
        .filter(|pair| {
            pair[0].is_ascii_alphabetic()
                && pair[1].is_ascii_alphabetic()
                && pair[0].is_ascii_uppercase() != pair[1].is_ascii_uppercase()
        })
        .count()
}

/// Shannon entropy of `word`, in bits per character.
pub(super) fn entropy(word: &str) -> f64 {
    let mut counts = [0u32; 256];
    for &b in word.as_bytes() {
        counts[b as usize] += 1;
    }
    let n = word.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// `-----BEGIN … PRIVATE KEY-----` through its END line (or the end of the argument).
pub(super) fn private_key_blocks(arg: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(begin) = arg[from..].find("-----BEGIN ").map(|i| from + i) {
        let label_end = arg[begin + 11..]
            .find("-----")
            .map_or(arg.len(), |i| begin + 11 + i);
        if !arg[begin..label_end].contains("PRIVATE KEY") {
            from = label_end;
            continue;
        }
        let end = arg[label_end..]
            .find("-----END ")
            .and_then(|i| {
                let end_label = label_end + i + 9;
                arg[end_label..].find("-----").map(|j| end_label + j + 5)
            })
            .unwrap_or(arg.len());
        found.push(begin..end);
        from = end;
    }
    found
}

/// The string value of every JSON member whose key looks secret: `"api_key": "…"`.
pub(super) fn json_members(text: &str, redactor: &Redactor) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut quotes = text.match_indices('"').map(|(i, _)| i).peekable();
    while let Some(open) = quotes.next() {
        let Some(close) = quotes.next() else { break };
        let key = &text[open + 1..close];
        let rest = &text[close + 1..];
        let after = rest.trim_start();
        let Some(value) = after.strip_prefix(':').map(str::trim_start) else {
            continue;
        };
        if !value.starts_with('"') || !redactor.is_secret_name(key) {
            continue;
        }
        let value_open = text.len() - value.len();
        // The value's closing quote, skipping escaped ones.
        let mut end = None;
        let mut escaped = false;
        for (i, c) in text[value_open + 1..].char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(value_open + 1 + i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let end = end.unwrap_or(text.len());
        found.push(value_open + 1..end);
        while quotes.peek().is_some_and(|&q| q <= end) {
            quotes.next();
        }
    }
    found
}

//! Redacting secrets from a command's arguments before `logging.log_args` records them.
//!
//! Every detector returns byte ranges of one argument that hold a secret; the
//! ranges merge and each becomes `[REDACTED]`. Arguments are also read as words
//! (split at whitespace and quotes), so a command line inside one argument
//! (`sh -c "mysql -p hunter2"`) is read like argv, and a flag's value may be the
//! next argument or the next word. The shapes follow what secret scanners
//! publish (gitleaks, trufflehog, Atuin's secrets filter), written by hand: no
//! regex crate on the run path. `tests/data/secret_shapes.tsv` lists every shape
//! with its expected redaction. When in doubt, hide: a log of arguments is worth
//! less than a leaked password.

use std::ops::Range;

use crate::config::glob::Glob;

mod shapes;
mod text;

use shapes::{high_entropy, is_attached_password, json_members, private_key_blocks, url_passwords};
use text::{runs, splice, words};

pub const REDACTED: &str = "[REDACTED]";

/// Redacts with the built-in shapes and the user's extra patterns
/// (`logging.redact`: globs matched against words and against names).
#[derive(Debug, Default)]
pub struct Redactor {
    extra: Vec<Glob>,
}

/// Redacts `args` with the built-in shapes only.
pub fn redact_args(args: &[String]) -> Vec<String> {
    Redactor::default().redact(args)
}

/// Words that make a flag, variable, header, query or JSON key name secret,
/// matched in the name lower-cased with `-`, `_` and `.` removed.
const SECRET_NAME_PARTS: [&str; 18] = [
    "key",
    "token",
    "pass",
    "pwd",
    "secret",
    "auth",
    "credential",
    "bearer",
    "cookie",
    "session",
    "privatekey",
    "signature",
    "dsn",
    "databaseurl",
    "dburl",
    "connectionstring",
    "connstr",
    "jwt",
];

/// Names that are secret only as a whole (`?sig=` of a signed URL, `pw=`).
const SECRET_NAMES: [&str; 3] = ["sig", "pw", "otp"];

/// Token prefixes of known issuers, with the least number of characters that
/// must follow for a word to be taken as a token.
const TOKEN_PREFIXES: &[(&str, usize)] = &[
    ("sk-", 16),
    ("sk_", 16),
    ("rk_live_", 16),
    ("rk_test_", 16),
    ("whsec_", 16),
    ("ghp_", 20),
    ("gho_", 20),
    ("ghu_", 20),
    ("ghs_", 20),
    ("ghr_", 20),
    ("github_pat_", 20),
    ("glpat-", 16),
    ("gldt-", 16),
    ("glrt-", 16),
    ("glptt-", 16),
    ("glsoat-", 16),
    ("GR1348941", 16),
    ("xoxb-", 10),
    ("xoxp-", 10),
    ("xoxa-", 10),
    ("xoxr-", 10),
    ("xoxs-", 10),
    ("xoxe-", 10),
    ("xapp-", 10),
    ("AKIA", 16),
    ("ASIA", 16),
    ("ABIA", 16),
    ("ACCA", 16),
    ("AIza", 30),
    ("ya29.", 20),
    ("GOCSPX-", 20),
    ("hf_", 30),
    ("api_org_", 30),
    ("npm_", 30),
    ("pypi-", 32),
    ("SG.", 40),
    ("shpat_", 30),
    ("shpss_", 30),
    ("shpca_", 30),
    ("shppa_", 30),
    ("dop_v1_", 40),
    ("doo_v1_", 40),
    ("dor_v1_", 40),
    ("sq0atp-", 20),
    ("sq0csp-", 20),
    ("AGE-SECRET-KEY-1", 40),
    ("xai-", 40),
    ("gsk_", 40),
    ("r8_", 30),
    ("pplx-", 30),
    ("lin_api_", 30),
    ("ntn_", 30),
    ("hvs.", 20),
    ("hvb.", 20),
    ("dckr_pat_", 20),
    ("PMAK-", 30),
    ("glc_", 30),
    ("glsa_", 30),
    ("sntrys_", 30),
    ("nvapi-", 30),
    ("eyJ", 20),
];

/// What a word makes of the next one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Next {
    Keep,
    /// The next word is a secret (`--password X`, `Bearer X`, `-p X`).
    Hide,
    /// The next word and the rest of its quoted stretch (`token="a b"`).
    HideStretch,
    /// The next word is `user:password` (`-u alice:hunter2`).
    UserPassword,
}

impl Redactor {
    /// A redactor with the extra patterns of `logging.redact`; a pattern that does
    /// not compile is skipped here (`promptrun config check` reports it).
    pub fn new(extra: &[String]) -> Self {
        Redactor {
            extra: extra.iter().filter_map(|p| Glob::new(p).ok()).collect(),
        }
    }

    /// `args` with every secret found replaced by `[REDACTED]`.
    pub fn redact(&self, args: &[String]) -> Vec<String> {
        let mut spans: Vec<Vec<Range<usize>>> = args
            .iter()
            .map(|arg| {
                let mut found = private_key_blocks(arg);
                found.extend(json_members(arg, self));
                found
            })
            .collect();
        let mut next = Next::Keep;
        let mut header_group = None;
        for word in words(args) {
            let text = &args[word.arg][word.range.clone()];
            let start = word.range.start;
            let out = &mut spans[word.arg];
            if header_group == Some(word.group) {
                out.push(word.range.clone());
                continue;
            }
            match std::mem::replace(&mut next, Next::Keep) {
                Next::Hide => {
                    out.push(word.range.clone());
                    continue;
                }
                Next::HideStretch => {
                    out.push(word.range.clone());
                    header_group = Some(word.group);
                    continue;
                }
                Next::UserPassword => {
                    if let Some(colon) = text.find(':') {
                        out.push(start + colon + 1..word.range.end);
                    }
                }
                Next::Keep => {}
            }
            let mut found = Vec::new();
            next = self.word(text, &mut found);
            if self.header(text, &mut found) {
                header_group = Some(word.group);
            }
            out.extend(found.into_iter().map(|r| start + r.start..start + r.end));
        }
        args.iter()
            .zip(spans)
            .map(|(arg, spans)| splice(arg, spans))
            .collect()
    }

    fn is_secret_name(&self, name: &str) -> bool {
        let name = name.trim_start_matches('-');
        let plain: String = name
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | '.'))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let counts_tokens =
            plain.ends_with("tokens") && ["max", "min", "num"].iter().any(|p| plain.starts_with(p));
        (!counts_tokens && SECRET_NAME_PARTS.iter().any(|part| plain.contains(part)))
            || SECRET_NAMES.contains(&plain.as_str())
            || self.extra.iter().any(|glob| glob.matches(name))
    }

    /// Secrets inside one word; returns what the word makes of the next one.
    fn word(&self, text: &str, found: &mut Vec<Range<usize>>) -> Next {
        let mut next = Next::Keep;
        if text.len() > 1 && text.starts_with('-') {
            next = self.flag(text, found);
        } else if text.eq_ignore_ascii_case("bearer") || text.eq_ignore_ascii_case("basic") {
            next = Next::Hide;
        }
        if let Some(name) = text.strip_suffix('=')
            && self.is_secret_name(name)
        {
            // `token="a b"`: the quote made the value words of their own.
            next = Next::HideStretch;
        }
        self.assignments(text, found);
        url_passwords(text, found);
        self.tokens(text, found);
        high_entropy(text, found);
        if !text.starts_with('-') && self.extra.iter().any(|glob| glob.matches(text)) {
            found.push(0..text.len());
        }
        next
    }

    /// `--password X`, `-p X`, `-pX`, `-u user:pass`, `--user=user:pass`.
    fn flag(&self, text: &str, found: &mut Vec<Range<usize>>) -> Next {
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        let user_flag = matches!(name, "-u" | "--user" | "-U" | "--proxy-user");
        match value {
            None if user_flag => return Next::UserPassword,
            None if name == "-p" || self.is_secret_name(name) => return Next::Hide,
            None if is_attached_password(name) => found.push(2..text.len()),
            Some(value) if user_flag => {
                if let Some(colon) = value.find(':') {
                    found.push(name.len() + 1 + colon + 1..text.len());
                }
            }
            _ => {}
        }
        Next::Keep
    }

    /// `Authorization: Bearer X`, `Cookie: a=b`, `X-Api-Key:abc`: true when the
    /// rest of the quoted stretch is the header's value, all secret.
    fn header(&self, text: &str, found: &mut Vec<Range<usize>>) -> bool {
        let Some(colon) = text.find(':') else {
            return false;
        };
        let name_start = text[..colon].rfind('=').map_or(0, |i| i + 1);
        let name = &text[name_start..colon];
        let header_like = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !header_like || !self.is_secret_name(name) {
            return false;
        }
        if colon + 1 < text.len() {
            found.push(colon + 1..text.len());
        }
        true
    }

    /// `NAME=value`, `--name=value`, and `name=value` pairs of a query string,
    /// form body or cookie, wherever they are in the word.
    fn assignments(&self, text: &str, found: &mut Vec<Range<usize>>) {
        let bytes = text.as_bytes();
        for (eq, _) in text.match_indices('=') {
            // After the last character that cannot be in a name (which may be
            // several bytes long: the name starts after all of them).
            let name_start = text[..eq]
                .char_indices()
                .rev()
                .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let name = &text[name_start..eq];
            if name.is_empty() || !self.is_secret_name(name) {
                continue;
            }
            let end = if name_start == 0 {
                text.len()
            } else {
                (eq + 1..text.len())
                    .find(|&i| matches!(bytes[i], b'&' | b';' | b'#'))
                    .unwrap_or(text.len())
            };
            if end > eq + 1 {
                found.push(eq + 1..end);
            }
        }
    }

    /// Tokens of known issuers (`ghp_…`, `hf_…`, `AKIA…`, JWTs) and words the
    /// user's patterns match, anywhere a run of token characters starts.
    fn tokens(&self, text: &str, found: &mut Vec<Range<usize>>) {
        let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        for run in runs(text, is_token_char) {
            let word = &text[run.clone()];
            let known = TOKEN_PREFIXES.iter().any(|(prefix, rest)| {
                word.starts_with(prefix) && word.len() >= prefix.len() + rest
            });
            let slash_prefix = text[..run.start].ends_with("1//") && word.starts_with('0');
            // A name (`NAME=`, `--name`) is matched as a name, for its value.
            let is_name = word.starts_with('-') || text[run.end..].starts_with(['=', ':']);
            let extra = !is_name && self.extra.iter().any(|glob| glob.matches(word));
            if known || extra {
                found.push(run);
            } else if slash_prefix && word.len() >= 30 {
                // Google refresh tokens: `1//0…`.
                found.push(run.start - 3..run.end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(args: &[&str]) -> Vec<String> {
        redact_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn secrets_are_redacted_and_the_rest_kept() {
        let out = redact(&[
            "-m",
            "gpt-4o",
            "--api-key",
            "abc123",
            "--token=xyz",
            "OPENAI_API_KEY=sk-live",
            "Authorization: Bearer eyJhbGciOi",
            "sk-proj-0123456789abcdef",
            "--password",
            "hunter2",
            "Bearer",
            "tok",
            "--temperature",
            "0.2",
        ]);
        let joined = out.join(" ");
        for secret in [
            "abc123",
            "xyz",
            "sk-live",
            "eyJhbGciOi",
            "sk-proj-0123456789abcdef",
            "hunter2",
            "tok ",
        ] {
            assert!(!joined.contains(secret), "{secret} leaked in {joined}");
        }
        assert_eq!(out[0..2], ["-m", "gpt-4o"]);
        assert_eq!(out[out.len() - 2..], ["--temperature", "0.2"]);
        assert_eq!(out[4], "--token=[REDACTED]");
    }

    #[test]
    fn secrets_inside_values_headers_and_json_are_redacted() {
        let out = redact(&[
            "--header=Authorization: Bearer K3SECRET",
            "--message=sk-proj-K10SECRETabcdef",
            "-H",
            "x-api-key: K4SECRET",
            "--pass",
            "K8SECRET",
            "--data",
            r#"{"model": "m", "api_key": "K9SECRET", "n": 1}"#,
            "--model=gpt-4o",
        ]);
        let joined = out.join(" ");
        for secret in ["K3SECRET", "K10SECRET", "K4SECRET", "K8SECRET", "K9SECRET"] {
            assert!(!joined.contains(secret), "{secret} leaked in {joined}");
        }
        assert_eq!(out[6], "--data");
        assert_eq!(out[7], r#"{"model": "m", "api_key": "[REDACTED]", "n": 1}"#);
        assert_eq!(out[8], "--model=gpt-4o");
    }

    /// Every shape in `tests/data/secret_shapes.tsv`: `shape<TAB>argv JSON<TAB>expected JSON`.
    #[test]
    fn every_shape_in_the_table_is_redacted_as_listed() {
        let table = include_str!("../../../tests/data/secret_shapes.tsv");
        let mut failures = Vec::new();
        let mut shapes = 0;
        for (index, line) in table.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let columns: Vec<&str> = line.split('\t').collect();
            assert_eq!(columns.len(), 3, "line {}: {line}", index + 1);
            let args: Vec<String> = serde_json::from_str(columns[1]).unwrap();
            let expected: Vec<String> = serde_json::from_str(columns[2]).unwrap();
            let actual = redact_args(&args);
            if actual != expected {
                failures.push(format!(
                    "line {} ({}): got\t{}",
                    index + 1,
                    columns[0],
                    serde_json::to_string(&actual).unwrap()
                ));
            }
            shapes += 1;
        }
        assert!(shapes >= 63, "only {shapes} shapes");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn paths_hashes_and_prose_are_kept() {
        let kept = [
            "/home/alice/projects/SomeLongDirectoryName2024/src/main.rs",
            "0123456789abcdef0123456789abcdef01234567",
            "018f3a52-7c1e-7b2a-9d3e-4f5a6b7c8d9e",
            "Summarize the following text in three bullet points",
            "--max-tokens",
            "4096",
            "-pthread",
            "https://example.com/a?page=2&sort=asc",
        ];
        assert_eq!(redact(&kept), kept);
    }

    proptest::proptest! {
        /// Any text, in any number of arguments: no panic (every cut is on a
        /// character boundary), as many arguments out as in, and a secret
        /// glued to a known shape never survives.
        #[test]
        fn arbitrary_arguments_never_panic(
            args in proptest::collection::vec("(\\PC|[\\t\\n\"'=:&?@/ -]){0,40}", 0..6),
            secret in "[A-Za-z0-9]{24}",
        ) {
            let out = Redactor::new(&["x*".to_string()]).redact(&args);
            proptest::prop_assert_eq!(out.len(), args.len());
            let mut with_secret = args.clone();
            with_secret.push(format!("https://u:{secret}@h/?a=1&token={secret}"));
            with_secret.push(format!("ghp_{secret}"));
            let joined = redact_args(&with_secret).join(" ");
            proptest::prop_assert!(!joined.contains(&secret), "{}", joined);
        }
    }

    #[test]
    fn extra_patterns_match_words_and_names() {
        let redactor = Redactor::new(&["acme_*".to_string(), "*_SALT".to_string()]);
        let args: Vec<String> = ["acme_0123", "MY_SALT=abc", "--MY_SALT", "x", "plain"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            redactor.redact(&args),
            [
                "[REDACTED]",
                "MY_SALT=[REDACTED]",
                "--MY_SALT",
                "[REDACTED]",
                "plain"
            ]
        );
        // Without the patterns, all of it is kept.
        assert_eq!(redact_args(&args), args);
    }
}

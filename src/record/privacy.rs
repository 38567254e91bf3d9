//! Private by default: salted identity hashes and redaction of secret arguments.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[(byte >> 4) as usize] as char);
        out.push(DIGITS[(byte & 15) as usize] as char);
    }
    out
}

/// Hashes identities (user, host) with this machine's salt, so runs of one person
/// group together while nobody can be identified from a shared log.
#[derive(Debug, Clone)]
pub struct IdentityHasher {
    salt: Vec<u8>,
}

impl IdentityHasher {
    /// Uses the salt in `<state_dir>/salt`, creating it (0600, [`SALT_LEN`] random
    /// bytes) the first time. Without a usable state dir the salt lives only for
    /// this process, which still hides identities but stops runs from grouping
    /// by user; a state dir or salt file that is not the user's own says so once.
    pub fn load_or_create(state_dir: Option<&Path>) -> Self {
        let salt = match state_dir.map(read_or_create_salt) {
            Some(Ok(salt)) => salt,
            Some(Err(message)) => {
                crate::error::warn(format!(
                    "{message}; user and host hashes of this run will not match other runs"
                ));
                random_salt()
            }
            None => random_salt(),
        };
        IdentityHasher { salt }
    }

    /// `sha256(salt || value)` in hex.
    pub fn hash(&self, value: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(&self.salt);
        hasher.update(value.as_bytes());
        hex(&hasher.finalize())
    }
}

/// The salt's length in bytes.
pub const SALT_LEN: usize = 32;

fn random_salt() -> Vec<u8> {
    let mut salt = uuid::Uuid::new_v4().as_bytes().to_vec();
    salt.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    salt
}

/// Reads `<state_dir>/salt`, or writes a new one atomically: a temporary file
/// (0600) linked into place, so a full disk never leaves an empty salt behind.
/// A salt of the wrong length (an empty file from an older version, say) is
/// replaced, with one warning. The state directory and the salt must be the
/// user's own (see [`crate::files`]); the error says what is wrong, with the path.
fn read_or_create_salt(state_dir: &Path) -> Result<Vec<u8>, String> {
    use crate::files::open::CheckedDir;
    let path = state_dir.join("salt");
    let dir = CheckedDir::open_or_create(state_dir)
        .map_err(|err| format!("refusing state directory {}: {err}", state_dir.display()))?;
    let refuse = |err: std::io::Error| format!("refusing salt file {}: {err}", path.display());
    let existing = match dir.open_file("salt", libc::O_RDONLY, 0) {
        Ok(mut file) => Some(
            crate::files::open::read_limited(&mut file, 4096)
                .map_err(|err| format!("cannot read salt file {}: {err}", path.display()))?,
        ),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(refuse(err)),
    };
    if let Some(existing) = &existing {
        if existing.len() == SALT_LEN {
            return Ok(existing.clone());
        }
        crate::error::warn(format!(
            "salt file {} holds {} bytes instead of {SALT_LEN}; replacing it \
             (user and host hashes change from this run on)",
            path.display(),
            existing.len()
        ));
    }
    let salt = random_salt();
    let temp = state_dir.join(format!(".salt.{}.tmp", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .and_then(|mut file| file.write_all(&salt).and_then(|()| file.sync_all()));
    let placed = written.and_then(|()| match existing {
        // Replacing a bad salt: whoever renames last wins, and both are valid.
        Some(_) => std::fs::rename(&temp, &path),
        // Creating: linking fails when another process created it first; where
        // the file system has no hard links, renaming is the next best thing.
        None => std::fs::hard_link(&temp, &path).or_else(|err| match err.kind() {
            std::io::ErrorKind::AlreadyExists => Err(err),
            _ => std::fs::rename(&temp, &path),
        }),
    });
    let _ = std::fs::remove_file(&temp);
    match placed {
        Ok(()) => Ok(salt),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            let mut file = dir.open_file("salt", libc::O_RDONLY, 0).map_err(refuse)?;
            let theirs = crate::files::open::read_limited(&mut file, 4096)
                .map_err(|err| format!("cannot read salt file {}: {err}", path.display()))?;
            Ok(if theirs.len() == SALT_LEN {
                theirs
            } else {
                salt
            })
        }
        Err(err) => Err(format!("cannot write salt file {}: {err}", path.display())),
    }
}

/// The current user's name (from $USER/$LOGNAME, else the uid).
pub fn user_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| format!("uid:{}", unsafe { libc::getuid() }))
}

/// This machine's host name.
pub fn host_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it.
    let ok = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0;
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(0);
    if ok && end > 0 {
        String::from_utf8_lossy(&buffer[..end]).into_owned()
    } else {
        String::from("unknown-host")
    }
}

const REDACTED: &str = "[REDACTED]";

/// Words that make a flag, variable, header or JSON key name secret.
const SECRET_FLAG_WORDS: [&str; 8] = [
    "key",
    "token",
    "pass",
    "pwd",
    "secret",
    "auth",
    "credential",
    "bearer",
];

fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_FLAG_WORDS.iter().any(|word| lower.contains(word))
}

fn looks_like_token(arg: &str) -> bool {
    let prefixes = [
        "sk-",
        "sk_",
        "ghp_",
        "gho_",
        "github_pat_",
        "xoxb-",
        "xoxp-",
        "AKIA",
        "AIza",
    ];
    prefixes
        .iter()
        .any(|p| arg.starts_with(p) && arg.len() >= p.len() + 8)
}

/// Redacts the values of secret-looking flags and tokens: `--api-key X`,
/// `--token=X`, `NAME_KEY=X`, `Bearer X`, `Authorization: Bearer X`, `sk-…`.
pub fn redact_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut hide_next = false;
    for arg in args {
        if std::mem::take(&mut hide_next) {
            out.push(REDACTED.to_string());
            continue;
        }
        if let Some(flag) = arg.strip_prefix('-').filter(|_| arg.len() > 1) {
            match flag.split_once('=') {
                Some((name, _)) if is_secret_name(name) => {
                    out.push(format!("-{name}={REDACTED}"));
                }
                Some((name, value)) => out.push(format!("-{name}={}", redact_value(value))),
                None if is_secret_name(flag) => {
                    hide_next = true;
                    out.push(arg.clone());
                }
                _ => out.push(arg.clone()),
            }
            continue;
        }
        if let Some((name, _)) = arg.split_once('=')
            && is_secret_name(name)
            && !name.contains(' ')
        {
            out.push(format!("{name}={REDACTED}"));
            continue;
        }
        if arg.eq_ignore_ascii_case("bearer") {
            hide_next = true;
            out.push(arg.clone());
            continue;
        }
        out.push(redact_value(arg));
    }
    out
}

/// Redacts secrets inside one value: a `Name: value` header with a secret-looking
/// name, `"api_key": "..."` members of inline JSON, `Bearer X` and known token shapes.
fn redact_value(value: &str) -> String {
    if let Some((name, _)) = value.split_once(':')
        && !name.contains(' ')
        && !name.starts_with(['{', '"', '['])
        && is_secret_name(name)
    {
        return format!("{name}: {REDACTED}");
    }
    redact_words(&redact_json_members(value))
}

/// Replaces the string value of every JSON member whose key looks secret.
fn redact_json_members(text: &str) -> String {
    if !text.contains('"') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let Some(close) = rest[open + 1..].find('"').map(|i| open + 1 + i) else {
            break;
        };
        let key = &rest[open + 1..close];
        out.push_str(&rest[..=close]);
        rest = &rest[close + 1..];
        let after_colon = rest.trim_start().strip_prefix(':').map(str::trim_start);
        if let Some(value) = after_colon.filter(|v| v.starts_with('"'))
            && is_secret_name(key)
            && let Some(end) = value[1..].find('"')
        {
            out.push_str(&rest[..rest.len() - value.len()]);
            out.push_str(&format!("\"{REDACTED}\""));
            rest = &value[end + 2..];
        }
    }
    out.push_str(rest);
    out
}

/// Redacts tokens and `Bearer X` inside a longer argument (a header, a URL).
fn redact_words(arg: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut hide_next = false;
    for word in arg.split(' ') {
        if (std::mem::take(&mut hide_next) && !word.is_empty()) || looks_like_token(word) {
            words.push(REDACTED.to_string());
        } else {
            hide_next = word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic");
            words.push(word.to_string());
        }
    }
    words.join(" ")
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

    #[test]
    fn salt_is_created_once_and_hashes_are_stable() {
        let dir = tempfile::tempdir().unwrap();
        let a = IdentityHasher::load_or_create(Some(dir.path()));
        let b = IdentityHasher::load_or_create(Some(dir.path()));
        assert_eq!(a.hash("alice"), b.hash("alice"));
        assert_ne!(a.hash("alice"), a.hash("bob"));
        assert_ne!(a.hash("alice"), sha256_hex(b"alice"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("salt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

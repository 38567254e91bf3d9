//! Private by default: salted identity hashes; redaction of secret arguments is in `redact`.

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

#[cfg(test)]
mod tests {
    use super::*;

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

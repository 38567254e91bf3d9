//! Private by default: salted identity hashes; redaction of secret arguments is in `redact`.

use std::fs::OpenOptions;
use std::io::{Read, Write};
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
    /// Uses the salt in `<state_dir>/salt`, creating it (0600, 32 random bytes) the
    /// first time. Without a usable state dir the salt lives only for this process,
    /// which still hides identities but stops runs from grouping by user.
    pub fn load_or_create(state_dir: Option<&Path>) -> Self {
        let salt = state_dir
            .and_then(|dir| read_or_create_salt(&dir.join("salt")).ok())
            .unwrap_or_else(random_salt);
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

fn random_salt() -> Vec<u8> {
    let mut salt = uuid::Uuid::new_v4().as_bytes().to_vec();
    salt.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    salt
}

fn read_or_create_salt(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut existing = Vec::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        file.read_to_end(&mut existing)?;
        if existing.len() >= 16 {
            return Ok(existing);
        }
    }
    if let Some(dir) = path.parent() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let salt = random_salt();
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(&salt)?;
            Ok(salt)
        }
        // Another process created it first: use theirs.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            std::thread::sleep(std::time::Duration::from_millis(5));
            let theirs = std::fs::read(path)?;
            Ok(if theirs.len() >= 16 { theirs } else { salt })
        }
        Err(err) => Err(err),
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

//! Which configs promptrun trusts, and the prompt files they name.
//!
//! Like git's `safe.directory`: a config found by searching up from the current
//! directory is used only when it, and the directory holding it, belong to the
//! user (or root) and nobody else can write them, so that a `router-config.json`
//! planted in a shared ancestor (/tmp, a world-writable checkout) cannot run
//! commands. The prompt files such a config names are held to the same rule.
//! A config named with `--config`/PROMPTRUN_CONFIG is the user's choice: it is
//! used, with a warning when others can write it. PROMPTRUN_SAFE_DIRS lists
//! directories (`:`-separated, `*` for all) whose configs are trusted anyway.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, warn};
use crate::files::owner;

/// How a config was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Named with `--config` or PROMPTRUN_CONFIG.
    Explicit,
    /// Found by searching up from the current directory, or in the XDG config dir.
    Discovered,
}

/// The variable that lists directories whose configs are trusted whoever owns them.
pub const SAFE_DIRS_VAR: &str = "PROMPTRUN_SAFE_DIRS";

/// True when PROMPTRUN_SAFE_DIRS is `*` or lists a directory holding `path`.
fn in_safe_dir(path: &Path) -> bool {
    let Some(list) = std::env::var_os(SAFE_DIRS_VAR) else {
        return false;
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    std::env::split_paths(&list).any(|dir| {
        dir.as_os_str() == "*"
            || (!dir.as_os_str().is_empty()
                && absolute.starts_with(std::path::absolute(&dir).unwrap_or(dir)))
    })
}

/// Checks the config at `path` (`meta` from its open descriptor) for `origin`:
/// `Ok(true)` when the prompt files it names must pass [`check_prompt_file`].
pub fn check_config(path: &Path, meta: &Metadata, origin: Origin) -> Result<bool> {
    if origin == Origin::Explicit {
        if let Some(who) = owner::writable_by_others(meta) {
            warn(format!(
                "config file {} is {who}; anyone who can write it chooses the commands promptrun runs",
                path.display()
            ));
        }
        return Ok(false);
    }
    if in_safe_dir(path) {
        return Ok(false);
    }
    if let Some(why) = untrusted_place(path, meta) {
        let dir = path.parent().unwrap_or(Path::new("."));
        return Err(Error::Config(format!(
            "refusing {} (found by searching up from the current directory{}): {why}; \
             if you trust it, pass it with --config {} or add {} to {SAFE_DIRS_VAR}",
            path.display(),
            owned_by(meta, &why),
            path.display(),
            dir.display()
        )));
    }
    Ok(true)
}

/// Checks a prompt file named by a config that [`check_config`] held strictly.
pub fn check_prompt_file(path: &Path, meta: &Metadata, config: &Path) -> Result<()> {
    match untrusted_place(path, meta) {
        None => Ok(()),
        Some(why) => Err(Error::Config(format!(
            "refusing prompt file {} (named by {}{}): {why}; if you trust it, pass \
             the config with --config {} or add its directory to {SAFE_DIRS_VAR}",
            path.display(),
            config.display(),
            owned_by(meta, &why),
            config.display()
        ))),
    }
}

/// `, owned by alice (uid 1001)`, unless `why` already names the owner.
fn owned_by(meta: &Metadata, why: &str) -> String {
    if why.starts_with("owned by") {
        String::new()
    } else {
        format!(", owned by {}", owner::describe_user(meta.uid()))
    }
}

/// Why a file (`meta` from its descriptor) reached through `path` is not the
/// user's own: the file, a final symlink, or the directory holding it belongs
/// to another user or can be written by others.
fn untrusted_place(path: &Path, meta: &Metadata) -> Option<String> {
    if let Some(why) = owner::untrusted_file(meta) {
        return Some(why);
    }
    if let Ok(link) = std::fs::symlink_metadata(path)
        && link.file_type().is_symlink()
        && !owner::is_ours(link.uid())
    {
        return Some(format!(
            "it is a symbolic link owned by {}",
            owner::describe_user(link.uid())
        ));
    }
    let dir: PathBuf = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir_meta = std::fs::metadata(&dir).ok()?;
    owner::untrusted_dir(&dir_meta).map(|why| format!("its directory {} is {why}", dir.display()))
}

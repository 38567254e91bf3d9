//! The XDG base directories promptrun uses.

use std::path::PathBuf;

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
}

fn xdg(variable: &str, fallback: &str) -> Option<PathBuf> {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| home().map(|home| home.join(fallback)))
}

/// `$XDG_CONFIG_HOME`, else `~/.config`.
pub fn config_home() -> Option<PathBuf> {
    xdg("XDG_CONFIG_HOME", ".config")
}

/// promptrun's state directory: `$XDG_STATE_HOME/promptrun`, else `~/.local/state/promptrun`.
/// Holds the hashing salt, the last run, and (by default) the event logs.
pub fn state_dir() -> Option<PathBuf> {
    xdg("XDG_STATE_HOME", ".local/state").map(|dir| dir.join("promptrun"))
}

/// The default log directory: `<state dir>/events`.
pub fn default_log_dir() -> Option<PathBuf> {
    state_dir().map(|dir| dir.join("events"))
}

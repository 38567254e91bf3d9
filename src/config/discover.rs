//! Where the router config is found.

use std::path::{Path, PathBuf};

use crate::config::dirs;
use crate::config::trust::Origin;

/// What to tell a user when no config was found.
pub const NOT_FOUND: &str = "no router-config.json found (searched from the current directory up, \
     and $XDG_CONFIG_HOME/promptrun); pass --config PATH";

/// The names looked for in each directory, walking up from the current one.
const CANDIDATES: [&str; 2] = ["router-config.json", "config/router-config.json"];

/// The config to use: `explicit` (from `--config` or PROMPTRUN_CONFIG) if given,
/// else the nearest `router-config.json` or `config/router-config.json` walking up
/// from `cwd`, else `$XDG_CONFIG_HOME/promptrun/router-config.json`. `None` when
/// there is no config anywhere: promptrun then runs ad hoc. A discovered config
/// is only used once [`crate::config::trust`] has checked who owns it.
pub fn find(explicit: Option<&Path>, cwd: &Path) -> Option<(PathBuf, Origin)> {
    if let Some(path) = explicit {
        return Some((path.to_path_buf(), Origin::Explicit));
    }
    for dir in cwd.ancestors() {
        for name in CANDIDATES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some((candidate, Origin::Discovered));
            }
        }
    }
    let user = dirs::config_home()?.join("promptrun/router-config.json");
    user.is_file().then_some((user, Origin::Discovered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_config_wins_over_parents() {
        let root = tempfile::tempdir().unwrap();
        let nested = root.path().join("a/b");
        std::fs::create_dir_all(nested.join("config")).unwrap();
        std::fs::write(root.path().join("router-config.json"), "{}").unwrap();
        assert_eq!(
            find(None, &nested),
            Some((root.path().join("router-config.json"), Origin::Discovered))
        );
        std::fs::write(nested.join("config/router-config.json"), "{}").unwrap();
        assert_eq!(
            find(None, &nested),
            Some((nested.join("config/router-config.json"), Origin::Discovered))
        );
        let explicit = root.path().join("elsewhere.json");
        assert_eq!(
            find(Some(&explicit), &nested),
            Some((explicit.clone(), Origin::Explicit))
        );
    }
}

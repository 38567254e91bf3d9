//! What every subcommand resolves once before it starts: the config and the log directory.

use std::path::PathBuf;

use crate::config::dirs;
use crate::config::{LoadedConfig, discover};
use crate::error::{Error, Result, warn};
use std::path::Path;

/// Global flags, the environment and the config, resolved.
#[derive(Debug)]
pub struct Context {
    /// The config, when there is one.
    pub config: Option<LoadedConfig>,
    /// Where events go and are read from; `None` when no directory can be worked out.
    pub log_dir: Option<PathBuf>,
    /// promptrun's state directory (salt, last run), when there is one.
    pub state_dir: Option<PathBuf>,
}

impl Context {
    /// Finds and loads the config (`config_path` is `--config`/PROMPTRUN_CONFIG;
    /// warns about unknown keys) and resolves the log directory: `log_dir`
    /// (`--log-dir`/PROMPTRUN_LOG_DIR), then config `logging.dir`, then the
    /// XDG state directory.
    pub fn resolve(config_path: Option<&Path>, log_dir: Option<&Path>) -> Result<Self> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let config = match discover::find(config_path, &cwd) {
            Some((path, origin)) => {
                let loaded = LoadedConfig::load_from(&path, origin).map_err(|err| match err {
                    Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                        Error::Config(format!(
                            "config file {} does not exist (from --config or PROMPTRUN_CONFIG)",
                            path.display()
                        ))
                    }
                    // A directory, unreadable or not UTF-8: still a config problem (exit 2).
                    Error::Io { source, .. } => Error::Config(format!(
                        "cannot read config file {}: {}",
                        path.display(),
                        crate::error::describe_io(&source)
                    )),
                    other => other,
                })?;
                for warning in loaded.unknown_key_warnings() {
                    warn(warning);
                }
                Some(loaded)
            }
            None => None,
        };
        Ok(Self::with_config(log_dir, config))
    }

    /// Resolves the directories around an already loaded (or absent) config.
    pub fn with_config(log_dir: Option<&Path>, config: Option<LoadedConfig>) -> Self {
        let from_config = config.as_ref().and_then(|loaded| {
            loaded
                .config
                .logging
                .dir
                .as_deref()
                .filter(|dir| !dir.trim().is_empty())
                .map(|dir| loaded.resolve_path(dir))
        });
        // Absolute, so `rate last` finds the run's log from any directory.
        let log_dir = log_dir
            .map(PathBuf::from)
            .or(from_config)
            .or_else(dirs::default_log_dir)
            .map(|dir| std::path::absolute(&dir).unwrap_or(dir));
        Context {
            config,
            log_dir,
            state_dir: dirs::state_dir(),
        }
    }
}

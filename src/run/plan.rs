//! Everything decided before the command starts: the resolved prompt, the
//! argv with its placeholders filled, the timeout, and the child's environment.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::child::{CommandSpec, KILL_GRACE};
use super::metrics_file;
use super::placeholders::Placeholders;
use super::router::{self, Resolution, ResolvedPrompt};
use super::selection::SelectionEnv;
use crate::cli::{RunArgs, parse_duration};
use crate::config::LoadedConfig;
use crate::config::context::Context;
use crate::config::locate::Segment;
use crate::error::{Error, Result};
use crate::record::event::{self, RunStart, SCHEMA_VERSION};
use crate::record::limits;
use crate::record::privacy::{self, IdentityHasher};
use crate::record::redact::Redactor;
use crate::record::run_recorder::RunRecorder;
use chrono::Utc;

/// A run, fully resolved, before anything is spawned or logged.
#[derive(Debug)]
pub struct RunPlan {
    /// The run's id, a UUID v7.
    pub run_id: String,
    /// The prompt, its variant and file.
    pub resolved: ResolvedPrompt,
    /// The command as given (after `--`) or configured, placeholders unfilled.
    pub template: Vec<OsString>,
    /// The prompt file's bytes (for its hash), when it has one.
    pub prompt_bytes: Option<Vec<u8>>,
    /// The timeout in force, if any.
    pub timeout: Option<Duration>,
    /// Where the command may write its metrics.
    pub metrics_file: PathBuf,
    /// The model before the command says otherwise: `--model`, else the config's.
    pub model: Option<String>,
    /// True when the prompt has a file that nothing visible hands to the command:
    /// the command came after `--` without `{prompt_file}`, `{prompt}` or a mention
    /// of `$PROMPTRUN_PROMPT_FILE` in its arguments, and no `--stdin`.
    pub prompt_unreached: bool,
    /// What to spawn, and how.
    pub spec: CommandSpec,
    /// The tags as recorded (bounded by `record::limits`).
    pub tags: BTreeMap<String, String>,
    /// What was cut to keep the run's lines readable, to warn about.
    pub warnings: Vec<String>,
}

impl RunPlan {
    /// Resolves the prompt and builds the command line; fails on usage and config
    /// problems before anything runs.
    pub fn prepare(context: &Context, args: &RunArgs) -> Result<Self> {
        let requested = args.prompt.as_deref().ok_or_else(|| {
            Error::Usage(
                "no prompt given; usage: promptrun <PROMPT> [-- <CMD>...] (see `promptrun --help`)"
                    .into(),
            )
        })?;
        let config = context.config.as_ref();
        let resolved = router::resolve(
            config,
            requested,
            args.variant.as_deref(),
            &selection_env(context),
        )?;
        let run_id = uuid::Uuid::now_v7().to_string();
        let template = command_template(&resolved, args)?;
        let timeout = effective_timeout(args.timeout, config)?;
        let (tags, warnings) = limits::tags(&args.tags)?;
        let prompt_bytes = read_prompt(&resolved, config)?;
        if args.stdin && resolved.file.is_none() {
            return Err(Error::Usage(format!(
                "--stdin needs a prompt file, and `{}` has none",
                resolved.name
            )));
        }
        let prompt_file = resolved
            .file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let model = args.model.clone().or_else(|| resolved.model.clone());
        let argv = Placeholders {
            prompt_file: &prompt_file,
            prompt: &resolved.name,
            variant: resolved.variant.as_deref().unwrap_or(""),
            model: model.as_deref().unwrap_or(""),
            run_id: &run_id,
        }
        .fill_all(&template);
        let prompt_unreached = resolved.file.is_some()
            && !args.stdin
            && !args.command.is_empty()
            && !template.iter().any(|arg| {
                arg.to_str().is_some_and(|a| {
                    ["{prompt_file}", "{prompt}", "PROMPTRUN_PROMPT_FILE"]
                        .iter()
                        .any(|seen| a.contains(seen))
                })
            });
        let metrics_file = metrics_file::file_for(&run_id, context.state_dir.as_deref());
        let spec = CommandSpec {
            env: vec![
                ("PROMPTRUN_RUN_ID", OsString::from(&run_id)),
                ("PROMPTRUN_PROMPT", OsString::from(&resolved.name)),
                (
                    "PROMPTRUN_VARIANT",
                    OsString::from(resolved.variant.clone().unwrap_or_default()),
                ),
                ("PROMPTRUN_PROMPT_FILE", OsString::from(&prompt_file)),
                (
                    "PROMPTRUN_MODEL",
                    OsString::from(model.clone().unwrap_or_default()),
                ),
                (
                    "PROMPTRUN_METRICS_FILE",
                    metrics_file.clone().into_os_string(),
                ),
            ],
            stdin_file: args.stdin.then(|| resolved.file.clone()).flatten(),
            timeout,
            kill_grace: args.kill_grace.unwrap_or(KILL_GRACE),
            argv,
        };
        Ok(RunPlan {
            run_id,
            resolved,
            template,
            prompt_bytes,
            timeout,
            metrics_file,
            model,
            prompt_unreached,
            spec,
            tags,
            warnings,
        })
    }

    /// The run_start event of this plan: identities hashed with the salt, arguments
    /// only when `logging.log_args` is on (and then redacted).
    pub fn run_start(&self, recorder: &RunRecorder, context: &Context) -> RunStart {
        let hasher = recorder
            .is_enabled()
            .then(|| IdentityHasher::load_or_create(context.state_dir.as_deref()));
        let identity = |value: String| hasher.as_ref().map(|h| h.hash(&value)).unwrap_or_default();
        let logging = context
            .config
            .as_ref()
            .map(|c| &c.config.logging)
            .filter(|logging| logging.log_args);
        let resolved = &self.resolved;
        RunStart {
            v: SCHEMA_VERSION,
            kind: "run_start",
            ts: event::timestamp(Utc::now()),
            run_id: self.run_id.clone(),
            prompt: resolved.name.clone(),
            variant: resolved.variant.clone(),
            requested: resolved.requested.clone(),
            resolution: resolved.resolution.as_str(),
            prompt_file: resolved.file_in_config.clone(),
            prompt_sha256: self.prompt_bytes.as_deref().map(privacy::sha256_hex),
            command: self.program_name(),
            args: logging.map(|logging| {
                let redacted = Redactor::new(&logging.redact).redact(&self.template_args());
                let (args, warning) = limits::args(redacted);
                if let Some(warning) = warning {
                    crate::error::warn(warning);
                }
                args
            }),
            user: identity(privacy::user_name()),
            host: identity(privacy::host_name()),
            tags: self.tags.clone(),
            promptrun: env!("CARGO_PKG_VERSION"),
            selection: resolved.choice.as_ref().map(|c| c.selection.clone()),
        }
    }

    /// The program's base name: what events record instead of the full path.
    pub fn program_name(&self) -> String {
        let program: &OsStr = &self.spec.argv[0];
        Path::new(program)
            .file_name()
            .unwrap_or(program)
            .to_string_lossy()
            .into_owned()
    }

    /// The arguments after the program, as text (invalid UTF-8 shown as U+FFFD).
    pub fn template_args(&self) -> Vec<String> {
        lossy(&self.template[1..])
    }
}

/// Where the routing strategies find their statistics, for this context.
pub fn selection_env(context: &Context) -> SelectionEnv {
    SelectionEnv {
        state_dir: context.state_dir.clone(),
        log_dir: context.log_dir.clone(),
        logging: !crate::record::run_recorder::disabled_by_env(),
    }
}

/// The timeout in force: `--timeout` (where `0` turns a configured default off),
/// else the config's `defaults.timeout`.
fn effective_timeout(
    flag: Option<Duration>,
    config: Option<&LoadedConfig>,
) -> Result<Option<Duration>> {
    let configured = config.and_then(|c| c.config.defaults.timeout.as_deref());
    let timeout = match (flag, configured) {
        (Some(timeout), _) => Some(timeout),
        (None, Some(text)) => Some(parse_duration(text).map_err(|message| {
            let at = config.map(|c| {
                let path = [
                    Segment::Key("defaults".into()),
                    Segment::Key("timeout".into()),
                ];
                let position = c.position(&path, false);
                format!("{}:{}:{}", c.path.display(), position.line, position.column)
            });
            Error::Config(format!(
                "{}: defaults.timeout: {message}",
                at.unwrap_or_default()
            ))
        })?),
        (None, None) => None,
    };
    Ok(timeout.filter(|t| !t.is_zero()))
}

/// The argv template: the command after `--`, else the prompt's configured one.
fn command_template(resolved: &ResolvedPrompt, args: &RunArgs) -> Result<Vec<OsString>> {
    if !args.command.is_empty() {
        return Ok(args.command.clone());
    }
    match &resolved.command {
        Some(command) if !command.is_empty() => Ok(command.iter().map(OsString::from).collect()),
        _ if resolved.resolution == Resolution::Adhoc => Err(Error::Usage(format!(
            "no router-config.json found, so `{}` has no configured command; give one after `--`: \
             promptrun {} -- <CMD> [ARGS...] (or pass --config PATH)",
            resolved.requested, resolved.requested
        ))),
        _ => Err(Error::Usage(format!(
            "prompt `{}` has no configured command; give one after `--`: promptrun {} -- <CMD> [ARGS...]",
            resolved.name, resolved.requested
        ))),
    }
}

/// Reads the prompt file (for its hash): a regular file of at most
/// [`MAX_FILE_BYTES`](crate::config::MAX_FILE_BYTES), opened without blocking, and
/// for a discovered config one the user owns ([`crate::config::trust`]). A missing,
/// odd or refused file is a config error naming it.
fn read_prompt(
    resolved: &ResolvedPrompt,
    config: Option<&LoadedConfig>,
) -> Result<Option<Vec<u8>>> {
    use crate::files::open::{Links, read_regular};
    let Some(path) = &resolved.file else {
        return Ok(None);
    };
    let config_path = config
        .map(|c| c.path.display().to_string())
        .unwrap_or_default();
    let (bytes, meta) =
        read_regular(path, Links::Follow, crate::config::MAX_FILE_BYTES).map_err(|err| {
            // Named as the config names it too, when a link leads elsewhere.
            let named = match &resolved.file_in_config {
                Some(named) if !path.ends_with(named) => format!(" ({named})"),
                _ => String::new(),
            };
            Error::Config(format!(
                "cannot read prompt file {}{named} for `{}` (configured in {config_path}): {}",
                path.display(),
                resolved.name,
                crate::error::describe_io(&err)
            ))
        })?;
    if let Some(config) = config.filter(|c| c.strict_files) {
        crate::config::trust::check_prompt_file(path, &meta, &config.path)?;
    }
    Ok(Some(bytes))
}

/// Arguments as text, for logging and display (invalid UTF-8 shown as U+FFFD).
pub fn lossy(args: &[OsString]) -> Vec<String> {
    args.iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect()
}

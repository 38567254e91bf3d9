//! `promptrun <PROMPT> [-- CMD...]`: resolve, run, time, record.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::Path;

use chrono::Utc;

use crate::cli::{RunArgs, parse_duration};
use crate::config::context::Context;
use crate::error::{Error, Result};
use crate::record::event::{self, RunEnd, RunStart, RunStatus, SCHEMA_VERSION};
use crate::record::last_run::LastRun;
use crate::record::privacy::{self, IdentityHasher};
use crate::record::run_recorder::RunRecorder;
use crate::run::child::CommandSpec;
use crate::run::metrics_file;
use crate::run::placeholders::Placeholders;
use crate::run::router::{self, ResolvedPrompt};
use crate::run::signals::SignalPipe;

/// Runs one prompt and returns the exit status to pass on.
pub fn run(context: &Context, args: &RunArgs) -> Result<i32> {
    let requested = args.prompt.as_deref().ok_or_else(|| {
        Error::Usage(
            "no prompt given; usage: promptrun <PROMPT> [-- <CMD>...] (see `promptrun --help`)"
                .into(),
        )
    })?;
    let config = context.config.as_ref();
    let resolved = router::resolve(config, requested, args.variant.as_deref())?;
    let run_id = uuid::Uuid::now_v7().to_string();
    let template = command_template(&resolved, args)?;
    let timeout = match (
        args.timeout,
        config.and_then(|c| c.config.defaults.timeout.as_deref()),
    ) {
        // `--timeout 0` turns a configured default off.
        (Some(timeout), _) => Some(timeout).filter(|t| !t.is_zero()),
        (None, Some(text)) => Some(parse_duration(text).map_err(|message| {
            Error::Config(format!(
                "{}: defaults.timeout: {message}",
                config
                    .map(|c| c.path.display().to_string())
                    .unwrap_or_default()
            ))
        })?)
        .filter(|t| !t.is_zero()),
        (None, None) => None,
    };
    let prompt_bytes = read_prompt(&resolved, config)?;
    let prompt_file = resolved
        .file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let argv = Placeholders {
        prompt_file: &prompt_file,
        prompt: &resolved.name,
        variant: resolved.variant.as_deref().unwrap_or(""),
        run_id: &run_id,
    }
    .fill_all(&template);

    if args.stdin && resolved.file.is_none() {
        return Err(Error::Usage(format!(
            "--stdin needs a prompt file, and `{}` has none",
            resolved.name
        )));
    }
    if args.dry_run {
        print_dry_run(&resolved, &argv, args, timeout, context);
        return Ok(crate::error::exit::OK);
    }

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
                "PROMPTRUN_METRICS_FILE",
                metrics_file.clone().into_os_string(),
            ),
        ],
        stdin_file: args.stdin.then(|| resolved.file.clone()).flatten(),
        timeout,
        kill_grace: args.kill_grace.unwrap_or(crate::run::child::KILL_GRACE),
        argv,
    };

    let mut log = RunRecorder::open(context);
    let hasher = log
        .is_enabled()
        .then(|| IdentityHasher::load_or_create(context.state_dir.as_deref()));
    let identity = |value: String| hasher.as_ref().map(|h| h.hash(&value)).unwrap_or_default();
    let log_args = config.is_some_and(|c| c.config.logging.log_args);
    let start = RunStart {
        v: SCHEMA_VERSION,
        kind: "run_start",
        ts: event::timestamp(Utc::now()),
        run_id: run_id.clone(),
        prompt: resolved.name.clone(),
        variant: resolved.variant.clone(),
        requested: resolved.requested.clone(),
        resolution: resolved.resolution.as_str(),
        prompt_file: resolved.file_in_config.clone(),
        prompt_sha256: prompt_bytes.as_deref().map(privacy::sha256_hex),
        command: program_name(&spec.argv[0]),
        args: log_args.then(|| privacy::redact_args(&lossy(&template[1..]))),
        user: identity(privacy::user_name()),
        host: identity(privacy::host_name()),
        tags: args.tags.iter().cloned().collect::<BTreeMap<_, _>>(),
        promptrun: env!("CARGO_PKG_VERSION"),
    };
    log.write(&start);

    let signals = SignalPipe::install().ok();
    let outcome = crate::run::child::run(&spec, signals.as_ref());
    if let Some(error) = &outcome.spawn_error {
        let what = match error.kind() {
            std::io::ErrorKind::NotFound => "command not found".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied (not executable?)".to_string()
            }
            _ => error.to_string(),
        };
        eprintln!(
            "promptrun: error: cannot run `{}`: {what}",
            spec.argv[0].to_string_lossy()
        );
    }
    let collected = metrics_file::collect(&metrics_file);
    for warning in &collected.warnings {
        crate::error::warn(warning);
    }

    let feedback =
        crate::feedback::after_run::plan(context, args, &run_id, outcome.status, log.is_enabled());
    let ended = Utc::now();
    let end = RunEnd {
        v: SCHEMA_VERSION,
        kind: "run_end",
        ts: event::timestamp(ended),
        run_id: start.run_id.clone(),
        prompt: start.prompt.clone(),
        variant: start.variant.clone(),
        duration_ms: outcome.duration.as_secs_f64() * 1000.0,
        status: outcome.status,
        exit_code: outcome.exit_code,
        signal: outcome.signal,
        metrics: collected.values,
        feedback_asked: feedback.is_some(),
        prompt_sha256: start.prompt_sha256.clone(),
        resolution: start.resolution,
        command: start.command.clone(),
        user: start.user.clone(),
        host: start.host.clone(),
        tags: start.tags.clone(),
    };
    log.write(&end);
    if log.is_enabled()
        && outcome.status != RunStatus::SpawnFailed
        && let Some(state_dir) = &context.state_dir
    {
        let last = LastRun {
            run_id: end.run_id.clone(),
            prompt: end.prompt.clone(),
            variant: end.variant.clone(),
            prompt_sha256: end.prompt_sha256.clone(),
            ts: end.ts.clone(),
            log_dir: log.dir().map(Path::to_path_buf),
        };
        if let Err(err) = last.save(state_dir) {
            log.warn_once(format!(
                "cannot record the last run in {}: {err}",
                state_dir.display()
            ));
        }
    }
    // The run is recorded: from here on a signal may end promptrun as usual.
    drop(signals);
    if let Some(planned) = feedback {
        crate::feedback::after_run::ask_and_record(planned, &end, &mut log);
    }
    if let Some(signal) = outcome.interrupt_to_pass_on() {
        crate::run::signals::die_of(signal);
    }
    Ok(outcome.exit_code())
}

/// The argv template: the command after `--`, else the prompt's configured one.
fn command_template(resolved: &ResolvedPrompt, args: &RunArgs) -> Result<Vec<OsString>> {
    if !args.command.is_empty() {
        return Ok(args.command.clone());
    }
    match &resolved.command {
        Some(command) if !command.is_empty() => Ok(command.iter().map(OsString::from).collect()),
        _ if resolved.resolution == crate::run::router::Resolution::Adhoc => {
            Err(Error::Usage(format!(
                "no router-config.json found, so `{}` has no configured command; give one after `--`: \
             promptrun {} -- <CMD> [ARGS...] (or pass --config PATH)",
                resolved.requested, resolved.requested
            )))
        }
        _ => Err(Error::Usage(format!(
            "prompt `{}` has no configured command; give one after `--`: promptrun {} -- <CMD> [ARGS...]",
            resolved.name, resolved.requested
        ))),
    }
}

/// Reads the prompt file (for its hash); a missing file is a config error naming it.
fn read_prompt(
    resolved: &ResolvedPrompt,
    config: Option<&crate::config::LoadedConfig>,
) -> Result<Option<Vec<u8>>> {
    let Some(path) = &resolved.file else {
        return Ok(None);
    };
    std::fs::read(path).map(Some).map_err(|err| {
        Error::Config(format!(
            "cannot read prompt file {} for `{}` (configured in {}): {}",
            path.display(),
            resolved.name,
            config
                .map(|c| c.path.display().to_string())
                .unwrap_or_default(),
            crate::error::describe_io(&err)
        ))
    })
}

/// Arguments as text, for logging and display (invalid UTF-8 shown as U+FFFD).
fn lossy(args: &[OsString]) -> Vec<String> {
    args.iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect()
}

/// The program's base name: what events record instead of the full path.
fn program_name(program: &OsStr) -> String {
    Path::new(program)
        .file_name()
        .unwrap_or(program)
        .to_string_lossy()
        .into_owned()
}

fn print_dry_run(
    resolved: &ResolvedPrompt,
    argv: &[OsString],
    args: &RunArgs,
    timeout: Option<std::time::Duration>,
    context: &Context,
) {
    let config = context
        .config
        .as_ref()
        .map_or("(none: ad hoc run)".to_string(), |c| {
            c.path.display().to_string()
        });
    let file = resolved
        .file
        .as_ref()
        .map_or("-".to_string(), |p| p.display().to_string());
    let log = if crate::record::run_recorder::disabled_by_env() {
        "off (PROMPTRUN_NO_LOG or DO_NOT_TRACK)".to_string()
    } else {
        context
            .log_dir
            .as_ref()
            .map_or("none".to_string(), |d| d.display().to_string())
    };
    let mut lines = vec![
        format!("config:     {config}"),
        format!(
            "prompt:     {} (requested `{}`, resolved by {})",
            resolved.name,
            resolved.requested,
            resolved.resolution.as_str()
        ),
        format!("variant:    {}", resolved.variant.as_deref().unwrap_or("-")),
        format!("file:       {file}"),
        format!("command:    {}", shell_words(&lossy(argv))),
    ];
    if args.stdin {
        lines.push("stdin:      the prompt file".to_string());
    }
    lines.push(format!(
        "timeout:    {}",
        timeout.map_or("none".to_string(), |t| format!("{t:?}"))
    ));
    lines.push(format!("log dir:    {log}"));
    // Through output.rs, so `--dry-run | head -1` ends quietly.
    crate::cmd::output::print_line(&lines.join("\n"));
}

/// Quotes arguments the way a POSIX shell would need them.
fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|arg| {
            let plain = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                arg.clone()
            } else {
                format!("'{}'", arg.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

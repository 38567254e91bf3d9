//! The event log of one run: logging that never gets in the command's way.
//!
//! Every problem (no log directory, an unwritable one, a full disk) becomes one
//! warning on stderr, after which the run goes on without logging.

use std::path::Path;

use serde::Serialize;

use crate::config::context::Context;
use crate::error::warn;
use crate::record::event::{self, RunEnd, RunStatus};
use crate::record::last_run::LastRun;
use crate::record::log_writer::EventWriter;

/// True when PROMPTRUN_NO_LOG or DO_NOT_TRACK turns logging off (any value but "", "0", "false").
pub fn disabled_by_env() -> bool {
    ["PROMPTRUN_NO_LOG", "DO_NOT_TRACK"].iter().any(|name| {
        std::env::var(name).is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false" | "no"))
    })
}

/// Writes a run's events, or nothing once logging has failed.
#[derive(Debug)]
pub struct RunRecorder {
    writer: Option<EventWriter>,
    warned: bool,
    /// Nothing written yet (the first write says where logs go when it creates the directory).
    first: bool,
}

impl RunRecorder {
    /// Logging to the context's log directory, unless turned off.
    pub fn open(context: &Context) -> Self {
        if disabled_by_env() {
            return RunRecorder {
                writer: None,
                warned: true,
                first: false,
            };
        }
        let mut log = RunRecorder {
            writer: None,
            warned: false,
            first: true,
        };
        match &context.log_dir {
            Some(dir) => log.writer = Some(EventWriter::new(dir.clone())),
            None => log.warn_once(
                "no log directory (HOME is unset); set --log-dir or PROMPTRUN_LOG_DIR; this run is not logged",
            ),
        }
        log
    }

    /// Whether events are still being written.
    pub fn is_enabled(&self) -> bool {
        self.writer.is_some()
    }

    /// The directory events go to, while logging works.
    pub fn dir(&self) -> Option<&Path> {
        self.writer.as_ref().map(EventWriter::dir)
    }

    /// Appends an event to the file of the day in its own `ts` (so an event never
    /// lands in another day's file than its timestamp says); on failure warns once
    /// and stops logging.
    pub fn write<T: Serialize>(&mut self, event: &T) {
        let Some(writer) = self.writer.as_mut() else {
            return;
        };
        let line = event::to_line(event);
        let day = event::line_timestamp(&line).unwrap_or_else(chrono::Utc::now);
        let new_dir = std::mem::replace(&mut self.first, false) && !writer.dir().exists();
        match writer.append(day, &line) {
            Ok(_) if new_dir => eprintln!(
                "promptrun: logging runs to {} (said once, when the directory is made; \
                 `promptrun report` reads them, PROMPTRUN_NO_LOG=1 turns logging off)",
                writer.dir().display()
            ),
            Ok(_) => {}
            Err(message) => {
                self.writer = None;
                self.warn_once(format!("{message}; this run is not logged"));
            }
        }
    }

    /// Remembers `end` as this user's last run (for `rate last`), unless logging
    /// is off or the command never started; a failure only warns.
    pub fn save_last_run(&mut self, end: &RunEnd, state_dir: Option<&Path>) {
        let Some(state_dir) = state_dir else {
            return;
        };
        if !self.is_enabled() || end.status == RunStatus::SpawnFailed {
            return;
        }
        let last = LastRun {
            run_id: end.run_id.clone(),
            prompt: end.prompt.clone(),
            variant: end.variant.clone(),
            prompt_sha256: end.prompt_sha256.clone(),
            ts: end.ts.clone(),
            log_dir: self.dir().map(Path::to_path_buf),
        };
        if let Err(err) = last.save(state_dir) {
            self.warn_once(format!(
                "cannot record the last run in {}: {err}",
                state_dir.display()
            ));
        }
    }

    /// Prints `message` unless this run already warned.
    pub fn warn_once(&mut self, message: impl std::fmt::Display) {
        if !std::mem::replace(&mut self.warned, true) {
            warn(message);
        }
    }
}

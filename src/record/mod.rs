//! What a run leaves behind: the event schema, the log directory and its writer,
//! the last run, and what privacy keeps out of the log.

pub mod event;
pub mod last_run;
pub mod limits;
pub mod log_files;
pub mod log_writer;
pub mod privacy;
pub mod redact;
pub mod run_recorder;

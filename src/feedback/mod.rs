//! Feedback: the star rating asked right after a run, and `promptrun rate` for later.
//!
//! - [`decide`]: whether to ask (pure rules: terminal, CI, flags, config, sampling)
//! - [`terminal`], [`interrupt`]: raw-mode keys and signals while the question is shown
//! - [`question`]: the question itself, with its timeout and the optional comment
//! - [`record`]: the feedback event
//! - [`after_run`]: the run path's use of the above
//! - [`find`]: runs in the log directory by id prefix, and the unrated ones

pub mod after_run;
pub mod cooldown;
pub mod decide;
pub mod find;
pub mod interrupt;
pub mod question;
pub mod record;
pub mod terminal;

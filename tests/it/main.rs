//! End-to-end tests: the real binary, real child processes, real files.

mod support;

mod cli_errors;

mod feedback_prompt;
mod feedback_rate;
mod feedback_support;
mod run_basics;
mod run_config;
mod run_edges;
mod run_exit;
mod run_io;
mod run_logging;
mod run_shim;

//! End-to-end tests: the real binary, real child processes, real files.

mod support;

mod cli_errors;

mod alerts_check;
mod browser;
mod ci_examples;
mod clickhouse;
mod clients;
mod dashboard_browser;
mod dashboard_cmd;
mod dashboard_fixtures;
mod feedback_prompt;
mod feedback_rate;
mod feedback_support;
mod report_commands;
mod report_filters;
mod report_formats;
mod report_input_edges;
mod report_inputs;
mod report_kinds;
mod report_numbers;
mod report_support;
mod routing;
mod run_basics;
mod run_config;
mod run_edges;
mod run_exit;
mod run_io;
mod run_logging;
mod run_process_group;
mod run_shim;
mod trends;

//! End-to-end tests: the real binary, real child processes, real files.

mod support;

mod cli_errors;

mod alerts_check;
mod browser;
mod ci_examples;
mod clickhouse;
mod clients;
mod compare;
mod cost;
mod dashboard_browser;
mod dashboard_cmd;
mod dashboard_fixtures;
mod export;
mod feedback_manners;
mod feedback_prompt;
mod feedback_rate;
mod feedback_support;
mod first_hour;
mod learn_support;
mod merge_purge;
mod phoenix;
mod readme;
mod recommend;
mod report_commands;
mod report_fast_path;
mod report_filters;
mod report_formats;
mod report_input_edges;
mod report_inputs;
mod report_kinds;
mod report_numbers;
mod report_support;
mod run_basics;
mod run_config;
mod run_edges;
mod run_exit;
mod run_io;
mod run_logging;
mod run_process_group;
mod run_shim;
mod run_startup;
mod security_files;
mod security_text;
mod trends;

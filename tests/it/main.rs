//! End-to-end tests: the real binary, real child processes, real files.

mod support;

mod alerts_check;
mod browser;
mod ci_examples;
mod dashboard_browser;
mod dashboard_cmd;
mod dashboard_fixtures;
mod report_filters;
mod report_formats;
mod report_inputs;
mod report_numbers;
mod report_support;
mod run_basics;
mod trends;

//! End-to-end tests: the real binary, real child processes, real files.

mod support;

mod browser;
mod dashboard_browser;
mod dashboard_fixtures;
mod run_basics;

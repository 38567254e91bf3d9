//! `on-exit`: one span per run, sent once its run_end is written.
//!
//! One attempt, no retry, under a hard deadline (default 1 s, or the OTLP
//! timeout variable): the request runs on its own thread and the run stops
//! waiting for it at the deadline. It never changes the exit status; a failure
//! is one line on stderr.

use std::time::Duration;

use prost::Message;

use super::settings::{self, Endpoint, ExportMode};
use super::{http, span};
use crate::config::context::Context;
use crate::error::warn;
use crate::record::event::RunEnd;

/// The deadline of the on-exit request unless OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Sends `end`'s span when the export mode is `on-exit`. Checks the mode
/// (an environment variable and the already loaded config) before anything else.
pub fn after_run(context: &Context, end: &RunEnd) {
    let config = context.config.as_ref().map(|loaded| &loaded.config);
    match settings::mode(config) {
        Ok(ExportMode::OnExit) => {}
        Ok(_) => return,
        Err(message) => {
            warn(format_args!("{message}; the run is not exported"));
            return;
        }
    }
    let endpoint = match Endpoint::from_env() {
        Ok(endpoint) => endpoint,
        Err(message) => {
            warn(format_args!("{message}; the run is not exported"));
            return;
        }
    };
    let options = span::SpanOptions {
        langfuse: config.is_some_and(|c| c.export.langfuse),
    };
    let Some(span) = serde_json::to_value(end)
        .ok()
        .and_then(|value| span::from_run_end(&value, &[], &options))
    else {
        return;
    };
    let body = span::request(vec![span], &endpoint.resource).encode_to_vec();
    let timeout = endpoint.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let url = endpoint.url.clone();
    let (sender, receiver) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("otlp-on-exit".into())
        .spawn(move || {
            let _ = sender.send(http::post(&endpoint, &body, timeout));
        });
    if spawned.is_err() {
        warn("cannot start the OTLP export; the run is not exported");
        return;
    }
    let problem = match receiver.recv_timeout(timeout + Duration::from_millis(50)) {
        Ok(http::Sent::Accepted) => return,
        Ok(http::Sent::Retry { status, .. }) => format!("HTTP {status}"),
        Ok(http::Sent::TooLarge) => "HTTP 413".to_string(),
        Ok(http::Sent::Rejected { status, body }) if body.is_empty() => format!("HTTP {status}"),
        Ok(http::Sent::Rejected { status, body }) => format!("HTTP {status}: {body}"),
        Ok(http::Sent::Failed(reason)) => reason,
        Err(_) => "timed out".to_string(),
    };
    warn(format_args!(
        "OTLP export to {url} failed ({problem}); run {} is in the log, `promptrun export` can send it later",
        end.run_id
    ));
}

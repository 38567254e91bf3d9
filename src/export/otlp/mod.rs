//! OTLP/HTTP export of runs as spans (protobuf, `/v1/traces`), off by default.
//!
//! Built on the generated OTLP messages (`opentelemetry-proto` with prost) and a
//! small blocking HTTP client (ureq), not on the OpenTelemetry SDK: a run sends
//! at most one span, and `promptrun export` sends batches one request at a
//! time, so there is no async runtime to start and nothing to set up (TLS
//! included) unless export is on.

pub mod batch;
pub mod http;
pub mod on_exit;
pub mod settings;
pub mod span;

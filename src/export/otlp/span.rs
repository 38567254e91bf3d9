//! A run as an OTLP span: GenAI semantic conventions plus `promptrun.*`.
//!
//! The span is built from the run_end event (which repeats what a report
//! needs of the run_start) and the run's ratings, as JSON, so runs just ended
//! and runs read back from the logs become the same span. Its trace id is the
//! run's UUID and its span id is derived from it: sending a run twice sends
//! the same span, which backends that key spans by id keep once.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Options that change the span.
#[derive(Debug, Clone, Default)]
pub struct SpanOptions {
    /// Add `langfuse.observation.prompt.name`/`.version`.
    pub langfuse: bool,
}

/// A rating of the run, a span event.
#[derive(Debug, Clone)]
pub struct Rating {
    pub ts: String,
    pub rating: i64,
    pub source: Option<String>,
}

/// The span of a run, from its run_end event; `None` when the event lacks a
/// valid run id or time.
pub fn from_run_end(end: &Value, ratings: &[Rating], options: &SpanOptions) -> Option<Span> {
    let run_id = uuid::Uuid::parse_str(end["run_id"].as_str()?).ok()?;
    let end_ns = nanos(end["ts"].as_str()?)?;
    let duration_ns = end["duration_ms"]
        .as_f64()
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map_or(0, |ms| (ms * 1_000_000.0) as u64);
    let start_ns = end_ns.saturating_sub(duration_ns);
    let prompt = end["prompt"].as_str().unwrap_or("");
    let tags = end["tags"].as_object();
    let tag = |key: &str| tags.and_then(|t| t.get(key)).and_then(Value::as_str);
    let field = |key: &str| end.get(key).and_then(Value::as_str);
    let operation = tag("gen_ai.operation.name")
        .or_else(|| tag("operation"))
        .unwrap_or("chat");

    let mut attributes = vec![
        string("gen_ai.operation.name", operation),
        string("gen_ai.prompt.name", prompt),
        string("promptrun.run_id", &run_id.to_string()),
    ];
    let provider = field("provider")
        .or_else(|| tag("gen_ai.provider.name"))
        .or_else(|| tag("provider"));
    if let Some(provider) = provider {
        attributes.push(string("gen_ai.provider.name", provider));
    }
    let model = field("model")
        .or_else(|| tag("gen_ai.request.model"))
        .or_else(|| tag("model"));
    if let Some(model) = model {
        attributes.push(string("gen_ai.request.model", model));
    }
    let metrics = end["metrics"].as_object();
    let metric = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| metrics.and_then(|m| m.get(*name)).and_then(Value::as_f64))
    };
    if let Some(tokens) = metric(&["input_tokens", "prompt_tokens", "tokens_in"]) {
        attributes.push(int("gen_ai.usage.input_tokens", tokens as i64));
    }
    if let Some(tokens) = metric(&["output_tokens", "completion_tokens", "tokens_out"]) {
        attributes.push(int("gen_ai.usage.output_tokens", tokens as i64));
    }
    if let Some(code) = end["exit_code"].as_i64() {
        attributes.push(int("process.exit.code", code));
    }
    if let Some(variant) = field("variant") {
        attributes.push(string("promptrun.variant", variant));
    }
    if let Some(sha) = field("prompt_sha256") {
        attributes.push(string("promptrun.prompt_sha256", sha));
    }
    if let Some(resolution) = field("resolution") {
        attributes.push(string("promptrun.resolution", resolution));
    }
    if let Some(status) = field("status") {
        attributes.push(string("promptrun.status", status));
    }
    // Salted hashes, as in the logs: never the names themselves.
    if let Some(user) = field("user") {
        attributes.push(string("promptrun.user", user));
    }
    if let Some(host) = field("host") {
        attributes.push(string("promptrun.host", host));
    }
    if let Some(signal) = end["signal"].as_i64() {
        attributes.push(int("promptrun.signal", signal));
    }
    for (key, value) in tags.into_iter().flatten() {
        if let Some(value) = value.as_str() {
            attributes.push(string(&format!("promptrun.tag.{key}"), value));
        }
    }
    if let Some(metrics) = metrics {
        for (key, value) in metrics {
            if let Some(value) = value.as_f64() {
                attributes.push(double(&format!("promptrun.metric.{key}"), value));
            }
        }
    }
    if options.langfuse {
        attributes.push(string("langfuse.observation.prompt.name", prompt));
        if let Some(version) = field("prompt_sha256").or_else(|| field("variant")) {
            attributes.push(string("langfuse.observation.prompt.version", version));
        }
    }

    let error_type = match field("status") {
        Some("ok") | None => None,
        Some("timeout") => Some("timeout"),
        Some("signal") => Some("signal"),
        Some("spawn_failed") => Some("spawn_failed"),
        Some(_) => Some("nonzero_exit"),
    };
    let status = match error_type {
        Some(kind) => {
            attributes.push(string("error.type", kind));
            Status {
                code: StatusCode::Error as i32,
                message: kind.to_string(),
            }
        }
        None => Status {
            code: StatusCode::Unset as i32,
            message: String::new(),
        },
    };

    let events = ratings
        .iter()
        .filter_map(|rating| {
            let mut attributes = vec![
                int("promptrun.rating", rating.rating),
                double("gen_ai.evaluation.score.value", rating.rating as f64),
                string("gen_ai.evaluation.name", "promptrun.rating"),
            ];
            if let Some(source) = &rating.source {
                attributes.push(string("promptrun.feedback.source", source));
            }
            Some(Event {
                time_unix_nano: nanos(&rating.ts)?,
                name: "gen_ai.evaluation.result".into(),
                attributes,
                dropped_attributes_count: 0,
            })
        })
        .collect();

    Some(Span {
        trace_id: run_id.as_bytes().to_vec(),
        span_id: span_id(&run_id).to_vec(),
        name: format!("{operation} {prompt}"),
        kind: SpanKind::Client as i32,
        start_time_unix_nano: start_ns,
        end_time_unix_nano: end_ns,
        attributes,
        events,
        status: Some(status),
        ..Default::default()
    })
}

/// The run's span id: the first 8 bytes of SHA-256 over a label and the run's
/// UUID, never all zero.
pub fn span_id(run_id: &uuid::Uuid) -> [u8; 8] {
    let digest = Sha256::new()
        .chain_update(b"promptrun span ")
        .chain_update(run_id.as_bytes())
        .finalize();
    let mut id = [0u8; 8];
    id.copy_from_slice(&digest[..8]);
    if id == [0; 8] {
        id[7] = 1;
    }
    id
}

/// The request carrying `spans` for this service.
pub fn request(spans: Vec<Span>, resource: &[(String, String)]) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: resource.iter().map(|(k, v)| string(k, v)).collect(),
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "promptrun".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    ..Default::default()
                }),
                spans,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

fn nanos(ts: &str) -> Option<u64> {
    let at = chrono::DateTime::parse_from_rfc3339(ts).ok()?;
    u64::try_from(at.timestamp_nanos_opt()?).ok()
}

fn key_value(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn string(key: &str, value: &str) -> KeyValue {
    key_value(key, any_value::Value::StringValue(value.to_string()))
}

fn int(key: &str, value: i64) -> KeyValue {
    key_value(key, any_value::Value::IntValue(value))
}

fn double(key: &str, value: f64) -> KeyValue {
    key_value(key, any_value::Value::DoubleValue(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_is_an_error_span_with_its_ids_from_the_run() {
        let end = serde_json::json!({"type": "run_end", "ts": "2026-11-24T10:00:01.500Z",
            "run_id": "0192f3a1-0000-7000-8000-000000000001", "prompt": "summarize",
            "variant": "a", "duration_ms": 1500.0, "status": "error", "exit_code": 3,
            "signal": null, "metrics": {"input_tokens": 12, "output_tokens": 34},
            "prompt_sha256": "abc", "resolution": "name", "user": "u", "host": "h",
            "tags": {"model": "gpt-x", "provider": "openai"}});
        let span = from_run_end(&end, &[], &SpanOptions { langfuse: true }).unwrap();
        assert_eq!(span.name, "chat summarize");
        assert_eq!(span.trace_id.len(), 16);
        assert_eq!(span.trace_id[..4], [0x01, 0x92, 0xf3, 0xa1]);
        assert_eq!(
            span.end_time_unix_nano - span.start_time_unix_nano,
            1_500_000_000
        );
        assert_eq!(span.status.as_ref().unwrap().code, StatusCode::Error as i32);
        let attr = |k: &str| {
            span.attributes
                .iter()
                .find(|a| a.key == k)
                .and_then(|a| a.value.clone())
                .and_then(|v| v.value)
        };
        assert_eq!(
            attr("error.type"),
            Some(any_value::Value::StringValue("nonzero_exit".into()))
        );
        assert_eq!(
            attr("gen_ai.usage.output_tokens"),
            Some(any_value::Value::IntValue(34))
        );
        assert_eq!(
            attr("gen_ai.request.model"),
            Some(any_value::Value::StringValue("gpt-x".into()))
        );
        assert_eq!(
            attr("process.exit.code"),
            Some(any_value::Value::IntValue(3))
        );
        assert!(attr("langfuse.observation.prompt.name").is_some());
        let again = from_run_end(&end, &[], &SpanOptions::default()).unwrap();
        assert_eq!(again.span_id, span.span_id, "the same run, the same span");
    }
}

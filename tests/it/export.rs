//! OTLP export: an in-process HTTP receiver (a std TcpListener thread) decodes
//! the protobuf requests promptrun sends, on exit and in batches.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use serde_json::json;

use crate::report_support::{end, feedback, run_id, start};
use crate::support::{TestEnv, stderr, stdout, warning_count};

/// A reply the receiver gives: a status after a delay.
#[derive(Clone, Copy)]
struct Reply(u16, Duration);

const OK: Reply = Reply(200, Duration::ZERO);

/// One request as the receiver got it.
#[derive(Clone)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    request: ExportTraceServiceRequest,
}

impl Received {
    fn spans(&self) -> Vec<Span> {
        self.request
            .resource_spans
            .iter()
            .flat_map(|r| r.scope_spans.iter().flat_map(|s| s.spans.clone()))
            .collect()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An OTLP/HTTP receiver on 127.0.0.1: replies as scripted, then 200.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(Received, u16)>>>,
}

impl Receiver {
    fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&got);
        let script = Arc::new(Mutex::new(script.into_iter()));
        std::thread::spawn(move || {
            // Bounded: a test sends a few dozen requests at most.
            for stream in listener.incoming().take(200) {
                let Ok(mut stream) = stream else { continue };
                let (record, script) = (Arc::clone(&record), Arc::clone(&script));
                std::thread::spawn(move || {
                    let Some(received) = read_request(&mut stream) else {
                        return;
                    };
                    let Reply(status, delay) = {
                        let mut got = record.lock().unwrap();
                        let reply = script.lock().unwrap().next().unwrap_or(OK);
                        got.push((received, reply.0));
                        reply
                    };
                    std::thread::sleep(delay);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                });
            }
        });
        Receiver { url, got }
    }

    /// The requests answered with a 2xx.
    fn accepted(&self) -> Vec<Received> {
        let got = self.got.lock().unwrap();
        got.iter()
            .filter(|(_, status)| (200..300).contains(status))
            .map(|(r, _)| r.clone())
            .collect()
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    fn statuses(&self) -> Vec<u16> {
        self.got.lock().unwrap().iter().map(|(_, s)| *s).collect()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Received> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split(' ').nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (k, v) = header.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))?
        .1
        .parse()
        .ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let request = ExportTraceServiceRequest::decode(&body[..]).expect("an OTLP protobuf body");
    Some(Received {
        path,
        headers,
        request,
    })
}

/// A port nothing listens on.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn attr(span: &Span, key: &str) -> Option<Any> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.clone())
        .and_then(|v| v.value)
}

fn text(value: &str) -> Option<Any> {
    Some(Any::StringValue(value.into()))
}

fn uuid_bytes(id: &str) -> Vec<u8> {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn on_exit_env() -> TestEnv {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"p": {}}}"#);
    env
}

#[test]
fn on_exit_sends_the_span_of_the_run() {
    let receiver = Receiver::start(vec![]);
    let env = on_exit_env();
    let output = env
        .cmd(["p", "--tag", "model=gpt-x", "--", "sh", "-c", "exit 3"])
        .env("PROMPTRUN_OTLP", "on-exit")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)
        .env(
            "OTEL_EXPORTER_OTLP_HEADERS",
            "authorization=Bearer%20s3cret,x-team=ml",
        )
        .env("OTEL_SERVICE_NAME", "evals")
        .env("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=ci")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(warning_count(&stderr(&output)), 0, "{}", stderr(&output));
    let requests = receiver.accepted();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/traces");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-protobuf")
    );
    assert_eq!(request.header("authorization"), Some("Bearer s3cret"));
    assert_eq!(request.header("x-team"), Some("ml"));
    let resource = request.request.resource_spans[0].resource.clone().unwrap();
    let resource: Vec<(String, Option<Any>)> = resource
        .attributes
        .into_iter()
        .map(|kv| (kv.key, kv.value.and_then(|v| v.value)))
        .collect();
    assert!(
        resource.contains(&("service.name".into(), text("evals"))),
        "{resource:?}"
    );
    assert!(resource.contains(&("deployment.environment".into(), text("ci"))));

    let spans = request.spans();
    assert_eq!(spans.len(), 1);
    let span = &spans[0];
    let events = crate::support::checked_events(&env);
    let end = &events[1];
    let run = end["run_id"].as_str().unwrap();
    assert_eq!(span.trace_id, uuid_bytes(run));
    assert_eq!(span.span_id.len(), 8);
    assert_eq!(span.name, "chat p");
    assert_eq!(span.kind, 3, "CLIENT");
    assert!(span.end_time_unix_nano >= span.start_time_unix_nano);
    assert_eq!(span.status.as_ref().unwrap().code, 2, "ERROR");
    assert_eq!(attr(span, "error.type"), text("nonzero_exit"));
    assert_eq!(attr(span, "process.exit.code"), Some(Any::IntValue(3)));
    assert_eq!(attr(span, "gen_ai.operation.name"), text("chat"));
    assert_eq!(attr(span, "gen_ai.prompt.name"), text("p"));
    assert_eq!(attr(span, "gen_ai.request.model"), text("gpt-x"));
    assert_eq!(attr(span, "promptrun.run_id"), text(run));
    assert_eq!(
        attr(span, "promptrun.user"),
        Some(Any::StringValue(end["user"].as_str().unwrap().into()))
    );
    assert_eq!(attr(span, "promptrun.tag.model"), text("gpt-x"));
    // Nothing but salted hashes: not the user name, not the command line.
    let everything = format!("{span:?}");
    assert!(
        !everything.contains("tester") && !everything.contains("exit 3"),
        "{everything}"
    );
}

/// The endpoint named by a host name, not an address: the lookup goes through the
/// C library's resolver (`/etc/hosts` here), which a statically linked promptrun
/// still has to do right.
#[test]
fn an_endpoint_named_by_host_name_is_resolved() {
    let receiver = Receiver::start(vec![]);
    let url = receiver.url.replace("127.0.0.1", "localhost");
    let env = on_exit_env();
    let output = env
        .cmd(["p", "--", "true"])
        .env("PROMPTRUN_OTLP", "on-exit")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &url)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(warning_count(&stderr(&output)), 0, "{}", stderr(&output));
    assert_eq!(receiver.accepted().len(), 1, "{}", stderr(&output));
}

#[test]
fn the_endpoint_alone_or_an_opt_out_exports_nothing() {
    let receiver = Receiver::start(vec![]);
    let env = on_exit_env();
    let cases: [&[(&str, &str)]; 4] = [
        &[],
        &[("PROMPTRUN_OTLP", "on-exit"), ("DO_NOT_TRACK", "1")],
        &[("PROMPTRUN_OTLP", "on-exit"), ("OTEL_SDK_DISABLED", "true")],
        &[("PROMPTRUN_OTLP", "batch")],
    ];
    for vars in cases {
        let mut cmd = env.cmd(["p", "--", "true"]);
        cmd.env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let output = cmd.output().unwrap();
        assert!(output.status.success());
        assert_eq!(stderr(&output), "", "{vars:?}");
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(receiver.count(), 0);
    // export.mode in the config turns it on, as PROMPTRUN_OTLP does.
    env.config(r#"{"prompts": {"p": {}}, "export": {"mode": "on-exit", "langfuse": true}}"#);
    let output = env
        .cmd(["p", "--", "true"])
        .env(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            format!("{}/custom", receiver.url),
        )
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let requests = receiver.accepted();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/custom");
    let span = &requests[0].spans()[0];
    assert_eq!(attr(span, "langfuse.observation.prompt.name"), text("p"));
    assert_eq!(
        span.status.as_ref().unwrap().code,
        0,
        "UNSET for a run that went well"
    );
}

#[test]
fn on_exit_failures_are_one_line_and_never_change_the_exit_status() {
    let env = on_exit_env();
    let run = |url: &str, timeout: Option<&str>| {
        let mut cmd = env.cmd(["p", "--", "sh", "-c", "exit 7"]);
        cmd.env("PROMPTRUN_OTLP", "on-exit")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", url);
        if let Some(ms) = timeout {
            cmd.env("OTEL_EXPORTER_OTLP_TIMEOUT", ms);
        }
        let started = Instant::now();
        let output = cmd.output().unwrap();
        (output, started.elapsed())
    };
    // Nobody listening.
    let (output, _) = run(&closed_port(), None);
    assert_eq!(output.status.code(), Some(7));
    assert_eq!(warning_count(&stderr(&output)), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("OTLP export"),
        "{}",
        stderr(&output)
    );

    // A 500 and a 413: one request each, no retry.
    for status in [500, 413] {
        let receiver = Receiver::start(vec![Reply(status, Duration::ZERO)]);
        let (output, _) = run(&receiver.url, None);
        assert_eq!(output.status.code(), Some(7));
        assert_eq!(warning_count(&stderr(&output)), 1, "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("HTTP {status}")),
            "{}",
            stderr(&output)
        );
        assert_eq!(receiver.count(), 1);
    }

    // A slow server: the run waits at most the deadline (1 s by default).
    let slow = Receiver::start(vec![Reply(200, Duration::from_secs(5))]);
    let (output, took) = run(&slow.url, None);
    assert_eq!(output.status.code(), Some(7));
    assert!(stderr(&output).contains("timed out"), "{}", stderr(&output));
    assert!(took < Duration::from_millis(3000), "took {took:?}");
    let slow = Receiver::start(vec![Reply(200, Duration::from_secs(5))]);
    let (_, took) = run(&slow.url, Some("200"));
    assert!(
        took < Duration::from_millis(1500),
        "OTEL_EXPORTER_OTLP_TIMEOUT: took {took:?}"
    );
}

/// A log of `runs` finished runs (ids 1..=runs), each with a run_start and a
/// run_end; run 1 rated 5.
fn write_runs(env: &TestEnv, from: u64, runs: u64) {
    let mut text = String::new();
    for n in from..from + runs {
        let second = n % 60;
        let minute = (n / 60) % 60;
        let ts = format!("2026-11-24T10:{minute:02}:{second:02}.000Z");
        let end_ts = format!("2026-11-24T10:{minute:02}:{second:02}.500Z");
        text += &start(n, &ts, "p", None, "u1", json!({}));
        text.push('\n');
        text += &end(
            n,
            &end_ts,
            "p",
            None,
            "u1",
            json!({}),
            "ok",
            500.0,
            false,
            json!({"input_tokens": 3}),
        );
        text.push('\n');
        if n == 1 {
            text += &feedback(1, "2026-11-24T10:00:01.000Z", "p", None, 5, None);
            text.push('\n');
        }
    }
    let path = env.log_dir().join("events-2026-11-24.jsonl");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

fn export(env: &TestEnv, url: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    env.cmd(&all)
        .env("PROMPTRUN_OTLP", "batch")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", url)
        .output()
        .unwrap()
}

fn trace_ids(requests: &[Received]) -> Vec<Vec<u8>> {
    requests
        .iter()
        .flat_map(|r| r.spans())
        .map(|s| s.trace_id)
        .collect()
}

#[test]
fn batch_export_sends_512_spans_a_request_and_resumes_without_duplicates() {
    let env = TestEnv::new();
    write_runs(&env, 1, 600);
    let receiver = Receiver::start(vec![]);
    let output = export(&env, &receiver.url, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("exported 600 span(s)"),
        "{}",
        stdout(&output)
    );
    let requests = receiver.accepted();
    let sizes: Vec<usize> = requests.iter().map(|r| r.spans().len()).collect();
    assert_eq!(sizes, [512, 88]);
    let mut ids = trace_ids(&requests);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 600);
    let first = requests[0]
        .spans()
        .into_iter()
        .find(|s| s.trace_id == uuid_bytes(&run_id(1)))
        .unwrap();
    assert_eq!(first.events.len(), 1, "the rating is a span event");
    assert_eq!(
        attr(&first, "gen_ai.usage.input_tokens"),
        Some(Any::IntValue(3))
    );

    // Nothing new: nothing sent. New runs: only they are sent.
    let output = export(&env, &receiver.url, &[]);
    assert!(
        stdout(&output).contains("exported 0 span(s)"),
        "{}",
        stdout(&output)
    );
    write_runs(&env, 601, 3);
    let output = export(&env, &receiver.url, &[]);
    assert!(
        stdout(&output).contains("exported 3 span(s)"),
        "{}",
        stdout(&output)
    );
    assert_eq!(receiver.accepted().len(), 3);
    assert_eq!(
        trace_ids(&receiver.accepted()[2..]),
        (601..604)
            .map(|n| uuid_bytes(&run_id(n)))
            .collect::<Vec<_>>()
    );
}

#[test]
fn batch_export_retries_429_5xx_and_slow_answers_then_succeeds() {
    let env = TestEnv::new();
    write_runs(&env, 1, 4);
    let receiver = Receiver::start(vec![
        Reply(503, Duration::ZERO),
        Reply(429, Duration::ZERO),
        Reply(200, Duration::from_secs(3)),
    ]);
    let output = env
        .cmd(["export"])
        .env("PROMPTRUN_OTLP", "batch")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)
        .env("OTEL_EXPORTER_OTLP_TIMEOUT", "500")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(receiver.statuses(), [503, 429, 200, 200]);
    // The timed-out attempt may have reached the server; the span ids are the same.
    let accepted = receiver.accepted();
    assert_eq!(accepted[0].spans(), accepted[1].spans());
}

#[test]
fn batch_export_halves_a_request_on_413() {
    let env = TestEnv::new();
    write_runs(&env, 1, 10);
    let receiver = Receiver::start(vec![Reply(413, Duration::ZERO)]);
    let output = export(&env, &receiver.url, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sizes: Vec<usize> = receiver
        .accepted()
        .iter()
        .map(|r| r.spans().len())
        .collect();
    assert_eq!(sizes, [5, 5]);
}

#[test]
fn a_failed_batch_keeps_the_cursor_and_the_next_export_sends_the_rest_once() {
    let env = TestEnv::new();
    write_runs(&env, 1, 600);
    // The first request goes through, the second meets 5xx until promptrun gives up.
    let failing = Receiver::start(vec![
        OK,
        Reply(500, Duration::ZERO),
        Reply(500, Duration::ZERO),
        Reply(502, Duration::ZERO),
        Reply(503, Duration::ZERO),
        Reply(500, Duration::ZERO),
    ]);
    let output = export(&env, &failing.url, &[]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("512 span(s) sent"),
        "{}",
        stderr(&output)
    );
    // The cursor is per endpoint; point the same URL at a healthy receiver by
    // exporting with the traces URL spelled as it was.
    let healthy = Receiver::start(vec![]);
    let output = env
        .cmd(["export"])
        .env("PROMPTRUN_OTLP", "batch")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &failing.url)
        .env(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            format!("{}/v1/traces", healthy.url),
        )
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    // A new URL is a new cursor: everything goes to the healthy receiver.
    assert_eq!(trace_ids(&healthy.accepted()).len(), 600);

    // Against the first URL: only the 88 spans not accepted there are sent.
    let output = export(&env, &failing.url, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut ids = trace_ids(&failing.accepted());
    assert_eq!(ids.len(), 600);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 600, "no run sent twice");

    // A 400 is not retried and says why.
    let env = TestEnv::new();
    write_runs(&env, 1, 2);
    let rejecting = Receiver::start(vec![Reply(400, Duration::ZERO)]);
    let output = export(&env, &rejecting.url, &[]);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr(&output).contains("HTTP 400"), "{}", stderr(&output));
    assert_eq!(rejecting.count(), 1);
}

#[test]
fn export_is_off_unless_asked_and_dry_run_sends_nothing() {
    let env = TestEnv::new();
    write_runs(&env, 1, 2);
    let receiver = Receiver::start(vec![]);
    let off = env
        .cmd(["export"])
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)
        .output()
        .unwrap();
    assert_eq!(off.status.code(), Some(2));
    assert!(stderr(&off).contains("PROMPTRUN_OTLP"), "{}", stderr(&off));
    let dry = export(&env, &receiver.url, &["--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let lines: Vec<serde_json::Value> = stdout(&dry)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["name"], "chat p");
    assert_eq!(receiver.count(), 0);
    let since = export(&env, &receiver.url, &["--since", "2030-01-01"]);
    assert!(
        stdout(&since).contains("exported 0 span(s)"),
        "{}",
        stdout(&since)
    );
}

#[test]
fn a_file_rewritten_since_the_last_export_is_sent_again_with_a_warning() {
    let env = TestEnv::new();
    write_runs(&env, 1, 5);
    let receiver = Receiver::start(vec![]);
    assert!(export(&env, &receiver.url, &[]).status.success());
    // purge rewrites the file: the cursor's offset means nothing in it any more.
    let purged = env.run(["purge", "--before", "2026-11-24T10:00:02Z"]);
    assert!(purged.status.success(), "{}", stderr(&purged));
    let output = export(&env, &receiver.url, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("changed since it was last exported"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("exported 4 span(s)"),
        "{}",
        stdout(&output)
    );
    // The same runs give the same span ids, so a backend keyed by id keeps one of each.
    let ids = trace_ids(&receiver.accepted());
    assert_eq!(ids.len(), 9);
    assert!(ids[5..].iter().all(|id| ids[..5].contains(id)));
    assert!(export(&env, &receiver.url, &[]).status.success());
    assert_eq!(
        trace_ids(&receiver.accepted()).len(),
        9,
        "and then nothing more"
    );
}

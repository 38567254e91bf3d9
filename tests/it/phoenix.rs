//! End to end against Arize Phoenix (an OTLP/HTTP receiver people use for LLM
//! traces): the spans of `on-exit` and of `promptrun export`, read back through
//! Phoenix's REST API. Needs PROMPTRUN_TEST_PHOENIX, the path of Phoenix's
//! `phoenix` command (`pip install arize-phoenix`; tests/run.sh installs it in a
//! venv); without it the test fails saying how to install it, unless
//! PROMPTRUN_SKIP_PHOENIX=1 (then it says it skipped).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{TestEnv, stderr, stdout, warning_count};

/// A Phoenix server on free local ports, stopped when dropped.
struct Phoenix {
    child: Child,
    url: String,
    _work: tempfile::TempDir,
}

impl Drop for Phoenix {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_phoenix(command: &str) -> Phoenix {
    let work = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(command)
        .arg("serve")
        .env("PHOENIX_HOST", "127.0.0.1")
        .env("PHOENIX_PORT", port.to_string())
        .env("PHOENIX_GRPC_PORT", free_port().to_string())
        .env("PHOENIX_WORKING_DIR", work.path())
        .env("PHOENIX_TELEMETRY_ENABLED", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {command} serve: {err}"));
    let phoenix = Phoenix {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _work: work,
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(180) {
        if get(&format!("{}/healthz", phoenix.url)).is_some() {
            return phoenix;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("Phoenix did not come up on {} within 180 s", phoenix.url);
}

fn get(url: &str) -> Option<String> {
    let mut response = ureq::get(url).call().ok()?;
    response.body_mut().read_to_string().ok()
}

/// The spans of a Phoenix project, waiting (bounded) until `count` are there.
fn spans(phoenix: &Phoenix, project: &str, count: usize) -> Vec<Value> {
    let url = format!("{}/v1/projects/{project}/spans?limit=100", phoenix.url);
    let started = Instant::now();
    loop {
        let data: Vec<Value> = get(&url)
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .and_then(|v| v["data"].as_array().cloned())
            .unwrap_or_default();
        if data.len() >= count || started.elapsed() > Duration::from_secs(30) {
            return data;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn phoenix_receives_the_spans_of_on_exit_and_of_export() {
    let Some(command) = std::env::var("PROMPTRUN_TEST_PHOENIX")
        .ok()
        .filter(|c| !c.is_empty())
    else {
        if std::env::var("PROMPTRUN_SKIP_PHOENIX").is_ok_and(|v| v == "1") {
            eprintln!("skipped: PROMPTRUN_SKIP_PHOENIX=1 (the Phoenix end-to-end check)");
            return;
        }
        panic!(
            "the Phoenix end-to-end check needs Arize Phoenix: run the tests with \
             tests/run.sh (it installs it under target/), or install it \
             (python3 -m venv v && v/bin/pip install arize-phoenix==20.26.1) and set \
             PROMPTRUN_TEST_PHOENIX=v/bin/phoenix; PROMPTRUN_SKIP_PHOENIX=1 skips it"
        );
    };
    let phoenix = start_phoenix(&command);
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"p": {}}}"#);
    let otlp = |cmd: &mut Command, mode: &str, project: &str| {
        cmd.env("PROMPTRUN_OTLP", mode)
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", &phoenix.url)
            .env("OTEL_EXPORTER_OTLP_TIMEOUT", "10000")
            .env(
                "OTEL_RESOURCE_ATTRIBUTES",
                format!("openinference.project.name={project}"),
            );
    };

    // on-exit: the failed run's span, as it ends.
    let mut run = env.cmd(["p", "--tag", "model=gpt-x", "--", "sh", "-c", "exit 3"]);
    otlp(&mut run, "on-exit", "on-exit");
    let output = run.output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(warning_count(&stderr(&output)), 0, "{}", stderr(&output));
    let events = crate::support::checked_events(&env);
    let run_id = events[1]["run_id"].as_str().unwrap().to_string();
    let got = spans(&phoenix, "on-exit", 1);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["name"], "chat p");
    assert_eq!(got[0]["context"]["trace_id"], run_id.replace('-', ""));
    assert_eq!(got[0]["status_code"], "ERROR");
    assert_eq!(got[0]["attributes"]["error.type"], "nonzero_exit");
    assert_eq!(got[0]["attributes"]["gen_ai.request.model"], "gpt-x");

    // batch: a rated run, sent by `promptrun export`, its rating a span event.
    assert!(env.run(["p", "--", "true"]).status.success());
    assert!(env.run(["rate", "last", "4"]).status.success());
    let mut export = env.cmd(["export"]);
    otlp(&mut export, "batch", "batch");
    let output = export.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("exported 2 span(s)"),
        "{}",
        stdout(&output)
    );
    // The failed run went out on exit already: its span has the same ids, and
    // Phoenix keeps it once (in the project it first came to).
    let got = spans(&phoenix, "batch", 1);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(spans(&phoenix, "on-exit", 1).len(), 1);
    let rated = &got[0];
    assert_eq!(rated["status_code"], "UNSET");
    assert_eq!(rated["events"][0]["name"], "gen_ai.evaluation.result");
    assert_eq!(rated["events"][0]["attributes"]["promptrun.rating"], 4);
}

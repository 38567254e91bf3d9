//! A real headless Chromium driven over the DevTools protocol (a websocket), to
//! load a page and see what a person's browser would: console errors, uncaught
//! exceptions, network requests, scripts from the data that ran, the SVG count.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// The variable that names the browser to use, when it is not on PATH as one of
/// [`CHROMIUM_NAMES`].
pub const CHROMIUM_VARIABLE: &str = "PROMPTRUN_TEST_CHROMIUM";

/// The names Chromium and Chrome go by on PATH, in the order they are looked for.
pub const CHROMIUM_NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The flags every launch uses: headless, no sandbox (root in CI), nothing that
/// phones home, and a fresh profile.
pub fn chromium_flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// The browser: `$PROMPTRUN_TEST_CHROMIUM`, else the first of [`CHROMIUM_NAMES`]
/// on PATH; without one, a failing test that says how to get one.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os(CHROMIUM_VARIABLE).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            is_executable(&path),
            "{CHROMIUM_VARIABLE}={} is not an executable file",
            path.display()
        );
        return path;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    CHROMIUM_NAMES
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|candidate| is_executable(candidate))
        .unwrap_or_else(|| {
            panic!(
                "no Chromium found: the dashboard tests drive a real headless browser. \
                 Looked for {} on PATH. Install one (Debian or Ubuntu: \
                 `apt-get update && apt-get install -y chromium`; tests/run.sh does this as root), \
                 or set {CHROMIUM_VARIABLE} to a Chromium or Chrome binary.",
                CHROMIUM_NAMES.join(", ")
            )
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What a page did while loading.
#[derive(Debug, Default)]
pub struct PageVisit {
    /// Console errors, uncaught exceptions and browser log errors (CSP, failed loads).
    pub errors: Vec<String>,
    /// Every request except the page itself.
    pub requests: Vec<String>,
    /// Calls of alert/confirm/prompt, which the hostile test data would make.
    pub alerts: u64,
    /// `<svg>` elements in the document.
    pub svgs: u64,
    /// Results of the extra expressions, in order.
    pub values: Vec<Value>,
}

/// A running browser and one page session.
pub struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts Chromium and opens a blank page with alert catchers installed.
    pub fn start() -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new(chromium())
            .args(chromium_flags(profile.path()))
            .args(["--remote-debugging-port=0", "about:blank"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = tx.send(line[at..].trim().to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("chromium printed its DevTools address");
        let host_port = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let stream = TcpStream::connect(&host_port).expect("connect to DevTools");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let (socket, _) = tungstenite::client(url.as_str(), stream).expect("websocket handshake");
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            browser.call(domain, json!({}));
        }
        browser.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "window.__alerts = 0; \
                   window.alert = window.confirm = window.prompt = function () { window.__alerts += 1; };"}),
        );
        browser
    }

    /// Sends a command (on the page session once there is one) and returns its result;
    /// events that arrive meanwhile are kept.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to DevTools");
        loop {
            let value = self.read();
            if value["id"] == json!(id) {
                assert!(value.get("error").is_none(), "{method} failed: {value}");
                return value["result"].clone();
            }
            self.events.push(value);
        }
    }

    fn read(&mut self) -> Value {
        loop {
            match self.socket.read().expect("read from DevTools") {
                Message::Text(text) => {
                    return serde_json::from_str(text.as_str()).expect("DevTools JSON");
                }
                Message::Close(_) => panic!("DevTools closed the connection"),
                _ => continue,
            }
        }
    }

    /// Loads `url`, waits for the load event and a moment more, then evaluates
    /// `expressions` in the page.
    pub fn visit(&mut self, url: &str, expressions: &[&str]) -> PageVisit {
        self.events.clear();
        self.call("Page.navigate", json!({"url": url}));
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self
            .events
            .iter()
            .any(|e| e["method"] == "Page.loadEventFired")
        {
            assert!(Instant::now() < deadline, "the page did not finish loading");
            let event = self.read();
            self.events.push(event);
        }
        std::thread::sleep(Duration::from_millis(300));
        let mut values = Vec::new();
        let evaluate = |browser: &mut Browser, expression: &str| {
            let result = browser.call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            );
            result["result"]["value"].clone()
        };
        let svgs = evaluate(self, "document.querySelectorAll('svg').length")
            .as_u64()
            .unwrap_or(0);
        let alerts = evaluate(self, "window.__alerts").as_u64().unwrap_or(0);
        for expression in expressions {
            values.push(evaluate(self, expression));
        }
        let mut visit = PageVisit {
            svgs,
            alerts,
            values,
            ..PageVisit::default()
        };
        for event in &self.events {
            let params = &event["params"];
            match event["method"].as_str().unwrap_or("") {
                "Runtime.consoleAPICalled"
                    if matches!(params["type"].as_str(), Some("error" | "assert")) =>
                {
                    visit
                        .errors
                        .push(format!("console.{}: {}", params["type"], params["args"]));
                }
                "Runtime.exceptionThrown" => visit
                    .errors
                    .push(format!("exception: {}", params["exceptionDetails"])),
                "Log.entryAdded" if params["entry"]["level"] == "error" => {
                    visit
                        .errors
                        .push(format!("log: {}", params["entry"]["text"]));
                }
                "Network.requestWillBeSent" => {
                    let requested = params["request"]["url"].as_str().unwrap_or("").to_string();
                    if requested != url {
                        visit.requests.push(requested);
                    }
                }
                _ => {}
            }
        }
        visit
    }
}

/// A `file://` URL for a local path.
pub fn file_url(path: &Path) -> String {
    format!(
        "file://{}",
        path.canonicalize().expect("page exists").display()
    )
}

//! `promptrun export`: the runs not sent yet, in requests of up to 512 spans.
//!
//! A cursor per file (byte offset into its text, and a fingerprint of the bytes
//! before it) lives in the state directory, one cursor file per endpoint URL.
//! It moves only after a 2xx, so a crash or a failed request loses nothing and
//! a retry sends no run twice (and when it must resend, the span ids are the
//! same). 429 and 5xx are retried with exponential backoff (Retry-After
//! honoured); 413 halves the request. A file rewritten by `merge` or `purge`
//! no longer matches its fingerprint and is read again from the start.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::settings::{self, Endpoint, ExportMode};
use super::{http, span};
use crate::cli::ExportArgs;
use crate::config::context::Context;
use crate::error::{Error, Result, exit, warn};
use crate::export::lines;
use crate::record::log_files::{self, Source};

/// Spans per request at most.
pub const BATCH: usize = 512;
/// Attempts of one request (429, 5xx, no answer) before giving up.
pub const ATTEMPTS: u32 = 5;
/// The wait before the first retry; doubled after each.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// The request timeout unless OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT sets one (the OTel default).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of the text before a cursor its fingerprint covers.
const FINGERPRINT: usize = 4096;

/// Where one file was read up to.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct FileCursor {
    offset: u64,
    /// SHA-256 of up to FINGERPRINT bytes before `offset`.
    before: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursors {
    endpoint: String,
    files: BTreeMap<String, FileCursor>,
}

/// A file read for export.
struct Input {
    key: String,
    text: Text,
    /// Where this export started and stops reading (whole lines only).
    end: usize,
}

/// A span waiting to be sent, and where its run_end line ends.
struct Pending {
    span: Span,
    file: usize,
    offset: usize,
}

/// Runs `promptrun export`.
pub fn run(context: &Context, args: &ExportArgs) -> Result<i32> {
    let config = context.config.as_ref().map(|loaded| &loaded.config);
    let mode = settings::mode(config).map_err(Error::Usage)?;
    if mode == ExportMode::Off && !args.dry_run {
        return Err(Error::Usage(
            "OTLP export is off: set PROMPTRUN_OTLP=batch (or on-exit), or export.mode in the \
             config (PROMPTRUN_NO_LOG, DO_NOT_TRACK and OTEL_SDK_DISABLED=true turn it off)"
                .into(),
        ));
    }
    let endpoint = Endpoint::from_env().map_err(Error::Usage)?;
    let options = span::SpanOptions {
        langfuse: config.is_some_and(|c| c.export.langfuse),
    };
    let since = args
        .since
        .as_deref()
        .map(|text| {
            crate::report::engine::time::parse_point(text, chrono::Utc::now().timestamp_millis())
                .map_err(|err| Error::Usage(format!("--since: {err}")))
        })
        .transpose()?;
    let paths = match (&args.paths[..], &context.log_dir) {
        ([], Some(dir)) if !dir.exists() => Vec::new(),
        ([], Some(dir)) => vec![dir.clone()],
        ([], None) => {
            return Err(Error::Usage(
                "no log directory: give files or directories, or set --log-dir".into(),
            ));
        }
        (paths, _) => paths.to_vec(),
    };
    let files: Vec<PathBuf> = log_files::expand(&paths)?
        .into_iter()
        .filter_map(|source| match source {
            Source::File(path) => Some(path),
            Source::Stdin => None,
        })
        .collect();

    let state_dir = context.state_dir.clone();
    let cursor_path = state_dir
        .as_deref()
        .map(|dir| cursor_path(dir, &endpoint.url));
    let _guard = match (&state_dir, args.dry_run) {
        (Some(dir), false) => Some(lock_exports(dir)?),
        _ => None,
    };
    let mut cursors = cursor_path
        .as_deref()
        .map(load)
        .transpose()?
        .unwrap_or_default();
    cursors.endpoint = endpoint.url.clone();

    let mut inputs = Vec::new();
    let mut ends = Vec::new();
    let mut ratings: HashMap<String, Vec<span::Rating>> = HashMap::new();
    for path in files {
        let key = std::path::absolute(&path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string();
        let cursor = cursors.files.get(&key).cloned();
        let mut text = Text::read(&path, cursor.as_ref().map(|c| c.offset as usize))?;
        let start = match cursor {
            Some(cursor) if text.matches(&cursor) => cursor.offset as usize,
            Some(_) => {
                // Forget the stale cursor, so the first accepted span sets a new one.
                cursors.files.remove(&key);
                warn(format_args!(
                    "{} changed since it was last exported; sending it again from the start",
                    path.display()
                ));
                if text.base > 0 {
                    text = Text::read(&path, None)?;
                }
                0
            }
            None => 0,
        };
        let end = text
            .slice(start, text.len())
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(start, |i| start + i + 1);
        let file = inputs.len();
        let mut offset = start;
        for raw in text.slice(start, end).split_inclusive(|&b| b == b'\n') {
            offset += raw.len();
            let Ok(event) = serde_json::from_slice::<Value>(raw.trim_ascii()) else {
                continue;
            };
            match event["type"].as_str() {
                Some("run_end") => ends.push((event, file, offset)),
                Some("feedback") => {
                    if let (Some(run_id), Some(ts), Some(rating)) = (
                        event["run_id"].as_str(),
                        event["ts"].as_str(),
                        event["rating"].as_i64(),
                    ) {
                        ratings
                            .entry(run_id.to_string())
                            .or_default()
                            .push(span::Rating {
                                ts: ts.to_string(),
                                rating,
                                source: event["source"].as_str().map(str::to_string),
                            });
                    }
                }
                _ => {}
            }
        }
        inputs.push(Input { key, text, end });
    }

    let mut pending = Vec::new();
    for (event, file, offset) in ends {
        if let Some(since) = since {
            let ended = event["ts"]
                .as_str()
                .and_then(|ts| chrono::DateTime::parse_from_rfc3339(ts).ok())
                .map(|at| at.timestamp_millis());
            if ended.is_none_or(|ms| ms < since) {
                continue;
            }
        }
        let run_ratings = event["run_id"]
            .as_str()
            .and_then(|id| ratings.get(id))
            .map_or(&[][..], Vec::as_slice);
        if let Some(span) = span::from_run_end(&event, run_ratings, &options) {
            pending.push(Pending { span, file, offset });
        }
    }

    if args.dry_run {
        for item in &pending {
            crate::cmd::output::print_line(&describe(&item.span))?;
        }
        eprintln!(
            "promptrun: dry run: {} span(s) would be sent to {}; nothing was sent",
            pending.len(),
            endpoint.url
        );
        return Ok(exit::OK);
    }

    let timeout = endpoint.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let mut sent = 0;
    let mut queue: std::collections::VecDeque<Vec<Pending>> = std::collections::VecDeque::new();
    let mut rest = pending.into_iter().peekable();
    while rest.peek().is_some() {
        queue.push_back(rest.by_ref().take(BATCH).collect());
    }
    while let Some(chunk) = queue.pop_front() {
        match send_with_retries(&endpoint, &chunk, timeout) {
            Ok(()) => {}
            Err(Failure::TooLarge) if chunk.len() > 1 => {
                let mut first = chunk;
                let second = first.split_off(first.len() / 2);
                queue.push_front(second);
                queue.push_front(first);
                continue;
            }
            Err(failure) => {
                return Err(Error::Io {
                    path: PathBuf::from(&endpoint.url),
                    source: std::io::Error::other(format!(
                        "{}; {sent} span(s) sent, the rest will be sent by the next export",
                        failure.describe()
                    )),
                });
            }
        }
        sent += chunk.len();
        for item in &chunk {
            let input = &inputs[item.file];
            let cursor = cursors.files.entry(input.key.clone()).or_default();
            if item.offset as u64 > cursor.offset {
                *cursor = input.text.cursor(item.offset);
            }
        }
        if let Some(path) = &cursor_path {
            save(path, &cursors)?;
        }
    }
    // Every span is sent: the rest of what was read (run_starts, ratings) is done too.
    for input in &inputs {
        cursors
            .files
            .insert(input.key.clone(), input.text.cursor(input.end));
    }
    if let Some(path) = &cursor_path {
        save(path, &cursors)?;
    }
    crate::cmd::output::print_line(&format!("exported {sent} span(s) to {}", endpoint.url))?;
    Ok(exit::OK)
}

enum Failure {
    TooLarge,
    Rejected(u16, String),
    GaveUp(String),
}

impl Failure {
    fn describe(&self) -> String {
        match self {
            Failure::TooLarge => {
                "HTTP 413: a single span is larger than the collector accepts".into()
            }
            Failure::Rejected(status, body) if body.is_empty() => format!("HTTP {status}"),
            Failure::Rejected(status, body) => format!("HTTP {status}: {body}"),
            Failure::GaveUp(last) => format!("gave up after {ATTEMPTS} attempts ({last})"),
        }
    }
}

fn send_with_retries(
    endpoint: &Endpoint,
    chunk: &[Pending],
    timeout: Duration,
) -> std::result::Result<(), Failure> {
    let spans = chunk.iter().map(|item| item.span.clone()).collect();
    let body = span::request(spans, &endpoint.resource).encode_to_vec();
    let mut backoff = FIRST_BACKOFF;
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let wait = match http::post(endpoint, &body, timeout) {
            http::Sent::Accepted => return Ok(()),
            http::Sent::TooLarge => return Err(Failure::TooLarge),
            http::Sent::Rejected { status, body } => return Err(Failure::Rejected(status, body)),
            http::Sent::Retry { status, after } => {
                last = format!("HTTP {status}");
                after.map_or(backoff, |after| after.min(Duration::from_secs(30)))
            }
            http::Sent::Failed(reason) => {
                last = reason;
                backoff
            }
        };
        if attempt < ATTEMPTS {
            std::thread::sleep(wait);
            backoff *= 2;
        }
    }
    Err(Failure::GaveUp(last))
}

/// One line describing a span, for `--dry-run`.
fn describe(span: &Span) -> String {
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
    let attributes: serde_json::Map<String, Value> = span
        .attributes
        .iter()
        .filter_map(|kv| {
            let value = match kv.value.as_ref()?.value.as_ref()? {
                Any::StringValue(s) => Value::from(s.clone()),
                Any::IntValue(i) => Value::from(*i),
                Any::DoubleValue(d) => Value::from(*d),
                Any::BoolValue(b) => Value::from(*b),
                _ => return None,
            };
            Some((kv.key.clone(), value))
        })
        .collect();
    serde_json::json!({
        "name": span.name,
        "trace_id": hex(&span.trace_id),
        "span_id": hex(&span.span_id),
        "start_time_unix_nano": span.start_time_unix_nano,
        "end_time_unix_nano": span.end_time_unix_nano,
        "status": span.status.as_ref().map_or(0, |s| s.code),
        "events": span.events.len(),
        "attributes": attributes,
    })
    .to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file's text (gunzipped), or of a plain file only its part from just
/// before the cursor on: an export reads what is new, not the whole log again.
struct Text {
    bytes: Vec<u8>,
    /// The offset of `bytes[0]` in the file's text.
    base: usize,
}

impl Text {
    /// Reads `path`; with the offset of a cursor, a plain file from
    /// FINGERPRINT bytes before it (when the file is that long).
    fn read(path: &Path, cursor: Option<usize>) -> Result<Text> {
        use std::io::{Read, Seek, SeekFrom};
        let io = |err| Error::io(path, err);
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut head = [0u8; 2];
        let got = file.read(&mut head).map_err(io)?;
        let length = file.metadata().map_err(io)?.len() as usize;
        let base = match cursor {
            Some(offset) if !lines::is_gzip(&head[..got]) && offset <= length => {
                offset.saturating_sub(FINGERPRINT)
            }
            _ => 0,
        };
        file.seek(SeekFrom::Start(base as u64)).map_err(io)?;
        let mut bytes = Vec::with_capacity(length - base.min(length));
        file.read_to_end(&mut bytes).map_err(io)?;
        let bytes = if base == 0 {
            lines::decode(&bytes).map_err(io)?
        } else {
            bytes
        };
        Ok(Text { bytes, base })
    }

    /// The end of the text.
    fn len(&self) -> usize {
        self.base + self.bytes.len()
    }

    /// The text between two offsets (both at or after `base`).
    fn slice(&self, from: usize, to: usize) -> &[u8] {
        &self.bytes[from - self.base..to - self.base]
    }

    fn fingerprint(&self, offset: usize) -> String {
        let from = offset.saturating_sub(FINGERPRINT);
        hex(&Sha256::digest(self.slice(from, offset)))
    }

    /// The cursor at `offset`.
    fn cursor(&self, offset: usize) -> FileCursor {
        FileCursor {
            offset: offset as u64,
            before: self.fingerprint(offset),
        }
    }

    /// Whether `cursor` still points into this text, after the same bytes.
    fn matches(&self, cursor: &FileCursor) -> bool {
        let offset = cursor.offset as usize;
        offset <= self.len()
            && offset.saturating_sub(FINGERPRINT) >= self.base
            && self.fingerprint(offset) == cursor.before
    }
}

/// `<state dir>/otlp-cursor-<hash of the URL>.json`: one cursor set per endpoint.
pub fn cursor_path(state_dir: &Path, url: &str) -> PathBuf {
    let digest = hex(&Sha256::digest(url.as_bytes()));
    state_dir.join(format!("otlp-cursor-{}.json", &digest[..16]))
}

fn load(path: &Path) -> Result<Cursors> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(err),
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Cursors::default()),
        Err(err) => Err(Error::io(path, err)),
    }
}

fn save(path: &Path, cursors: &Cursors) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(cursors).expect("cursors serialise");
    crate::export::day_file::replace(path, &bytes).map_err(|message| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(message),
    })
}

/// One export at a time: two would send the same runs.
fn lock_exports(state_dir: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(state_dir)
        .map_err(|err| Error::io(state_dir, err))?;
    let path = state_dir.join("otlp-export.lock");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|err| Error::io(&path, err))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Usage(
            "another `promptrun export` is running; try again when it is done".into(),
        )),
        Err(std::fs::TryLockError::Error(err)) => Err(Error::io(&path, err)),
    }
}

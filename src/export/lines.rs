//! Event lines as merge, purge and export need them: the bytes as written, and
//! the few fields that place and identify the event.

use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::record::log_files::{BOM, GZIP_MAGIC};

/// One event line and what identifies it.
#[derive(Debug, Clone)]
pub struct Line {
    /// The line as written, without its `\n`.
    pub raw: Vec<u8>,
    /// The event's `ts`.
    pub at: DateTime<Utc>,
    /// `type`.
    pub kind: String,
    /// `run_id`, when there is one.
    pub run_id: Option<String>,
    /// `prompt`, when there is one.
    pub prompt: Option<String>,
    /// `user`, when there is one.
    pub user: Option<String>,
}

/// What a line must hold to be placed in a day file.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    ts: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    run_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    prompt: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    user: Option<std::borrow::Cow<'a, str>>,
}

/// The identity of an event for de-duplication, as the report engine counts
/// duplicates: a run has one run_start and one run_end; a rating is the run's
/// rating at its `ts`. Lines without a run id are identified by their bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Run {
        run_id: String,
        kind: String,
        ts: Option<i64>,
    },
    Bytes(Vec<u8>),
}

impl Line {
    /// Parses one line (without its `\n` or `\r`); `None` when it is not an
    /// event with a valid `ts`.
    pub fn parse(raw: &[u8]) -> Option<Line> {
        let head: Head = serde_json::from_slice(raw).ok()?;
        let at = DateTime::parse_from_rfc3339(head.ts.as_deref()?)
            .ok()?
            .to_utc();
        Some(Line {
            raw: raw.to_vec(),
            at,
            kind: head.kind.map(|k| k.into_owned()).unwrap_or_default(),
            run_id: head.run_id.map(|r| r.into_owned()),
            prompt: head.prompt.map(|p| p.into_owned()),
            user: head.user.map(|u| u.into_owned()),
        })
    }

    /// The UTC day of the event.
    pub fn day(&self) -> NaiveDate {
        self.at.date_naive()
    }

    /// The event's identity.
    pub fn key(&self) -> Key {
        match &self.run_id {
            Some(run_id) => Key::Run {
                run_id: run_id.clone(),
                kind: self.kind.clone(),
                ts: (!matches!(self.kind.as_str(), "run_start" | "run_end"))
                    .then(|| self.at.timestamp_millis()),
            },
            None => Key::Bytes(self.raw.clone()),
        }
    }
}

/// Every line of `bytes` (gzip or plain, with or without a BOM): the events,
/// and the number of non-empty lines that are not events.
pub fn parse_all(bytes: &[u8]) -> std::io::Result<(Vec<Line>, usize)> {
    let text = decode(bytes)?;
    let mut text = text.as_slice();
    if text.starts_with(&BOM) {
        text = &text[BOM.len()..];
    }
    let mut lines = Vec::new();
    let mut bad = 0;
    for raw in text.split(|&b| b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match Line::parse(raw) {
            Some(line) => lines.push(line),
            None => bad += 1,
        }
    }
    Ok((lines, bad))
}

/// Whether `bytes` are gzip.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// The text of a file's bytes: gunzipped when they are gzip.
pub fn decode(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    if !is_gzip(bytes) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// The lines, each followed by `\n`.
pub fn join(lines: &[Line]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.iter().map(|l| l.raw.len() + 1).sum());
    for line in lines {
        out.extend_from_slice(&line.raw);
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_from_gzip_and_plain_alike() {
        let text = b"\xef\xbb\xbf{\"type\":\"run_end\",\"ts\":\"2026-11-24T10:00:00.000Z\",\"run_id\":\"a\"}\r\nnot json\n\n";
        let (plain, bad) = parse_all(text).unwrap();
        assert_eq!((plain.len(), bad), (1, 1));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text).unwrap();
        let (zipped, _) = parse_all(&gz.finish().unwrap()).unwrap();
        assert_eq!(zipped[0].raw, plain[0].raw);
        assert_eq!(plain[0].day().to_string(), "2026-11-24");
        assert_eq!(
            plain[0].key(),
            Key::Run {
                run_id: "a".into(),
                kind: "run_end".into(),
                ts: None
            }
        );
    }
}

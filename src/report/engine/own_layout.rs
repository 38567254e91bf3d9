//! The line parser's fast path: events in the exact layout promptrun writes
//! (`src/record/event.rs`: fixed key order, compact JSON, `args` absent, `selection`
//! last when present).
//!
//! Each key, with its quotes, colon and the comma before it, is compared as one
//! fixed-size literal, so a line costs one pass over its values and no key
//! lookups. Values are read with the general [`Scanner`], so they are checked
//! exactly as the general parser checks them. Anything else (another key
//! order, unknown or missing keys, whitespace between members, invalid UTF-8,
//! any value the general parser would refuse) gives `None`, and
//! [`super::parse::parse_line_with`] falls back to the general parser: a `Some`
//! is always the event the general parser returns for the line (checked by the
//! differential property tests in `own_layout_props.rs`).

use super::parse::{Event, Kind, MAX_DURATION_MS, STATUS_NAMES, cost, period_of, run_id_key};
use super::scan::Scanner;
use super::time::parse_ts_ms;

/// How every line in promptrun's own layout starts.
const HEAD: &[u8; 15] = b"{\"v\":1,\"type\":\"";

/// Whether a line starts as promptrun's own lines do: a check cheap enough to
/// make before calling [`parse_canonical`] on lines from other writers.
#[inline(always)]
pub fn own_head(line: &[u8]) -> bool {
    line.first_chunk::<15>() == Some(HEAD)
}

/// The event in promptrun's own layout, or None to use the general parser.
#[inline]
pub fn parse_canonical(line: &[u8]) -> Option<Event<'_>> {
    let s = &mut Scanner::new(line);
    lit(s, HEAD)?;
    let kind = if lit(s, b"run_end\",\"ts\":").is_some() {
        Kind::RunEnd
    } else if lit(s, b"run_start\",\"ts\":").is_some() {
        Kind::RunStart
    } else {
        lit(s, b"feedback\",\"ts\":")?;
        Kind::Feedback
    };
    let ts = s.string().ok()?;
    lit(s, b",\"run_id\":")?;
    let run_id = s.string().ok()?;
    lit(s, b",\"prompt\":")?;
    let mut event = Event {
        kind: Some(kind),
        prompt: Some(s.string().ok()?),
        ..Event::default()
    };
    lit(s, b",\"variant\":")?;
    event.variant = s.string_or_null().ok()?;
    match kind {
        Kind::RunStart => run_start(s, &mut event)?,
        Kind::RunEnd => run_end(s, &mut event)?,
        Kind::Feedback => feedback(s, &mut event)?,
    }
    lit(s, b"}")?;
    if s.pos != line.len() {
        return None;
    }
    // Outside strings JSON is ASCII, so only lines with a string holding a byte
    // >= 0x80 need the UTF-8 check (the general parser names the failure).
    if s.high != 0 && std::str::from_utf8(line).is_err() {
        return None;
    }
    event.ts_ms = parse_ts_ms(ts.raw)?;
    event.run_id = run_id_key(run_id.raw);
    Some(event)
}

/// `requested` to `promptrun`.
#[inline(always)]
fn run_start<'a>(s: &mut Scanner<'a>, e: &mut Event<'a>) -> Option<()> {
    lit(s, b",\"requested\":")?;
    other(s)?;
    lit(s, b",\"resolution\":")?;
    e.resolution = s.string_or_null().ok()?;
    lit(s, b",\"prompt_file\":")?;
    other(s)?;
    lit(s, b",\"prompt_sha256\":")?;
    e.version = s.string_or_null().ok()?;
    run_fields(s, e)?;
    lit(s, b",\"promptrun\":")?;
    other(s)?;
    selection(s, e)
}

/// The optional `selection` object that ends both run events: its period.
#[inline(always)]
fn selection<'a>(s: &mut Scanner<'a>, e: &mut Event<'a>) -> Option<()> {
    if lit(s, b",\"selection\":").is_some() {
        e.period = period_of(object(s)?);
    }
    Some(())
}

/// `duration_ms` to `tags`, then the later fields, each only when present.
#[inline(always)]
fn run_end<'a>(s: &mut Scanner<'a>, e: &mut Event<'a>) -> Option<()> {
    lit(s, b",\"duration_ms\":")?;
    e.duration_ms = s.f64().ok()?;
    if !(0.0..=MAX_DURATION_MS).contains(&e.duration_ms) {
        return None;
    }
    lit(s, b",\"status\":")?;
    let status = s.string().ok()?;
    e.status = STATUS_NAMES
        .iter()
        .position(|name| name.as_bytes() == status.raw)? as u8;
    lit(s, b",\"exit_code\":")?;
    number_or_null(s)?;
    lit(s, b",\"signal\":")?;
    number_or_null(s)?;
    lit(s, b",\"metrics\":")?;
    e.metrics = Some(object(s)?);
    lit(s, b",\"feedback_asked\":")?;
    e.feedback_asked = if s.literal(b"true") {
        true
    } else if s.literal(b"false") {
        false
    } else {
        return None;
    };
    lit(s, b",\"prompt_sha256\":")?;
    e.version = s.string_or_null().ok()?;
    lit(s, b",\"resolution\":")?;
    e.resolution = s.string_or_null().ok()?;
    run_fields(s, e)?;
    if lit(s, b",\"model\":").is_some() {
        e.model = s.string_or_null().ok()?;
    }
    if lit(s, b",\"provider\":").is_some() {
        e.provider = s.string_or_null().ok()?;
    }
    if lit(s, b",\"cost_usd\":").is_some() {
        e.cost_usd = cost(s).ok()?;
    }
    if lit(s, b",\"cost_source\":").is_some() {
        other(s)?;
    }
    if lit(s, b",\"pricing_sha256\":").is_some() {
        other(s)?;
    }
    selection(s, e)
}

/// `command`, `user`, `host` and `tags`, in both run events.
#[inline(always)]
fn run_fields<'a>(s: &mut Scanner<'a>, e: &mut Event<'a>) -> Option<()> {
    lit(s, b",\"command\":")?;
    e.command = s.string_or_null().ok()?;
    lit(s, b",\"user\":")?;
    e.user = s.string_or_null().ok()?;
    lit(s, b",\"host\":")?;
    e.host = s.string_or_null().ok()?;
    lit(s, b",\"tags\":")?;
    e.tags = Some(object(s)?);
    Some(())
}

/// `prompt_sha256` to `user`.
#[inline(always)]
fn feedback<'a>(s: &mut Scanner<'a>, e: &mut Event<'a>) -> Option<()> {
    lit(s, b",\"prompt_sha256\":")?;
    e.version = s.string_or_null().ok()?;
    lit(s, b",\"rating\":")?;
    let rating = s.f64().ok()?;
    if !((1.0..=5.0).contains(&rating) && rating.fract() == 0.0) {
        return None;
    }
    e.rating = rating as u8;
    lit(s, b",\"comment\":")?;
    e.comment = s.string_or_null().ok()?;
    lit(s, b",\"source\":")?;
    other(s)?;
    lit(s, b",\"user\":")?;
    e.user = s.string_or_null().ok()?;
    Some(())
}

/// Consumes `text` when the line continues with it: a fixed-size compare,
/// which the compiler turns into a few word compares.
#[inline(always)]
fn lit<const N: usize>(s: &mut Scanner, text: &[u8; N]) -> Option<()> {
    let next: &[u8; N] = s.bytes.get(s.pos..s.pos + N)?.try_into().ok()?;
    if next == text {
        s.pos += N;
        Some(())
    } else {
        None
    }
}

/// A value the report does not read: a string or null.
#[inline(always)]
fn other(s: &mut Scanner) -> Option<()> {
    s.string_or_null().ok().map(drop)
}

#[inline(always)]
fn number_or_null(s: &mut Scanner) -> Option<()> {
    if s.literal(b"null") {
        return Some(());
    }
    s.number().ok().map(drop)
}

/// An object's raw text (tags, metrics). Flat objects of strings and numbers,
/// as promptrun writes them, are walked here; any other goes to the general walk.
#[inline(always)]
fn object<'a>(s: &mut Scanner<'a>) -> Option<&'a [u8]> {
    let start = s.pos;
    if s.bytes.get(start) != Some(&b'{') {
        return None;
    }
    if flat_object(s).is_none() {
        s.pos = start;
        return s.raw_object(1).ok();
    }
    Some(&s.bytes[start..s.pos])
}

/// Walks `{"key":"text" or number,...}` with nothing between the tokens.
#[inline(always)]
pub(super) fn flat_object(s: &mut Scanner) -> Option<()> {
    s.pos += 1;
    if s.bytes.get(s.pos) == Some(&b'}') {
        s.pos += 1;
        return Some(());
    }
    loop {
        if s.bytes.get(s.pos) != Some(&b'"') {
            return None;
        }
        s.string().ok()?;
        lit(s, b":")?;
        match s.bytes.get(s.pos)? {
            b'"' => drop(s.string().ok()?),
            b'-' | b'0'..=b'9' => drop(s.number().ok()?),
            _ => return None,
        }
        match s.bytes.get(s.pos)? {
            b',' => s.pos += 1,
            b'}' => {
                s.pos += 1;
                return Some(());
            }
            _ => return None,
        }
    }
}

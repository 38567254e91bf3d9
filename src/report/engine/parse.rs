//! The line parser: one JSONL line to the few event fields reports need.
//!
//! It checks the whole line is valid JSON and UTF-8, but only keeps the fields
//! it knows, borrowed from the line; everything else is skipped. Unknown fields
//! are fine (schema v1 only ever adds fields); an unknown event type or a newer
//! schema version is refused with a reason, as is anything malformed.
//!
//! Lines in the exact layout promptrun writes are read by a fast path first
//! (`own_layout.rs`), lines shaped like earlier lines from another writer by a
//! second (`template.rs`); any other line, or any doubt, comes here, with the
//! same result.

use super::own_layout::{flat_object, own_head, parse_canonical};
use super::scan::{RawStr, Scanner};
use super::template::Templates;

pub(super) use super::members::Members;
pub use super::run_id::run_id_key;

/// The event types a report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    RunStart,
    RunEnd,
    Feedback,
}

/// Longer durations (over 30 years) are not believable and are refused.
pub(super) const MAX_DURATION_MS: f64 = 1e12;

/// How a run ended, as an index (`STATUS_NAMES`).
pub type Status = u8;

/// run_end statuses in index order.
pub const STATUS_NAMES: [&str; 5] = ["ok", "error", "signal", "timeout", "spawn_failed"];

/// The fields of one event that reports use, borrowed from its line.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub kind: Option<Kind>,
    /// `ts` in milliseconds since the Unix epoch.
    pub ts_ms: i64,
    pub run_id: u128,
    pub prompt: Option<RawStr<'a>>,
    pub variant: Option<RawStr<'a>>,
    pub version: Option<RawStr<'a>>,
    pub resolution: Option<RawStr<'a>>,
    pub command: Option<RawStr<'a>>,
    pub user: Option<RawStr<'a>>,
    pub host: Option<RawStr<'a>>,
    /// The raw `tags` object.
    pub tags: Option<&'a [u8]>,
    /// The raw `metrics` object.
    pub metrics: Option<&'a [u8]>,
    pub duration_ms: f64,
    pub status: Status,
    pub feedback_asked: bool,
    pub rating: u8,
    pub comment: Option<RawStr<'a>>,
    /// run_end's `model`.
    pub model: Option<RawStr<'a>>,
    /// run_end's `provider`.
    pub provider: Option<RawStr<'a>>,
    /// run_end's `cost_usd`.
    pub cost_usd: Option<f64>,
    /// `selection.period` of a run event: the allocation period (0 when absent).
    pub period: u64,
}

/// The keys the parser reads, with their quotes and colon, by index.
const KEYS: [&[u8]; 22] = [
    b"\"v\":",
    b"\"type\":",
    b"\"ts\":",
    b"\"run_id\":",
    b"\"prompt\":",
    b"\"variant\":",
    b"\"prompt_sha256\":",
    b"\"resolution\":",
    b"\"command\":",
    b"\"user\":",
    b"\"host\":",
    b"\"tags\":",
    b"\"metrics\":",
    b"\"duration_ms\":",
    b"\"status\":",
    b"\"feedback_asked\":",
    b"\"rating\":",
    b"\"comment\":",
    b"\"model\":",
    b"\"provider\":",
    b"\"cost_usd\":",
    b"\"selection\":",
];
/// Any other key.
pub(super) const OTHER: usize = KEYS.len();
/// Before the first key.
const FIRST: usize = KEYS.len() + 1;

/// Learns which key follows which, so a writer with a fixed key order (promptrun
/// itself) costs one comparison per key instead of a scan and a lookup. Two
/// guesses per key: in a log whose event types order their keys differently
/// (sorted keys, say) a key is followed by one of two keys, by event type. Any
/// order still parses the same; only the speed differs.
#[derive(Debug, Clone)]
pub struct KeyOrder {
    next: [[u8; 2]; KEYS.len() + 2],
}

impl Default for KeyOrder {
    fn default() -> Self {
        KeyOrder {
            next: [[OTHER as u8; 2]; KEYS.len() + 2],
        }
    }
}

impl KeyOrder {
    /// Reads the next key and its colon; returns its index in `KEYS` or `OTHER`.
    #[inline(always)]
    fn read_key(&mut self, s: &mut Scanner, previous: usize) -> Result<usize, &'static str> {
        let [guess, second] = self.next[previous];
        s.peek();
        if let Some(len) = key_at(s.bytes, s.pos, guess as usize) {
            s.pos += len;
            return Ok(guess as usize);
        }
        if let Some(len) = key_at(s.bytes, s.pos, second as usize) {
            s.pos += len;
            return Ok(second as usize);
        }
        let key = s.string()?;
        s.expect(b':', "expected `:`")?;
        let index = key_index(key.raw);
        self.next[previous] = [index as u8, guess];
        Ok(index)
    }
}

/// A key's index in `KEYS`, or `OTHER`: dispatched on the length, then compared
/// whole (an escaped key is never one of ours, as before: raw bytes compare).
#[inline(always)]
pub(super) fn key_index(key: &[u8]) -> usize {
    match key {
        b"v" => 0,
        b"type" => 1,
        b"ts" => 2,
        b"run_id" => 3,
        b"prompt" => 4,
        b"variant" => 5,
        b"prompt_sha256" => 6,
        b"resolution" => 7,
        b"command" => 8,
        b"user" => 9,
        b"host" => 10,
        b"tags" => 11,
        b"metrics" => 12,
        b"duration_ms" => 13,
        b"status" => 14,
        b"feedback_asked" => 15,
        b"rating" => 16,
        b"comment" => 17,
        b"model" => 18,
        b"provider" => 19,
        b"cost_usd" => 20,
        b"selection" => 21,
        _ => OTHER,
    }
}

/// The keys as three little-endian words each, zero-padded, with the masks of
/// their bytes: a guessed key is checked with three word compares, not a memcmp.
const KEY_WORDS: [([u64; 3], [u64; 3]); KEYS.len()] = {
    let mut table = [([0u64; 3], [0u64; 3]); KEYS.len()];
    let mut k = 0;
    while k < KEYS.len() {
        let mut i = 0;
        while i < KEYS[k].len() {
            table[k].0[i / 8] |= (KEYS[k][i] as u64) << (i % 8 * 8);
            table[k].1[i / 8] |= 0xff << (i % 8 * 8);
            i += 1;
        }
        k += 1;
    }
    table
};

/// The length of key number `guess` when `bytes[at..]` starts with it.
#[inline(always)]
fn key_at(bytes: &[u8], at: usize, guess: usize) -> Option<usize> {
    let (words, masks) = KEY_WORDS.get(guess)?;
    let key = KEYS[guess];
    match bytes.get(at..at + 24) {
        Some(window) => {
            let word = |i: usize| {
                let mut w = [0u8; 8];
                w.copy_from_slice(&window[i * 8..i * 8 + 8]);
                u64::from_le_bytes(w)
            };
            let differ = (word(0) ^ words[0]) & masks[0]
                | (word(1) ^ words[1]) & masks[1]
                | (word(2) ^ words[2]) & masks[2];
            (differ == 0).then_some(key.len())
        }
        None => bytes[at..].starts_with(key).then_some(key.len()),
    }
}

/// The engine's line parser: the fast path for promptrun's own layout first, then
/// the shapes learned from earlier lines (`template.rs`), then the general
/// parser; or, with the fast paths switched off (`PROMPTRUN_NO_FAST_PARSE`), the
/// general parser alone. All give the same events, so a number that changes
/// with the switch points at a fast path.
#[derive(Debug, Clone)]
pub struct LineParser {
    order: KeyOrder,
    templates: Templates,
    own_layout: bool,
}

impl LineParser {
    /// A parser that tries the fast paths first when `own_layout` is true.
    pub fn new(own_layout: bool) -> Self {
        LineParser {
            order: KeyOrder::default(),
            templates: Templates::default(),
            own_layout,
        }
    }

    /// Parses one line (without its newline). `Err` is the reason it is skipped.
    pub fn parse<'a>(&mut self, line: &'a [u8]) -> Result<Event<'a>, String> {
        let mut members = Members::default();
        self.parse_into(line, &mut members)?;
        Ok(members.event)
    }

    /// [`LineParser::parse`], reading into `members` (fresh ones) and giving
    /// their event: the learned-template path, which most lines of other
    /// writers take, then fills the event where the caller reads it.
    #[inline]
    pub(super) fn parse_into<'a, 'm>(
        &mut self,
        line: &'a [u8],
        members: &'m mut Members<'a>,
    ) -> Result<&'m Event<'a>, String> {
        if !self.own_layout {
            members.event = parse_general(line, &mut self.order)?;
            return Ok(&members.event);
        }
        if own_head(line)
            && let Some(event) = parse_canonical(line)
        {
            members.event = event;
            return Ok(&members.event);
        }
        if let Some(result) = self.templates.parse_into(line, members) {
            return result.map(|()| &members.event);
        }
        let event = parse_general(line, &mut self.order)?;
        self.templates.missed(line);
        members.event = event;
        Ok(&members.event)
    }

    /// Lines the learned templates read.
    #[cfg(test)]
    pub fn template_hits(&self) -> u64 {
        self.templates.hits()
    }
}

/// Parses one line (without its newline). `Err` is the reason it is skipped.
pub fn parse_line(line: &[u8]) -> Result<Event<'_>, String> {
    parse_line_with(line, &mut KeyOrder::default())
}

/// [`parse_line`], with the key order learned from earlier lines.
pub fn parse_line_with<'a>(line: &'a [u8], order: &mut KeyOrder) -> Result<Event<'a>, String> {
    match parse_canonical(line) {
        Some(event) => Ok(event),
        None => parse_general(line, order),
    }
}

/// The general parser: any key order, any valid JSON (the fast paths' fallback).
pub(super) fn parse_general<'a>(line: &'a [u8], order: &mut KeyOrder) -> Result<Event<'a>, String> {
    let mut scanner = Scanner::new(line);
    let mut members = Members::default();
    let s = &mut scanner;
    let result = (|| -> Result<(), &'static str> {
        s.expect(b'{', "expected an object")?;
        if s.peek() == Some(b'}') {
            s.pos += 1;
            return Ok(());
        }
        let mut previous = FIRST;
        loop {
            let index = order.read_key(s, previous)?;
            members.read(index, s)?;
            previous = index;
            match s.peek() {
                Some(b',') => s.pos += 1,
                Some(b'}') => {
                    s.pos += 1;
                    return Ok(());
                }
                _ => return Err("expected `,` or `}`"),
            }
        }
    })();
    let utf8 = |line: &[u8]| std::str::from_utf8(line).is_ok();
    if let Err(why) = result {
        if !utf8(line) {
            return Err("invalid UTF-8".into());
        }
        return Err(format!("invalid JSON at byte {}: {why}", scanner.pos + 1));
    }
    if scanner.high != 0 && !utf8(line) {
        return Err("invalid UTF-8".into());
    }
    if scanner.peek().is_some() {
        // Whether `high` saw a byte past the object depends on how far the
        // scans read ahead (the key order learned decides that), so the line is
        // checked whole: a line is "invalid UTF-8" whichever way it was read.
        if !utf8(line) {
            return Err("invalid UTF-8".into());
        }
        return Err(format!(
            "invalid JSON at byte {}: text after the object",
            scanner.pos + 1
        ));
    }
    members.finish()
}

/// An object's raw text (tags, metrics), the cursor on its `{`: a flat object of
/// strings and numbers is walked by the fast path's walker, any other by the
/// general walk from its start (both check the same grammar).
#[inline(always)]
pub(super) fn object<'a>(s: &mut Scanner<'a>) -> Result<&'a [u8], &'static str> {
    let start = s.pos;
    if flat_object(s).is_some() {
        return Ok(&s.bytes[start..s.pos]);
    }
    s.pos = start;
    s.raw_object(1)
}

/// A `cost_usd` value: a number, or null. Negative costs are not believable and are
/// read as unknown.
#[inline(always)]
pub(super) fn cost(s: &mut Scanner) -> Result<Option<f64>, &'static str> {
    if s.literal(b"null") {
        return Ok(None);
    }
    let value = s.f64()?;
    Ok((value >= 0.0 && value.is_finite()).then_some(value))
}

/// `period` of a `selection` object's raw text: a whole number from 0 up, else
/// 0 (as for an absent one). The last `period` member counts.
#[inline]
pub(super) fn period_of(raw: &[u8]) -> u64 {
    let mut period = 0;
    super::scan::number_members(raw, |name, value| {
        if name.raw == b"period" {
            period = if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < 9e15 {
                value as u64
            } else {
                0
            };
        }
    });
    period
}

pub(super) fn skip(scanner: &mut Scanner) -> Result<bool, &'static str> {
    scanner.skip_value(1)?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const END: &str = r#"{"v":1,"type":"run_end","ts":"2026-11-24T10:15:02.123Z","run_id":"0192f3a1-0000-7000-8000-000000000001","prompt":"sum","variant":null,"duration_ms":12.5,"status":"error","exit_code":1,"signal":null,"metrics":{"tokens":3},"feedback_asked":true,"prompt_sha256":"ab","resolution":"name","command":"llm","user":"u","host":"h","tags":{"team":"ml"},"future":[1,{"x":2}]}"#;

    #[test]
    fn reads_a_run_end() {
        let e = parse_line(END.as_bytes()).unwrap();
        assert_eq!(e.kind, Some(Kind::RunEnd));
        assert_eq!(e.status, 1);
        assert_eq!(e.duration_ms, 12.5);
        assert!(e.feedback_asked);
        assert_eq!(e.prompt.unwrap().raw, b"sum");
        assert!(e.variant.is_none());
        assert_eq!(e.tags.unwrap(), br#"{"team":"ml"}"#);
        assert_eq!(e.run_id, 0x0192f3a1_0000_7000_8000_000000000001);
    }

    #[test]
    fn key_index_agrees_with_the_table() {
        for (k, key) in KEYS.iter().enumerate() {
            assert_eq!(key_index(&key[1..key.len() - 2]), k);
        }
        for other in [
            &b""[..],
            b"vv",
            b"type ",
            b"Prompt",
            b"exit_code",
            b"cost_us",
        ] {
            assert_eq!(key_index(other), OTHER);
        }
    }

    #[test]
    fn guessed_keys_match_only_themselves() {
        for (k, key) in KEYS.iter().enumerate() {
            for tail in [&b""[..], b"1", b"\"a-long-value-after-the-key\""] {
                let line = [key, tail].concat();
                assert_eq!(key_at(&line, 0, k), Some(key.len()));
                let mut wrong = line.clone();
                wrong[key.len() - 2] ^= 1;
                assert_eq!(key_at(&wrong, 0, k), None);
                assert_eq!(key_at(&line[..key.len() - 1], 0, k), None);
            }
        }
    }

    #[test]
    fn refuses_with_reasons() {
        let cases = [
            (END.replace("\"v\":1", "\"v\":2"), "newer"),
            (END.replace("run_end", "run_middle"), "unknown event type"),
            (END[..END.len() - 1].to_string(), "invalid JSON"),
            (END.replace("\"error\"", "\"weird\""), "unknown status"),
            (END.replace("2026-11-24T10", "yesterday"), "RFC 3339"),
            (END.replace("12.5", "1e300"), "duration_ms"),
            (END.replace("12.5", "-1"), "duration_ms"),
        ];
        for (line, why) in cases {
            let err = parse_line(line.as_bytes()).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
        assert_eq!(parse_line(b"\xff{}").unwrap_err(), "invalid UTF-8");
        // A stray byte after the object reads the same whichever key order
        // was learned (the learned order skips scanning the keys it expects).
        let line = br#"{"v":1,"type":"run_start","ts":"2026-11-24T10:15:02.123Z","run_id":"01a0c450-74e3-714b-b722-122ea1264423","prompt":"text"}"#;
        let mut stray = line.to_vec();
        stray.push(0x80);
        let mut learned = KeyOrder::default();
        parse_general(line, &mut learned).unwrap();
        for order in [&mut KeyOrder::default(), &mut learned] {
            assert_eq!(parse_general(&stray, order).unwrap_err(), "invalid UTF-8");
        }
        let mut text = line.to_vec();
        text.push(b'x');
        assert!(
            parse_line(&text)
                .unwrap_err()
                .ends_with("text after the object")
        );
    }
}

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
use super::time::parse_ts_ms;

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
    #[inline]
    pub fn parse<'a>(&mut self, line: &'a [u8]) -> Result<Event<'a>, String> {
        if !self.own_layout {
            return parse_general(line, &mut self.order);
        }
        if own_head(line)
            && let Some(event) = parse_canonical(line)
        {
            return Ok(event);
        }
        if let Some(result) = self.templates.parse(line) {
            return result;
        }
        let result = parse_general(line, &mut self.order);
        if result.is_ok() {
            self.templates.missed(line);
        }
        result
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
        return Err(format!(
            "invalid JSON at byte {}: text after the object",
            scanner.pos + 1
        ));
    }
    members.finish()
}

/// What a line's members gave, before the checks at its end. The general parser
/// and the learned-template path (`template.rs`) both read members with
/// [`Members::read`] and end with [`Members::finish`], so they cannot differ in
/// what a member means or which event a line makes.
#[derive(Default)]
pub(super) struct Members<'a> {
    event: Event<'a>,
    version: Option<&'a [u8]>,
    kind: Option<RawStr<'a>>,
    ts: Option<RawStr<'a>>,
    run_id: Option<RawStr<'a>>,
    has_duration: bool,
    status: Option<RawStr<'a>>,
    rating: Option<f64>,
}

impl<'a> Members<'a> {
    /// Reads the value of key number `index` in `KEYS` (`OTHER`: any other key),
    /// the cursor on the value. A later duplicate key overwrites an earlier one.
    #[inline(always)]
    pub(super) fn read(&mut self, index: usize, s: &mut Scanner<'a>) -> Result<(), &'static str> {
        let event = &mut self.event;
        match index {
            0 => self.version = Some(s.number()?),
            1 => self.kind = Some(s.string()?),
            2 => self.ts = Some(s.string()?),
            3 => self.run_id = Some(s.string()?),
            4 => event.prompt = Some(s.string()?),
            5 => event.variant = s.string_or_null()?,
            6 => event.version = s.string_or_null()?,
            7 => event.resolution = s.string_or_null()?,
            8 => event.command = s.string_or_null()?,
            9 => event.user = s.string_or_null()?,
            10 => event.host = s.string_or_null()?,
            11 if s.peek() == Some(b'{') => event.tags = Some(object(s)?),
            12 if s.peek() == Some(b'{') => event.metrics = Some(object(s)?),
            13 if s.peek() != Some(b'n') => {
                event.duration_ms = s.f64()?;
                self.has_duration = true;
            }
            14 => self.status = Some(s.string()?),
            15 => event.feedback_asked = s.literal(b"true") || skip(s)?,
            16 if s.peek() != Some(b'n') => self.rating = Some(s.f64()?),
            17 => event.comment = s.string_or_null()?,
            18 => event.model = s.string_or_null()?,
            19 => event.provider = s.string_or_null()?,
            20 => event.cost_usd = cost(s)?,
            21 if s.peek() == Some(b'{') => event.period = period_of(s.raw_object(1)?),
            // Most unread values are strings: skip them without the general walk.
            _ if s.peek() == Some(b'"') => drop(s.string()?),
            _ => s.skip_value(1)?,
        }
        Ok(())
    }

    /// The event, once the whole line was read as one valid JSON object in
    /// valid UTF-8: its version, type and required fields checked.
    #[inline(always)]
    pub(super) fn finish(self) -> Result<Event<'a>, String> {
        let Members {
            mut event,
            version,
            kind,
            ts,
            run_id,
            has_duration,
            status,
            rating,
        } = self;
        match version {
            Some(b"1") => {}
            Some(v) => {
                let v = String::from_utf8_lossy(v);
                return Err(match v.parse::<u64>() {
                    Ok(n) if n > 1 => {
                        format!("schema version {n} is newer than this promptrun reads (1)")
                    }
                    _ => format!("unknown schema version `{v}`"),
                });
            }
            None => return Err("missing field `v`".into()),
        }
        let kind = kind.ok_or("missing field `type`")?;
        event.kind = Some(match kind.raw {
            b"run_start" => Kind::RunStart,
            b"run_end" => Kind::RunEnd,
            b"feedback" => Kind::Feedback,
            other => {
                return Err(format!(
                    "unknown event type `{}`",
                    String::from_utf8_lossy(other)
                ));
            }
        });
        let ts = ts.ok_or("missing field `ts`")?;
        event.ts_ms = parse_ts_ms(ts.raw).ok_or("`ts` is not an RFC 3339 timestamp")?;
        event.run_id = run_id_key(run_id.ok_or("missing field `run_id`")?.raw);
        if event.prompt.is_none() {
            return Err("missing field `prompt`".into());
        }
        match event.kind {
            Some(Kind::RunEnd) => {
                if !has_duration || !(0.0..=MAX_DURATION_MS).contains(&event.duration_ms) {
                    return Err("run_end without a valid `duration_ms`".into());
                }
                let status = status.ok_or("run_end without `status`")?;
                event.status = STATUS_NAMES
                    .iter()
                    .position(|name| name.as_bytes() == status.raw)
                    .ok_or_else(|| {
                        format!("unknown status `{}`", String::from_utf8_lossy(status.raw))
                    })? as Status;
            }
            Some(Kind::Feedback) => match rating {
                Some(r) if (1.0..=5.0).contains(&r) && r.fract() == 0.0 => event.rating = r as u8,
                _ => return Err("feedback without a rating from 1 to 5".into()),
            },
            _ => {}
        }
        Ok(event)
    }
}

/// An object's raw text (tags, metrics), the cursor on its `{`: a flat object of
/// strings and numbers is walked by the fast path's walker, any other by the
/// general walk from its start (both check the same grammar).
#[inline(always)]
fn object<'a>(s: &mut Scanner<'a>) -> Result<&'a [u8], &'static str> {
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

fn skip(scanner: &mut Scanner) -> Result<bool, &'static str> {
    scanner.skip_value(1)?;
    Ok(false)
}

/// A run id as a 128-bit key: the UUID's bits, or a stable hash for any other text.
#[inline]
pub fn run_id_key(raw: &[u8]) -> u128 {
    if raw.len() == 36
        && let Some(r) = raw.first_chunk::<36>()
        && [r[8], r[13], r[18], r[23]] == [b'-'; 4]
    {
        // The 32 digits as two vectors of sixteen, loaded as whole words.
        let word = |at: usize| u64::from_le_bytes(r[at..at + 8].try_into().unwrap_or_default());
        let half = |at: usize| u32::from_le_bytes(r[at..at + 4].try_into().unwrap_or_default());
        let first = hex16(word(0), half(9) as u64 | (half(14) as u64) << 32);
        let second = hex16(half(19) as u64 | (half(24) as u64) << 32, word(28));
        if let (Some(a), Some(b)) = (first, second) {
            return (a as u128) << 64 | b as u128;
        }
    }
    fnv_128(raw)
}

/// Sixteen ASCII hex digits, the first in the lowest byte of `low`, as a number
/// (the first digit most significant), or None: with SSE2, all sixteen checked
/// and converted at once; elsewhere as two words of eight.
#[inline(always)]
fn hex16(low: u64, high: u64) -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_add_epi8, _mm_and_si128, _mm_cmpgt_epi8, _mm_cvtsi128_si64, _mm_movemask_epi8,
            _mm_or_si128, _mm_packus_epi16, _mm_set_epi64x, _mm_set1_epi8, _mm_set1_epi16,
            _mm_slli_epi16, _mm_srli_epi16,
        };
        // SAFETY: SSE2 is part of x86_64; these intrinsics only compute on registers.
        unsafe {
            let c = _mm_set_epi64x(high as i64, low as i64);
            let between = |v, lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmpgt_epi8(_mm_set1_epi8(hi as i8 + 1), v),
                )
            };
            // Bytes >= 0x80 are negative as i8: neither a digit nor a letter.
            let digit = between(c, b'0', b'9');
            let letter = between(_mm_or_si128(c, _mm_set1_epi8(0x20)), b'a', b'f');
            if _mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff {
                return None;
            }
            // '0'..'9' are 0x30..0x39, letters get 9 added to their low four bits.
            let nibbles = _mm_add_epi8(
                _mm_and_si128(c, _mm_set1_epi8(0x0f)),
                _mm_and_si128(letter, _mm_set1_epi8(9)),
            );
            // Each pair of digits (a 16-bit lane, the first digit low) to one byte.
            let pairs = _mm_or_si128(
                _mm_and_si128(_mm_slli_epi16(nibbles, 4), _mm_set1_epi16(0xf0)),
                _mm_srli_epi16(nibbles, 8),
            );
            let bytes = _mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)) as u64;
            Some(bytes.swap_bytes())
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Some(hex8(low)? << 32 | hex8(high)?)
    }
}

/// Eight ASCII hex digits (the first in the lowest byte, most significant) as
/// a number, or None: all eight checked and converted at once, a byte per lane.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn hex8(x: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    if x & HIGH != 0 {
        return None;
    }
    // With every byte below 0x80, adding 0x80 - c sets a byte's top bit exactly
    // when the byte is >= c, and never carries into the next byte.
    let at_least = |word: u64, c: u8| word + ONES * (0x80 - c as u64);
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let lower = x | (ONES * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'f' + 1);
    if (digit | letter) & HIGH != HIGH {
        return None;
    }
    // '0'..'9' are 0x30..0x39; 'a'..'f' and 'A'..'F' have bit 6 set: add 9.
    let nibbles = (x & (ONES * 0x0f)) + ((x >> 6) & ONES) * 9;
    // Pack the eight nibbles, the first digit (lowest byte) on top.
    let n = nibbles.swap_bytes();
    let n = (n | n >> 4) & 0x00ff_00ff_00ff_00ff;
    let n = (n | n >> 8) & 0x0000_ffff_0000_ffff;
    Some((n | n >> 16) & 0xffff_ffff)
}

/// FNV-1a, 128 bits: deterministic across threads and runs.
fn fnv_128(raw: &[u8]) -> u128 {
    let mut hash: u128 = 0x6c62272e07bb014262b821756295c58d;
    for &b in raw {
        hash ^= b as u128;
        hash = hash.wrapping_mul(0x0000000001000000000000000000013B);
    }
    hash
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
    fn uuid_run_ids_are_their_bits() {
        for id in [
            "01a0c450-78a6-7655-bac4-f186cf4db874",
            "ffffffff-FFFF-0000-9abc-def012345678",
        ] {
            let want = u128::from_str_radix(&id.replace('-', ""), 16).unwrap();
            assert_eq!(run_id_key(id.as_bytes()), want);
        }
        // Any byte that is not a hex digit, anywhere: hashed, like any other text.
        let base = *b"01a0c450-78a6-7655-bac4-f186cf4db874";
        for at in (0..36).filter(|i| ![8, 13, 18, 23].contains(i)) {
            for byte in 0..=255u8 {
                let mut id = base;
                id[at] = byte;
                let want = if byte.is_ascii_hexdigit() {
                    let hex: String = id
                        .iter()
                        .filter(|&&b| b != b'-')
                        .map(|&b| b as char)
                        .collect();
                    u128::from_str_radix(&hex, 16).unwrap()
                } else {
                    fnv_128(&id)
                };
                assert_eq!(run_id_key(&id), want, "byte {byte} at {at}");
            }
        }
        // Not hex: hashed, not mistaken for a UUID.
        let odd = run_id_key(b"01a0c450-78a6-7655-bac4-f186cf4db87g");
        assert_ne!(odd, run_id_key(b"01a0c450-78a6-7655-bac4-f186cf4db870"));
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
    }
}

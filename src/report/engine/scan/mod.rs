//! A small validating JSON scanner over one line's bytes.
//!
//! It walks values without building them: strings come back as raw slices
//! (escapes checked, not decoded), numbers as their text, and nested values are
//! skipped after checking their grammar. Bytes >= 0x80 (only valid inside strings)
//! are noted in `Scanner::high`, so the caller checks UTF-8 only when there are
//! some. Nesting deeper than [`MAX_DEPTH`] is refused, so a hostile line cannot
//! overflow the stack.

mod fast;

use fast::{decimal_at, simple_decimal, special_byte};

/// How deep arrays and objects may nest.
pub const MAX_DEPTH: usize = 64;

/// Why a line is not valid JSON (the byte offset is added by the caller).
pub type ScanError = &'static str;

/// A JSON string's raw contents (between the quotes) and whether it holds escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawStr<'a> {
    pub raw: &'a [u8],
    pub escaped: bool,
}

impl RawStr<'_> {
    /// The decoded text.
    pub fn decode(&self) -> String {
        if !self.escaped {
            return String::from_utf8_lossy(self.raw).into_owned();
        }
        let mut quoted = Vec::with_capacity(self.raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(self.raw);
        quoted.push(b'"');
        serde_json::from_slice(&quoted).unwrap_or_default()
    }
}

/// A cursor over one line.
pub struct Scanner<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
    /// Non-zero once a string (or bytes near one) held a byte >= 0x80: only then
    /// does the line need a UTF-8 check (outside strings JSON is ASCII).
    pub high: u32,
}

impl<'a> Scanner<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Scanner {
            bytes,
            pos: 0,
            high: 0,
        }
    }

    /// Skips JSON whitespace.
    #[inline(always)]
    pub fn ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline(always)]
    pub fn peek(&mut self) -> Option<u8> {
        match self.bytes.get(self.pos) {
            // Compact JSON: no whitespace between tokens.
            Some(&b) if b > b' ' => Some(b),
            _ => {
                self.ws();
                self.bytes.get(self.pos).copied()
            }
        }
    }

    /// Consumes `byte` (after whitespace) or fails.
    #[inline(always)]
    pub fn expect(&mut self, byte: u8, what: ScanError) -> Result<(), ScanError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(what)
        }
    }

    /// Reads a string; the cursor must be on its opening quote.
    #[inline(always)]
    pub fn string(&mut self) -> Result<RawStr<'a>, ScanError> {
        self.expect(b'"', "expected a string")?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.pos = special_byte(self.bytes, self.pos, &mut self.high);
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    let raw = &self.bytes[start..self.pos];
                    self.pos += 1;
                    return Ok(RawStr { raw, escaped });
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(_) => return Err("control character in a string"),
                None => return Err("unterminated string"),
            }
        }
    }

    fn escape(&mut self) -> Result<(), ScanError> {
        // On the backslash.
        match self.bytes.get(self.pos + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 2,
            Some(b'u') => {
                let lone = "lone surrogate in a \\u escape";
                let unit = self.hex4(self.pos + 2)?;
                self.pos += 6;
                if (0xDC00..0xE000).contains(&unit) {
                    return Err(lone);
                }
                if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate must be followed by a low one.
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u".as_slice()) {
                        return Err(lone);
                    }
                    if !(0xDC00..0xE000).contains(&self.hex4(self.pos + 2)?) {
                        return Err(lone);
                    }
                    self.pos += 6;
                }
            }
            _ => return Err("bad escape in a string"),
        }
        Ok(())
    }

    fn hex4(&self, at: usize) -> Result<u32, ScanError> {
        let hex = self.bytes.get(at..at + 4).ok_or("bad \\u escape")?;
        hex.iter().try_fold(0u32, |acc, &b| {
            let digit = (b as char).to_digit(16).ok_or("bad \\u escape")?;
            Ok(acc << 4 | digit)
        })
    }

    /// Reads a number's text, checking JSON's number grammar.
    #[inline(always)]
    pub fn number(&mut self) -> Result<&'a [u8], ScanError> {
        self.ws();
        let start = self.pos;
        let b = self.bytes;
        let digits = |pos: &mut usize| {
            let from = *pos;
            while b.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > from
        };
        let mut pos = self.pos;
        if b.get(pos) == Some(&b'-') {
            pos += 1;
        }
        if b.get(pos) == Some(&b'0') {
            pos += 1;
        } else if !digits(&mut pos) {
            return Err("expected a value");
        }
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                return Err("bad number");
            }
        }
        if matches!(b.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            if matches!(b.get(pos), Some(b'+' | b'-')) {
                pos += 1;
            }
            if !digits(&mut pos) {
                return Err("bad number");
            }
        }
        self.pos = pos;
        Ok(&b[start..pos])
    }

    /// Reads a number as f64.
    #[inline(always)]
    pub fn f64(&mut self) -> Result<f64, ScanError> {
        if let Some((value, end)) = decimal_at(self.bytes, self.pos) {
            self.pos = end;
            return Ok(value);
        }
        let text = self.number()?;
        if let Some(value) = simple_decimal(text) {
            return Ok(value);
        }
        // The grammar was checked, so this is ASCII.
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or("number out of range")
    }

    /// Consumes the literal `word` (true, false, null) if it is next.
    #[inline(always)]
    pub fn literal(&mut self, word: &[u8]) -> bool {
        self.ws();
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// Reads `null` (returns None) or a string.
    #[inline(always)]
    pub fn string_or_null(&mut self) -> Result<Option<RawStr<'a>>, ScanError> {
        if self.literal(b"null") {
            Ok(None)
        } else {
            self.string().map(Some)
        }
    }

    /// Skips any value, checking its grammar.
    pub fn skip_value(&mut self, depth: usize) -> Result<(), ScanError> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => self.object(depth, |scanner, _| scanner.skip_value(depth + 1)),
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err("nested too deeply");
                }
                self.pos += 1;
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err("expected `,` or `]`"),
                    }
                }
            }
            Some(b't') if self.literal(b"true") => Ok(()),
            Some(b'f') if self.literal(b"false") => Ok(()),
            Some(b'n') if self.literal(b"null") => Ok(()),
            Some(_) => self.number().map(drop),
            None => Err("unexpected end of line"),
        }
    }

    /// Walks an object, calling `member` with each key while the cursor is on its value.
    /// `member` must consume the value.
    #[inline]
    pub fn object(
        &mut self,
        depth: usize,
        mut member: impl FnMut(&mut Self, RawStr<'a>) -> Result<(), ScanError>,
    ) -> Result<(), ScanError> {
        if depth >= MAX_DEPTH {
            return Err("nested too deeply");
        }
        self.expect(b'{', "expected an object")?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':', "expected `:`")?;
            member(self, key)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err("expected `,` or `}`"),
            }
        }
    }

    /// Skips an object and returns its raw text (for tags and metrics, read later).
    pub fn raw_object(&mut self, depth: usize) -> Result<&'a [u8], ScanError> {
        self.ws();
        let start = self.pos;
        self.object(depth, |scanner, _| scanner.skip_value(depth + 1))?;
        Ok(&self.bytes[start..self.pos])
    }
}

/// The members of an object's raw text whose values are strings (tags).
pub fn string_members(raw: &[u8]) -> Vec<(String, String)> {
    let mut members = Vec::new();
    let mut scanner = Scanner::new(raw);
    let _ = scanner.object(0, |s, key| {
        match s.peek() {
            Some(b'"') => {
                let value = s.string()?;
                members.push((key.decode(), value.decode()));
            }
            _ => s.skip_value(1)?,
        }
        Ok(())
    });
    members
}

/// Calls `each` with the members of an object's raw text whose values are numbers (metrics).
pub fn number_members<'a>(raw: &'a [u8], mut each: impl FnMut(RawStr<'a>, f64)) {
    let mut scanner = Scanner::new(raw);
    let _ = scanner.object(0, |s, key| {
        match s.peek() {
            Some(b'-' | b'0'..=b'9') => each(key, s.f64()?),
            _ => s.skip_value(1)?,
        }
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(text: &str) -> bool {
        let mut s = Scanner::new(text.as_bytes());
        s.skip_value(0).is_ok() && {
            s.ws();
            s.pos == text.len()
        }
    }

    #[test]
    fn agrees_with_serde_on_samples() {
        for text in [
            r#"{"a":[1,2.5,-0.1e3,true,false,null],"b":{"c":"\u00e9\n"}}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":"x\q"}"#,
            r#"{"a" 1}"#,
            r#"[1,]"#,
            r#"{"a":1,}"#,
            "\"tab\tinside\"",
            r#""\ud83d\ude00""#,
            r#""\ud83d""#,
            r#""\ude00x""#,
            r#""\ud83d\u0041""#,
            "-",
            "tru",
        ] {
            let serde = serde_json::from_str::<serde_json::Value>(text).is_ok();
            assert_eq!(valid(text), serde, "{text}");
        }
    }

    #[test]
    fn fast_decimals_round_like_the_standard_parser() {
        for text in [
            "0",
            "-0",
            "12",
            "201.397",
            "0.1",
            "-3.14159",
            "999999999999999",
            "1.000000000000001",
            "123456.789012345",
            "1e5",
            "1.5E-3",
        ] {
            let mut scanner = Scanner::new(text.as_bytes());
            let want: f64 = text.parse().unwrap();
            assert_eq!(scanner.f64().unwrap().to_bits(), want.to_bits(), "{text}");
        }
    }

    #[test]
    fn one_pass_decimals_agree_with_two_passes() {
        let two_passes = |text: &str| {
            let mut s = Scanner::new(text.as_bytes());
            s.number()
                .ok()
                .and_then(simple_decimal)
                .map(|v| (v.to_bits(), s.pos))
        };
        for text in [
            "0",
            "-0",
            "7",
            "01",
            "-01",
            "0.5",
            "-3.14159",
            "12",
            "201.397,",
            "1.",
            "-",
            "-.5",
            "1e5",
            "1.5E-3",
            "2.0}",
            "999999999999999",
            "9999999999999999",
            "0.00000000000001",
            "1.000000000000001",
            "123456789012345.0",
            "12345678901234567890123",
            " 1",
            "x",
            "99999999999999999999999.5",
            "0.1234567890123456",
        ] {
            let one = decimal_at(text.as_bytes(), 0).map(|(v, end)| (v.to_bits(), end));
            if one.is_some() {
                assert_eq!(one, two_passes(text), "{text}");
            }
        }
        assert!(decimal_at(b"1e5", 0).is_none() && decimal_at(b"1.", 0).is_none());
        assert_eq!(decimal_at(b"-12.5,", 0), Some((-12.5, 5)));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(!valid(&deep));
    }

    #[test]
    fn members() {
        let tags = string_members(br#"{"team":"ml","n":3,"env":"c\"i"}"#);
        assert_eq!(
            tags,
            vec![("team".into(), "ml".into()), ("env".into(), "c\"i".into())]
        );
        let mut metrics = Vec::new();
        number_members(br#"{"tokens":12,"cost":0.5,"x":"y"}"#, |k, v| {
            metrics.push((k.decode(), v))
        });
        assert_eq!(metrics, vec![("tokens".into(), 12.0), ("cost".into(), 0.5)]);
    }
}

//! The line parser's second fast path: learned line templates, for logs that
//! other writers made (another key order, fields left out, `1` for `1.0`).
//!
//! When a line takes the general parser, its shape is learned: each member's
//! key with the `{` or `,` before it and the `:` after it (`,"prompt":`), in
//! order, then the closing `}`. The next lines are tried against the shapes
//! learned: each key is checked as one literal of up to 32 bytes (a few word
//! compares) and its value read by [`Members::read`], the general parser's own
//! member reader, so a value means the same on both paths. Shapes that share
//! their first members share the work: a line that leaves one shape at member
//! `i` goes on at member `i` of another shape with the same first `i` members.
//! A line no shape fits, or any value error, gives `None` and the general
//! parser reads the line from its start; a `Some` is always what the general
//! parser returns (the differential tests in `template_props.rs` check it).

use super::parse::{Members, OTHER, key_index};
use super::scan::Scanner;

/// Shapes kept per parser: a writer's event types each have one, a few more
/// cover optional fields.
const MAX_SHAPES: usize = 8;
/// Members per shape: longer lines are not learned.
const MAX_STEPS: usize = 64;
/// The longest literal (`,"key":`) a step checks.
const MAX_LITERAL: usize = 32;
/// The step that closes the object.
const END: u8 = u8::MAX;
/// No other shape to go on with.
const NONE: u8 = u8::MAX;
/// Learning backs off up to this many general-path lines between tries, when
/// what it learns does not fit later lines (a log of ever-changing shapes).
const MAX_BACKOFF: u32 = 1024;
/// After this many lines in a row that fitted no shape, lines are let pass
/// untried, more of them each time (up to `MAX_SKIP`): in a log of ever-changing
/// shapes, trying cost more than the general parser alone.
const COLD: u32 = 8;
const MAX_SKIP: u32 = 256;

/// One member of a shape: its literal, zero-padded in four little-endian words
/// with their byte masks, and the key's index (`END` for the closing `}`).
#[derive(Debug, Clone)]
struct Step {
    words: [u64; 4],
    masks: [u64; 4],
    len: u8,
    key: u8,
    /// The shape to go on with when a line differs here (see [`Templates::alts`]).
    alt: u8,
}

impl Step {
    fn new(literal: &[u8], key: u8) -> Option<Step> {
        if literal.len() > MAX_LITERAL {
            return None;
        }
        let mut step = Step {
            words: [0; 4],
            masks: [0; 4],
            len: literal.len() as u8,
            key,
            alt: NONE,
        };
        for (i, &b) in literal.iter().enumerate() {
            step.words[i / 8] |= (b as u64) << (i % 8 * 8);
            step.masks[i / 8] |= 0xff << (i % 8 * 8);
        }
        Some(step)
    }

    /// Whether the line continues with the literal at `at`: four masked word
    /// compares, on the line or, in its last 32 bytes, on their padded copy.
    #[inline(always)]
    fn at(&self, line: &Line, at: usize) -> bool {
        let window: &[u8] = match line.bytes.get(at..at + MAX_LITERAL) {
            Some(window) => window,
            // The padding is zeros, never a byte of a literal.
            None => match line
                .tail
                .get(at.wrapping_sub(line.tail_start)..)
                .and_then(|w| w.get(..MAX_LITERAL))
            {
                Some(window) => window,
                None => return false,
            },
        };
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&window[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        let differ = (word(0) ^ self.words[0]) & self.masks[0]
            | (word(1) ^ self.words[1]) & self.masks[1]
            | (word(2) ^ self.words[2]) & self.masks[2]
            | (word(3) ^ self.words[3]) & self.masks[3];
        differ == 0
    }

    fn same(&self, other: &Step) -> bool {
        (self.words, self.len, self.key) == (other.words, other.len, other.key)
    }
}

/// A line, and its last 32 bytes zero-padded to 64: literals near its end are
/// compared there with the same word compares.
struct Line<'a> {
    bytes: &'a [u8],
    tail: [u8; 2 * MAX_LITERAL],
    tail_start: usize,
}

impl<'a> Line<'a> {
    #[inline(always)]
    fn new(bytes: &'a [u8]) -> Self {
        let tail_start = bytes.len().saturating_sub(MAX_LITERAL);
        let mut tail = [0u8; 2 * MAX_LITERAL];
        match bytes.get(tail_start..tail_start + MAX_LITERAL) {
            Some(last) => tail[..MAX_LITERAL].copy_from_slice(last),
            None => tail[..bytes.len()].copy_from_slice(bytes),
        }
        Line {
            bytes,
            tail,
            tail_start,
        }
    }
}

/// A learned line shape and how many lines it read.
#[derive(Debug, Clone)]
struct Shape {
    steps: Vec<Step>,
    hits: u64,
}

/// The shapes one parser learned.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    shapes: Vec<Shape>,
    /// The shape the last line fitted: the next line starts with it.
    current: usize,
    /// The shape learned last, and how many lines to let pass before learning again.
    learned: usize,
    backoff: u32,
    wait: u32,
    /// Lines in a row that fitted no shape, and lines still to let pass untried.
    misses: u32,
    skip: u32,
}

impl Templates {
    /// The event of a line that fits a learned shape (`Ok` or the general
    /// parser's refusal), or None to use the general parser.
    #[cfg(test)]
    pub fn parse<'a>(&mut self, line: &'a [u8]) -> Option<Result<super::parse::Event<'a>, String>> {
        let mut members = Members::default();
        let result = self.parse_into(line, &mut members)?;
        Some(result.map(|()| members.event))
    }

    /// [`Templates::parse`] into `members`: `Some(Ok(()))` leaves the event in
    /// `members.event`; after `None`, `members` holds whatever was read.
    #[inline]
    pub fn parse_into<'a>(
        &mut self,
        line: &'a [u8],
        members: &mut Members<'a>,
    ) -> Option<Result<(), String>> {
        if self.skip > 0 {
            self.skip -= 1;
            return None;
        }
        let result = self.fit(line, members);
        if result.is_some() {
            self.misses = 0;
        } else {
            self.misses = self.misses.saturating_add(1);
            if self.misses >= COLD {
                self.skip = (1u32 << (self.misses - COLD).min(8)).min(MAX_SKIP);
            }
        }
        result
    }

    /// [`Templates::parse`] without the backing off.
    #[inline(always)]
    fn fit<'a>(&mut self, line: &'a [u8], members: &mut Members<'a>) -> Option<Result<(), String>> {
        let mut t = self.current;
        let mut steps = &self.shapes.get(t)?.steps;
        let s = &mut Scanner::new(line);
        let padded = Line::new(line);
        let mut i = 0;
        let mut tries = 0;
        loop {
            let step = &steps[i];
            if step.at(&padded, s.pos) {
                s.pos += step.len as usize;
                if step.key == END {
                    break;
                }
                members.read(step.key as usize, s).ok()?;
                i += 1;
            } else {
                // Every other shape whose first `i` members are these, in turn.
                tries += 1;
                if step.alt == NONE || tries >= MAX_SHAPES {
                    return None;
                }
                t = step.alt as usize;
                steps = &self.shapes[t].steps;
            }
        }
        if s.pos != line.len() {
            return None;
        }
        // Outside strings JSON is ASCII and learned keys are ASCII, so a line
        // with no byte >= 0x80 in its values is valid UTF-8.
        if s.high != 0 && std::str::from_utf8(line).is_err() {
            return None;
        }
        self.current = t;
        self.shapes[t].hits += 1;
        Some(members.check())
    }

    /// Called with a line the general parser read (and the learned shapes did
    /// not): learns its shape, unless learning is backing off.
    #[cold]
    pub fn missed(&mut self, line: &[u8]) {
        let full = self.shapes.len() == MAX_SHAPES;
        if full && self.wait > 0 {
            self.wait -= 1;
            return;
        }
        let Some(steps) = shape_of(line) else {
            return;
        };
        // Once the shapes are all taken: when what was learned last never
        // fitted a line, learn less often.
        let useless = full && self.shapes[self.learned].hits == 0;
        self.backoff = if useless {
            (self.backoff * 2).clamp(1, MAX_BACKOFF)
        } else {
            1
        };
        self.wait = self.backoff - 1;
        let shape = Shape { steps, hits: 0 };
        self.learned = if self.shapes.len() < MAX_SHAPES {
            self.shapes.push(shape);
            self.shapes.len() - 1
        } else {
            // Replace the shape that read the fewest lines.
            let (least, _) = self
                .shapes
                .iter()
                .enumerate()
                .min_by_key(|(_, s)| s.hits)
                .unwrap_or((0, &self.shapes[0]));
            self.shapes[least] = shape;
            least
        };
        self.current = self.learned;
        self.alts();
    }

    /// Links each step of each shape to the next shape (in a cycle) that has the
    /// same steps before it but another step there: where a line that differs
    /// from the shape at that step goes on.
    fn alts(&mut self) {
        let n = self.shapes.len();
        for t in 0..n {
            for i in 0..self.shapes[t].steps.len() {
                let alt = (1..n).map(|k| (t + k) % n).find(|&u| {
                    let (a, b) = (&self.shapes[t].steps, &self.shapes[u].steps);
                    common_prefix(a, b) == i
                });
                self.shapes[t].steps[i].alt = alt.map_or(NONE, |u| u as u8);
            }
        }
    }
}

#[cfg(test)]
impl Templates {
    /// Lines read through the shapes.
    pub fn hits(&self) -> u64 {
        self.shapes.iter().map(|s| s.hits).sum()
    }
}

fn common_prefix(a: &[Step], b: &[Step]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x.same(y)).count()
}

/// A line's shape, when the line is one compact object whose keys are plain
/// ASCII (no escapes) with literals of at most 32 bytes: else None.
fn shape_of(line: &[u8]) -> Option<Vec<Step>> {
    let mut s = Scanner::new(line);
    let mut steps = Vec::new();
    if line.first() != Some(&b'{') {
        return None;
    }
    let mut at = 0;
    loop {
        s.pos = at + 1;
        if line.get(s.pos) != Some(&b'"') || steps.len() >= MAX_STEPS {
            return None;
        }
        let key = s.string().ok()?;
        if key.escaped || !key.raw.is_ascii() || line.get(s.pos) != Some(&b':') {
            return None;
        }
        s.pos += 1;
        let index = key_index(key.raw);
        debug_assert!(index <= OTHER);
        steps.push(Step::new(&line[at..s.pos], index as u8)?);
        s.skip_value(1).ok()?;
        match line.get(s.pos) {
            Some(b',') => at = s.pos,
            Some(b'}') if s.pos + 1 == line.len() => {
                steps.push(Step::new(b"}", END)?);
                return Some(steps);
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_match_only_themselves() {
        let step = Step::new(b",\"prompt_sha256\":", 6).unwrap();
        let text = b"{\"a\":1,\"prompt_sha256\":\"ab\",\"rating\":5,\"run_id\":\"x\"}";
        let at = |bytes: &[u8], pos: usize| step.at(&Line::new(bytes), pos);
        // Far from the end, in the last 32 bytes, ending the line, cut short.
        for end in [text.len(), 24, 23, 22] {
            let line = &text[..end];
            assert_eq!(at(line, 6), end >= 23, "end {end}");
            assert!(!at(line, 5) && !at(line, 7) && !at(line, end) && !at(line, end + 40));
            for i in 6..23.min(end) {
                let mut wrong = line.to_vec();
                wrong[i] ^= 0x20;
                assert!(!at(&wrong, 6), "byte {i}, end {end}");
            }
        }
        assert!(!at(b"", 0));
        assert!(Step::new(&[b'x'; 33], OTHER as u8).is_none());
    }

    #[test]
    fn shapes_of_lines() {
        let steps = shape_of(br#"{"b":[1, {"c":2}],"v":1}"#).unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(
            (steps[0].key as usize, steps[1].key, steps[2].key),
            (OTHER, 0, END)
        );
        for not in [
            &br#"{ "v":1}"#[..],
            br#"{"v" :1}"#,
            br#"{"v":1 }"#,
            br#"{"v":1} "#,
            br#"{"\u0076":1}"#,
            "{\"é\":1}".as_bytes(),
            br#"{}"#,
            br#"{"v":1"#,
            br#"[1]"#,
        ] {
            assert!(shape_of(not).is_none(), "{}", String::from_utf8_lossy(not));
        }
    }

    #[test]
    fn lines_of_a_learned_shape_are_read_and_others_left() {
        let mut t = Templates::default();
        let a =
            br#"{"prompt":"p","run_id":"r","ts":"2026-01-01T00:00:00Z","type":"run_start","v":1}"#;
        assert!(t.parse(a).is_none());
        t.missed(a);
        let b =
            br#"{"prompt":"q","run_id":"s","ts":"2026-01-02T00:00:00Z","type":"run_start","v":1}"#;
        let e = t.parse(b).unwrap().unwrap();
        assert_eq!(e.prompt.unwrap().raw, b"q");
        // A line that leaves the shape at its second member goes on with a
        // shape learned for it.
        let c = br#"{"prompt":"p","rating":4,"run_id":"r","ts":"2026-01-01T00:00:00Z","type":"feedback","v":1}"#;
        assert!(t.parse(c).is_none());
        t.missed(c);
        assert_eq!(t.parse(c).unwrap().unwrap().rating, 4);
        assert_eq!(t.parse(b).unwrap().unwrap().prompt.unwrap().raw, b"q");
        assert_eq!(t.parse(c).unwrap().unwrap().rating, 4);
        // Whitespace, another order, a longer line: the general parser's.
        assert!(t.parse(br#"{"prompt": "q","run_id":"s"}"#).is_none());
        assert!(
            t.parse(&[&b[..b.len() - 1], &br#","x":1}"#[..]].concat())
                .is_none()
        );
    }

    #[test]
    fn lines_that_fit_no_shape_are_tried_less_and_less() {
        let mut t = Templates::default();
        let a =
            br#"{"prompt":"p","run_id":"r","ts":"2026-01-01T00:00:00Z","type":"run_start","v":1}"#;
        t.missed(a);
        let odd = br#"{"v":1,"prompt":"p"}"#;
        let mut tried = 0;
        for _ in 0..1000 {
            let before = t.misses;
            assert!(t.parse(odd).is_none());
            tried += (t.misses != before) as u32;
        }
        assert!((COLD..40).contains(&tried), "{tried} tries");
        // A line that fits is read again soon, and the counting starts over.
        let fits = (0..=MAX_SKIP).filter(|_| t.parse(a).is_some()).count();
        assert!(fits > 0);
        assert_eq!(t.misses, 0);
        assert!(t.parse(a).is_some());
    }
}

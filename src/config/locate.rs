//! Finds where a value sits in JSON text, so config problems can name `line:column`.
//!
//! serde_json reports positions for syntax and type errors only; validation
//! problems found after parsing (a missing file, an unknown route target) are
//! located here by walking the text along the value's path.

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Where `path` points in `text`: the start of the value or, with `key` set and a
/// key as the last segment, the start of that key. Falls back to the deepest
/// enclosing value that exists, and to 1:1.
pub fn locate(text: &str, path: &[Segment], key: bool) -> Position {
    let bytes = text.as_bytes();
    let mut scanner = Scanner { bytes, at: 0 };
    let mut found = 0;
    scanner.skip_ws();
    for (depth, segment) in path.iter().enumerate() {
        let last = depth + 1 == path.len();
        let next = match segment {
            Segment::Key(name) => scanner.find_member(name, key && last),
            Segment::Index(index) => scanner.find_element(*index),
        };
        match next {
            Some(at) => {
                found = at;
                scanner.at = at;
            }
            None => break,
        }
    }
    position_of(text, found)
}

/// The byte range of the value at `path` in `text`, when every segment exists
/// (for textual edits that leave the rest of the file byte for byte).
pub fn value_span(text: &str, path: &[Segment]) -> Option<std::ops::Range<usize>> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        at: 0,
    };
    scanner.skip_ws();
    for segment in path {
        scanner.at = match segment {
            Segment::Key(name) => scanner.find_member(name, false),
            Segment::Index(index) => scanner.find_element(*index),
        }?;
    }
    let start = scanner.at;
    scanner.skip_value()?;
    Some(start..scanner.at)
}

fn position_of(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line,
        column: before[line_start..].chars().count() + 1,
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// With the cursor on an object, returns the offset of member `name`'s value (or key).
    fn find_member(&mut self, name: &str, want_key: bool) -> Option<usize> {
        self.skip_ws();
        if self.peek() != Some(b'{') {
            return None;
        }
        self.at += 1;
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return None;
            }
            let key_start = self.at;
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return None;
            }
            self.at += 1;
            self.skip_ws();
            if key == name {
                return Some(if want_key { key_start } else { self.at });
            }
            self.skip_value()?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                _ => return None,
            }
        }
    }

    /// With the cursor on an array, returns the offset of element `index`.
    fn find_element(&mut self, index: usize) -> Option<usize> {
        self.skip_ws();
        if self.peek() != Some(b'[') {
            return None;
        }
        self.at += 1;
        for current in 0.. {
            self.skip_ws();
            if current == index {
                return (self.peek() != Some(b']')).then_some(self.at);
            }
            self.skip_value()?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                _ => return None,
            }
        }
        None
    }

    /// Reads a string literal, unescaping only what key comparison needs.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        while let Some(byte) = self.peek() {
            match byte {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return serde_json::from_slice(&self.bytes[start..self.at]).ok();
                }
                _ => self.at += 1,
            }
        }
        None
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.at += 1;
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        byte if byte == close => {
                            self.at += 1;
                            return Some(());
                        }
                        b',' | b':' => self.at += 1,
                        _ => self.skip_value()?,
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                ) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Segment {
        Segment::Key(name.to_string())
    }

    const TEXT: &str = "{\n  \"a\": {\"x\": [1, {\"y\": \"q\\\"\"}]},\n  \"b\": \"two\"\n}";

    #[test]
    fn finds_values_and_keys() {
        assert_eq!(
            locate(TEXT, &[key("b")], false),
            Position { line: 3, column: 8 }
        );
        assert_eq!(
            locate(TEXT, &[key("b")], true),
            Position { line: 3, column: 3 }
        );
        let deep = [key("a"), key("x"), Segment::Index(1), key("y")];
        assert_eq!(
            locate(TEXT, &deep, false),
            Position {
                line: 2,
                column: 24
            }
        );
    }

    #[test]
    fn falls_back_to_the_deepest_existing_value() {
        let missing = [key("a"), key("nope")];
        assert_eq!(
            locate(TEXT, &missing, false),
            Position { line: 2, column: 8 }
        );
        assert_eq!(locate("", &missing, false), Position { line: 1, column: 1 });
    }
}

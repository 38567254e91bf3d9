//! Arguments as text: words split at whitespace and quotes, runs of
//! characters, and the splice that puts `[REDACTED]` in place of spans.

use std::ops::Range;

use super::REDACTED;

/// A word of an argument: its range and the quoted (or unquoted) stretch it is in.
pub(super) struct Word {
    pub(super) arg: usize,
    pub(super) range: Range<usize>,
    pub(super) group: usize,
}

/// Maximal runs of characters for which `keep` holds.
pub(super) fn runs(text: &str, keep: impl Fn(char) -> bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (keep(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// The words of every argument, split at whitespace and quotes; a quote starts
/// a new group, so a header's value ends where its quotes do.
pub(super) fn words(args: &[String]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut group = 0;
    for (arg, text) in args.iter().enumerate() {
        group += 1;
        let mut start = None;
        for (i, c) in text.char_indices() {
            let quote = matches!(c, '"' | '\'' | '`');
            if c.is_whitespace() || quote {
                if let Some(s) = start.take() {
                    out.push(Word {
                        arg,
                        range: s..i,
                        group,
                    });
                }
                if quote {
                    group += 1;
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push(Word {
                arg,
                range: s..text.len(),
                group,
            });
        }
    }
    out
}

/// `text` with the `spans` replaced by `[REDACTED]`; spans that overlap, touch
/// or are apart only by whitespace become one.
pub(super) fn splice(text: &str, mut spans: Vec<Range<usize>>) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last)
                if span.start <= last.end
                    || text[last.end..span.start].chars().all(char::is_whitespace) =>
            {
                last.end = last.end.max(span.end);
            }
            _ => merged.push(span),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in merged {
        out.push_str(&text[at..span.start]);
        out.push_str(REDACTED);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

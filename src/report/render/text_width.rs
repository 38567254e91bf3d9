//! Padding table cells by the columns they take in a terminal, not by bytes or chars:
//! CJK characters and most emoji take two columns, combining marks none.

use unicode_width::UnicodeWidthStr;

/// The columns `text` takes in a terminal.
pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` padded with spaces to `columns`: on the left when `right` (numbers), else on
/// the right. Text already as wide or wider comes back unchanged.
pub fn pad(text: &str, columns: usize, right: bool) -> String {
    let fill = " ".repeat(columns.saturating_sub(width(text)));
    if right {
        fill + text
    } else {
        format!("{text}{fill}")
    }
}

/// `text` cut to at most `columns` terminal columns, ending in `…` when cut.
pub fn truncate(text: &str, columns: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if width(text) <= columns {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > columns {
            break;
        }
        out.push(c);
        used += w;
    }
    if columns > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_and_combining_characters_take_their_terminal_width() {
        assert_eq!(width("summarize"), 9);
        assert_eq!(width("要約"), 4);
        assert_eq!(width("e\u{301}t\u{e9}"), 3);
        assert_eq!(pad("要約", 6, false), "要約  ");
        assert_eq!(pad("42", 5, true), "   42");
        assert_eq!(pad("toolong", 3, true), "toolong");
        assert_eq!(truncate("summarize", 5), "summ…");
        assert_eq!(truncate("要約要約", 5), "要約…");
        assert_eq!(truncate("short", 9), "short");
    }
}

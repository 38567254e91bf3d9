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
    }
}

//! Making text from the logs safe to print: in a terminal or a CI log a prompt
//! name with a newline could forge a line (`BREACH ...`), and one with ESC could
//! recolour or rewrite the screen. Every text renderer passes log strings through
//! [`printable`]; Markdown cells also through [`markdown_cell`].

/// `text` with every control character (and the bidirectional overrides that
/// reorder what a terminal shows) written as an escape: `\n`, `\r`, `\t`,
/// `\x1b`, `\u{202e}`. Other text, backslashes included, is unchanged.
pub fn printable(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for a GitHub-flavoured Markdown table cell: [`printable`], with the
/// characters that would end the cell, start markup or open HTML escaped.
pub fn markdown_cell(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(printable("evil\nBREACH forged"), "evil\\nBREACH forged");
        assert_eq!(printable("\x1b[31mred"), "\\x1b[31mred");
        assert_eq!(printable("a\u{202e}b\tc\r"), "a\\u{202e}b\\tc\\r");
        assert_eq!(printable("plain \\ näme"), "plain \\ näme");
        assert_eq!(markdown_cell("a|b\n<i>"), "a\\|b\\\\n\\<i\\>");
    }
}

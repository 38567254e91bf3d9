//! Making text from outside safe to print: in a terminal or a CI log a prompt
//! name with a newline could forge a line (`BREACH ...`), and one with ESC could
//! recolour or rewrite the screen, set the clipboard (OSC 52) or reorder what is
//! shown (bidi controls). [`printable`] is the one function that neutralises
//! such text: every string from a log, a config or a file name passes through it
//! before it reaches stdout or stderr, whatever the command (`warn` and the
//! error line apply it too, as a last guard). Every text renderer passes log strings through
//! [`printable`]; Markdown cells also through [`markdown_cell`]; CSV text cells
//! through [`spreadsheet_cell`], since a spreadsheet runs a cell starting with `=`.

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

/// [`printable`] line by line, for a message that may list items on lines of
/// their own, indented by two spaces (`error: ...:\n  candidate`): a newline
/// stays only before such an indented line; any other is escaped, so nothing
/// can start a line of its own that looks like promptrun's.
pub fn printable_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push_str(if line.starts_with("  ") { "\n" } else { "\\n" });
        }
        out.push_str(&printable(line));
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

/// A CSV text cell (a name or flag from the logs, never a number promptrun
/// writes): [`printable`], then a leading `'` when the cell would start with
/// `=`, `+`, `-`, `@`, a tab or a CR, which spreadsheets read as a formula
/// (OWASP's advice against CSV injection).
pub fn spreadsheet_cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = printable(text);
    if formula { format!("'{text}") } else { text }
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
        assert_eq!(
            printable_lines("ambiguous:\n  a\x1b\nBREACH\n  b"),
            "ambiguous:\n  a\\x1b\\nBREACH\n  b"
        );
        assert_eq!(markdown_cell("a|b\n<i>"), "a\\|b\\\\n\\<i\\>");
    }

    #[test]
    fn formula_cells_are_quoted_for_spreadsheets() {
        assert_eq!(spreadsheet_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_cell("+1"), "'+1");
        assert_eq!(spreadsheet_cell("-1.5"), "'-1.5");
        assert_eq!(spreadsheet_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_cell("\t=1"), "'\\t=1");
        assert_eq!(spreadsheet_cell("\r=1"), "'\\r=1");
        assert_eq!(spreadsheet_cell("a\x1b[2J"), "a\\x1b[2J");
        assert_eq!(spreadsheet_cell("summarize"), "summarize");
    }
}

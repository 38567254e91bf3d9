//! The rating question on stderr: one keypress 1-5, then (after a low rating,
//! when configured) a one-line comment.
//!
//! dialoguer's theme renders the question; the keys are read with its `console`
//! terminal, in raw mode held by [`RawMode`] so that waiting can time out with
//! `poll`: dialoguer's own prompts block without a limit.

use std::time::{Duration, Instant};

use dialoguer::console::{Key, Term, measure_text_width};
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};

use super::interrupt::QuestionSignals;
use super::terminal::RawMode;

/// How long to wait for the terminal to say where the cursor is.
const CURSOR_REPORT_WAIT: Duration = Duration::from_millis(150);

/// What to ask.
#[derive(Debug, Clone)]
pub struct Question {
    /// The rated run's prompt.
    pub prompt: String,
    /// Its variant.
    pub variant: Option<String>,
    /// Give up when no key comes for this long.
    pub timeout: Option<Duration>,
    /// Ask for a comment at or below this rating (0: never).
    pub comment_below: u8,
}

/// How the question ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A rating, with the comment when one was asked and given.
    Rated { rating: u8, comment: Option<String> },
    /// Enter: no rating for this run.
    Skipped,
    /// Esc, Ctrl-C or a signal: no rating, and stop asking.
    Cancelled,
    /// No key within the timeout.
    TimedOut,
    /// The terminal could not be used (closed, not a terminal after all).
    Unavailable,
}

/// One read from the terminal.
enum Input {
    Key(Key),
    TimedOut,
    Interrupted,
    Failed,
}

/// The question's text: `Rate "summarize" (variant b) 1-5, Enter to skip`.
pub fn question_text(prompt: &str, variant: Option<&str>) -> String {
    use crate::report::render::text_safe::printable;
    let prompt = printable(prompt);
    match variant.map(printable) {
        Some(variant) => format!("Rate \"{prompt}\" (variant {variant}) 1-5, Enter to skip"),
        None => format!("Rate \"{prompt}\" 1-5, Enter to skip"),
    }
}

/// Asks on stderr and waits for the answer; the terminal is restored however it ends.
pub fn ask(question: &Question) -> Answer {
    let signals = QuestionSignals::install();
    let Ok(raw) = RawMode::enter() else {
        return Answer::Unavailable;
    };
    let term = Term::stderr();
    // Clearing the line to redraw the question must not erase output the command
    // left without a final newline: start on a fresh line unless already at one.
    if raw.cursor_column(CURSOR_REPORT_WAIT) != Some(1) {
        let _ = term.write_line("");
    }
    let theme = theme();
    let rating = match read_rating(&term, &raw, &signals, &*theme, question) {
        Ok(rating) => rating,
        Err(answer) => return answer,
    };
    let comment = if rating <= question.comment_below {
        read_comment(&term, &raw, &signals, &*theme, question.timeout)
    } else {
        None
    };
    Answer::Rated { rating, comment }
}

/// Shows the question until a key answers it: a rating, or how it was skipped.
/// Any other key shows the question again with a hint.
fn read_rating(
    term: &Term,
    raw: &RawMode,
    signals: &QuestionSignals,
    theme: &dyn Theme,
    question: &Question,
) -> Result<u8, Answer> {
    let text = question_text(&question.prompt, question.variant.as_deref());
    let mut hint: Option<String> = None;
    loop {
        let mut line = String::new();
        let _ = theme.format_input_prompt(&mut line, &text, hint.as_deref());
        let _ = term.clear_line().and_then(|_| term.write_str(&line));
        let outcome = match read_key(term, raw, signals, question.timeout) {
            Input::Key(Key::Char(digit @ '1'..='5')) => Ok(digit as u8 - b'0'),
            Input::Key(Key::Enter) => Err(Answer::Skipped),
            Input::Key(Key::Escape | Key::CtrlC) | Input::Interrupted => Err(Answer::Cancelled),
            Input::TimedOut => Err(Answer::TimedOut),
            Input::Failed => Err(Answer::Unavailable),
            Input::Key(other) => {
                hint = Some(format!("{} is not 1-5", describe(&other)));
                continue;
            }
        };
        let selection = match &outcome {
            Ok(rating) => rating.to_string(),
            Err(Answer::TimedOut) => timeout_note(question.timeout),
            Err(_) => "skipped".to_string(),
        };
        let mut line = String::new();
        let _ = theme.format_input_prompt_selection(&mut line, &text, &selection);
        let _ = term.clear_line().and_then(|_| term.write_line(&line));
        return outcome;
    }
}

/// Reads a one-line comment with echo; Enter keeps it, Esc, Ctrl-C or the timeout drop it.
fn read_comment(
    term: &Term,
    raw: &RawMode,
    signals: &QuestionSignals,
    theme: &dyn Theme,
    timeout: Option<Duration>,
) -> Option<String> {
    let mut prompt = String::new();
    let _ = theme.format_input_prompt(
        &mut prompt,
        "What went wrong? (Enter to finish, Esc to skip)",
        None,
    );
    let _ = term.write_str(&prompt);
    let mut comment = String::new();
    loop {
        match read_key(term, raw, signals, timeout) {
            Input::Key(Key::Enter) => {
                let _ = term.write_line("");
                let comment = comment.trim();
                return (!comment.is_empty()).then(|| comment.to_string());
            }
            Input::Key(Key::Char(c)) if !c.is_control() => {
                comment.push(c);
                let _ = term.write_str(c.encode_utf8(&mut [0; 4]));
            }
            Input::Key(Key::Backspace) => {
                if let Some(c) = comment.pop() {
                    let width = measure_text_width(c.encode_utf8(&mut [0; 4]));
                    let _ = term.write_str(&"\x08 \x08".repeat(width));
                }
            }
            Input::Key(Key::Escape | Key::CtrlC)
            | Input::Interrupted
            | Input::TimedOut
            | Input::Failed => {
                let _ = term.write_line(" (no comment)");
                return None;
            }
            Input::Key(_) => {}
        }
    }
}

/// Waits for one key, at most `timeout` (counted from now), stopping early on a signal.
fn read_key(
    term: &Term,
    raw: &RawMode,
    signals: &QuestionSignals,
    timeout: Option<Duration>,
) -> Input {
    const SLICE: Duration = Duration::from_millis(200);
    let deadline = timeout.map(|timeout| Instant::now() + timeout);
    loop {
        if signals.received() {
            return Input::Interrupted;
        }
        let left = match deadline {
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left.min(SLICE),
                _ => return Input::TimedOut,
            },
            None => SLICE,
        };
        if raw.wait_for_key(left) {
            return match term.read_key_raw() {
                Ok(key) => Input::Key(key),
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => Input::Interrupted,
                Err(_) => Input::Failed,
            };
        }
    }
}

fn timeout_note(timeout: Option<Duration>) -> String {
    match timeout {
        Some(timeout) => format!("skipped (no key in {}s)", timeout.as_secs_f64()),
        None => "skipped".to_string(),
    }
}

fn describe(key: &Key) -> String {
    match key {
        Key::Char(c) if !c.is_control() => format!("\"{c}\""),
        _ => "that key".to_string(),
    }
}

/// Colour only where console allows it on stderr (a terminal, NO_COLOR unset, TERM not dumb).
fn theme() -> Box<dyn Theme> {
    if dialoguer::console::colors_enabled_stderr() {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    }
}

//! Property tests: the line parser never panics, and never accepts what is not JSON.

use proptest::prelude::*;

use super::parse::{KeyOrder, Kind, parse_line, parse_line_with};
use super::scan::Scanner;

const VALID: &str = r#"{"v":1,"type":"run_end","ts":"2026-11-24T10:15:02.123Z","run_id":"0192f3a1-0000-7000-8000-000000000001","prompt":"sum\u00e9","variant":null,"duration_ms":12.5,"status":"ok","exit_code":0,"signal":null,"metrics":{"tokens":3,"cost":1e-3},"feedback_asked":true,"prompt_sha256":"ab","resolution":"name","command":"llm","user":"u","host":"h","tags":{"team":"ml"}}"#;

fn serde_accepts(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if parse_line(&bytes).is_ok() {
            prop_assert!(serde_accepts(&bytes));
        }
    }

    #[test]
    fn mutated_lines_are_refused_unless_still_json(
        edits in proptest::collection::vec((0usize..400, any::<u8>(), 0u8..3), 1..6),
        cut in 0usize..420,
    ) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let at = at % (bytes.len() + 1);
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => {}
            }
        }
        bytes.truncate(cut.max(1));
        let fresh = parse_line(&bytes);
        if fresh.is_ok() {
            prop_assert!(serde_accepts(&bytes), "{}", String::from_utf8_lossy(&bytes));
        }
        // A key order learned from valid lines changes nothing but the speed.
        let mut trained = KeyOrder::default();
        parse_line_with(VALID.as_bytes(), &mut trained).unwrap();
        let learned = parse_line_with(&bytes, &mut trained);
        prop_assert_eq!(format!("{fresh:?}"), format!("{learned:?}"));
    }

    #[test]
    fn strings_agree_with_serde(text in "[ -~\\\\\"\u{0}-\u{1f}é😀]{0,40}") {
        let quoted = format!("\"{text}\"");
        let mut scanner = Scanner::new(quoted.as_bytes());
        let ours = scanner.string().is_ok() && scanner.pos == quoted.len();
        prop_assert_eq!(ours, serde_accepts(quoted.as_bytes()), "{}", quoted);
    }

    #[test]
    fn numbers_read_in_one_pass_agree_with_the_standard_parser(
        text in "[ ]?-?[0-9]{0,18}(\\.[0-9]{0,18})?([eE][+-]?[0-9]{1,3})?[,}]?"
    ) {
        let mut ours = Scanner::new(text.as_bytes());
        let value = ours.f64().map(f64::to_bits);
        let mut theirs = Scanner::new(text.as_bytes());
        let want = theirs.number().and_then(|number| {
            std::str::from_utf8(number).ok().and_then(|n| n.parse::<f64>().ok())
                .filter(|v| v.is_finite()).map(f64::to_bits).ok_or("number out of range")
        });
        prop_assert_eq!(value, want, "{}", text);
        if value.is_ok() {
            prop_assert_eq!(ours.pos, theirs.pos, "{}", text);
        }
    }

    #[test]
    fn valid_events_keep_their_numbers(duration in 0.0f64..1e9, rating in 1u8..=5) {
        let line = VALID.replace("12.5", &format!("{duration}"));
        let event = parse_line(line.as_bytes()).unwrap();
        prop_assert_eq!(event.kind, Some(Kind::RunEnd));
        prop_assert_eq!(event.duration_ms, duration);
        let feedback = format!(
            r#"{{"v":1,"type":"feedback","ts":"2026-11-24T10:15:02Z","run_id":"x","prompt":"p","rating":{rating}}}"#
        );
        prop_assert_eq!(parse_line(feedback.as_bytes()).unwrap().rating, rating);
    }
}

#[test]
fn the_sample_is_valid() {
    assert!(parse_line(VALID.as_bytes()).is_ok());
}

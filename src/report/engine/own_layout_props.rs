//! Differential tests of the parser's fast path: on lines written by promptrun's
//! own event writer, and on those lines mutated, whatever the fast path accepts
//! is exactly what the general parser returns.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::own_layout::parse_canonical;
use super::parse::{KeyOrder, LineParser, parse_general, parse_line};
use crate::record::event::{Feedback, RunEnd, RunStart, RunStatus, Selection, timestamp, to_line};

/// Printable ASCII, quotes and backslashes included (the writer escapes them).
const ASCII: &str = "[ -~]{0,12}";
/// Any text: escapes, control characters, multi-byte characters.
const ANY: &str = "[ -~\\\\\"\u{0}-\u{1f}é😀]{0,12}";

fn ts() -> impl Strategy<Value = String> + Clone {
    (0i64..253_402_300_799_999)
        .prop_map(|ms| timestamp(chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()))
}

fn map<T: Strategy>(
    text: &'static str,
    value: T,
) -> impl Strategy<Value = BTreeMap<String, T::Value>>
where
    T::Value: std::fmt::Debug,
{
    proptest::collection::btree_map(text, value, 0..3)
}

/// A run's `selection`, or none (prompts without variants).
fn selection(text: &'static str) -> impl Strategy<Value = Option<Selection>> {
    let strategy = prop_oneof![Just("weighted"), Just("bandit"), Just("forced")];
    proptest::option::of((
        strategy,
        1e-9f64..=1.0,
        map(text, 0.0f64..=1.0),
        0u64..1_000_000,
    ))
    .prop_map(|s| {
        s.map(|(strategy, p, probs, period)| Selection {
            strategy,
            p,
            probs,
            period,
        })
    })
}

fn resolution() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("name"), Just("alias"), Just("route"), Just("adhoc")]
}

fn status() -> impl Strategy<Value = RunStatus> {
    prop_oneof![
        Just(RunStatus::Ok),
        Just(RunStatus::Error),
        Just(RunStatus::Signal),
        Just(RunStatus::Timeout),
        Just(RunStatus::SpawnFailed),
    ]
}

/// One event line as promptrun writes it (without its newline), with text fields
/// drawn from `text` and each numeric field from its usual range.
fn writer_line(text: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let head = (ts(), text, text, proptest::option::of(text));
    let start = (
        head.clone(),
        (text, resolution(), proptest::option::of(text)),
        (proptest::option::of(text), text, text, text),
        (map(text, text), selection(text)),
    )
        .prop_map(
            |(
                (ts, run_id, prompt, variant),
                (requested, resolution, file),
                (sha, command, user, host),
                (tags, selection),
            )| {
                to_line(&RunStart {
                    v: 1,
                    kind: "run_start",
                    ts,
                    run_id,
                    prompt,
                    variant,
                    requested,
                    resolution,
                    prompt_file: file,
                    prompt_sha256: sha,
                    command,
                    args: None,
                    user,
                    host,
                    tags,
                    promptrun: "0.1.0",
                    selection,
                })
            },
        );
    let end = (
        head.clone(),
        (
            0.0f64..1e9,
            status(),
            proptest::option::of(-255i32..256),
            proptest::option::of(1i32..32),
        ),
        (
            map(text, -1e6f64..1e6),
            any::<bool>(),
            proptest::option::of(text),
            resolution(),
        ),
        (text, text, text, map(text, text), selection(text)),
        (
            proptest::option::of(text),
            proptest::option::of(text),
            proptest::option::of(prop_oneof![0.0f64..100.0, Just(0.0002), Just(1e-9)]),
            proptest::option::of(prop_oneof![Just("reported"), Just("computed")]),
            proptest::option::of(text),
        ),
    )
        .prop_map(
            |(
                (ts, run_id, prompt, variant),
                (duration_ms, status, exit_code, signal),
                (metrics, feedback_asked, sha, resolution),
                (command, user, host, tags, selection),
                (model, provider, cost_usd, cost_source, pricing_sha256),
            )| {
                to_line(&RunEnd {
                    v: 1,
                    kind: "run_end",
                    ts,
                    run_id,
                    prompt,
                    variant,
                    duration_ms,
                    status,
                    exit_code,
                    signal,
                    metrics,
                    feedback_asked,
                    prompt_sha256: sha,
                    resolution,
                    command,
                    user,
                    host,
                    tags,
                    model,
                    provider,
                    cost_usd,
                    cost_source,
                    pricing_sha256,
                    selection,
                })
            },
        );
    let feedback = (
        head,
        (
            proptest::option::of(text),
            1u8..=5,
            proptest::option::of(text),
        ),
        (prop_oneof![Just("prompt"), Just("cli")], text),
    )
        .prop_map(
            |((ts, run_id, prompt, variant), (sha, rating, comment), (source, user))| {
                to_line(&Feedback {
                    v: 1,
                    kind: "feedback",
                    ts,
                    run_id,
                    prompt,
                    variant,
                    prompt_sha256: sha,
                    rating,
                    comment,
                    source,
                    user,
                })
            },
        );
    prop_oneof![start, end, feedback].prop_map(|mut line| {
        line.pop(); // the newline
        line
    })
}

/// Tokens that make a value invalid, out of range or merely unusual.
const TOKENS: [&str; 22] = [
    "1e300",
    "-1",
    "01",
    "3.5",
    "0",
    "6",
    "null",
    "true",
    " ",
    "\\u00e9",
    "\\ud800",
    "\"",
    ",",
    "}",
    "{}",
    "\u{e9}",
    "1000000000001",
    "2.0",
    "\"x\"",
    "[1]",
    "-0.5",
    ",\"model\":\"m\"",
];

/// Asserts that whenever the fast path accepts `line`, it agrees with the general parser.
fn agrees(line: &[u8]) -> Result<bool, TestCaseError> {
    let Some(fast) = parse_canonical(line) else {
        return Ok(false);
    };
    let general = parse_general(line, &mut KeyOrder::default());
    prop_assert_eq!(
        Ok(format!("{fast:?}")),
        general.map(|e| format!("{e:?}")),
        "{}",
        String::from_utf8_lossy(line)
    );
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_writers_ascii_lines_take_the_fast_path(line in writer_line(ASCII)) {
        prop_assert!(agrees(&line)?, "fast path refused {}", String::from_utf8_lossy(&line));
    }

    #[test]
    fn the_writers_lines_with_any_text_take_the_fast_path(line in writer_line(ANY)) {
        prop_assert!(agrees(&line)?, "fast path refused {}", String::from_utf8_lossy(&line));
    }

    #[test]
    fn mutated_lines_agree_with_the_general_parser(
        line in prop_oneof![writer_line(ASCII), writer_line(ANY)],
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..8, 0usize..TOKENS.len()), 1..4),
    ) {
        let mut bytes = line;
        for (at, byte, op, token) in edits {
            let at = at % (bytes.len() + 1);
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 => {
                    bytes.splice(at..at, TOKENS[token].bytes());
                }
                3..=6 => {
                    // Replace a whole value (up to the next `,` or `}`) with the token.
                    let keys: Vec<usize> = bytes.windows(2).enumerate()
                        .filter(|(_, w)| w == b"\":").map(|(i, _)| i + 2).collect();
                    if let Some(&from) = keys.get(at % keys.len().max(1)) {
                        let to = bytes[from..].iter().position(|b| matches!(b, b',' | b'}'))
                            .map_or(bytes.len(), |n| from + n);
                        bytes.splice(from..to, TOKENS[token].bytes());
                    }
                }
                _ if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        agrees(&bytes)?;
    }
}

/// A run_end in promptrun's own layout.
const OWN_END: &[u8] = br#"{"v":1,"type":"run_end","ts":"2026-11-24T10:15:02.123Z","run_id":"r","prompt":"p","variant":null,"duration_ms":12.5,"status":"ok","exit_code":0,"signal":null,"metrics":{},"feedback_asked":false,"prompt_sha256":null,"resolution":"name","command":"c","user":"u","host":"h","tags":{}}"#;

#[test]
fn switched_off_the_fast_path_leaves_every_line_to_the_general_parser() {
    assert!(parse_canonical(OWN_END).is_some());
    let (mut on, mut off) = (LineParser::new(true), LineParser::new(false));
    let fresh = format!("{on:?}");
    let (fast, general) = (on.parse(OWN_END).unwrap(), off.parse(OWN_END).unwrap());
    assert_eq!(format!("{fast:?}"), format!("{general:?}"));
    // Only the general parser learns the key order as it reads.
    assert_eq!(format!("{on:?}"), fresh, "the fast path read it");
    assert_ne!(format!("{off:?}"), fresh, "the general parser read it");
}

#[test]
fn values_the_general_parser_refuses_are_left_to_it() {
    let end = OWN_END;
    assert!(parse_canonical(end).is_some());
    let text = String::from_utf8_lossy(end);
    // The fields added later, each optional, in the writer's order only.
    let later = text.replace(
        "\"tags\":{}}",
        "\"tags\":{},\"model\":\"gpt-4o\",\"provider\":\"openai\",\"cost_usd\":0.0075,\"cost_source\":\"computed\",\"pricing_sha256\":\"ab\"}",
    );
    let fast = parse_canonical(later.as_bytes()).expect("the new layout takes the fast path");
    assert_eq!(fast.model.unwrap().raw, b"gpt-4o");
    assert_eq!(fast.provider.unwrap().raw, b"openai");
    assert_eq!(fast.cost_usd, Some(0.0075));
    let only_cost = text.replace("\"tags\":{}}", "\"tags\":{},\"cost_usd\":0.0002}");
    assert_eq!(
        parse_canonical(only_cost.as_bytes()).unwrap().cost_usd,
        Some(0.0002)
    );
    let swapped = text.replace(
        "\"tags\":{}}",
        "\"tags\":{},\"provider\":\"openai\",\"model\":\"gpt-4o\"}",
    );
    assert!(parse_canonical(swapped.as_bytes()).is_none());
    assert_eq!(
        parse_line(swapped.as_bytes()).unwrap().model.unwrap().raw,
        b"gpt-4o"
    );
    for (from, to) in [
        ("12.5", "1e300"),
        ("12.5", "-1"),
        ("12.5", "1000000000001"),
        (":false,", ":null,"),
        ("\"ok\"", "\"weird\""),
        ("2026-11-24T10", "yesterday"),
        (":0,", ":01,"),
        ("{}}", "{} }"),
    ] {
        let changed = text.replace(from, to);
        assert!(parse_canonical(changed.as_bytes()).is_none(), "{changed}");
    }
    // Text beyond ASCII is read here; bytes that are not UTF-8 are left to the
    // general parser, which names them.
    let wide = text.replace("\"p\"", "\"caf\u{e9}\"");
    assert!(parse_canonical(wide.as_bytes()).is_some());
    let mut broken = wide.into_bytes();
    let at = broken.iter().position(|&b| b >= 0x80).unwrap();
    broken[at] = 0xff;
    assert!(parse_canonical(&broken).is_none());
    assert_eq!(parse_line(&broken).unwrap_err(), "invalid UTF-8");
}

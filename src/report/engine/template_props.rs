//! Differential tests of the learned-template path: logs from other writers
//! (any key order, fields missing or repeated, unknown and nested fields, any
//! number spelling, escapes, bad bytes, cut lines), read line after line by the
//! engine's parser as it learns, give on every line exactly what the general
//! parser alone gives.

use proptest::prelude::*;

use super::parse::{KeyOrder, LineParser, parse_general};

/// The keys a writer may write, the report's and a few it does not read.
const KEYS: [&str; 25] = [
    "v",
    "type",
    "ts",
    "run_id",
    "prompt",
    "variant",
    "prompt_sha256",
    "resolution",
    "command",
    "user",
    "host",
    "tags",
    "metrics",
    "duration_ms",
    "status",
    "feedback_asked",
    "rating",
    "comment",
    "model",
    "provider",
    "cost_usd",
    "selection",
    "exit_code",
    "requested",
    "x",
];

/// Values that are valid JSON, usual or not, for any key.
const VALUES: [&str; 34] = [
    "null",
    "true",
    "false",
    "1",
    "1.0",
    "-0",
    "0",
    "01",
    "1e3",
    "2.5E-1",
    "-1",
    "3",
    "12345678901234567890123",
    "1e400",
    "\"ok\"",
    "\"error\"",
    "\"run_end\"",
    "\"run_start\"",
    "\"feedback\"",
    "\"2026-11-24T10:15:02.123Z\"",
    "\"2026-11-24T10:15:02+01:00\"",
    "\"0192f3a1-0000-7000-8000-000000000001\"",
    "{}",
    "{\"a\":1,\"b\":\"x\"}",
    "{\"period\":7}",
    "{\"a\":{\"b\":[1,2]}}",
    "[1,{\"x\":[]}]",
    "\"a\\\"b\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"caf\u{e9}\"",
    "\"\"",
    "{ \"a\" : 1 }",
    "[]",
    "\"t\\tab\"",
];

/// The usual value of key number `k` in an event of type `kind`.
fn usual(k: usize, kind: usize) -> &'static str {
    match (KEYS[k], kind) {
        ("v", _) => "1",
        ("type", 0) => "\"run_start\"",
        ("type", 1) => "\"run_end\"",
        ("type", _) => "\"feedback\"",
        ("ts", _) => "\"2026-11-24T10:15:02.123Z\"",
        ("run_id", _) => "\"01a0c450-74e3-714b-b722-122ea1264423\"",
        ("tags", _) => "{\"env\":\"ci\",\"team\":\"ml\"}",
        ("metrics", _) => "{\"cost_usd\":0.02727,\"tokens_in\":1735}",
        ("duration_ms", _) => "3823.503",
        ("status", _) => "\"ok\"",
        ("feedback_asked", _) => "false",
        ("rating", _) => "4",
        ("cost_usd", _) => "0.5",
        ("selection", _) => "{\"strategy\":\"bandit\",\"period\":3}",
        ("exit_code", _) => "0",
        ("comment", _) => "null",
        _ => "\"text\"",
    }
}

/// Which keys an event of type `kind` has (before drops and additions).
fn has(k: usize, kind: usize) -> bool {
    let key = KEYS[k];
    let common = ["v", "type", "ts", "run_id", "prompt", "variant"];
    let run = [
        "prompt_sha256",
        "resolution",
        "command",
        "user",
        "host",
        "tags",
    ];
    let end = [
        "metrics",
        "duration_ms",
        "status",
        "feedback_asked",
        "model",
        "provider",
        "cost_usd",
        "exit_code",
    ];
    common.contains(&key)
        || (kind < 2 && run.contains(&key))
        || (kind == 0 && ["selection", "requested"].contains(&key))
        || (kind == 1 && end.contains(&key))
        || (kind == 2 && ["rating", "comment", "user", "prompt_sha256"].contains(&key))
}

/// How one line differs from its writer's usual line.
#[derive(Debug, Clone)]
struct Line {
    kind: usize,
    drop: Vec<usize>,
    values: Vec<(usize, usize)>,
    extra: Option<(usize, usize)>,
    edit: Option<(usize, u8, u8)>,
}

fn line_spec() -> impl Strategy<Value = Line> {
    (
        0usize..3,
        proptest::collection::vec(0usize..KEYS.len(), 0..2),
        proptest::collection::vec((0usize..KEYS.len(), 0usize..VALUES.len()), 0..3),
        proptest::option::weighted(0.1, (0usize..KEYS.len(), 0usize..VALUES.len())),
        proptest::option::weighted(0.15, (any::<usize>(), any::<u8>(), 0u8..4)),
    )
        .prop_map(|(kind, drop, values, extra, edit)| Line {
            kind,
            drop,
            values,
            extra,
            edit,
        })
}

/// The line's bytes, its keys in `order`.
fn render(order: &[usize], spec: &Line) -> Vec<u8> {
    let mut members = Vec::new();
    for &k in order {
        if !has(k, spec.kind) || spec.drop.contains(&k) {
            continue;
        }
        let value = spec
            .values
            .iter()
            .rev()
            .find(|(key, _)| *key == k)
            .map_or(usize::MAX, |&(_, v)| v);
        let value = VALUES.get(value).copied().unwrap_or(usual(k, spec.kind));
        members.push(format!("\"{}\":{value}", KEYS[k]));
    }
    if let Some((k, v)) = spec.extra {
        // A key again (a duplicate), or one more.
        members.push(format!("\"{}\":{}", KEYS[k], VALUES[v]));
    }
    let mut bytes = format!("{{{}}}", members.join(",")).into_bytes();
    if let Some((at, byte, op)) = spec.edit {
        let at = at % (bytes.len() + 1);
        match op {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            2 => bytes.truncate(at),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
    bytes
}

/// A writer: a key order, and its lines.
fn writer() -> impl Strategy<Value = (Vec<usize>, Vec<Line>)> {
    (
        Just((0..KEYS.len()).collect::<Vec<_>>()).prop_shuffle(),
        proptest::collection::vec(line_spec(), 1..60),
    )
}

/// Reads the lines in turn with the engine's parser, checking each against the
/// general parser alone; returns how many the learned templates read.
fn agrees(lines: &[Vec<u8>]) -> Result<u64, TestCaseError> {
    let mut parser = LineParser::new(true);
    for line in lines {
        let ours = parser.parse(line).map(|e| format!("{e:?}"));
        let general = parse_general(line, &mut KeyOrder::default()).map(|e| format!("{e:?}"));
        prop_assert_eq!(&ours, &general, "{}", String::from_utf8_lossy(line));
    }
    Ok(parser.template_hits())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn other_writers_lines_agree_with_the_general_parser((order, specs) in writer()) {
        let lines: Vec<Vec<u8>> = specs.iter().map(|spec| render(&order, spec)).collect();
        agrees(&lines)?;
    }

    #[test]
    fn a_writers_usual_lines_take_the_template_path(
        (order, specs) in writer(),
        kinds in proptest::collection::vec(0usize..3, 30..60),
    ) {
        // The usual lines of three event types, in the writer's order.
        let _ = specs;
        let plain = |kind| Line { kind, drop: vec![], values: vec![], extra: None, edit: None };
        let lines: Vec<Vec<u8>> = kinds.iter().map(|&k| render(&order, &plain(k))).collect();
        let fast = agrees(&lines)?;
        // Each type's first line is learned; every later one fits.
        let types = kinds.iter().collect::<std::collections::BTreeSet<_>>().len();
        prop_assert_eq!(fast as usize, lines.len() - types);
    }
}

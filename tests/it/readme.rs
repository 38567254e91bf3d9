//! The README is checked against the binary: every `promptrun …` command in its
//! shell examples parses with the real command line, every config snippet passes
//! `promptrun config check` without a warning, and every example event is valid
//! under the events schema. A flag renamed in the code and not in the README fails here.

use std::path::Path;

use clap::Parser;
use promptrun::cli::Cli;

use crate::support::*;

/// The fenced blocks of the README: (language, body, line of the opening fence).
fn blocks() -> Vec<(String, String, usize)> {
    let text = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("```") {
            match open.take() {
                Some(block) => blocks.push(block),
                None => open = Some((rest.trim().to_string(), String::new(), number + 1)),
            }
        } else if let Some((_, body, _)) = open.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    assert!(open.is_none(), "an unclosed code block in README.md");
    blocks
}

/// Splits a shell line into words the way sh would for simple commands: quotes,
/// and the end of the command at an unquoted `|`, `;`, `&`, `<`, `>` or `#`.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        _ => word.push(q),
                    }
                }
            }
            '|' | ';' | '&' | '<' | '>' => break,
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[test]
fn every_documented_command_parses() {
    let mut checked = 0;
    for (language, body, at) in blocks() {
        if language != "sh" {
            continue;
        }
        for (offset, line) in body.lines().enumerate() {
            let words = shell_words(line);
            // `VAR=value promptrun ...`: skip the assignments.
            let start = words
                .iter()
                .position(|w| !w.contains('=') || w.starts_with('-'));
            let Some(start) = start else { continue };
            if words.get(start).map(String::as_str) != Some("promptrun") {
                continue;
            }
            let args = &words[start..];
            let parsed = Cli::try_parse_from(args);
            if let Err(err) = &parsed {
                use clap::error::ErrorKind;
                assert!(
                    matches!(
                        err.kind(),
                        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
                    ),
                    "README.md:{}: `{}` does not parse: {err}",
                    at + 1 + offset,
                    line.trim()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} commands found in README.md");
}

/// A checkout-like directory: the snippet as config/router-config.json, with the
/// repository's examples and schema beside it, as the README's paths expect.
fn check_config(env: &TestEnv, json: &str, origin: &str) {
    let config_dir = env.path("work/config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let link = |name: &str, to: &Path| {
        let at = env.path(name);
        if !at.exists() {
            std::os::unix::fs::symlink(to, at).unwrap();
        }
    };
    link("work/examples", &repo_root().join("examples"));
    link(
        "work/config/router-config.schema.json",
        &repo_root().join("config/router-config.schema.json"),
    );
    let path = config_dir.join("router-config.json");
    std::fs::write(&path, json).unwrap();
    let output = env.run(["config", "check", "--config", path.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{origin}: config check failed:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(
        warning_count(&stderr(&output)),
        0,
        "{origin}: config check warned:\n{}",
        stderr(&output)
    );
}

#[test]
fn every_config_snippet_passes_config_check() {
    let env = TestEnv::new();
    let top_level = [
        "prompts", "routes", "defaults", "logging", "feedback", "alerts",
    ];
    let mut checked = 0;
    for (language, body, at) in blocks() {
        if language != "json" {
            continue;
        }
        let trimmed = body.trim();
        let origin = format!("README.md:{at}");
        let document = if trimmed.starts_with('{') && trimmed.contains("\"prompts\"") {
            trimmed.to_string()
        } else if let Some(key) = trimmed
            .strip_prefix('"')
            .and_then(|rest| rest.split('"').next())
            .filter(|key| top_level.contains(key))
        {
            let _ = key;
            format!("{{{trimmed}}}")
        } else {
            continue;
        };
        check_config(&env, &document, &origin);
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} config snippets found in README.md"
    );
}

#[test]
fn every_example_event_is_valid() {
    let mut events = Vec::new();
    for (language, body, _) in blocks() {
        if language != "json" {
            continue;
        }
        for line in body.lines() {
            // Abbreviated examples (`…`) show a shape, not a whole event.
            if !line.starts_with("{\"v\":1,\"type\":") || line.contains('…') {
                continue;
            }
            events.push(serde_json::from_str(line).expect("an example event is JSON"));
        }
    }
    assert!(events.len() >= 3, "only {} example events", events.len());
    assert_valid_events(&events);
}

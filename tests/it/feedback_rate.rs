//! `promptrun rate`: rating a run afterwards by id, prefix or `last`, and `--pending`.

use serde_json::Value;

use crate::feedback_support::*;
use crate::support::*;

fn env_with_prompt() -> TestEnv {
    let env = TestEnv::new();
    env.write("hello.md", "Say hello.\n");
    env.config(
        r#"{ "prompts": { "hello": { "file": "hello.md",
             "variants": { "b": { "weight": 1 } }, "default_variant": "b" } } }"#,
    );
    env
}

/// Runs `hello` (no terminal, so no question) and returns its run_start.
fn run_hello(env: &TestEnv) -> Value {
    let out = env.run(["hello", "--", "true"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    env.events()
        .into_iter()
        .rfind(|e| e["type"] == "run_start")
        .expect("a run_start")
}

fn feedback(env: &TestEnv) -> Vec<Value> {
    env.events()
        .into_iter()
        .filter(|e| e["type"] == "feedback")
        .collect()
}

#[test]
fn rates_by_prefix_full_id_and_last() {
    let env = env_with_prompt();
    let first = run_hello(&env);
    let first_id = first["run_id"].as_str().unwrap().to_string();

    // A prefix, typed in capitals and without hyphens, as long as it is unique.
    let prefix = first_id.replace('-', "")[..10].to_uppercase();
    let out = env.run(["rate", &prefix, "4"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(&first_id), "{}", stdout(&out));

    let second = run_hello(&env);
    let out = env.run(["rate", "last", "2", "--comment", "meh"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = env.run(["rate", &first_id, "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let ratings = feedback(&env);
    assert_eq!(ratings.len(), 3);
    let expected = [
        (&first, 4, Value::Null),
        (&second, 2, "meh".into()),
        (&first, 5, Value::Null),
    ];
    for (rating, (run, value, comment)) in ratings.iter().zip(expected) {
        assert_eq!(rating["run_id"], run["run_id"]);
        assert_eq!(rating["rating"], value);
        assert_eq!(rating["comment"], comment);
        assert_eq!(rating["source"], "cli");
        assert_eq!(rating["prompt"], "hello");
        assert_eq!(rating["variant"], "b");
        assert_eq!(rating["prompt_sha256"], run["prompt_sha256"]);
        assert_eq!(rating["user"], run["user"]);
    }
    assert_valid_events(&env.events());
}

#[test]
fn a_comment_round_trips_through_the_log() {
    let env = env_with_prompt();
    run_hello(&env);
    let comment = "he said \"no\" \\ twice\nsecond line\ttab — ünïcødé ✓ 日本語 🙂";
    let out = env.run(["rate", "last", "1", "--comment", comment]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ratings = feedback(&env);
    assert_eq!(ratings[0]["comment"], comment);
    // One event is one line, whatever the comment holds.
    let text: String = std::fs::read_dir(env.log_dir())
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    assert_eq!(text.lines().count(), 3);
    assert_valid_events(&env.events());
}

#[test]
fn ratings_outside_one_to_five_are_rejected() {
    let env = env_with_prompt();
    run_hello(&env);
    for bad in ["0", "6", "x", "4.5", "-1"] {
        let out = env.run(["rate", "last", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(
            stderr(&out)
                .starts_with("promptrun: error: the rating must be a whole number from 1 to 5"),
            "{}",
            stderr(&out)
        );
    }
    assert!(feedback(&env).is_empty());
}

/// Writes a run_start and run_end for each id into the day file of `ts`.
fn write_crafted_runs(env: &TestEnv, ts: &str, ids: &[String]) {
    let mut lines = String::new();
    let sha = "a".repeat(64);
    for (index, id) in ids.iter().enumerate() {
        let common = format!(
            r#""v":1,"ts":"{ts}","run_id":"{id}","prompt":"crafted-{index}","variant":"v{index}","prompt_sha256":"{sha}","user":"{sha}","host":"{sha}","tags":{{}}"#
        );
        lines.push_str(&format!(
            "{{\"type\":\"run_start\",{common},\"requested\":\"crafted\",\"resolution\":\"name\",\"prompt_file\":null,\"command\":\"true\"}}\n"
        ));
        lines.push_str(&format!(
            "{{\"type\":\"run_end\",{common},\"duration_ms\":1.5,\"status\":\"ok\",\"exit_code\":0,\"signal\":null,\"metrics\":{{}},\"feedback_asked\":false,\"resolution\":\"name\",\"command\":\"true\"}}\n"
        ));
    }
    let day = &ts[..10];
    let path = env.log_dir().join(format!("events-{day}.jsonl"));
    let mut existing = std::fs::read_to_string(&path).unwrap_or_default();
    existing.push_str(&lines);
    std::fs::write(path, existing).unwrap();
}

/// Three run ids created in the same millisecond: they share their first 15 characters.
fn ids_in_one_millisecond(unix_seconds: u64) -> Vec<String> {
    (0..3)
        .map(|_| {
            let at = uuid::Timestamp::from_unix(uuid::NoContext, unix_seconds, 123_000_000);
            uuid::Uuid::new_v7(at).to_string()
        })
        .collect()
}

#[test]
fn an_ambiguous_prefix_lists_the_candidates_and_an_unknown_id_is_rejected() {
    let env = TestEnv::new();
    // 2026-11-20T10:00:00.123Z
    let ids = ids_in_one_millisecond(1_795_168_800);
    write_crafted_runs(&env, "2026-11-20T10:00:00.123Z", &ids);
    assert_valid_events(&env.events());
    let shared = &ids[0][..15];
    assert!(ids.iter().all(|id| id.starts_with(shared)));

    let out = env.run(["rate", shared, "4"]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.starts_with(&format!(
            "promptrun: error: run id prefix `{shared}` is ambiguous: it matches 3 runs"
        )),
        "{message}"
    );
    for id in &ids {
        assert!(
            message.contains(id.as_str()),
            "{id} not listed in {message}"
        );
    }

    let out = env.run(["rate", "0123abcd", "4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no run with an id starting with `0123abcd`"),
        "{}",
        stderr(&out)
    );
    let out = env.run(["rate", "not-an-id", "4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(feedback(&env).is_empty());

    // The whole id picks one, and the rating copies that run's prompt and variant.
    let out = env.run(["rate", &ids[1], "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ratings = feedback(&env);
    assert_eq!(ratings.len(), 1);
    assert_eq!(ratings[0]["run_id"], ids[1].as_str());
    assert_eq!(ratings[0]["prompt"], "crafted-1");
    assert_eq!(ratings[0]["variant"], "v1");
    assert_eq!(ratings[0]["prompt_sha256"], "a".repeat(64));
    assert_valid_events(&env.events());
}

#[test]
fn last_without_any_run_and_rating_with_logging_off_are_errors() {
    let env = TestEnv::new();
    let out = env.run(["rate", "last", "3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no run recorded yet"),
        "{}",
        stderr(&out)
    );

    let env = env_with_prompt();
    run_hello(&env);
    let out = env
        .cmd(["rate", "last", "3"])
        .env("PROMPTRUN_NO_LOG", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("logging is turned off"),
        "{}",
        stderr(&out)
    );
    assert!(feedback(&env).is_empty());
}

#[test]
fn pending_without_a_terminal_lists_unrated_runs_and_asks_nothing() {
    let env = env_with_prompt();
    let first = run_hello(&env);
    let second = run_hello(&env);
    let third = run_hello(&env);
    let out = env.run(["rate", third["run_id"].as_str().unwrap(), "5"]);
    assert_eq!(out.status.code(), Some(0));

    let out = env.run(["rate", "--pending"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].starts_with(second["run_id"].as_str().unwrap()));
    assert!(listed[1].starts_with(first["run_id"].as_str().unwrap()));
    assert!(stderr(&out).contains("not a terminal"), "{}", stderr(&out));
    assert_eq!(feedback(&env).len(), 1);
}

#[test]
fn pending_on_a_terminal_asks_for_each_newest_first() {
    let env = env_with_prompt();
    let first = run_hello(&env);
    let second = run_hello(&env);
    let mut session = spawn_pty(pty_cmd(&env, ["rate", "--pending"]));
    session
        .exp_string(second["run_id"].as_str().unwrap())
        .unwrap();
    session
        .exp_string("Rate \"hello\" (variant b) 1-5")
        .unwrap();
    press(&mut session, "5");
    session
        .exp_string(first["run_id"].as_str().unwrap())
        .unwrap();
    session
        .exp_string("Rate \"hello\" (variant b) 1-5")
        .unwrap();
    press(&mut session, "\r");
    let (output, code) = pty_finish(session);
    assert_eq!(code, Some(0), "{output}");
    let ratings = feedback(&env);
    assert_eq!(ratings.len(), 1);
    assert_eq!(ratings[0]["run_id"], second["run_id"]);
    assert_eq!(ratings[0]["rating"], 5);
    assert_eq!(ratings[0]["source"], "cli");
    assert_valid_events(&env.events());
}

#[test]
fn config_check_reports_bad_feedback_settings_with_positions() {
    let env = TestEnv::new();
    let config = env.config(
        "{\n  \"feedback\": {\n    \"ask\": \"sometimes\",\n    \"sample_rate\": 1.5,\n    \"timeout\": \"soon\",\n    \"comment_below\": 9\n  }\n}\n",
    );
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    let path = config.display().to_string();
    for (line, key) in [
        (3, "feedback.ask"),
        (4, "sample_rate"),
        (5, "duration"),
        (6, "comment_below"),
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{path}:{line}:")) && l.contains(key)),
            "no problem on line {line} about {key}: {text}"
        );
    }
    env.config(r#"{ "feedback": { "ask": "tty", "sample_rate": 0.5, "timeout": "10s", "comment_below": 2 } }"#);
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

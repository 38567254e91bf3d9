//! The router config: the shipped example, its schema, resolution, variants,
//! placeholders, the child's environment, and every kind of config error.

use serde_json::Value;

use crate::support::*;

fn example_config() -> std::path::PathBuf {
    repo_root().join("config/router-config.json")
}

#[test]
fn the_example_config_is_valid_against_its_json_schema() {
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(repo_root().join(name)).unwrap()).unwrap()
    };
    let schema = read("config/router-config.schema.json");
    let validator = jsonschema::validator_for(&schema).expect("the config schema compiles");
    let config = read("config/router-config.json");
    let errors: Vec<String> = validator
        .iter_errors(&config)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The schema can fail: a wrong type and an unknown key are both rejected.
    let mut broken = config.clone();
    broken["prompts"]["hello"]["aliases"] = Value::from("demo");
    assert!(!validator.is_valid(&broken));
    let mut unknown = config;
    unknown["logging"]["colour"] = Value::from(true);
    assert!(!validator.is_valid(&unknown));
}

#[test]
fn the_example_config_passes_config_check() {
    let env = TestEnv::new();
    let out = env.run(["config", "check", "--config"]).status;
    assert_eq!(out.code(), Some(2), "--config needs a value");
    let out = env.run([
        "config".as_ref(),
        "check".as_ref(),
        "--config".as_ref(),
        example_config().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(stdout(&out).contains(": ok ("), "{}", stdout(&out));
}

#[test]
fn the_readme_first_command_works_from_the_repository() {
    let env = TestEnv::new();
    let out = env
        .cmd(["hello"])
        .current_dir(repo_root())
        .env_remove("PROMPTRUN_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let prompt =
        std::fs::read_to_string(repo_root().join("examples/prompts/summarize.md")).unwrap();
    assert_eq!(stdout(&out), prompt);
    let end = only_run_end(&env);
    assert_eq!(end["prompt"], "hello");
    assert_eq!(end["resolution"], "name");
}

#[test]
fn invalid_json_is_reported_as_path_line_column() {
    let env = TestEnv::new();
    let path = env.config("{\n  \"prompts\": {\n    \"a\": {\"file\": \"a.md\",}\n  }\n}\n");
    for args in [vec!["a", "--", "true"], vec!["config", "check"]] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{}:3:26: ", path.display())),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert!(env.events().is_empty());
}

#[test]
fn a_wrong_type_names_its_line_and_column() {
    let env = TestEnv::new();
    let path = env.config("{\n  \"prompts\": {\n    \"a\": {\"aliases\": \"b\"}\n  }\n}\n");
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with(&format!("{}:3:", path.display())), "{err}");
    assert!(err.contains("expected a sequence"), "{err}");
}

#[test]
fn unknown_keys_warn_with_their_position_and_the_run_goes_on() {
    let env = TestEnv::new();
    let path =
        env.config("{\n  \"prompts\": {\"a\": {\"comand\": [\"true\"]}},\n  \"colour\": 1\n}\n");
    let out = env.run(["a", "--", "true"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "promptrun: warning: {}:2:21: unknown key `prompts.a.comand`",
            path.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:3:3: unknown key `colour`", path.display())),
        "{err}"
    );
    assert_eq!(warning_count(&err), 2);
    only_run_end(&env);

    let out = env.run(["config", "check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings alone keep the config valid"
    );
    assert!(stderr(&out).contains(":2:21: warning: unknown key `prompts.a.comand`"));
}

#[test]
fn config_check_lists_every_problem_with_its_position() {
    let env = TestEnv::new();
    env.write("a.md", "a");
    let path = env.config(concat!(
        "{\n",
        "  \"prompts\": {\n",
        "    \"a\": {\"file\": \"a.md\", \"default_variant\": \"zz\"},\n",
        "    \"b\": {\"file\": \"missing.md\", \"aliases\": [\"a\"]}\n",
        "  },\n",
        "  \"routes\": [{\"match\": \"x-*\", \"prompt\": \"nowhere\"}],\n",
        "  \"defaults\": {\"timeout\": \"soon\"}\n",
        "}\n"
    ));
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let at = |position: &str| format!("{}:{position}: ", path.display());
    for (position, words) in [
        ("3:46", "default_variant `zz`"),
        ("4:19", "missing.md does not exist"),
        ("4:45", "alias `a`"),
        ("6:41", "`nowhere`"),
        ("7:27", "got `soon`"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(words))
            .unwrap_or_else(|| panic!("no problem about {words}: {err}"));
        assert!(line.starts_with(&at(position)), "{line}");
    }
    assert!(err.contains("5 error(s)"), "{err}");
}

#[test]
fn a_missing_prompt_file_is_exit_2_naming_the_file() {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"a": {"file": "prompts/gone.md"}}}"#);
    let out = env.run(["a", "--", "true"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("promptrun: error: "), "{err}");
    assert!(err.contains("prompts/gone.md"), "{err}");
    assert!(env.events().is_empty(), "nothing ran, nothing logged");
}

#[test]
fn an_unknown_prompt_suggests_the_closest_names() {
    let env = TestEnv::new();
    env.write("s.md", "s");
    env.config(
        r#"{"prompts": {"summarize": {"file": "s.md", "aliases": ["sum"]}, "review": {"file": "s.md"}}}"#,
    );
    let out = env.run(["sumarize", "--", "true"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown prompt `sumarize`"), "{err}");
    assert!(
        err.contains("did you mean") && err.contains("`summarize`"),
        "{err}"
    );
    assert!(!err.contains("`review`"), "{err}");
    assert!(env.events().is_empty());
}

#[test]
fn without_a_config_the_name_runs_ad_hoc() {
    let env = TestEnv::new();
    let out = env.run(["my-prompt", "--", "sh", "-c", "echo $PROMPTRUN_PROMPT"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "my-prompt\n");
    let events = checked_events(&env);
    assert_eq!(events[0]["resolution"], "adhoc");
    assert_eq!(events[0]["requested"], "my-prompt");
    assert_eq!(events[0]["prompt_file"], Value::Null);
    assert_eq!(events[0]["prompt_sha256"], Value::Null);
}

#[test]
fn without_a_command_the_error_says_how_to_give_one() {
    let env = TestEnv::new();
    let out = env.run(["my-prompt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("promptrun: error: "), "{err}");
    assert!(err.contains("promptrun my-prompt -- <CMD>"), "{err}");
    let out = env.run(Vec::<&str>::new());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no prompt given"), "{}", stderr(&out));
}

#[test]
fn discovery_walks_up_and_falls_back_to_the_user_config() {
    let env = TestEnv::new();
    env.write("p.md", "p");
    let user = env.path("config/promptrun/router-config.json");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(&user, r#"{"prompts": {"from-user": {"file": "u.md"}}}"#).unwrap();
    std::fs::write(env.path("config/promptrun/u.md"), "u").unwrap();
    let dry = |env: &TestEnv, dir: &str, name: &str| {
        let out = env
            .cmd([name, "--dry-run", "--", "true"])
            .current_dir(env.work().join(dir))
            .output()
            .unwrap();
        (out.status.code(), stdout(&out))
    };
    std::fs::create_dir_all(env.work().join("deep/er")).unwrap();
    let (code, text) = dry(&env, "deep/er", "from-user");
    assert_eq!(code, Some(0), "the user config is found");
    assert!(text.contains(&user.display().to_string()), "{text}");
    env.write(
        "config/router-config.json",
        r#"{"prompts": {"near": {"file": "../p.md"}}}"#,
    );
    let (code, text) = dry(&env, "deep/er", "near");
    assert_eq!(code, Some(0));
    assert!(text.contains("config/router-config.json"), "{text}");
    assert_eq!(
        dry(&env, "deep/er", "from-user").0,
        Some(2),
        "the nearest config wins"
    );
}

#[test]
fn placeholders_and_environment_reach_the_command() {
    let env = TestEnv::new();
    env.write("prompts/p.md", "the prompt\n");
    env.write("prompts/p-b.md", "variant b\n");
    env.config(
        r#"{"prompts": {"p": {"file": "prompts/p.md", "default_variant": "b",
            "variants": {"a": {}, "b": {"file": "prompts/p-b.md"}},
            "command": ["sh", "-c", "printf '%s|' \"$@\"; echo; env | grep ^PROMPTRUN_ | sort", "sh",
                        "{prompt_file}", "{prompt}", "{variant}", "{run_id}", "x{prompt}y"]}}}"#,
    );
    let out = env.run(["p"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let events = checked_events(&env);
    let run_id = events[0]["run_id"].as_str().unwrap();
    let file = std::fs::canonicalize(env.work().join("prompts/p-b.md")).unwrap();
    let file = file.display();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), format!("{file}|p|b|{run_id}|xpy|"));
    let vars: Vec<&str> = lines
        .filter(|l| !l.starts_with("PROMPTRUN_LOG_DIR"))
        .collect();
    let metrics = vars
        .iter()
        .find(|l| l.starts_with("PROMPTRUN_METRICS_FILE=/"))
        .unwrap();
    assert!(metrics.contains(run_id), "{metrics}");
    for expected in [
        "PROMPTRUN_PROMPT=p".to_string(),
        format!("PROMPTRUN_PROMPT_FILE={file}"),
        format!("PROMPTRUN_RUN_ID={run_id}"),
        "PROMPTRUN_VARIANT=b".to_string(),
    ] {
        assert!(
            vars.contains(&expected.as_str()),
            "{expected} missing: {vars:?}"
        );
    }
    assert_eq!(events[0]["variant"], "b");
    assert_eq!(events[0]["prompt_file"], "prompts/p-b.md");
    let sha = events[0]["prompt_sha256"].as_str().unwrap();
    assert_eq!(sha, format!("{:x}", sha2_of(b"variant b\n")));

    // After `--` too.
    let out = env.run([
        "p",
        "--variant",
        "a",
        "--",
        "echo",
        "{prompt}:{variant}:{prompt_file}",
    ]);
    let file = std::fs::canonicalize(env.work().join("prompts/p.md")).unwrap();
    assert_eq!(stdout(&out), format!("p:a:{}\n", file.display()));
}

fn sha2_of(bytes: &[u8]) -> impl std::fmt::LowerHex {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
}

#[test]
fn aliases_and_routes_resolve_and_are_recorded() {
    let env = TestEnv::new();
    env.write("r.md", "r");
    env.config(
        r#"{"prompts": {"review": {"file": "r.md", "aliases": ["cr"]}},
            "routes": [{"match": "review-*", "prompt": "review"}]}"#,
    );
    let cases = [
        ("review", "name"),
        ("cr", "alias"),
        ("review-rust", "route"),
    ];
    for (typed, _) in cases {
        let out = env.run([typed, "--", "true"]);
        assert_eq!(out.status.code(), Some(0), "{typed}: {}", stderr(&out));
    }
    let events = checked_events(&env);
    let starts = of_type(&events, "run_start");
    let seen: Vec<(&str, &str, &str)> = starts
        .iter()
        .map(|e| {
            (
                e["requested"].as_str().unwrap(),
                e["prompt"].as_str().unwrap(),
                e["resolution"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str, &str)> = cases
        .iter()
        .map(|&(typed, how)| (typed, "review", how))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn variant_is_forced_by_flag_and_otherwise_drawn_by_weight() {
    let env = TestEnv::new();
    env.write("p.md", "p");
    env.config(
        r#"{"prompts": {
            "never-c": {"file": "p.md", "variants": {"a": {"weight": 1}, "b": {"weight": 1}, "c": {"weight": 0}}}
        }}"#,
    );
    let mut counts = std::collections::BTreeMap::new();
    for _ in 0..40 {
        let out = env.run(["never-c", "--", "sh", "-c", "echo $PROMPTRUN_VARIANT"]);
        assert_eq!(out.status.code(), Some(0));
        *counts.entry(stdout(&out).trim().to_string()).or_insert(0) += 1;
    }
    assert_eq!(
        counts.get("c"),
        None,
        "a weight of 0 is never drawn: {counts:?}"
    );
    assert!(
        counts["a"] > 0 && counts["b"] > 0,
        "both weighted variants are drawn: {counts:?}"
    );
    let out = env.run(["never-c", "--variant", "c", "--", "true"]);
    assert_eq!(out.status.code(), Some(0));
    let out = env.run(["never-c", "--variant", "zz", "--", "true"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("its variants are: a, b, c"),
        "{}",
        stderr(&out)
    );
    let events = checked_events(&env);
    let ends = of_type(&events, "run_end");
    assert_eq!(ends.len(), 41);
    assert_eq!(ends[40]["variant"], "c");
}

#[test]
fn dry_run_shows_the_resolution_and_runs_and_logs_nothing() {
    let env = TestEnv::new();
    env.write("p.md", "p");
    env.config(r#"{"prompts": {"p": {"file": "p.md", "aliases": ["pp"]}}}"#);
    let out = env.run(["pp", "--dry-run", "--", "touch", "ran", "{prompt_file}"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let file = std::fs::canonicalize(env.work().join("p.md")).unwrap();
    assert!(text.contains("resolved by alias"), "{text}");
    assert!(
        text.contains(&format!("touch ran {}", file.display())),
        "{text}"
    );
    assert!(
        !env.work().join("ran").exists(),
        "--dry-run ran the command"
    );
    assert!(
        std::fs::read_dir(env.log_dir()).unwrap().next().is_none(),
        "--dry-run logged"
    );
}

#[test]
fn prompts_lists_names_aliases_variants_and_files_as_json() {
    let env = TestEnv::new();
    let out = env.run([
        "prompts".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--config".as_ref(),
        example_config().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["explain", "hello", "review", "summarize"]);
    let summarize = &list[3];
    assert_eq!(summarize["aliases"], serde_json::json!(["sum", "tldr"]));
    assert_eq!(summarize["variants"][0]["name"], "bullets");
    assert_eq!(summarize["variants"][0]["weight"], 3.0);
    assert_eq!(summarize["variants"][0]["share"], 0.75);
    let path = summarize["path"].as_str().unwrap();
    assert!(std::path::Path::new(path).is_absolute() && std::path::Path::new(path).is_file());

    let table = env.run([
        "prompts".as_ref(),
        "--config".as_ref(),
        example_config().as_os_str(),
    ]);
    let text = stdout(&table);
    assert!(text.lines().next().unwrap().starts_with("PROMPT"), "{text}");
    assert!(text.contains("bullets (3, 75%)"), "{text}");
}

#[test]
fn every_command_has_help_with_an_example() {
    let env = TestEnv::new();
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["prompts", "--help"],
        vec!["config", "--help"],
        vec!["config", "check", "--help"],
        vec!["completions", "--help"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = stdout(&out);
        assert!(text.contains("Example"), "{args:?} has no example:\n{text}");
        assert!(text.contains("promptrun "), "{args:?}");
    }
    let out = env.run(["--version"]);
    assert_eq!(
        stdout(&out),
        format!("promptrun {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn shell_completions_are_printed() {
    let env = TestEnv::new();
    for (shell, marker) in [
        ("bash", "_promptrun()"),
        ("zsh", "#compdef promptrun"),
        ("fish", "complete -c promptrun"),
    ] {
        let out = env.run(["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains(marker), "{shell}");
        assert!(stdout(&out).contains("dry-run"), "{shell}");
    }
}

#[test]
fn config_check_of_a_missing_file_is_one_clear_error() {
    let env = TestEnv::new();
    let out = env.run(["config", "check", "--config", "nope.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "promptrun: error: cannot read config file nope.json: no such file\n"
    );
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no router-config.json found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn global_options_may_come_before_a_subcommand() {
    let env = TestEnv::new();
    let config = example_config();
    let config = config.as_os_str();
    let out = env.run([
        "--config".as_ref(),
        config,
        "config".as_ref(),
        "check".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = env.run([
        "--config".as_ref(),
        config,
        "prompts".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .is_array()
    );
    let out = env.run(["--config".as_ref(), config, "hello".as_ref()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(only_run_end(&env)["prompt"], "hello");
}

#[test]
fn empty_environment_variables_read_as_unset() {
    let env = TestEnv::new();
    let out = env
        .cmd(["adhoc", "--", "true"])
        .env("PROMPTRUN_CONFIG", "")
        .env("PROMPTRUN_LOG_DIR", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let default_dir = env.path("state/promptrun/events");
    assert_eq!(
        read_events(&default_dir).len(),
        2,
        "logged to the default directory"
    );
}

//! Inputs recognised by content: gzip without a .gz name, a byte order mark,
//! a truncated gzip counted once, a directory with a symbolic link loop.

use crate::report_support::{fixture, gzip, report_json, report_json_from_stdin};
use crate::support::TestEnv;

#[test]
fn gzip_is_recognised_by_its_bytes_on_stdin_and_under_any_name() {
    let env = TestEnv::new();
    let plain = report_json(
        &env,
        &[env.write("plain.jsonl", &fixture()).to_str().unwrap()],
    );
    let renamed = env.work().join("renamed.jsonl");
    std::fs::write(&renamed, gzip(fixture().as_bytes())).unwrap();
    let by_content = report_json(&env, &[renamed.to_str().unwrap()]);
    assert_eq!(by_content["totals"], plain["totals"]);
    assert_eq!(by_content["inputs"]["skipped"], plain["inputs"]["skipped"]);

    let from_stdin = report_json_from_stdin(&env, &gzip(fixture().as_bytes()));
    assert_eq!(from_stdin["totals"], plain["totals"]);
}

#[test]
fn a_byte_order_mark_does_not_cost_the_first_line() {
    let env = TestEnv::new();
    let plain = report_json(
        &env,
        &[env.write("plain.jsonl", &fixture()).to_str().unwrap()],
    );
    let with_bom = env.write("bom.jsonl", &format!("\u{feff}{}", fixture()));
    let report = report_json(&env, &[with_bom.to_str().unwrap()]);
    assert_eq!(report["inputs"]["skipped"], plain["inputs"]["skipped"]);
    assert_eq!(report["totals"], plain["totals"]);
}

#[test]
fn a_truncated_gzip_skips_its_broken_last_line_once() {
    let env = TestEnv::new();
    let text = fixture();
    let whole = gzip(text.as_bytes());
    let cut = &whole[..whole.len() / 2];
    let path = env.work().join("cut.jsonl.gz");
    std::fs::write(&path, cut).unwrap();
    // What can be read of it, independently of promptrun.
    let mut readable = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(cut), &mut readable);
    let whole_lines = readable.iter().filter(|&&b| b == b'\n').count();
    assert!(whole_lines > 0 && whole_lines < text.lines().count());

    let report = report_json(&env, &[path.to_str().unwrap()]);
    let examples = report["inputs"]["skipped_examples"].as_array().unwrap();
    let truncated: Vec<&str> = examples
        .iter()
        .filter_map(|e| e.as_str())
        .filter(|e| e.contains("truncated gzip"))
        .collect();
    assert_eq!(truncated.len(), 1, "{examples:?}");
    assert!(
        truncated[0].contains(&format!("cut.jsonl.gz:{}:", whole_lines + 1)),
        "{truncated:?}"
    );
    assert_eq!(
        report["inputs"]["lines"].as_u64(),
        Some(whole_lines as u64 + 1)
    );
}

#[test]
fn a_symbolic_link_loop_in_a_directory_is_read_once() {
    let env = TestEnv::new();
    let dir = env.work().join("logs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("events.jsonl"), fixture()).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("self")).unwrap();
    let plain = report_json(&env, &[dir.join("events.jsonl").to_str().unwrap()]);
    let report = report_json(&env, &[dir.to_str().unwrap()]);
    assert_eq!(report["inputs"]["files"], 1);
    assert_eq!(
        report["inputs"]["duplicates"],
        plain["inputs"]["duplicates"]
    );
}

#[test]
fn an_absurd_duration_does_not_move_a_run_out_of_its_window() {
    use crate::report_support::end;
    let env = TestEnv::new();
    let now = chrono::Utc::now();
    let ts = promptrun::record::event::timestamp(now - chrono::Duration::minutes(5));
    let lines: Vec<String> = [(1, 1e15), (2, 9.9e17), (3, 40.0)]
        .into_iter()
        .map(|(n, duration)| {
            let none = serde_json::json!({});
            end(
                n,
                &ts,
                "p",
                None,
                "u",
                none.clone(),
                "ok",
                duration,
                false,
                none,
            )
        })
        .collect();
    let path = env.write("odd.jsonl", &(lines.join("\n") + "\n"));
    let report = report_json(&env, &["--since", "1h", path.to_str().unwrap()]);
    // The absurd ones are skipped and counted; the sane one stays in its window.
    assert_eq!(report["inputs"]["skipped"], 2, "{}", report["inputs"]);
    assert_eq!(report["totals"]["runs"], 1, "{}", report["totals"]);
    let first = report["totals"]["first_ts"].as_str().unwrap();
    assert!(first.starts_with(&now.format("%Y-").to_string()), "{first}");
}

#[test]
fn a_mistyped_report_or_an_empty_window_is_a_usage_error() {
    let env = TestEnv::new();
    let typo = env.run(["report", "perfomance"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(crate::support::stderr(&typo).contains("unknown report `perfomance`"));
    let backwards = env.run(["report", "--since", "1d", "--until", "2d"]);
    assert_eq!(backwards.status.code(), Some(2));
    assert!(
        crate::support::stderr(&backwards)
            .contains("the window is empty: --since must be before --until")
    );
}

use crate::support::*;

#[test]
fn a_bad_flag_is_one_error_line_with_exit_2() {
    let env = TestEnv::new();
    for args in [
        vec!["p", "--timeout", "soon", "--", "true"],
        vec!["--no-such-flag"],
        vec!["p", "--tag", "novalue", "--", "true"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("promptrun: error: "), "{err}");
        assert!(err.contains("--help"), "{err}");
    }
    assert!(env.events().is_empty());
}

#[test]
fn help_and_version_go_to_stdout_with_exit_0() {
    let env = TestEnv::new();
    let help = env.run(["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Exit status"));
    let version = env.run(["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert!(stdout(&version).contains(env!("CARGO_PKG_VERSION")));
}

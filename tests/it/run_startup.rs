//! What promptrun's start costs, in front of every prompt: the libraries it loads.

use crate::support::*;

/// promptrun provides the C `log` and `pow` its dependencies call itself
/// (`src/startup.rs`), so libm.so is not loaded and relocated at every start.
/// The command reads its parent's memory map, promptrun's, while promptrun waits
/// for it: every library the dynamic loader brought in is there.
///
/// This runs the debug binary, which stands for the release one here: the
/// libraries a binary needs follow from the C symbols its code refers to, and a
/// debug build refers to all that the release build does (optimisation and LTO
/// only drop calls), so a libm that only a release build needed would be a C maths
/// call LLVM made up; check by hand after a toolchain update with
/// `readelf -d target/release/promptrun | grep NEEDED`.
#[test]
fn libm_is_not_loaded() {
    let env = TestEnv::new();
    let out = env.run(["p", "--", "sh", "-c", "cat /proc/$PPID/maps"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let maps = stdout(&out);
    let files: Vec<&str> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .collect();
    let binary = binary().canonicalize().unwrap();
    assert!(
        files.iter().any(|f| std::path::Path::new(f) == binary),
        "not promptrun's map:\n{maps}"
    );
    let libraries: Vec<&str> = files
        .iter()
        .filter_map(|f| f.rsplit('/').next())
        .filter(|name| name.contains(".so"))
        .collect();
    assert!(
        libraries
            .iter()
            .any(|name| name.starts_with("libc.so") || name.starts_with("libc-")),
        "the map shows the shared libraries: {libraries:?}"
    );
    assert!(
        !libraries
            .iter()
            .any(|name| name.starts_with("libm.so") || name.starts_with("libm-")),
        "libm is loaded: {libraries:?}"
    );
}

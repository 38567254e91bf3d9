//! What promptrun's start costs, in front of every prompt: the libraries it loads.

use crate::support::*;

/// The shared objects mapped into promptrun while its command runs: the command
/// reads its parent's memory map, promptrun's, while promptrun waits for it.
fn libraries_promptrun_maps() -> Vec<String> {
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
    files
        .iter()
        .filter_map(|f| f.rsplit('/').next())
        .filter(|name| name.contains(".so"))
        .map(str::to_string)
        .collect()
}

/// On Linux with glibc, `.cargo/config.toml` links promptrun statically: no
/// dynamic loader and no shared library is mapped and relocated at every start.
/// The tests are built with the same flags as the binary, so the `crt-static`
/// target feature tells which build this is.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu", target_feature = "crt-static"))]
fn the_static_build_maps_no_shared_library() {
    let libraries = libraries_promptrun_maps();
    assert!(libraries.is_empty(), "shared objects: {libraries:?}");
}

/// A dynamic build still provides the C `log` and `pow` its dependencies call
/// itself (`src/startup.rs`), so libm.so is not loaded and relocated at every
/// start. This runs the debug binary, which stands for the release one here: the
/// libraries a binary needs follow from the C symbols its code refers to, and a
/// debug build refers to all that the release build does (optimisation and LTO
/// only drop calls); check by hand after a toolchain update with
/// `readelf -d target/*/release/promptrun | grep NEEDED`.
#[test]
#[cfg(not(all(target_os = "linux", target_env = "gnu", target_feature = "crt-static")))]
fn libm_is_not_loaded() {
    let libraries = libraries_promptrun_maps();
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

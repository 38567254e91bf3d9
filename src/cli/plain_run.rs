//! The everyday command line, `promptrun [OPTIONS] <PROMPT> [OPTIONS] [-- CMD...]`,
//! read without building clap's command tree.
//!
//! promptrun sits in front of every prompt, so its start-up time is paid on every
//! run. Building clap's tree of subcommands and flags costs more than the rest of
//! the run's own work (hundreds of allocations and code pages touched), so a plain
//! run is read here, and everything else (help, version, subcommands, short flags,
//! repeated or malformed options, anything unusual) is left to clap, which also
//! words every error. The two must agree on every command line read here; the
//! tests compare them on generated command lines.

use std::ffi::OsString;
use std::path::PathBuf;

use super::{Cli, GlobalArgs, RunArgs, parse_duration, parse_tag};

/// Names clap reads as a subcommand when they come first (`help` is clap's own).
const SUBCOMMANDS: &[&str] = &[
    "run",
    "prompts",
    "config",
    "rate",
    "completions",
    "report",
    "dashboard",
    "trends",
    "compare",
    "recommend",
    "help",
];

/// Reads `args` (without the program name) when it is a plain run with a prompt,
/// exactly as clap would; `None` means "let clap read it". `env` looks up the
/// variables behind `--config`, `--log-dir` and `--kill-grace`.
pub fn parse(args: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Option<Cli> {
    let mut global = GlobalArgs {
        config: None,
        log_dir: None,
    };
    let mut run = RunArgs {
        prompt: None,
        variant: None,
        tags: Vec::new(),
        timeout: None,
        kill_grace: None,
        stdin: false,
        dry_run: false,
        rate: false,
        no_rate: false,
        command: Vec::new(),
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let arg = arg.to_str()?;
        if arg == "--" {
            run.command = rest.cloned().collect();
            break;
        }
        let Some(long) = arg.strip_prefix("--") else {
            if arg.starts_with('-') || run.prompt.is_some() || SUBCOMMANDS.contains(&arg) {
                return None;
            }
            run.prompt = Some(arg.to_string());
            continue;
        };
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (long, None),
        };
        if let Some(flag) = flag(&mut run, name) {
            if inline.is_some() || *flag {
                return None;
            }
            *flag = true;
            continue;
        }
        let value = match inline {
            Some(value) => value,
            None => rest.next()?.to_str()?,
        };
        if value.is_empty() || value.starts_with('-') {
            return None;
        }
        match name {
            "config" => set_once(&mut global.config, PathBuf::from(value))?,
            "log-dir" => set_once(&mut global.log_dir, PathBuf::from(value))?,
            "variant" => set_once(&mut run.variant, value.to_string())?,
            "timeout" => set_once(&mut run.timeout, parse_duration(value).ok()?)?,
            "kill-grace" => set_once(&mut run.kill_grace, parse_duration(value).ok()?)?,
            "tag" => run.tags.push(parse_tag(value).ok()?),
            _ => return None,
        }
    }
    if run.prompt.is_none() || (run.rate && run.no_rate) {
        return None;
    }
    if global.config.is_none() {
        global.config = env("PROMPTRUN_CONFIG").map(PathBuf::from);
    }
    if global.log_dir.is_none() {
        global.log_dir = env("PROMPTRUN_LOG_DIR").map(PathBuf::from);
    }
    if run.kill_grace.is_none()
        && let Some(grace) = env("PROMPTRUN_KILL_GRACE")
    {
        run.kill_grace = Some(parse_duration(grace.to_str()?).ok()?);
    }
    Some(Cli {
        global,
        command: None,
        run,
    })
}

/// The boolean flag called `name`, if it is one.
fn flag<'a>(run: &'a mut RunArgs, name: &str) -> Option<&'a mut bool> {
    match name {
        "stdin" => Some(&mut run.stdin),
        "dry-run" => Some(&mut run.dry_run),
        "rate" => Some(&mut run.rate),
        "no-rate" => Some(&mut run.no_rate),
        _ => None,
    }
}

/// Stores an option's value; `None` when it was already given (clap's error).
fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use proptest::prelude::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn no_env(_: &str) -> Option<OsString> {
        None
    }

    /// What clap makes of the same command line, when it accepts it.
    fn clap_reads(args: &[OsString]) -> Option<String> {
        let argv = std::iter::once(OsString::from("promptrun")).chain(args.iter().cloned());
        Cli::try_parse_from(argv).ok().map(|cli| format!("{cli:?}"))
    }

    #[test]
    fn reads_the_everyday_forms() {
        let cli = parse(
            &os(&[
                "--config",
                "c.json",
                "summarize",
                "--tag",
                "ci=1",
                "--timeout=90s",
                "--no-rate",
                "--",
                "llm",
                "--",
                "-m",
            ]),
            no_env,
        )
        .expect("a plain run");
        assert_eq!(cli.run.prompt.as_deref(), Some("summarize"));
        assert_eq!(cli.global.config, Some(PathBuf::from("c.json")));
        assert_eq!(cli.run.tags, vec![("ci".to_string(), "1".to_string())]);
        assert_eq!(cli.run.timeout, Some(std::time::Duration::from_secs(90)));
        assert!(cli.run.no_rate && !cli.run.rate);
        assert_eq!(cli.run.command, os(&["llm", "--", "-m"]));
    }

    #[test]
    fn leaves_everything_unusual_to_clap() {
        for args in [
            &[][..],
            &["--help"],
            &["-h"],
            &["--version"],
            &["report"],
            &["help"],
            &["run", "x"],
            &["x", "y"],
            &["--variant", "a", "--variant", "b", "x"],
            &["--stdin", "--stdin", "x"],
            &["--stdin=yes", "x"],
            &["--rate", "--no-rate", "x"],
            &["--timeout", "soon", "x"],
            &["--tag", "novalue", "x"],
            &["--variant", "--", "x"],
            &["--unknown", "x"],
            &["-", "x"],
            &["--", "true"],
        ] {
            assert!(parse(&os(args), no_env).is_none(), "{args:?}");
        }
    }

    #[test]
    fn the_environment_fills_what_the_flags_leave() {
        let env = |name: &str| match name {
            "PROMPTRUN_CONFIG" => Some(OsString::from("env.json")),
            "PROMPTRUN_KILL_GRACE" => Some(OsString::from("2s")),
            _ => None,
        };
        let cli = parse(&os(&["x", "--", "true"]), env).expect("a plain run");
        assert_eq!(cli.global.config, Some(PathBuf::from("env.json")));
        assert_eq!(cli.global.log_dir, None);
        assert_eq!(cli.run.kill_grace, Some(std::time::Duration::from_secs(2)));
        let cli = parse(&os(&["--config", "flag.json", "x"]), env).expect("a plain run");
        assert_eq!(cli.global.config, Some(PathBuf::from("flag.json")));
        let bad_grace = |name: &str| (name == "PROMPTRUN_KILL_GRACE").then(|| "later".into());
        assert!(parse(&os(&["x"]), bad_grace).is_none());
    }

    /// Command-line words that exercise the parser: options of every kind, with and
    /// without values, subcommand names, stray dashes and separators.
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("--".to_string()),
            Just("--stdin".to_string()),
            Just("--dry-run".to_string()),
            Just("--rate".to_string()),
            Just("--no-rate".to_string()),
            Just("--config".to_string()),
            Just("--log-dir".to_string()),
            Just("--variant".to_string()),
            Just("--tag".to_string()),
            Just("--timeout".to_string()),
            Just("--kill-grace".to_string()),
            Just("--help".to_string()),
            Just("-V".to_string()),
            Just("-".to_string()),
            Just("k=v".to_string()),
            Just("=v".to_string()),
            Just("5s".to_string()),
            Just("1h30m".to_string()),
            Just(String::new()),
            prop::sample::select(SUBCOMMANDS).prop_map(str::to_string),
            "(--(config|variant|tag|timeout|stdin|rate)=)?[a-z0-9=.]{0,6}",
            "-[a-z-]{1,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever this parser accepts, clap accepts too, with the same meaning.
        /// Both read the real environment, as they do in the binary.
        #[test]
        fn agrees_with_clap(words in prop::collection::vec(word(), 0..8)) {
            let args: Vec<OsString> = words.iter().map(OsString::from).collect();
            if let Some(cli) = parse(&args, real_env) {
                prop_assert_eq!(Some(format!("{cli:?}")), clap_reads(&args), "{:?}", words);
            }
        }
    }

    fn real_env(name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }

    #[test]
    fn reads_plain_runs_as_clap_does() {
        for args in [
            &["x"][..],
            &["x", "--"],
            &["", "--", "true"],
            &["--dry-run", "x", "--stdin", "--rate"],
            &[
                "x",
                "--log-dir",
                "logs",
                "--variant=b",
                "--tag",
                "a=b=c",
                "--tag=k=",
            ],
            &[
                "--kill-grace",
                "250ms",
                "x",
                "--timeout",
                "0",
                "--",
                "--help",
            ],
            &["x", "--config=c.json", "--", "--", "-V"],
        ] {
            let args = os(args);
            let cli = parse(&args, real_env).unwrap_or_else(|| panic!("{args:?} is a plain run"));
            assert_eq!(Some(format!("{cli:?}")), clap_reads(&args), "{args:?}");
        }
    }
}

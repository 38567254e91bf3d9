//! The everyday command lines, `promptrun [OPTIONS] <PROMPT> [OPTIONS] [-- CMD...]`
//! and `promptrun run [OPTIONS] <PROMPT> …` (what `examples/run-prompt.sh` calls),
//! read without building clap's command tree.
//!
//! promptrun sits in front of every prompt, so its start-up time is paid on every
//! run. Building clap's tree of subcommands and flags costs more than the rest of
//! the run's own work (hundreds of allocations and code pages touched), so a plain
//! run is read here, and everything else (help, version, subcommands, short flags,
//! repeated or malformed options, anything unusual) is left to clap, which also
//! words every error. The two must agree on every command line read here; the
//! tests compare them on generated command lines, and check that this parser
//! knows every subcommand name and every variable clap reads for a run.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::{Cli, Command, GlobalArgs, RunArgs, parse_duration, parse_tag};

/// Names clap reads as a subcommand when they come first (`help` is clap's own).
/// A test checks that every subcommand and alias clap knows is here. A name here
/// that clap does not know (yet) costs only the fast path for a prompt of that
/// name: clap then reads it as the prompt. `trends` is here ahead of its subcommand.
const SUBCOMMANDS: &[&str] = &[
    "run",
    "prompts",
    "config",
    "rate",
    "completions",
    "report",
    "dashboard",
    "trends",
    "merge",
    "purge",
    "export",
    "compare",
    "recommend",
    "__complete-prompts",
    "help",
];

/// Reads `args` (without the program name) when it is a plain run with a prompt,
/// exactly as clap would; `None` means "let clap read it". `env` looks up the
/// variables behind `--config`, `--log-dir` and `--kill-grace`.
pub fn parse(args: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Option<Cli> {
    // `run` first is the explicit form, where the prompt may be named like a subcommand.
    let (explicit, args) = match args.split_first() {
        Some((first, rest)) if first == "run" => (true, rest),
        _ => (false, args),
    };
    let mut global = GlobalArgs {
        config: None,
        log_dir: None,
    };
    let mut run = RunArgs::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let arg = arg.to_str()?;
        if arg == "--" {
            run.command = rest.cloned().collect();
            break;
        }
        let Some(long) = arg.strip_prefix("--") else {
            let subcommand = !explicit && SUBCOMMANDS.contains(&arg);
            if arg.starts_with('-') || run.prompt.is_some() || subcommand {
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
            "model" => set_once(&mut run.model, value.to_string())?,
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
    // Clap reads the variable for the top level's run options even when the
    // `run` subcommand is used, and for the run's own unless `--kill-grace` is given.
    let env_grace = if explicit || run.kill_grace.is_none() {
        env_grace(&env)?
    } else {
        None
    };
    run.kill_grace = run.kill_grace.or(env_grace);
    if !explicit {
        return Some(Cli {
            global,
            command: None,
            run,
        });
    }
    Some(Cli {
        global,
        command: Some(Command::Run(run)),
        run: RunArgs {
            kill_grace: env_grace,
            ..RunArgs::default()
        },
    })
}

/// `PROMPTRUN_KILL_GRACE`: `Some(None)` when unset, `None` when it is not a
/// duration (clap words that error).
fn env_grace(env: &impl Fn(&str) -> Option<OsString>) -> Option<Option<Duration>> {
    match env("PROMPTRUN_KILL_GRACE") {
        None => Some(None),
        Some(value) => parse_duration(value.to_str()?).ok().map(Some),
    }
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
    use clap::{CommandFactory, Parser};
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
            &["run"],
            &["run", "--help"],
            &["run", "x", "y"],
            &["--config", "c.json", "run", "x"],
            &["x", "run"],
            &["x", "y"],
            &["--variant", "a", "--variant", "b", "x"],
            &["--model", "a", "x", "--model", "b"],
            &["--model", "-m", "x"],
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
            Just("--model".to_string()),
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
            "(--(config|variant|model|tag|timeout|stdin|rate)=)?[a-z0-9=.]{0,6}",
            "-[a-z-]{1,8}",
        ]
    }

    /// The long options of a run, each as the words that give it (`--name value`,
    /// `--name=value`, or a bare flag), with values of the kinds each one takes.
    fn options() -> Vec<BoxedStrategy<Vec<String>>> {
        let value = |name: &'static str, value: BoxedStrategy<String>| {
            (value, any::<bool>())
                .prop_map(move |(value, inline)| match inline {
                    true => vec![format!("--{name}={value}")],
                    false => vec![format!("--{name}"), value],
                })
                .boxed()
        };
        let text = || "[a-z0-9._/]{1,6}".boxed();
        let tag = || "[a-z]{1,3}=[a-z0-9=]{0,3}".boxed();
        let duration = || {
            prop_oneof![
                Just("0".to_string()),
                Just("1.5".to_string()),
                Just("1h30m".to_string()),
                "[0-9]{1,3}(ms|s|m|h)?",
            ]
            .boxed()
        };
        let flags = ["stdin", "dry-run", "rate", "no-rate"]
            .map(|flag| Just(vec![format!("--{flag}")]).boxed());
        flags
            .into_iter()
            .chain([
                value("config", text()),
                value("log-dir", text()),
                value("variant", text()),
                value("tag", tag()),
                value("tag", tag()),
                value("timeout", duration()),
                value("kill-grace", duration()),
            ])
            .collect()
    }

    /// A plain run as people type it: `run` or not, some options (each kind at most
    /// once, in any order, before or after the prompt), the prompt, and maybe
    /// `-- CMD...`. Most of these are read by the fast parser.
    fn plain_run() -> impl Strategy<Value = Vec<String>> {
        let count = options().len();
        let chosen =
            prop::sample::subsequence((0..count).collect::<Vec<_>>(), 0..=5).prop_shuffle();
        let prompt = prop_oneof![
            8 => "[a-z][a-z0-9-]{0,6}",
            1 => Just(String::new()),
            1 => prop::sample::select(SUBCOMMANDS).prop_map(str::to_string),
        ];
        let command = proptest::option::of(prop::collection::vec(
            prop_oneof!["[a-z]{1,5}", word()],
            0..4,
        ));
        (
            prop::bool::weighted(0.3),
            options(),
            chosen,
            any::<prop::sample::Index>(),
            prompt,
            command,
        )
            .prop_map(|(explicit, options, chosen, split, prompt, command)| {
                let before = split.index(chosen.len() + 1);
                let mut words: Vec<String> =
                    explicit.then(|| "run".to_string()).into_iter().collect();
                for (n, &option) in chosen.iter().enumerate() {
                    if n == before {
                        words.push(prompt.clone());
                    }
                    words.extend(options[option].iter().cloned());
                }
                if before == chosen.len() {
                    words.push(prompt);
                }
                if let Some(command) = command {
                    words.push("--".to_string());
                    words.extend(command);
                }
                words
            })
    }

    /// The command lines the differential test draws: mostly plain runs, some with
    /// one stray word put in, and some any words at all.
    fn command_line() -> impl Strategy<Value = Vec<String>> {
        prop_oneof![
            7 => plain_run(),
            2 => (plain_run(), any::<prop::sample::Index>(), word()).prop_map(
                |(mut words, at, word)| {
                    words.insert(at.index(words.len() + 1), word);
                    words
                }
            ),
            1 => prop::collection::vec(word(), 0..8),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever this parser accepts, clap accepts too, with the same meaning.
        /// Both read the real environment, as they do in the binary.
        #[test]
        fn agrees_with_clap(words in command_line()) {
            let args: Vec<OsString> = words.iter().map(OsString::from).collect();
            if let Some(cli) = parse(&args, real_env) {
                prop_assert_eq!(Some(format!("{cli:?}")), clap_reads(&args), "{:?}", words);
            }
        }
    }

    /// The differential test compares only the command lines this parser accepts,
    /// so most of what it draws must be ones it accepts, or it checks little.
    #[test]
    fn most_generated_command_lines_reach_the_comparison() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = command_line();
        let cases = 4000;
        let accepted = (0..cases)
            .filter(|_| {
                let words = strategy.new_tree(&mut runner).unwrap().current();
                let args: Vec<OsString> = words.iter().map(OsString::from).collect();
                parse(&args, no_env).is_some()
            })
            .count();
        println!("{accepted} of {cases} generated command lines are plain runs");
        assert!(
            accepted * 2 > cases,
            "only {accepted} of {cases} generated command lines are plain runs"
        );
    }

    /// Every name clap reads as a subcommand, or as its alias, is one this parser
    /// leaves to clap; else `promptrun NAME` would run a prompt called NAME.
    #[test]
    fn knows_every_subcommand_clap_knows() {
        let mut command = Cli::command();
        command.build();
        let names: Vec<&str> = command
            .get_subcommands()
            .flat_map(|sub| std::iter::once(sub.get_name()).chain(sub.get_all_aliases()))
            .collect();
        assert!(
            names.contains(&"run") && names.contains(&"help"),
            "{names:?}"
        );
        for name in names {
            assert!(
                SUBCOMMANDS.contains(&name),
                "`{name}` is missing from SUBCOMMANDS"
            );
        }
    }

    /// Every variable clap reads for a run (`env = ...` on the top level's options,
    /// and on the `run` subcommand's) is one this parser reads too.
    #[test]
    fn reads_every_variable_clap_reads_for_a_run() {
        let mut command = Cli::command();
        command.build();
        let run = command.find_subcommand("run").expect("a run subcommand");
        let variables = |command: &clap::Command| -> Vec<String> {
            command
                .get_arguments()
                .filter_map(|arg| arg.get_env())
                .map(|name| name.to_string_lossy().into_owned())
                .collect()
        };
        for (args, wanted) in [
            (&["x"][..], variables(&command)),
            (
                &["run", "x"],
                [variables(&command), variables(run)].concat(),
            ),
        ] {
            assert!(!wanted.is_empty(), "{args:?}");
            let asked = std::cell::RefCell::new(Vec::new());
            let recorded = |name: &str| {
                asked.borrow_mut().push(name.to_string());
                None
            };
            parse(&os(args), recorded).expect("a plain run");
            let asked = asked.into_inner();
            for name in wanted {
                assert!(
                    asked.contains(&name),
                    "{args:?}: {name} is not read: {asked:?}"
                );
            }
        }
    }

    #[test]
    fn the_run_subcommand_reads_the_kill_grace_variable_twice_as_clap_does() {
        let env = |name: &str| (name == "PROMPTRUN_KILL_GRACE").then(|| "2s".into());
        let cli = parse(&os(&["run", "x", "--kill-grace", "1s"]), env).expect("a plain run");
        let Some(Command::Run(run)) = &cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!(run.kill_grace, Some(Duration::from_secs(1)));
        assert_eq!(cli.run.kill_grace, Some(Duration::from_secs(2)));
        assert_eq!(cli.run.prompt, None);
        let bad_grace = |name: &str| (name == "PROMPTRUN_KILL_GRACE").then(|| "later".into());
        assert!(parse(&os(&["run", "x", "--kill-grace", "1s"]), bad_grace).is_none());
        assert!(parse(&os(&["x", "--kill-grace", "1s"]), bad_grace).is_some());
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
            &["--model", "gpt-4o", "x", "--", "llm", "-m", "{model}"],
            &["x", "--model=claude-sonnet-4"],
            &["run", "x"],
            &["run", "report", "--", "./ask.sh", "--model", "small"],
            &["run", "help", "--dry-run"],
            &["run", "--tag", "a=b", "run", "--config=c.json"],
        ] {
            let args = os(args);
            let cli = parse(&args, real_env).unwrap_or_else(|| panic!("{args:?} is a plain run"));
            assert_eq!(Some(format!("{cli:?}")), clap_reads(&args), "{args:?}");
        }
    }
}

//! Whether to ask for a rating after a run: a pure decision over the situation,
//! so every rule is tested without a terminal.
//!
//! The hard rules come first and nothing overrides them: no question without a
//! terminal on stdin and stderr, in CI, with `--no-rate` or with PROMPTRUN_RATE=never.
//! `--rate` then forces the question; otherwise PROMPTRUN_RATE, else the config's
//! `ask`, and `sample_rate` decide.

use crate::config::feedback::{AskPolicy, FeedbackSettings};
use crate::record::event::RunStatus;

/// What `--rate` / `--no-rate` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateFlag {
    /// `--rate`: ask on a terminal whatever the config says.
    Force,
    /// `--no-rate`: never ask.
    Never,
    /// Neither flag.
    Default,
}

/// Everything the decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct Situation {
    /// `--rate` / `--no-rate`.
    pub flag: RateFlag,
    /// PROMPTRUN_RATE, parsed.
    pub env_policy: Option<AskPolicy>,
    /// CI is set.
    pub ci: bool,
    /// stdin and stderr are terminals and promptrun is in the terminal's foreground.
    pub terminal: bool,
    /// Events are being written (a rating could be recorded).
    pub logging: bool,
    /// How the run ended.
    pub status: RunStatus,
    /// This run's draw in [0, 1), compared with `sample_rate`.
    pub draw: f64,
    /// Keys were typed while the command ran (the next command, most likely).
    pub typed_ahead: bool,
    /// This prompt was asked about within the cooldown.
    pub recently_asked: bool,
}

/// Why no question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `--no-rate`.
    NoRateFlag,
    /// PROMPTRUN_RATE=never.
    EnvNever,
    /// stdin or stderr is not a terminal, or promptrun is not in the foreground.
    NotATerminal,
    /// CI is set.
    Ci,
    /// No events are written, so a rating could not be recorded.
    LoggingOff,
    /// The command could not be started.
    NothingRan,
    /// The command was ended by a signal (and `--rate` was not given).
    Interrupted,
    /// `ask` is "never" (config or PROMPTRUN_RATE).
    ConfigNever,
    /// This run is outside the `sample_rate` share.
    NotSampled,
    /// Keys were typed during the run: they belong to the shell, not to a question.
    TypedAhead,
    /// The prompt was asked about within `feedback.cooldown`.
    CoolingDown,
}

impl Skip {
    /// Why `--rate` could not ask, for a rule that overrides it; `None` for the
    /// reasons that need no explanation (the command did not start).
    pub fn explain(self) -> Option<&'static str> {
        match self {
            Skip::EnvNever => Some("PROMPTRUN_RATE=never"),
            Skip::NotATerminal => {
                Some("stdin or stderr is not a terminal (or promptrun runs in the background)")
            }
            Skip::Ci => Some("CI is set"),
            Skip::LoggingOff => Some("logging is off, so a rating could not be recorded"),
            Skip::TypedAhead => Some("keys were typed during the run; they are left for the shell"),
            _ => None,
        }
    }
}

/// Ask (`Ok`) or not, and why not.
pub fn decide(situation: &Situation, settings: &FeedbackSettings) -> Result<(), Skip> {
    let forced = situation.flag == RateFlag::Force;
    if situation.flag == RateFlag::Never {
        return Err(Skip::NoRateFlag);
    }
    if situation.env_policy == Some(AskPolicy::Never) {
        return Err(Skip::EnvNever);
    }
    if !situation.terminal {
        return Err(Skip::NotATerminal);
    }
    if situation.ci {
        return Err(Skip::Ci);
    }
    if !situation.logging {
        return Err(Skip::LoggingOff);
    }
    if situation.typed_ahead {
        return Err(Skip::TypedAhead);
    }
    match situation.status {
        RunStatus::SpawnFailed => return Err(Skip::NothingRan),
        RunStatus::Signal if !forced => return Err(Skip::Interrupted),
        _ => {}
    }
    if forced {
        return Ok(());
    }
    match situation.env_policy.unwrap_or(settings.ask) {
        AskPolicy::Never => Err(Skip::ConfigNever),
        AskPolicy::Always => Ok(()),
        AskPolicy::Tty if situation.draw >= settings.sample_rate => Err(Skip::NotSampled),
        AskPolicy::Tty if situation.recently_asked => Err(Skip::CoolingDown),
        AskPolicy::Tty => Ok(()),
    }
}

/// PROMPTRUN_RATE: "never" (or 0/false/off/no), "tty", "always"; anything else is an error message.
pub fn parse_env_policy(value: &str) -> Result<AskPolicy, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "never" | "0" | "false" | "off" | "no" => Ok(AskPolicy::Never),
        other => AskPolicy::parse(other).ok_or_else(|| {
            format!("PROMPTRUN_RATE=\"{value}\" is not \"never\", \"tty\" or \"always\"; ignored")
        }),
    }
}

/// True when the CI variable says this is a CI job (set, and not "", "0" or "false").
pub fn ci_from_env() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false"))
}

/// A number in [0, 1) taken from the random bits of a UUID v7 run id, so that
/// sampling needs no random generator and is reproducible for a run. The last
/// 32 bits are used: the bits before them may hold a counter.
pub fn draw_from_run_id(run_id: &str) -> f64 {
    let random_bits = uuid::Uuid::parse_str(run_id)
        .map(|id| {
            let bytes = id.as_bytes();
            bytes[12..16]
                .iter()
                .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte))
        })
        .unwrap_or(0);
    random_bits as f64 / (1u64 << 32) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn situation() -> Situation {
        Situation {
            flag: RateFlag::Default,
            env_policy: None,
            ci: false,
            terminal: true,
            logging: true,
            status: RunStatus::Ok,
            draw: 0.5,
            typed_ahead: false,
            recently_asked: false,
        }
    }

    fn settings(ask: AskPolicy, sample_rate: f64) -> FeedbackSettings {
        FeedbackSettings {
            ask,
            sample_rate,
            ..FeedbackSettings::default()
        }
    }

    #[test]
    fn asks_on_a_terminal_by_default() {
        assert_eq!(decide(&situation(), &FeedbackSettings::default()), Ok(()));
        let error = Situation {
            status: RunStatus::Error,
            ..situation()
        };
        assert_eq!(decide(&error, &FeedbackSettings::default()), Ok(()));
    }

    #[test]
    fn hard_rules_beat_rate_and_config() {
        let always = settings(AskPolicy::Always, 1.0);
        let cases = [
            (
                Situation {
                    flag: RateFlag::Never,
                    ..situation()
                },
                Skip::NoRateFlag,
            ),
            (
                Situation {
                    env_policy: Some(AskPolicy::Never),
                    flag: RateFlag::Force,
                    ..situation()
                },
                Skip::EnvNever,
            ),
            (
                Situation {
                    terminal: false,
                    flag: RateFlag::Force,
                    ..situation()
                },
                Skip::NotATerminal,
            ),
            (
                Situation {
                    ci: true,
                    flag: RateFlag::Force,
                    ..situation()
                },
                Skip::Ci,
            ),
            (
                Situation {
                    logging: false,
                    ..situation()
                },
                Skip::LoggingOff,
            ),
            (
                Situation {
                    status: RunStatus::SpawnFailed,
                    flag: RateFlag::Force,
                    ..situation()
                },
                Skip::NothingRan,
            ),
            (
                Situation {
                    status: RunStatus::Signal,
                    ..situation()
                },
                Skip::Interrupted,
            ),
        ];
        for (case, why) in cases {
            assert_eq!(decide(&case, &always), Err(why), "{case:?}");
        }
    }

    #[test]
    fn rate_forces_past_config_and_sampling() {
        let forced = Situation {
            flag: RateFlag::Force,
            status: RunStatus::Signal,
            ..situation()
        };
        assert_eq!(decide(&forced, &settings(AskPolicy::Never, 0.0)), Ok(()));
    }

    #[test]
    fn config_and_env_policies_and_sampling() {
        assert_eq!(
            decide(&situation(), &settings(AskPolicy::Never, 1.0)),
            Err(Skip::ConfigNever)
        );
        assert_eq!(
            decide(&situation(), &settings(AskPolicy::Tty, 0.4)),
            Err(Skip::NotSampled)
        );
        assert_eq!(decide(&situation(), &settings(AskPolicy::Tty, 0.6)), Ok(()));
        assert_eq!(
            decide(&situation(), &settings(AskPolicy::Always, 0.0)),
            Ok(())
        );
        let env_tty = Situation {
            env_policy: Some(AskPolicy::Tty),
            ..situation()
        };
        assert_eq!(decide(&env_tty, &settings(AskPolicy::Never, 1.0)), Ok(()));
    }

    #[test]
    fn typed_ahead_keys_and_the_cooldown_hold_the_question_back() {
        let typed = Situation {
            typed_ahead: true,
            ..situation()
        };
        let tty = settings(AskPolicy::Tty, 1.0);
        assert_eq!(decide(&typed, &tty), Err(Skip::TypedAhead));
        let forced = Situation {
            flag: RateFlag::Force,
            ..typed
        };
        assert_eq!(decide(&forced, &tty), Err(Skip::TypedAhead));
        let recent = Situation {
            recently_asked: true,
            ..situation()
        };
        assert_eq!(decide(&recent, &tty), Err(Skip::CoolingDown));
        // `always` and `--rate` mean every run: the cooldown does not apply.
        assert_eq!(decide(&recent, &settings(AskPolicy::Always, 1.0)), Ok(()));
        let forced_recent = Situation {
            flag: RateFlag::Force,
            ..recent
        };
        assert_eq!(decide(&forced_recent, &tty), Ok(()));
    }

    #[test]
    fn env_values_parse() {
        assert_eq!(parse_env_policy("never"), Ok(AskPolicy::Never));
        assert_eq!(parse_env_policy(" 0 "), Ok(AskPolicy::Never));
        assert_eq!(parse_env_policy("always"), Ok(AskPolicy::Always));
        assert!(parse_env_policy("sometimes").is_err());
    }

    #[test]
    fn draws_spread_over_zero_to_one() {
        let draws: Vec<f64> = (0..200)
            .map(|_| draw_from_run_id(&uuid::Uuid::now_v7().to_string()))
            .collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let low = draws.iter().filter(|d| **d < 0.5).count();
        assert!((40..160).contains(&low), "{low} of 200 below 0.5");
        assert_eq!(draw_from_run_id("not an id"), 0.0);
    }
}

//! The feedback event: a rating of one run, with the run's prompt, variant and
//! prompt version copied so that every line stands on its own.

use chrono::Utc;

use crate::record::event::{self, Feedback, SCHEMA_VERSION};

/// Where a rating came from (`source` in the event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Asked right after the run.
    Prompt,
    /// Given later with `promptrun rate`.
    Cli,
}

impl Source {
    /// The event's `source` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Prompt => "prompt",
            Source::Cli => "cli",
        }
    }
}

/// The run a rating is for: what the feedback event copies from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedRun {
    /// The run's id.
    pub run_id: String,
    /// Its resolved prompt name.
    pub prompt: String,
    /// Its variant, if any.
    pub variant: Option<String>,
    /// Its prompt's version, if known.
    pub prompt_sha256: Option<String>,
}

/// A rating from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating(u8);

impl Rating {
    /// `Some` for 1 to 5.
    pub fn new(value: u8) -> Option<Self> {
        (1..=5).contains(&value).then_some(Rating(value))
    }

    /// Parses a rating typed on the command line, with a message for anything but 1-5.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<u8>()
            .ok()
            .and_then(Rating::new)
            .ok_or_else(|| format!("the rating must be a whole number from 1 to 5, got `{text}`"))
    }

    /// The number.
    pub fn value(self) -> u8 {
        self.0
    }
}

/// The feedback event for `run`, timestamped now. `user` is the rater's salted hash.
pub fn feedback_event(
    run: &RatedRun,
    rating: Rating,
    comment: Option<String>,
    source: Source,
    user: String,
) -> Feedback {
    Feedback {
        v: SCHEMA_VERSION,
        kind: "feedback",
        ts: event::timestamp(Utc::now()),
        run_id: run.run_id.clone(),
        prompt: run.prompt.clone(),
        variant: run.variant.clone(),
        prompt_sha256: run.prompt_sha256.clone(),
        rating: rating.value(),
        comment,
        source: source.as_str(),
        user,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_to_five_are_ratings() {
        assert_eq!(Rating::parse("1").map(Rating::value), Ok(1));
        assert_eq!(Rating::parse(" 5 ").map(Rating::value), Ok(5));
        for bad in ["0", "6", "-1", "4.5", "five", "", "256"] {
            assert!(Rating::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_event_copies_the_run() {
        let run = RatedRun {
            run_id: "0192f3a1-0000-7000-8000-000000000000".into(),
            prompt: "summarize".into(),
            variant: Some("b".into()),
            prompt_sha256: Some("ab".repeat(32)),
        };
        let event = feedback_event(&run, Rating(2), None, Source::Cli, "u".into());
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "feedback");
        assert_eq!(json["variant"], "b");
        assert_eq!(json["prompt_sha256"], "ab".repeat(32));
        assert_eq!(json["comment"], serde_json::Value::Null);
        assert_eq!(json["source"], "cli");
    }
}

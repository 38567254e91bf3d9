//! The `feedback` section of the router config: when to ask for a rating.

use serde::Deserialize;

use super::locate::Segment;
use super::validate::Problem;

/// Settings for the rating question after a run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FeedbackConfig {}

/// Problems in the `feedback` section.
pub fn check(_config: &FeedbackConfig) -> Vec<Problem> {
    let _: Option<Segment> = None;
    Vec::new()
}

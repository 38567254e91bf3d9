//! The `alerts` section of the router config: thresholds for `report --check`.

use serde::Deserialize;

use super::locate::Segment;
use super::validate::Problem;

/// Alert rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AlertsConfig {}

/// Problems in the `alerts` section.
pub fn check(_config: &AlertsConfig) -> Vec<Problem> {
    let _: Option<Segment> = None;
    Vec::new()
}

//! The verdict's settings and defaults, and the "is that more than a month of
//! ratings" helpers.

use super::Guardrails;

/// The metric a verdict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Mean star rating, 1 to 5.
    Rating,
    /// Share of successful runs.
    Success,
}

/// Which metric decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Primary {
    /// Rating once both arms have `min_rated` rated runs, success before.
    Auto,
    /// Always the rating.
    Rating,
    /// Always success.
    Success,
}

/// Settings of [`super::compare`]. `Default` gives the documented defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerdictConfig {
    /// Which metric decides (Auto).
    pub primary: Primary,
    /// Chance of ever declaring a false winner, over all looks (0.05).
    pub alpha: f64,
    /// Observations, both arms together, where the interval is tightest (800).
    pub target_n: f64,
    /// Rated runs per arm before the rating decides (10).
    pub min_rated: u64,
    /// Runs per arm before success decides (10).
    pub min_runs: u64,
    /// Rating differences within ± this are no difference (0.1★).
    pub margin_rating: f64,
    /// Success differences within ± this are no difference (0.02).
    pub margin_success: f64,
    /// Rating difference the sample size is planned for (0.3★).
    pub effect_rating: f64,
    /// Success difference the sample size is planned for (0.05).
    pub effect_success: f64,
    /// Power the sample size is planned for (0.8).
    pub power: f64,
    /// Latency, success and cost limits on a winner.
    pub guardrails: Guardrails,
}

impl Default for VerdictConfig {
    fn default() -> Self {
        VerdictConfig {
            primary: Primary::Auto,
            alpha: 0.05,
            target_n: 800.0,
            min_rated: 10,
            min_runs: 10,
            margin_rating: 0.1,
            margin_success: 0.02,
            effect_rating: 0.3,
            effect_success: 0.05,
            power: 0.8,
            guardrails: Guardrails::default(),
        }
    }
}

impl VerdictConfig {
    /// α kept inside (0, 0.5]; a non-finite α reads as 0.05.
    pub fn alpha(&self) -> f64 {
        if self.alpha.is_finite() {
            self.alpha.clamp(1e-9, 0.5)
        } else {
            0.05
        }
    }

    /// The metric in force when the less-rated arm has `rated` rated runs.
    pub fn metric_for(&self, rated: u64) -> Metric {
        match self.primary {
            Primary::Rating => Metric::Rating,
            Primary::Success => Metric::Success,
            Primary::Auto if rated >= self.min_rated => Metric::Rating,
            Primary::Auto => Metric::Success,
        }
    }
}

/// Days until `more_per_arm` more rated runs reach each of `arms` arms at
/// `rated_per_day` rated runs a day (the prompt's historical rate, all arms
/// together). None when nothing is rated.
pub fn days_needed(more_per_arm: u64, arms: u64, rated_per_day: f64) -> Option<f64> {
    (rated_per_day > 0.0 && rated_per_day.is_finite())
        .then(|| more_per_arm as f64 * arms as f64 / rated_per_day)
}

/// Whether the runs still needed take more than a month (30 days) of ratings
/// at the historical rate; true when there are no ratings at all.
pub fn exceeds_month(more_per_arm: u64, arms: u64, rated_per_day: f64) -> bool {
    days_needed(more_per_arm, arms, rated_per_day).is_none_or(|d| d > 30.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_month() {
        let c = VerdictConfig::default();
        assert_eq!(c.metric_for(9), Metric::Success);
        assert_eq!(c.metric_for(10), Metric::Rating);
        assert_eq!(
            VerdictConfig {
                alpha: f64::NAN,
                ..c
            }
            .alpha(),
            0.05
        );
        assert_eq!(days_needed(300, 2, 20.0), Some(30.0));
        assert!(!exceeds_month(300, 2, 20.0));
        assert!(exceeds_month(301, 2, 20.0));
        assert!(exceeds_month(1, 2, 0.0));
    }
}

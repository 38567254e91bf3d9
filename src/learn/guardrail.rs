//! Guardrails: a winner on the primary metric is still refused when it is much
//! slower, fails more often, or costs more than the arm it beats. They are
//! point-estimate checks on purpose: they can only stop a verdict, never make
//! one, so they cannot add false winners.

use super::arm::ArmStats;
use super::success;

/// Which side of a two-arm comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The first arm (the baseline).
    A,
    /// The second arm (the challenger).
    B,
}

/// Limits a winner must respect against the other arm; None switches one off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guardrails {
    /// Largest allowed ratio of geometric-mean latencies, winner / other.
    pub max_latency_ratio: Option<f64>,
    /// Largest allowed drop in success probability, other − winner.
    pub max_success_drop: Option<f64>,
    /// Largest allowed ratio of mean cost per run, winner / other.
    pub max_cost_ratio: Option<f64>,
}

impl Default for Guardrails {
    /// At most 25% slower, 5 points less successful, 25% dearer.
    fn default() -> Self {
        Guardrails {
            max_latency_ratio: Some(1.25),
            max_success_drop: Some(0.05),
            max_cost_ratio: Some(1.25),
        }
    }
}

/// The guardrail that refused a winner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Veto {
    /// Too slow.
    Latency,
    /// Fails too often.
    Success,
    /// Too expensive.
    Cost,
}

/// The guardrail measurements, always as B against A.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GuardrailReport {
    /// Geometric-mean latency of B / that of A; None until both have durations.
    pub latency_ratio: Option<f64>,
    /// Posterior success probability of B − that of A.
    pub success_diff: f64,
    /// Mean cost of B / that of A; None until both have a positive cost.
    pub cost_ratio: Option<f64>,
}

impl GuardrailReport {
    /// Measures B against A from their totals.
    pub fn measure(a: &ArmStats, b: &ArmStats) -> Self {
        let ratio = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) if x > 0.0 && y > 0.0 => Some(y / x),
            _ => None,
        };
        GuardrailReport {
            latency_ratio: ratio(a.geo_mean_ms(), b.geo_mean_ms()),
            success_diff: success::posterior_mean(b.ok, b.runs)
                - success::posterior_mean(a.ok, a.runs),
            cost_ratio: ratio(a.mean_cost(), b.mean_cost()),
        }
    }

    /// The first guardrail `winner` breaks, if any.
    pub fn veto(&self, winner: Side, limits: &Guardrails) -> Option<Veto> {
        let (latency, drop, cost) = match winner {
            Side::B => (self.latency_ratio, -self.success_diff, self.cost_ratio),
            Side::A => (
                self.latency_ratio.map(|r| 1.0 / r),
                self.success_diff,
                self.cost_ratio.map(|r| 1.0 / r),
            ),
        };
        let over = |value: Option<f64>, limit: Option<f64>| matches!((value, limit), (Some(v), Some(l)) if v > l);
        if over(latency, limits.max_latency_ratio) {
            Some(Veto::Latency)
        } else if over(Some(drop), limits.max_success_drop) {
            Some(Veto::Success)
        } else if over(cost, limits.max_cost_ratio) {
            Some(Veto::Cost)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(ok: u64, runs: u64, ms: f64, cost: f64) -> ArmStats {
        let mut s = ArmStats::default();
        for i in 0..runs {
            s.add_run(i < ok, Some(ms), Some(cost), None);
        }
        s
    }

    #[test]
    fn vetoes_look_from_the_winner_side() {
        let a = arm(80, 100, 100.0, 1.0);
        let slow_b = arm(80, 100, 130.0, 1.0);
        let r = GuardrailReport::measure(&a, &slow_b);
        assert!((r.latency_ratio.unwrap_or(0.0) - 1.3).abs() < 1e-9);
        assert_eq!(r.veto(Side::B, &Guardrails::default()), Some(Veto::Latency));
        assert_eq!(r.veto(Side::A, &Guardrails::default()), None);
        let off = Guardrails {
            max_latency_ratio: None,
            ..Guardrails::default()
        };
        assert_eq!(r.veto(Side::B, &off), None);
        let failing_b = arm(70, 100, 100.0, 1.0);
        let r = GuardrailReport::measure(&a, &failing_b);
        assert_eq!(r.veto(Side::B, &Guardrails::default()), Some(Veto::Success));
        let dear_a = arm(80, 100, 100.0, 2.0);
        let r = GuardrailReport::measure(&dear_a, &a);
        assert_eq!(r.veto(Side::A, &Guardrails::default()), Some(Veto::Cost));
        let free = GuardrailReport::measure(&arm(1, 1, 1.0, 0.0), &a);
        assert_eq!(free.cost_ratio, None);
    }
}

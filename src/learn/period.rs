//! Periods of constant allocation. When the traffic split changes while the
//! ratings drift, pooling all runs compares arms at different times (Simpson's
//! paradox); keeping one accumulator per arm per period lets the verdict compare
//! arms within each period and only then combine.

use super::arm::ArmStats;

/// One stretch of time during which the traffic split stayed the same.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Period {
    /// The share of runs each arm was given (as configured; need not sum to 1).
    pub shares: Vec<f64>,
    /// One accumulator per arm, in the same order as `shares`.
    pub arms: Vec<ArmStats>,
}

impl Period {
    /// An empty period with these shares, one accumulator per share.
    pub fn new(shares: &[f64]) -> Self {
        Period {
            shares: shares.to_vec(),
            arms: vec![ArmStats::default(); shares.len()],
        }
    }
}

/// The periods of one experiment, oldest first. A new period starts whenever
/// [`History::set_allocation`] is given a split different from the current one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    periods: Vec<Period>,
}

impl History {
    /// A history with one open period at `shares`.
    pub fn new(shares: &[f64]) -> Self {
        History {
            periods: vec![Period::new(shares)],
        }
    }

    /// Starts a new period if `shares` differs from the open period's split.
    /// Returns whether it did.
    pub fn set_allocation(&mut self, shares: &[f64]) -> bool {
        if self.periods.last().is_some_and(|p| p.shares == shares) {
            return false;
        }
        self.periods.push(Period::new(shares));
        true
    }

    /// The accumulator of arm `arm` in the open period, None for an unknown arm.
    pub fn arm_mut(&mut self, arm: usize) -> Option<&mut ArmStats> {
        self.periods.last_mut().and_then(|p| p.arms.get_mut(arm))
    }

    /// All periods, oldest first.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// Arm `arm` summed over every period (empty for an unknown arm).
    pub fn total(&self, arm: usize) -> ArmStats {
        total(&self.periods, arm)
    }
}

/// Arm `arm` summed over `periods` (empty for an unknown arm).
pub fn total(periods: &[Period], arm: usize) -> ArmStats {
    let mut sum = ArmStats::default();
    for p in periods {
        if let Some(s) = p.arms.get(arm) {
            sum.merge(s);
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_split_opens_a_period() {
        let mut h = History::new(&[0.5, 0.5]);
        h.arm_mut(0).map(|s| s.add_rating(4));
        assert!(!h.set_allocation(&[0.5, 0.5]));
        assert!(h.set_allocation(&[0.2, 0.8]));
        h.arm_mut(0).map(|s| s.add_rating(2));
        h.arm_mut(1).map(|s| s.add_rating(5));
        assert!(h.arm_mut(2).is_none());
        assert_eq!(h.periods().len(), 2);
        assert_eq!(h.total(0).ratings, [0, 1, 0, 1, 0]);
        assert_eq!(h.total(1).rated, 1);
        assert_eq!(h.total(9).rated, 0);
    }
}

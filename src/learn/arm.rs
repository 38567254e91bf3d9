//! Running sums for one arm — one prompt, variant or prompt version — so every
//! estimate later is O(1) from counts, and arms or periods merge by addition.

/// Durations below this many milliseconds count as this (so ln stays finite).
const MIN_MS: f64 = 1e-3;

/// Accumulated runs and ratings of one arm.
///
/// Ratings are kept as counts per star, so means, variances and the Dirichlet
/// posterior all come from five numbers. Latency is kept as Σ ln(ms) for the
/// geometric mean, which a few very slow runs do not dominate.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArmStats {
    /// Runs recorded.
    pub runs: u64,
    /// Runs that succeeded.
    pub ok: u64,
    /// Runs that carry a rating (the sum of `ratings`).
    pub rated: u64,
    /// How many ratings of 1, 2, 3, 4 and 5 stars.
    pub ratings: [u64; 5],
    /// Runs with a usable duration.
    pub timed: u64,
    /// Σ ln(duration in ms) over the timed runs.
    pub ln_ms_sum: f64,
    /// Runs with a known cost.
    pub costed: u64,
    /// Σ cost over the costed runs.
    pub cost_sum: f64,
    /// Σ tokens over the runs that reported them.
    pub tokens: u64,
}

impl ArmStats {
    /// Records one run. A duration that is not finite or is negative, or a cost
    /// that is not finite, is left out of its sum (the run still counts).
    pub fn add_run(
        &mut self,
        ok: bool,
        duration_ms: Option<f64>,
        cost: Option<f64>,
        tokens: Option<u64>,
    ) {
        self.runs += 1;
        self.ok += u64::from(ok);
        if let Some(ms) = duration_ms.filter(|ms| ms.is_finite() && *ms >= 0.0) {
            self.timed += 1;
            self.ln_ms_sum += ms.max(MIN_MS).ln();
        }
        if let Some(c) = cost.filter(|c| c.is_finite()) {
            self.costed += 1;
            self.cost_sum += c;
        }
        self.tokens = self.tokens.saturating_add(tokens.unwrap_or(0));
    }

    /// Records a rating of `stars` (1 to 5). Returns false, recording nothing,
    /// for any other value.
    pub fn add_rating(&mut self, stars: u8) -> bool {
        match stars {
            1..=5 => {
                self.ratings[usize::from(stars - 1)] += 1;
                self.rated += 1;
                true
            }
            _ => false,
        }
    }

    /// Adds `other`'s sums to these (arms or periods combined).
    pub fn merge(&mut self, other: &ArmStats) {
        self.runs += other.runs;
        self.ok += other.ok;
        self.rated += other.rated;
        for (mine, theirs) in self.ratings.iter_mut().zip(other.ratings) {
            *mine += theirs;
        }
        self.timed += other.timed;
        self.ln_ms_sum += other.ln_ms_sum;
        self.costed += other.costed;
        self.cost_sum += other.cost_sum;
        self.tokens = self.tokens.saturating_add(other.tokens);
    }

    /// Runs that failed.
    pub fn failed(&self) -> u64 {
        self.runs.saturating_sub(self.ok)
    }

    /// Observed success share, None before the first run.
    pub fn success_rate(&self) -> Option<f64> {
        (self.runs > 0).then(|| self.ok as f64 / self.runs as f64)
    }

    /// Σ stars and Σ stars² over the ratings.
    pub fn rating_sums(&self) -> (f64, f64) {
        let mut sum = 0.0;
        let mut sq = 0.0;
        for (i, &c) in self.ratings.iter().enumerate() {
            let k = (i + 1) as f64;
            sum += k * c as f64;
            sq += k * k * c as f64;
        }
        (sum, sq)
    }

    /// Observed mean rating, None before the first rating.
    pub fn rating_mean(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.rating_sums().0 / self.rated as f64)
    }

    /// Geometric mean duration in ms, None before the first timed run.
    pub fn geo_mean_ms(&self) -> Option<f64> {
        (self.timed > 0).then(|| (self.ln_ms_sum / self.timed as f64).exp())
    }

    /// Mean cost per costed run, None before the first one.
    pub fn mean_cost(&self) -> Option<f64> {
        (self.costed > 0).then(|| self.cost_sum / self.costed as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_merge() {
        let mut a = ArmStats::default();
        a.add_run(true, Some(100.0), Some(0.5), Some(10));
        a.add_run(false, Some(400.0), None, None);
        a.add_run(true, Some(f64::NAN), Some(f64::INFINITY), Some(5));
        assert!(a.add_rating(5) && a.add_rating(3));
        assert!(!a.add_rating(0) && !a.add_rating(6));
        assert_eq!(
            (a.runs, a.ok, a.failed(), a.rated, a.timed, a.costed),
            (3, 2, 1, 2, 2, 1)
        );
        assert!((a.geo_mean_ms().unwrap_or(0.0) - 200.0).abs() < 1e-9);
        assert_eq!(a.rating_mean(), Some(4.0));
        assert_eq!(a.rating_sums(), (8.0, 34.0));
        let mut b = ArmStats::default();
        b.add_rating(1);
        b.add_run(true, Some(0.0), Some(1.5), Some(1));
        b.merge(&a);
        assert_eq!(
            (b.runs, b.ok, b.rated, b.ratings, b.tokens),
            (4, 3, 3, [1, 0, 1, 0, 1], 16)
        );
        assert_eq!(b.mean_cost(), Some(1.0));
        assert_eq!(ArmStats::default().rating_mean(), None);
        assert_eq!(ArmStats::default().success_rate(), None);
    }
}

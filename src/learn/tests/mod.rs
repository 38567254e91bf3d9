//! Monte-Carlo proofs of the verdict and the router: seeded, deterministic,
//! and each able to fail (every harness also runs a rule that must fail it).
//!
//! Truth throughout: arm A rates [.06, .10, .20, .34, .30] over 1..5 stars
//! (mean 3.72) and succeeds 80% of the time; a better B has its rating mass
//! moved up one star for a share λ of it ([`crate::learn::sim::shifted`]):
//! λ = 0.43 for +0.30★, λ = 0.83 for +0.58★, and succeeds 90% of the time.
//! 30% of runs are rated. Figures print with `--nocapture`.

mod aa;
mod bandit;
mod drift;
mod harness;
mod power;
mod verdict_cases;

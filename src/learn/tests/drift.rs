//! Drift: ratings fall for both arms over the experiment (the mean slides down
//! 0.94★ from first run to last, by moving mass one star down) while the split
//! goes from 20/80 in the first half to 80/20 in the second. A sees mostly the
//! late, low ratings and B the early, high ones, so pooling all ratings favours
//! B although the arms are identical. The stratified estimate must stay
//! unbiased (|bias| ≤ 0.02★) with at most 6% false winners; the pooled estimate
//! must show the bias (≥ 0.2★), so the scenario can fail.

use super::harness::{experiment, pooled_diff, share, verdict, winner};
use crate::learn::sim::{ArmTruth, BASELINE, Schedule, step};

const REPS: usize = 2000;
/// Runs per half; A then gets 0.2·667 + 0.8·667 runs, about 200 rated.
const HALF: u64 = 667;

fn drifting(delta_b: f64) -> impl Fn(usize, u64) -> ArmTruth {
    let down = step(&BASELINE, false);
    move |arm, run| {
        let l = run as f64 / (2 * HALF) as f64;
        let mut d = [0.0; 5];
        for (k, x) in d.iter_mut().enumerate() {
            *x = (1.0 - l) * BASELINE[k] + l * down[k];
        }
        if arm == 1 && delta_b != 0.0 {
            d = crate::learn::sim::shifted(&d, delta_b);
        }
        ArmTruth::new(d, 0.8)
    }
}

fn split(schedule: &Schedule, run: u64) -> [f64; 2] {
    match schedule.shares_at(run) {
        &[a, b] => [a, b],
        _ => [0.5, 0.5],
    }
}

/// Mean stratified and pooled final estimates and the false-winner share.
fn scenario(delta_b: f64, reps: usize, seed: u64) -> (f64, f64, f64) {
    let truth = drifting(delta_b);
    let schedule = Schedule {
        phases: vec![(HALF, vec![0.2, 0.8]), (HALF, vec![0.8, 0.2])],
    };
    let (mut strat_sum, mut pooled_sum, mut winners) = (0.0, 0.0, 0);
    for rep in 0..reps {
        let mut named = false;
        let (mut strat, mut pooled) = (0.0, 0.0);
        experiment(
            seed + rep as u64,
            2 * HALF,
            |r, _, _| split(&schedule, r),
            &truth,
            |l| {
                // The last look is after the last rated run; keep the latest figures.
                let v = verdict(l.history);
                named |= winner(&v).is_some();
                strat = v.difference.map_or(0.0, |d| d.diff);
                pooled = pooled_diff(l.totals);
                false
            },
        );
        strat_sum += strat;
        pooled_sum += pooled;
        winners += usize::from(named);
    }
    (
        strat_sum / reps as f64,
        pooled_sum / reps as f64,
        share(winners, reps),
    )
}

#[test]
fn drift_under_a_changing_split_does_not_fool_the_stratified_verdict() {
    let (strat, pooled, false_winners) = scenario(0.0, REPS, 300_000);
    eprintln!(
        "drift A/A: stratified bias {strat:+.4}★, pooled bias {pooled:+.4}★, false winners {false_winners:.4}"
    );
    assert!(strat.abs() <= 0.02, "stratified bias {strat}");
    assert!(false_winners <= 0.06, "false winners {false_winners}");
    assert!(
        pooled >= 0.2,
        "the pooled estimate should have been biased: {pooled}"
    );
}

#[test]
fn drift_keeps_a_real_difference_unbiased() {
    let (strat, pooled, _) = scenario(0.3, 1000, 400_000);
    eprintln!("drift +0.30★: stratified mean {strat:.4}★, pooled {pooled:.4}★");
    assert!((strat - 0.3).abs() <= 0.02, "stratified {strat}");
}

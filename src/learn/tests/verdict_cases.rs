//! Verdicts checked by hand. The first case is the worked example of
//! docs/statistics.md; its figures are asserted here so the document stays true.

use super::harness::prior;
use crate::learn::arm::ArmStats;
use crate::learn::period::Period;
use crate::learn::verdict::{Metric, Outcome, Primary, Side, VerdictConfig, Veto, compare};

fn arm(runs: u64, ok: u64, ratings: [u64; 5], ms: f64) -> ArmStats {
    let mut s = ArmStats::default();
    for i in 0..runs {
        s.add_run(i < ok, Some(ms), Some(0.01), None);
    }
    s.ratings = ratings;
    s.rated = ratings.iter().sum();
    s
}

fn one_period(a: ArmStats, b: ArmStats) -> Vec<Period> {
    let mut p = Period::new(&[0.5, 0.5]);
    p.arms = vec![a, b];
    vec![p]
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() < 5e-4
}

#[test]
fn worked_example_of_the_document() {
    let a = arm(1333, 1066, [24, 40, 80, 136, 120], 800.0);
    let b = arm(1333, 1200, [12, 32, 64, 112, 180], 800.0);
    let v = compare(&one_period(a, b), 0, 1, &prior(), &VerdictConfig::default());
    let d = v.difference.expect("both arms rated");
    eprintln!("worked example: {v:#?}");
    assert_eq!(v.metric, Metric::Rating);
    assert!(
        close(d.diff, 0.32) && close(d.se, 0.08013) && d.n == 800.0,
        "{d:?}"
    );
    assert!(
        close(d.interval.lo, 0.0768) && close(d.interval.hi, 0.5632),
        "{d:?}"
    );
    match v.outcome {
        Outcome::Winner { arm, diff, lo, hi } => {
            assert_eq!(arm, Side::B);
            assert!(close(diff, 0.32) && close(lo, 0.0768) && close(hi, 0.5632));
        }
        other => panic!("{other:?}"),
    }
    assert!(close(v.a.rating, 3.72) && close(v.b.rating, (1616.0 + 5.0 * 3.72) / 405.0));
    assert!(close(
        v.guardrails.success_diff,
        1201.0 / 1335.0 - 1067.0 / 1335.0
    ));
    assert_eq!(v.guardrails.latency_ratio, Some(1.0));
    assert!(
        v.p_superiority > 0.5 && v.p_superiority < 0.6,
        "{}",
        v.p_superiority
    );
}

#[test]
fn half_the_data_is_not_enough_and_says_how_much_more() {
    let a = arm(667, 533, [12, 20, 40, 68, 60], 800.0);
    let b = arm(667, 600, [6, 16, 32, 56, 90], 800.0);
    let v = compare(&one_period(a, b), 0, 1, &prior(), &VerdictConfig::default());
    let d = v.difference.expect("both arms rated");
    eprintln!("200 per arm: {d:?} {:?}", v.outcome);
    assert!(
        close(d.interval.lo, 0.32 - 0.3500) && close(d.interval.hi, 0.32 + 0.3500),
        "{d:?}"
    );
    match v.outcome {
        // s² ≈ 1.368 and 1.208 need 370 per arm; 200 are there.
        Outcome::NoWinnerYet { more_per_arm } => {
            assert!((165..=175).contains(&more_per_arm), "{more_per_arm}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_slow_winner_is_vetoed_and_a_worse_a_loses_the_other_way() {
    let a = arm(1333, 1066, [24, 40, 80, 136, 120], 800.0);
    let slow_b = arm(1333, 1200, [12, 32, 64, 112, 180], 1200.0);
    let v = compare(
        &one_period(a.clone(), slow_b.clone()),
        0,
        1,
        &prior(),
        &VerdictConfig::default(),
    );
    assert_eq!(
        v.outcome,
        Outcome::Vetoed {
            arm: Side::B,
            by: Veto::Latency
        }
    );
    let fast_b = ArmStats {
        ln_ms_sum: a.ln_ms_sum,
        ..slow_b
    };
    let v = compare(
        &one_period(fast_b, a),
        0,
        1,
        &prior(),
        &VerdictConfig::default(),
    );
    assert!(
        matches!(v.outcome, Outcome::Winner { arm: Side::A, diff, lo, .. } if close(diff, 0.32) && lo > 0.0)
    );
}

#[test]
fn equal_arms_with_plenty_of_data_are_no_difference() {
    let same = arm(50_000, 40_000, [600, 1000, 2000, 3400, 3000], 800.0);
    let big = [same.clone(), same.clone(), same];
    let mut p = Period::new(&[1.0, 1.0, 1.0]);
    p.arms = big.to_vec();
    let v = compare(&[p], 0, 2, &prior(), &VerdictConfig::default());
    assert_eq!(v.outcome, Outcome::NoDifference);
    assert!(close(v.p_superiority, 0.5));
}

#[test]
fn few_ratings_fall_back_to_success_and_unknown_arms_are_empty() {
    let a = arm(300, 150, [0, 0, 0, 5, 0], 800.0);
    let b = arm(300, 285, [0, 0, 0, 0, 5], 800.0);
    let v = compare(
        &one_period(a.clone(), b.clone()),
        0,
        1,
        &prior(),
        &VerdictConfig::default(),
    );
    assert_eq!(v.metric, Metric::Success);
    assert!(
        matches!(v.outcome, Outcome::Winner { arm: Side::B, .. }),
        "{:?}",
        v.outcome
    );
    let rating_only = VerdictConfig {
        primary: Primary::Rating,
        ..VerdictConfig::default()
    };
    let v = compare(&one_period(a, b), 0, 1, &prior(), &rating_only);
    assert_eq!(v.metric, Metric::Rating);
    assert!(
        matches!(v.outcome, Outcome::NoWinnerYet { .. }),
        "{:?}",
        v.outcome
    );
    let v = compare(&[], 0, 7, &prior(), &VerdictConfig::default());
    assert_eq!((v.a.runs, v.b.runs, v.difference), (0, 0, None));
    assert!(matches!(v.outcome, Outcome::NoWinnerYet { more_per_arm } if more_per_arm > 300));
}

//! Power: B better by +0.30★ (and 90% against 80% success), a look after every
//! rated run. B must be declared the winner by 400 rated runs per arm in at
//! least 75% of experiments, and the "N more needed" estimate must land within
//! ±25% of the simulated sample at which 80% of experiments have a winner.
//! A second, larger effect (+0.58★) must be found much sooner.

use super::harness::{constant, experiment, fixed, share, verdict, winner};
use crate::learn::confseq::rho2_for;
use crate::learn::plan::required_per_arm;
use crate::learn::sim::{BASELINE, shifted, variance};
use crate::learn::verdict::{Outcome, Side};

const REPS: usize = 1000;
/// Looks go on until the less-rated arm has this many.
const HORIZON: u64 = 800;

/// Per experiment: the less-rated arm's count when B was first declared the
/// winner (None if never by the horizon), and the sample the verdict asked for
/// (rated so far + more needed) when both arms first had 50 rated runs.
fn detections(delta: f64, reps: usize, seed: u64) -> (Vec<Option<u64>>, Vec<u64>) {
    let truth = constant(delta, 0.9);
    let mut found = Vec::with_capacity(reps);
    let mut asked = Vec::new();
    for rep in 0..reps {
        let mut at = None;
        let mut asked_once = false;
        experiment(
            seed + rep as u64,
            1_000_000,
            fixed([0.5, 0.5]),
            &truth,
            |l| {
                let n = l.totals[0].rated.min(l.totals[1].rated);
                let v = verdict(l.history);
                if let (false, true, Outcome::NoWinnerYet { more_per_arm }) =
                    (asked_once, n >= 50, v.outcome)
                {
                    asked.push(n + more_per_arm);
                    asked_once = true;
                }
                if winner(&v) == Some(Side::B) {
                    at = Some(n);
                }
                at.is_some() || n >= HORIZON
            },
        );
        found.push(at);
    }
    (found, asked)
}

/// The smallest n per arm by which `power` of the experiments found B.
fn simulated_n(found: &[Option<u64>], power: f64) -> u64 {
    let mut ns: Vec<u64> = found.iter().map(|f| f.unwrap_or(u64::MAX)).collect();
    ns.sort_unstable();
    ns[((power * ns.len() as f64).ceil() as usize).saturating_sub(1)]
}

#[test]
fn detects_a_third_of_a_star_and_predicts_the_sample_it_needs() {
    let (found, asked) = detections(0.3, REPS, 50_000);
    let wrong = found.iter().filter(|f| f.is_none()).count();
    let by_400 = share(
        found.iter().filter(|f| f.is_some_and(|n| n <= 400)).count(),
        REPS,
    );
    let sim_n = simulated_n(&found, 0.8) as f64;
    let b = shifted(&BASELINE, 0.3);
    let rho2 = rho2_for(800.0, 0.05);
    let formula = required_per_arm(variance(&BASELINE), variance(&b), 0.3, 0.8, rho2, 0.05)
        .unwrap_or(0) as f64;
    let mut asked = asked;
    asked.sort_unstable();
    let median_asked = asked[asked.len() / 2] as f64;
    eprintln!(
        "+0.30★: found by 400 rated/arm {by_400:.3}; 80% found by n = {sim_n}; formula {formula} ({:+.1}%), \
         verdict at 50/arm asks {median_asked} ({:+.1}%); never found by {HORIZON}: {wrong}",
        100.0 * (formula / sim_n - 1.0),
        100.0 * (median_asked / sim_n - 1.0),
    );
    assert!(by_400 >= 0.75, "power at 400 rated per arm {by_400}");
    assert!(
        (formula / sim_n - 1.0).abs() <= 0.25,
        "formula {formula} vs simulated {sim_n}"
    );
    assert!(
        (median_asked / sim_n - 1.0).abs() <= 0.25,
        "verdict asked {median_asked} vs simulated {sim_n}"
    );
}

#[test]
fn a_larger_effect_is_found_sooner() {
    let (found, _) = detections(0.58, 200, 70_000);
    let by_150 = share(
        found.iter().filter(|f| f.is_some_and(|n| n <= 150)).count(),
        200,
    );
    eprintln!("+0.58★: found by 150 rated/arm {by_150:.3}");
    assert!(by_150 >= 0.8, "{by_150}");
}

//! A/A: two identical arms, a look after every rated run up to 200 rated runs
//! per arm. The anytime interval must name a winner in at most 5% of the
//! experiments; the same loop with a naive Welch t-test must name one in at
//! least 25% (so the loop can tell a broken rule from a sound one).

use super::harness::{constant, experiment, fixed, naive_welch, share, verdict, winner};

const REPS: usize = 2000;

#[test]
fn aa_false_winners_stay_under_alpha_while_naive_peeking_does_not() {
    let truth = constant(0.0, 0.8);
    let (mut cs_false, mut naive_false, mut looks) = (0, 0, 0u64);
    for rep in 0..REPS {
        let (mut cs, mut naive) = (false, false);
        experiment(1000 + rep as u64, 10_000, fixed([0.5, 0.5]), &truth, |l| {
            looks += 1;
            if !cs {
                cs = winner(&verdict(l.history)).is_some();
            }
            if !naive {
                naive = naive_welch(l.totals);
            }
            (cs && naive) || l.totals.iter().all(|t| t.rated >= 200)
        });
        cs_false += usize::from(cs);
        naive_false += usize::from(naive);
    }
    let (cs_rate, naive_rate) = (share(cs_false, REPS), share(naive_false, REPS));
    eprintln!(
        "A/A over {REPS} experiments ({looks} looks): anytime false winners {cs_rate:.4}, naive Welch {naive_rate:.4}"
    );
    assert!(cs_rate <= 0.05, "anytime interval false winners {cs_rate}");
    assert!(
        naive_rate >= 0.25,
        "the harness failed to catch naive peeking: {naive_rate}"
    );
}

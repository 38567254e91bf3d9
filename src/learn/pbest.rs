//! P(arm i is best): the probability that Thompson sampling picks arm i, in
//! closed form or by deterministic integration instead of random draws.
//!
//! Beta posteriors: for two arms the exact finite sum (integer first parameter)
//! `P(X_b > X_a) = Σ_{i<α_b} B(α_a+i, β_a+β_b) / ((β_b+i)·B(1+i, β_b)·B(α_a, β_a))`,
//! with each term from the previous by a ratio. For k arms,
//! `P(i best) = ∫ f_i(x) Π_{j≠i} F_j(x) dx` on a grid of [`GRID`] cells over
//! the range where the densities live. Normal posteriors: the same integral
//! with exact normal cell masses, and Φ(Δ/√(σ_a²+σ_b²)) for two arms.

use super::dist::{ln_beta, normal_cdf};

/// Cells of the integration grid.
pub const GRID: usize = 1024;

/// P(X_b > X_a) for X_a ~ Beta(αa, βa), X_b ~ Beta(αb, βb); the α's are rounded
/// to whole numbers of at least 1 (as they are for Beta(1 + ok, 1 + failed)),
/// the β's kept positive, and the sum runs over the smaller α.
pub fn beta_b_beats_a(alpha_a: f64, beta_a: f64, alpha_b: f64, beta_b: f64) -> f64 {
    let (alpha_a, alpha_b) = (alpha_a.round().max(1.0), alpha_b.round().max(1.0));
    let (beta_a, beta_b) = (beta_a.max(1e-9), beta_b.max(1e-9));
    if alpha_a < alpha_b {
        return 1.0 - beta_b_beats_a(alpha_b, beta_b, alpha_a, beta_a);
    }
    let (a1, b1, a2, b2) = (alpha_a, beta_a, alpha_b, beta_b);
    let mut term = (ln_beta(a1, b1 + b2) - b2.ln() - ln_beta(1.0, b2) - ln_beta(a1, b1)).exp();
    let mut sum = 0.0;
    let mut i = 0.0;
    while i < a2 {
        sum += term;
        term *= (a1 + i) * (b2 + i) / ((a1 + b1 + b2 + i) * (1.0 + i));
        i += 1.0;
    }
    sum.clamp(0.0, 1.0)
}

/// P(best) for arms with Beta(α, β) posteriors, given as (α, β) pairs.
pub fn p_best_beta(arms: &[(f64, f64)]) -> Vec<f64> {
    match arms {
        [] => Vec::new(),
        [_] => vec![1.0],
        [(aa, ba), (ab, bb)] => {
            let pb = beta_b_beats_a(*aa, *ba, *ab, *bb);
            vec![1.0 - pb, pb]
        }
        _ => {
            let stats: Vec<(f64, f64)> = arms
                .iter()
                .map(|&(a, b)| {
                    (
                        a / (a + b),
                        (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt(),
                    )
                })
                .collect();
            let (lo, hi) = range(&stats, 0.0, 1.0);
            let dx = (hi - lo) / GRID as f64;
            let masses: Vec<Vec<f64>> = arms
                .iter()
                .map(|&(a, b)| {
                    let lb = ln_beta(a, b);
                    let raw: Vec<f64> = (0..GRID)
                        .map(|c| {
                            let x = (lo + (c as f64 + 0.5) * dx).clamp(1e-300, 1.0 - 1e-16);
                            ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - lb).exp()
                        })
                        .collect();
                    let total: f64 = raw.iter().sum();
                    raw.iter()
                        .map(|m| if total > 0.0 { m / total } else { 0.0 })
                        .collect()
                })
                .collect();
            integrate(&masses)
        }
    }
}

/// P(best) for arms with normal posteriors N(mean, sd²).
pub fn p_best_normal(arms: &[(f64, f64)]) -> Vec<f64> {
    match arms {
        [] => Vec::new(),
        [_] => vec![1.0],
        [(ma, sa), (mb, sb)] => {
            let s = (sa * sa + sb * sb).sqrt();
            let pb = if s > 0.0 {
                normal_cdf((mb - ma) / s)
            } else {
                0.5 + 0.5 * (mb - ma).signum() * f64::from(mb != ma)
            };
            vec![1.0 - pb, pb]
        }
        _ => {
            let (lo, hi) = range(arms, f64::NEG_INFINITY, f64::INFINITY);
            let dx = (hi - lo) / GRID as f64;
            let masses: Vec<Vec<f64>> = arms
                .iter()
                .map(|&(m, s)| {
                    let cdf = |x: f64| {
                        if s > 0.0 {
                            normal_cdf((x - m) / s)
                        } else {
                            f64::from(x >= m)
                        }
                    };
                    (0..GRID)
                        .map(|c| cdf(lo + (c as f64 + 1.0) * dx) - cdf(lo + c as f64 * dx))
                        .collect()
                })
                .collect();
            integrate(&masses)
        }
    }
}

/// The span mean ± 9 sd over all arms, clipped to [min, max].
fn range(arms: &[(f64, f64)], min: f64, max: f64) -> (f64, f64) {
    let lo = arms
        .iter()
        .map(|&(m, s)| m - 9.0 * s)
        .fold(f64::INFINITY, f64::min)
        .max(min);
    let hi = arms
        .iter()
        .map(|&(m, s)| m + 9.0 * s)
        .fold(f64::NEG_INFINITY, f64::max)
        .min(max);
    if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    }
}

/// Σ over cells of mass_i(cell) · Π_{j≠i} F_j(cell centre), where F_j at the
/// centre is the mass below plus half the cell's own; normalized to sum to 1.
fn integrate(masses: &[Vec<f64>]) -> Vec<f64> {
    let k = masses.len();
    let cells = masses.first().map_or(0, Vec::len);
    let by_cell: Vec<Vec<f64>> = (0..cells)
        .map(|c| masses.iter().map(|m| m[c]).collect())
        .collect();
    let mut below = vec![0.0; k];
    let mut p = vec![0.0; k];
    for cell in &by_cell {
        let cdf: Vec<f64> = below.iter().zip(cell).map(|(b, m)| b + 0.5 * m).collect();
        for (i, pi) in p.iter_mut().enumerate() {
            let others: f64 = cdf
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, f)| f)
                .product();
            *pi += cell[i] * others;
        }
        for (b, m) in below.iter_mut().zip(cell) {
            *b += m;
        }
    }
    let total: f64 = p.iter().sum();
    if total > 0.0 {
        p.iter().map(|x| x / total).collect()
    } else {
        vec![1.0 / k as f64; k]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_beta_comparison() {
        assert!((beta_b_beats_a(1.0, 1.0, 1.0, 1.0) - 0.5).abs() < 1e-12);
        // Beta(2,1) vs Beta(1,1): P(max of two uniforms > a uniform) = 2/3.
        assert!((beta_b_beats_a(1.0, 1.0, 2.0, 1.0) - 2.0 / 3.0).abs() < 1e-12);
        assert!((beta_b_beats_a(2.0, 1.0, 1.0, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        let p = beta_b_beats_a(81.0, 21.0, 91.0, 11.0);
        assert!(p > 0.95 && p < 1.0, "{p}");
    }

    #[test]
    fn grid_agrees_with_closed_forms() {
        let arms = [(81.0, 21.0), (91.0, 11.0), (1.0, 1.0)];
        let grid = p_best_beta(&arms);
        let third = 1.0 - grid[0] - grid[1];
        assert!((grid[2] - third).abs() < 1e-12);
        // With the uniform arm far from the others the pair decides the rest.
        let two = p_best_beta(&arms[..2]);
        assert!(
            (grid[1] / (grid[0] + grid[1]) - two[1]).abs() < 0.01,
            "{grid:?} {two:?}"
        );
        let n2 = p_best_normal(&[(0.0, 1.0), (1.0, 1.0)]);
        let n3 = p_best_normal(&[(0.0, 1.0), (1.0, 1.0), (-50.0, 1.0)]);
        assert!((n3[1] - n2[1]).abs() < 1e-4 && n3[2] < 1e-9);
        let even = p_best_normal(&[(0.0, 1.0); 4]);
        assert!(even.iter().all(|p| (p - 0.25).abs() < 1e-9));
        assert_eq!(p_best_normal(&[(0.0, 0.0), (1.0, 0.0)]), vec![0.0, 1.0]);
    }
}

//! Exact percentiles by selection, interpolated like DuckDB's `quantile_cont`
//! and numpy's default: the value at rank q·(n−1), linear between neighbours.

/// The percentiles of `values` at each of `qs` (ascending, 0 to 1), in O(n) per
/// percentile. Reorders `values`. None when `values` is empty.
pub fn percentiles(values: &mut [f64], qs: &[f64]) -> Vec<Option<f64>> {
    if values.is_empty() {
        return vec![None; qs.len()];
    }
    let last = values.len() - 1;
    let mut done = 0; // values[..done] are all <= values[done..]
    qs.iter()
        .map(|&q| {
            let rank = q.clamp(0.0, 1.0) * last as f64;
            let low = rank.floor() as usize;
            let fraction = rank - low as f64;
            let start = done.min(low);
            let (_, &mut below, _) =
                values[start..].select_nth_unstable_by(low - start, f64::total_cmp);
            done = low + 1;
            let value = if fraction > 0.0 && low < last {
                let above = values[low + 1..]
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                below + (above - below) * fraction
            } else {
                below
            };
            Some(value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_reference(values: &[f64], q: f64) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = q * (sorted.len() - 1) as f64;
        let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
        sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
    }

    #[test]
    fn matches_a_sort() {
        let mut seed = 7u64;
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 33) as f64 / 1000.0
                })
                .collect();
            let qs = [0.5, 0.9, 0.95, 0.99];
            let got = percentiles(&mut values.clone(), &qs);
            for (q, got) in qs.iter().zip(got) {
                let want = sorted_reference(&values, *q);
                assert!((got.unwrap() - want).abs() < 1e-9, "n={n} q={q}");
            }
        }
        assert_eq!(percentiles(&mut [], &[0.5]), vec![None]);
    }
}

//! The running totals of one group: folded event by event, merged across
//! workers, and finally turned into [`GroupStats`].

use std::collections::{BTreeMap, HashSet};

use super::model::{DurationStats, GroupStats, MetricStats, RatingStats};
use super::parse::STATUS_NAMES;
use super::percentile::percentiles;

/// Resolutions counted by name; anything else is `other`.
pub const RESOLUTIONS: [&str; 5] = ["name", "alias", "route", "adhoc", "other"];

/// User ids below this go in a bitset (at most 512 bytes per group).
const BITSET_USERS: u32 = 4096;

/// A set of user ids: interning gives small dense ids, so a bitset holds them
/// (one word for 64 users, no hashing, no probing); larger ids go in a hash set.
#[derive(Debug, Default)]
pub struct UserSet {
    bits: Vec<u64>,
    in_bits: usize,
    more: HashSet<u32, foldhash::fast::FixedState>,
}

impl UserSet {
    /// Adds a user id.
    #[inline]
    pub fn insert(&mut self, id: u32) {
        if id >= BITSET_USERS {
            self.more.insert(id);
            return;
        }
        let (word, mask) = ((id / 64) as usize, 1u64 << (id % 64));
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & mask == 0 {
            self.bits[word] |= mask;
            self.in_bits += 1;
        }
    }

    /// How many distinct ids.
    pub fn len(&self) -> usize {
        self.in_bits + self.more.len()
    }

    /// Every id, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let small = self.bits.iter().enumerate().flat_map(|(w, &word)| {
            (0..64u32)
                .filter(move |b| word >> b & 1 != 0)
                .map(move |b| w as u32 * 64 + b)
        });
        small.chain(self.more.iter().copied())
    }
}

/// One group's running totals.
#[derive(Debug, Default)]
pub struct Cell {
    pub statuses: [u64; 5],
    pub incomplete: u64,
    pub durations: Vec<f64>,
    pub duration_sum: f64,
    /// (metric id, sum, runs that reported it)
    pub metrics: Vec<(u32, f64, u64)>,
    pub users: UserSet,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub resolutions: [u64; 5],
    pub asked: u64,
    pub rated_asked: u64,
    pub ratings: [u64; 5],
    /// (rating ts, comment), kept only with `--comments`.
    pub comments: Vec<(i64, String)>,
}

impl Cell {
    /// Notes that a run (complete or not) belongs to the group.
    #[inline]
    pub fn add_run(&mut self, user: u32, resolution: usize, time_ms: i64) {
        if user != 0 {
            self.users.insert(user);
        }
        self.resolutions[resolution] += 1;
        self.first_ms = Some(self.first_ms.map_or(time_ms, |t| t.min(time_ms)));
        self.last_ms = Some(self.last_ms.map_or(time_ms, |t| t.max(time_ms)));
    }

    /// Adds one metric value.
    #[inline]
    pub fn add_metric(&mut self, id: u32, value: f64) {
        match self.metrics.iter_mut().find(|(m, _, _)| *m == id) {
            Some((_, sum, count)) => {
                *sum += value;
                *count += 1;
            }
            None => self.metrics.push((id, value, 1)),
        }
    }

    /// Adds `other` into `self`; `user` and `metric` map the other side's ids to ours.
    pub fn merge(&mut self, other: Cell, user: impl Fn(u32) -> u32, metric: impl Fn(u32) -> u32) {
        for i in 0..5 {
            self.statuses[i] += other.statuses[i];
            self.resolutions[i] += other.resolutions[i];
            self.ratings[i] += other.ratings[i];
        }
        self.incomplete += other.incomplete;
        self.durations.extend_from_slice(&other.durations);
        self.duration_sum += other.duration_sum;
        for (id, sum, count) in other.metrics {
            let id = metric(id);
            match self.metrics.iter_mut().find(|(m, _, _)| *m == id) {
                Some(mine) => {
                    mine.1 += sum;
                    mine.2 += count;
                }
                None => self.metrics.push((id, sum, count)),
            }
        }
        for id in other.users.iter() {
            self.users.insert(user(id));
        }
        if let Some(t) = other.first_ms {
            self.first_ms = Some(self.first_ms.map_or(t, |mine| mine.min(t)));
        }
        if let Some(t) = other.last_ms {
            self.last_ms = Some(self.last_ms.map_or(t, |mine| mine.max(t)));
        }
        self.asked += other.asked;
        self.rated_asked += other.rated_asked;
        self.comments.extend(other.comments);
    }

    /// Completed runs.
    pub fn completed(&self) -> u64 {
        self.statuses.iter().sum()
    }

    /// Runs, complete or not.
    pub fn runs(&self) -> u64 {
        self.completed() + self.incomplete
    }

    /// The statistics; consumes the durations (reordered by selection).
    pub fn stats(&mut self, metric_names: &[String], comments: usize) -> GroupStats {
        let completed = self.completed();
        let ps = percentiles(&mut self.durations, &[0.5, 0.9, 0.95, 0.99]);
        let max = self.durations.iter().copied().reduce(f64::max);
        let rated: u64 = self.ratings.iter().sum();
        let rating_sum: u64 = self
            .ratings
            .iter()
            .zip(1..)
            .map(|(n, stars)| n * stars)
            .sum();
        self.comments.sort_by_key(|c| std::cmp::Reverse(c.0));
        self.comments.truncate(comments);
        GroupStats {
            runs: self.runs(),
            ok: self.statuses[0],
            success_rate: (completed > 0).then(|| self.statuses[0] as f64 / completed as f64),
            incomplete: self.incomplete,
            statuses: STATUS_NAMES
                .iter()
                .zip(self.statuses)
                .map(|(name, n)| (name.to_string(), n))
                .collect(),
            duration_ms: DurationStats {
                mean: (completed > 0).then(|| self.duration_sum / completed as f64),
                p50: ps[0],
                p90: ps[1],
                p95: ps[2],
                p99: ps[3],
                max,
                total: self.duration_sum,
            },
            ratings: RatingStats {
                count: rated,
                mean: (rated > 0).then(|| rating_sum as f64 / rated as f64),
                dist: self.ratings,
            },
            participation: (self.asked > 0).then(|| self.rated_asked as f64 / self.asked as f64),
            metrics: self
                .metrics
                .iter()
                .map(|&(id, sum, count)| {
                    let name = metric_names.get(id as usize).cloned().unwrap_or_default();
                    // ids are 1-based; metric_names[0] is a placeholder.
                    (
                        name,
                        MetricStats {
                            sum,
                            mean: sum / count as f64,
                            count,
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
            users: self.users.len() as u64,
            first_ts: self.first_ms.map(super::time::format_ms),
            last_ts: self.last_ms.map(super::time::format_ms),
            resolutions: RESOLUTIONS
                .iter()
                .zip(self.resolutions)
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| (name.to_string(), n))
                .collect(),
            comments: self
                .comments
                .iter()
                .map(|(ts, text)| super::model::Comment {
                    ts: super::time::format_ms(*ts),
                    comment: text.clone(),
                })
                .collect(),
            ..GroupStats::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_sets_count_distinct_ids_small_and_large() {
        let mut set = UserSet::default();
        let ids = [1, 5, 63, 64, 4095, 4096, 1 << 30, 5, 4096, 1];
        for id in ids {
            set.insert(id);
        }
        assert_eq!(set.len(), 7);
        let mut back: Vec<u32> = set.iter().collect();
        back.sort();
        assert_eq!(back, vec![1, 5, 63, 64, 4095, 4096, 1 << 30]);
    }
}

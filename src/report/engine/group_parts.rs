//! The parts of a group's running totals: its distinct users, its exact sums,
//! and how the vectors kept per run and per metric grow.

use std::collections::HashSet;

/// User ids below this go in a bitset (at most 512 bytes per group).
const BITSET_USERS: u32 = 4096;

/// A set of user ids: interning gives small dense ids, so a bitset holds them
/// (one word for 64 users, no hashing, no probing); larger ids go in a hash set.
#[derive(Debug, Default)]
pub struct UserSet {
    bits: Vec<u64>,
    in_bits: usize,
    /// Ids past the bitset: rare, so boxed (8 bytes a group, not 40; the box
    /// is for the size of every group's totals, not for the set's contents).
    #[allow(clippy::box_collection)]
    more: Option<Box<HashSet<u32, foldhash::fast::FixedState>>>,
}

impl UserSet {
    /// Adds a user id.
    #[inline]
    pub fn insert(&mut self, id: u32) {
        if id >= BITSET_USERS {
            self.more.get_or_insert_default().insert(id);
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

    /// Where the bitset's words are (to prefetch them).
    pub fn words(&self) -> *const u64 {
        self.bits.as_ptr()
    }

    /// How many distinct ids.
    pub fn len(&self) -> usize {
        self.in_bits + self.more.as_ref().map_or(0, |more| more.len())
    }

    /// Every id, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let small = self.bits.iter().enumerate().flat_map(|(w, &word)| {
            (0..64u32)
                .filter(move |b| word >> b & 1 != 0)
                .map(move |b| w as u32 * 64 + b)
        });
        small.chain(self.more.iter().flat_map(|more| more.iter().copied()))
    }
}

/// A sum that does not depend on the order values are added in, so a report
/// over the same logs prints the same bytes whichever worker folded which run.
/// Values are summed exactly as integers of 1e-9 (far below any duration or
/// cost a log holds); the rare value beyond ±1e18 goes to a plain float.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ExactSum {
    /// The sum in units of 1e-9, an `i128` kept as two words (low, then high):
    /// 8-byte aligned, so a sum takes 24 bytes, not 32, in every group's totals
    /// and in each of its metrics.
    nanos: [u64; 2],
    huge: f64,
}

impl ExactSum {
    const SCALE: f64 = 1e9;
    const LIMIT: f64 = 1e18;

    #[inline]
    fn nanos(&self) -> i128 {
        (self.nanos[1] as i64 as i128) << 64 | self.nanos[0] as i128
    }

    #[inline]
    fn set_nanos(&mut self, nanos: i128) {
        self.nanos = [nanos as u64, (nanos >> 64) as u64];
    }

    /// A sum of one value.
    pub fn of(value: f64) -> Self {
        let mut sum = ExactSum::default();
        sum.add(value);
        sum
    }

    /// Adds a value.
    #[inline]
    pub fn add(&mut self, value: f64) {
        if value.abs() < Self::LIMIT {
            self.set_nanos(self.nanos() + (value * Self::SCALE).round() as i128);
        } else {
            self.huge += value;
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: ExactSum) {
        self.set_nanos(self.nanos() + other.nanos());
        self.huge += other.huge;
    }

    /// The sum as a float.
    pub fn value(&self) -> f64 {
        self.nanos() as f64 / Self::SCALE + self.huge
    }
}

/// `to` followed by `more`: `more` itself when `to` is empty.
pub fn append<T>(to: &mut Vec<T>, mut more: Vec<T>) {
    if to.is_empty() {
        *to = more;
    } else {
        // Exactly: an amortised reserve could double the capacity.
        to.reserve_exact(more.len());
        to.append(&mut more);
    }
}

/// Pushes a value kept per run, growing a long vector by a quarter, not by
/// double: the spare capacity of the durations and costs is then about an
/// eighth of them on average, not a third.
#[inline]
pub fn push_value<T>(values: &mut Vec<T>, value: T) {
    if values.len() == values.capacity() && values.len() >= 64 {
        values.reserve_exact(values.len() / 4);
    }
    values.push(value);
}

/// Pushes onto a short vector that rarely grows (a group's metrics: a few
/// names), to exactly one more: four slots at the first push would leave one
/// of 40 bytes spare in most groups.
pub fn push_exact<T>(values: &mut Vec<T>, value: T) {
    values.reserve_exact(1);
    values.push(value);
}

/// Values kept per run for exact percentiles (durations, costs): 4 bytes each
/// where the value is a whole number of `1 / SCALE` that fits a `u32` and reads
/// back bit for bit (a duration in ms with three decimals under 71 minutes, a
/// cost in USD with six under $4,294), 8 bytes otherwise.
#[derive(Debug, Default)]
pub struct RunValues<const SCALE: u32> {
    scaled: Vec<u32>,
    /// The rest: rare, so boxed (8 bytes in every group's totals, not 24).
    #[allow(clippy::box_collection)]
    other: Option<Box<Vec<f64>>>,
}

impl<const SCALE: u32> RunValues<SCALE> {
    /// Adds a value.
    #[inline]
    pub fn push(&mut self, value: f64) {
        let scale = f64::from(SCALE);
        let units = (value * scale).round();
        // What reads back is the stored whole number over the scale: compared by
        // bits, so -0.0 (stored as 0) and anything inexact stay 8-byte floats.
        let stored = units as u32;
        if (0.0..=f64::from(u32::MAX)).contains(&units)
            && (f64::from(stored) / scale).to_bits() == value.to_bits()
        {
            push_value(&mut self.scaled, stored);
        } else {
            push_value(self.other.get_or_insert_default(), value);
        }
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.scaled.len() + self.other.as_ref().map_or(0, |other| other.len())
    }

    /// Where the next 4-byte value goes (to prefetch it).
    pub fn tail(&self) -> *const u32 {
        self.scaled.as_ptr().wrapping_add(self.scaled.len())
    }

    /// Adds `more`'s values, moving them when `self` has none.
    pub fn append(&mut self, more: RunValues<SCALE>) {
        append(&mut self.scaled, more.scaled);
        if let Some(more) = more.other {
            append(self.other.get_or_insert_default(), *more);
        }
    }

    /// Adds copies of `more`'s values.
    pub fn extend_from(&mut self, more: &RunValues<SCALE>) {
        self.scaled.extend_from_slice(&more.scaled);
        if let Some(more) = &more.other {
            self.other.get_or_insert_default().extend_from_slice(more);
        }
    }

    /// Every value as a float, the same bits as pushed, in no particular order.
    pub fn to_f64(&self) -> Vec<f64> {
        let scale = f64::from(SCALE);
        let mut values = Vec::with_capacity(self.len());
        values.extend(self.scaled.iter().map(|&units| f64::from(units) / scale));
        values.extend_from_slice(self.other.as_deref().map_or(&[], Vec::as_slice));
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_values_read_back_bit_for_bit() {
        let mut values = RunValues::<1000>::default();
        let pushed = [
            2294.199,
            0.0,
            -0.0,
            1.5,
            0.1234,
            5e6,
            -3.0,
            4_294_967.295,
            4_294_967.296,
            1e300,
        ];
        for value in pushed {
            values.push(value);
        }
        assert_eq!(values.len(), pushed.len());
        let mut back: Vec<u64> = values.to_f64().iter().map(|v| v.to_bits()).collect();
        let mut want: Vec<u64> = pushed.iter().map(|v| v.to_bits()).collect();
        back.sort();
        want.sort();
        assert_eq!(back, want);
        // Milliseconds with three decimals take the 4-byte form.
        assert_eq!(values.scaled.len(), 4);
    }

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

    #[test]
    fn exact_sums_do_not_depend_on_order() {
        let values: Vec<f64> = (1..2000)
            .map(|i| (i as f64 * 0.37).sin() * 1000.0 + 1e-3 * i as f64)
            .collect();
        let forward = values.iter().fold(ExactSum::default(), |mut s, v| {
            s.add(*v);
            s
        });
        let mut halves = ExactSum::default();
        let mut other = ExactSum::default();
        for (i, v) in values.iter().rev().enumerate() {
            if i % 2 == 0 {
                halves.add(*v)
            } else {
                other.add(*v)
            }
        }
        halves.merge(other);
        assert_eq!(forward.value().to_bits(), halves.value().to_bits());
        let plain: f64 = values.iter().sum();
        assert!((forward.value() - plain).abs() < 1e-6);
        let mut negative = ExactSum::of(-1.5);
        negative.add(-2.25);
        negative.merge(ExactSum::of(0.75));
        assert_eq!(negative.value(), -3.0);
        let mut huge = ExactSum::of(1e300);
        huge.add(1.5);
        assert_eq!(huge.value(), 1e300);
    }
}

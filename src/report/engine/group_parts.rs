//! The parts of a group's running totals: exact sums, the values kept per run
//! (a few inline in the cell, more on the heap), the users past a cell's inline
//! word, and how the vectors kept per run and per metric grow.

use std::collections::HashSet;

/// User ids below this are bits of a cell's inline word (`u64`).
pub const INLINE_USERS: u32 = 64;

/// User ids below this (and from [`INLINE_USERS`]) go in a bitset (at most 512
/// bytes per group), larger ones in a hash set.
const BITSET_USERS: u32 = 4096;

/// The users of a group past its inline word: interning gives small dense ids,
/// so a bitset holds them (one word for 64 users, no hashing, no probing);
/// larger ids go in a hash set.
#[derive(Debug, Default)]
pub struct MoreUsers {
    /// Bit `id - INLINE_USERS`.
    bits: Vec<u64>,
    in_bits: usize,
    more: HashSet<u32, foldhash::fast::FixedState>,
}

impl MoreUsers {
    /// Adds a user id (at least [`INLINE_USERS`]).
    pub fn insert(&mut self, id: u32) {
        if id >= BITSET_USERS {
            self.more.insert(id);
            return;
        }
        let bit = id - INLINE_USERS;
        let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
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
        bits(&self.bits, INLINE_USERS).chain(self.more.iter().copied())
    }
}

/// The ids of the set bits of `words`, the first bit being `base`.
pub fn bits(words: &[u64], base: u32) -> impl Iterator<Item = u32> + '_ {
    words.iter().enumerate().flat_map(move |(w, &word)| {
        (0..64u32)
            .filter(move |b| word >> b & 1 != 0)
            .map(move |b| base + w as u32 * 64 + b)
    })
}

/// A sum that does not depend on the order values are added in, so a report
/// over the same logs prints the same bytes whichever worker folded which run.
/// Values are summed exactly as integers of 1e-9 (far below any duration or
/// cost a log holds); the rare value beyond ±1e18 goes to a plain float.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ExactSum {
    pub nanos: Nanos,
    pub huge: f64,
}

/// The exact part of an [`ExactSum`]: an `i128` of 1e-9 kept as two words (low,
/// then high), 8-byte aligned, so a metric's running sum takes 16 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Nanos([u64; 2]);

impl Nanos {
    pub fn of(nanos: i128) -> Nanos {
        Nanos([nanos as u64, (nanos >> 64) as u64])
    }

    #[inline]
    pub fn get(self) -> i128 {
        (self.0[1] as i64 as i128) << 64 | self.0[0] as i128
    }

    #[inline]
    pub fn add(&mut self, nanos: i128) {
        *self = Nanos::of(self.get() + nanos);
    }
}

impl ExactSum {
    const SCALE: f64 = 1e9;
    const LIMIT: f64 = 1e18;

    /// A value's exact part in units of 1e-9, or None when it is the float kind.
    #[inline]
    pub fn nanos_of(value: f64) -> Option<i128> {
        (value.abs() < Self::LIMIT).then(|| (value * Self::SCALE).round() as i128)
    }

    /// [`ExactSum::nanos_of`] for a value under 9e9, whose nanos fit an `i64`
    /// (converted without the `i128` conversion's call), else None.
    #[inline]
    pub fn small_nanos_of(value: f64) -> Option<i64> {
        (value.abs() < 9e9).then(|| (value * Self::SCALE).round() as i64)
    }

    /// Adds a value.
    #[inline]
    pub fn add(&mut self, value: f64) {
        if let Some(nanos) = Self::small_nanos_of(value) {
            self.nanos.add(i128::from(nanos));
            return;
        }
        match Self::nanos_of(value) {
            Some(nanos) => self.nanos.add(nanos),
            None => self.huge += value,
        }
    }

    /// Adds another sum.
    #[cfg(test)]
    pub fn merge(&mut self, other: ExactSum) {
        self.nanos.add(other.nanos.get());
        self.huge += other.huge;
    }

    /// The sum as a float.
    pub fn value(&self) -> f64 {
        self.nanos.get() as f64 / Self::SCALE + self.huge
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

/// A value as a whole number of `1 / SCALE` that fits a `u32` and reads back
/// bit for bit (a duration in ms with three decimals under 71 minutes, a cost
/// in USD with six under $4,294), or None.
#[inline]
pub fn scaled<const SCALE: u32>(value: f64) -> Option<u32> {
    let scale = f64::from(SCALE);
    let units = (value * scale).round();
    // What reads back is the stored whole number over the scale: compared by
    // bits, so -0.0 (stored as 0) and anything inexact stay 8-byte floats.
    let stored = units as u32;
    ((0.0..=f64::from(u32::MAX)).contains(&units)
        && (f64::from(stored) / scale).to_bits() == value.to_bits())
    .then_some(stored)
}

/// How many values a cell holds inline.
const INLINE_VALUES: usize = 3;

/// Values kept per run (see [`scaled`]): the first three inline (24 bytes, as
/// a vector alone takes; most groups of a report by a name with thousands of
/// values have a run or two per worker), more in a vector.
#[derive(Debug)]
pub enum Scaled {
    Inline {
        len: u32,
        values: [u32; INLINE_VALUES],
    },
    Heap(Vec<u32>),
    /// Two workers' vectors, merged by keeping both, in order: appending one
    /// to the other was a reallocation and a copy of every value, on one
    /// core, at the end of the report (about 0.1 s with 40,000 groups).
    Two(Box<[Vec<u32>; 2]>),
}

impl Default for Scaled {
    fn default() -> Self {
        Scaled::Inline {
            len: 0,
            values: [0; INLINE_VALUES],
        }
    }
}

impl Scaled {
    /// Adds a value.
    #[inline]
    pub fn push(&mut self, value: u32) {
        match self {
            Scaled::Heap(values) => push_value(values, value),
            Scaled::Two(both) => push_value(&mut both[1], value),
            Scaled::Inline { len, values } => {
                if let Some(slot) = values.get_mut(*len as usize) {
                    *slot = value;
                    *len += 1;
                } else {
                    let mut heap = Vec::with_capacity(2 * INLINE_VALUES + 2);
                    heap.extend_from_slice(values);
                    heap.push(value);
                    *self = Scaled::Heap(heap);
                }
            }
        }
    }

    /// The values, in one or two slices (the second empty but after a merge).
    pub fn as_slices(&self) -> [&[u32]; 2] {
        match self {
            Scaled::Inline { len, values } => [&values[..*len as usize], &[]],
            Scaled::Heap(values) => [values, &[]],
            Scaled::Two(both) => [&both[0], &both[1]],
        }
    }

    /// How many values.
    pub fn len(&self) -> usize {
        let [first, second] = self.as_slices();
        first.len() + second.len()
    }

    /// Where the next value goes (to prefetch it).
    pub fn tail(&self) -> *const u32 {
        let values: &[u32] = match self {
            Scaled::Two(both) => &both[1],
            _ => self.as_slices()[0],
        };
        values.as_ptr().wrapping_add(values.len())
    }

    /// Adds `more`'s values after ours, moving them: into an empty `self`
    /// whole, two vectors side by side (see [`Scaled::Two`]), anything else
    /// by copy.
    pub fn append(&mut self, more: Scaled) {
        if self.len() == 0 {
            *self = more;
            return;
        }
        match (&mut *self, more) {
            (Scaled::Heap(values), Scaled::Heap(more)) => {
                let first = std::mem::take(values);
                *self = Scaled::Two(Box::new([first, more]));
            }
            (_, more) => {
                for part in more.as_slices() {
                    self.extend_from(part);
                }
            }
        }
    }

    /// Adds copies of `more`.
    pub fn extend_from(&mut self, more: &[u32]) {
        match self {
            Scaled::Heap(values) => return values.extend_from_slice(more),
            Scaled::Two(both) => return both[1].extend_from_slice(more),
            Scaled::Inline { .. } => {}
        }
        let room = INLINE_VALUES - self.len();
        if more.len() <= room {
            for &value in more {
                self.push(value);
            }
        } else {
            let mut heap = Vec::with_capacity(self.len() + more.len());
            heap.extend_from_slice(self.as_slices()[0]);
            heap.extend_from_slice(more);
            *self = Scaled::Heap(heap);
        }
    }

    /// Every value as a float (`units / SCALE`) into `out`.
    pub fn to_f64_into<const SCALE: u32>(&self, out: &mut Vec<f64>) {
        let scale = f64::from(SCALE);
        for part in self.as_slices() {
            out.extend(part.iter().map(|&units| f64::from(units) / scale));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(scaled: &Scaled) -> Vec<u32> {
        scaled.as_slices().concat()
    }

    #[test]
    fn scaled_values_read_back_bit_for_bit() {
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
        let kept: Vec<f64> = pushed
            .iter()
            .filter_map(|&v| scaled::<1000>(v))
            .map(|units| f64::from(units) / 1000.0)
            .collect();
        // Milliseconds with three decimals take the 4-byte form.
        assert_eq!(kept, vec![2294.199, 0.0, 1.5, 4_294_967.295]);
        for (value, units) in pushed.iter().filter_map(|&v| Some((v, scaled::<1000>(v)?))) {
            assert_eq!((f64::from(units) / 1000.0).to_bits(), value.to_bits());
        }
    }

    #[test]
    fn scaled_values_spill_from_inline_to_heap_and_append() {
        let mut a = Scaled::default();
        assert_eq!(std::mem::size_of::<Scaled>(), 24);
        for v in 0..3 {
            a.push(v);
        }
        assert!(matches!(a, Scaled::Inline { .. }));
        a.push(3);
        assert!(matches!(a, Scaled::Heap(_)));
        assert_eq!(values(&a), [0, 1, 2, 3]);
        let mut b = Scaled::default();
        b.push(9);
        b.append(a);
        assert_eq!(values(&b), [9, 0, 1, 2, 3]);
        let mut c = Scaled::default();
        c.push(7);
        let mut d = Scaled::default();
        d.push(8);
        c.append(d);
        assert!(matches!(c, Scaled::Inline { len: 2, .. }));
        c.append(Scaled::default());
        assert_eq!(values(&c), [7, 8]);
        let mut empty = Scaled::default();
        empty.append(c);
        assert_eq!(values(&empty), [7, 8]);
        let mut out = Vec::new();
        empty.to_f64_into::<1000>(&mut out);
        assert_eq!(out, vec![0.007, 0.008]);
    }

    #[test]
    fn two_vectors_merge_side_by_side_and_read_in_order() {
        let heap = |values: std::ops::Range<u32>| {
            let mut scaled = Scaled::default();
            values.for_each(|v| scaled.push(v));
            scaled
        };
        let mut a = heap(0..5);
        a.append(heap(5..9));
        assert!(matches!(a, Scaled::Two(_)));
        assert_eq!(values(&a), (0..9).collect::<Vec<_>>());
        assert_eq!(a.len(), 9);
        // Where the next value goes: the end of the second vector.
        let [_, second] = a.as_slices();
        assert_eq!(a.tail(), second.as_ptr().wrapping_add(4));
        a.push(9);
        a.append(heap(10..12));
        a.append(heap(12..20));
        a.extend_from(&[20, 21]);
        assert_eq!(values(&a), (0..22).collect::<Vec<_>>());
        let mut out = Vec::new();
        a.to_f64_into::<1>(&mut out);
        assert_eq!(out, (0..22).map(f64::from).collect::<Vec<_>>());
        let mut empty = Scaled::default();
        empty.append(a);
        assert_eq!(values(&empty), (0..22).collect::<Vec<_>>());
        // A second vector with nothing in it yet: the next value goes there.
        let mut b = heap(0..5);
        b.append(Scaled::Heap(Vec::with_capacity(8)));
        let [_, second] = b.as_slices();
        assert_eq!(b.tail(), second.as_ptr());
        b.push(5);
        assert_eq!(values(&b), (0..6).collect::<Vec<_>>());
    }

    #[test]
    fn more_users_count_distinct_ids() {
        let mut set = MoreUsers::default();
        let ids = [64, 65, 127, 128, 4095, 4096, 1 << 30, 64, 4096];
        for id in ids {
            set.insert(id);
        }
        assert_eq!(set.len(), 7);
        let mut back: Vec<u32> = set.iter().collect();
        back.sort();
        assert_eq!(back, vec![64, 65, 127, 128, 4095, 4096, 1 << 30]);
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
        let mut negative = ExactSum::default();
        negative.add(-1.5);
        negative.add(-2.25);
        let mut more = ExactSum::default();
        more.add(0.75);
        negative.merge(more);
        assert_eq!(negative.value(), -3.0);
        let mut huge = ExactSum::default();
        huge.add(1e300);
        huge.add(1.5);
        assert_eq!(huge.value(), 1e300);
    }
}

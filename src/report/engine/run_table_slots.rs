//! The runs of one shard of the run table: open addressing with linear probing
//! over 32-byte entries, each aligned to half a cache line.
//!
//! An entry is the run id, the start time packed with the flags, status and
//! resolution in one word, the descriptor and the user. A lookup reads the
//! entry where the hash lands and usually stops there, so a run costs one cache
//! miss. The table grows by half when it is 85% full: a run costs 38 to 57
//! bytes, not 46 to 68 as at 70%, and the run table is most of a report's
//! memory; the longer probes of a fuller table read the lines after the first,
//! which the prefetcher brings. The packing of the word is checked when the
//! crate compiles (the `const _` assertions below).

use super::group_totals::RESOLUTIONS;
use super::parse::{MAX_DURATION_MS, STATUS_NAMES};
use super::run_table::{RunInfo, RunKey, RunSlot, flag};

/// A field packed in an entry's word: `width` bits from bit `shift`.
#[derive(Clone, Copy)]
struct Bits {
    shift: u32,
    width: u32,
}

impl Bits {
    const fn mask(self) -> u64 {
        (u64::MAX >> (64 - self.width)) << self.shift
    }

    /// The field's value in `word`.
    const fn get(self, word: u64) -> u64 {
        (word & self.mask()) >> self.shift
    }

    /// `value` (cut to the field's width) in the field's place.
    const fn put(self, value: u64) -> u64 {
        (value << self.shift) & self.mask()
    }
}

/// The entry holds a run (an all-zero entry is empty).
const PRESENT: Bits = Bits { shift: 0, width: 1 };
/// [`flag`] bits.
const FLAGS: Bits = Bits { shift: 1, width: 4 };
/// The run_end status index.
const STATUS: Bits = Bits { shift: 5, width: 3 };
/// The resolution index.
const RESOLUTION: Bits = Bits { shift: 8, width: 3 };
/// The start time in the top 50 bits, signed: ±2^49 ms is ±17,000 years, far
/// past what a `ts` can say (years 0 to 9999).
const TIME: Bits = Bits {
    shift: 14,
    width: 50,
};
const TIME_LIMIT: i64 = 1 << (TIME.width - 1);
const FIRST_CAPACITY: usize = 1024;

/// True when every field has a width, fits in 64 bits and overlaps no other.
const fn disjoint(fields: &[Bits]) -> bool {
    let mut taken = 0u64;
    let mut i = 0;
    while i < fields.len() {
        let field = fields[i];
        if field.width == 0 || field.shift + field.width > 64 || taken & field.mask() != 0 {
            return false;
        }
        taken |= field.mask();
        i += 1;
    }
    true
}

// The packing, checked when it compiles: the fields do not overlap, the time is
// the top of the word (read back with an arithmetic shift, for its sign), and
// every value a field holds fits its width.
const _: () = assert!(disjoint(&[PRESENT, FLAGS, STATUS, RESOLUTION, TIME]));
const _: () = assert!(TIME.shift + TIME.width == 64);
const _: () = assert!(STATUS_NAMES.len() as u64 <= 1 << STATUS.width);
const _: () = assert!(RESOLUTIONS.len() as u64 <= 1 << RESOLUTION.width);
const _: () = assert!(
    (flag::START | flag::END | flag::ASKED | flag::RATED) as u64 <= FLAGS.mask() >> FLAGS.shift
);
// A run's start is its ts (years 0 to 9999, a day either side for offsets) less
// its duration: inside the time field without clamping.
const _: () = assert!(-62_167_219_200_000 - 86_400_000 - (MAX_DURATION_MS as i64) >= -TIME_LIMIT);
const _: () = assert!(253_402_300_799_999 + 86_400_000 < TIME_LIMIT);

#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Entry {
    key: RunKey,
    word: u64,
    desc: u32,
    user: u32,
}

impl Entry {
    fn new(key: RunKey, slot: &RunSlot) -> Entry {
        let time = slot.time_ms.clamp(-TIME_LIMIT, TIME_LIMIT - 1);
        let word = TIME.put(time as u64)
            | RESOLUTION.put(slot.info.resolution as u64)
            | STATUS.put(slot.status as u64)
            | FLAGS.put(slot.flags as u64)
            | PRESENT.put(1);
        Entry {
            key,
            word,
            desc: slot.info.desc,
            user: slot.info.user,
        }
    }

    fn slot(&self) -> RunSlot {
        RunSlot {
            time_ms: self.word as i64 >> TIME.shift,
            info: RunInfo {
                desc: self.desc,
                user: self.user,
                resolution: RESOLUTION.get(self.word) as u8,
            },
            flags: FLAGS.get(self.word) as u8,
            status: STATUS.get(self.word) as u8,
        }
    }

    fn is_empty(&self) -> bool {
        PRESENT.get(self.word) == 0
    }
}

/// One shard's runs.
#[derive(Default)]
pub struct ShardSlots {
    entries: Vec<Entry>,
    len: usize,
}

/// The hash of a run id: both words mixed, so ids that differ anywhere spread.
#[inline]
pub fn hash(key: RunKey) -> u64 {
    let x = (key[1] ^ key[0].rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ x >> 29
}

impl ShardSlots {
    /// Calls `update` with the run's slot (a default one, `fresh`, when the run is
    /// new) and stores the slot it leaves. `hash` is [`hash`] of `key`.
    #[inline]
    pub fn update<R>(
        &mut self,
        key: RunKey,
        hash: u64,
        update: impl FnOnce(&mut RunSlot, bool) -> R,
    ) -> R {
        if !self.has_room(1) {
            self.grow();
        }
        let at = self.find(key, hash);
        let entry = &mut self.entries[at];
        let fresh = entry.is_empty();
        let mut slot = if fresh {
            self.len += 1;
            RunSlot::default()
        } else {
            entry.slot()
        };
        let result = update(&mut slot, fresh);
        *entry = Entry::new(key, &slot);
        result
    }

    /// Whether `more` runs fit without passing the load factor (85%).
    #[inline]
    fn has_room(&self, more: usize) -> bool {
        (self.len + more) * 20 <= self.entries.len() * 17
    }

    /// Makes room for `more` runs without growing in between.
    pub fn reserve(&mut self, more: usize) {
        while !self.has_room(more) {
            self.grow();
        }
    }

    /// Starts fetching the entry where a run of this hash would be.
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        if !self.entries.is_empty() {
            let at = self.place(hash);
            // SAFETY: a prefetch is only a hint: it reads nothing and cannot fault;
            // the address is an element of `entries` anyway.
            unsafe {
                use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
                _mm_prefetch::<_MM_HINT_T0>(self.entries.as_ptr().add(at) as *const i8);
            }
        }
    }

    /// Visits every run.
    pub fn for_each(&self, mut visit: impl FnMut(RunKey, &RunSlot)) {
        for entry in self.entries.iter().filter(|e| !e.is_empty()) {
            visit(entry.key, &entry.slot());
        }
    }

    /// The index of the key's entry, or of the empty entry where it would go.
    #[inline]
    fn find(&self, key: RunKey, hash: u64) -> usize {
        let capacity = self.entries.len();
        let mut at = self.place(hash);
        loop {
            let entry = &self.entries[at];
            if entry.is_empty() || entry.key == key {
                return at;
            }
            at += 1;
            if at == capacity {
                at = 0;
            }
        }
    }

    /// Where a run of this hash is first looked for: the top bits of the hash
    /// chose the shard; the rest, scaled to the capacity, choose the place.
    #[inline]
    fn place(&self, hash: u64) -> usize {
        (((hash << super::run_table::SHARD_BITS) as u128 * self.entries.len() as u128) >> 64)
            as usize
    }

    fn grow(&mut self) {
        let capacity = (self.entries.len() * 3 / 2).max(FIRST_CAPACITY);
        let old = std::mem::replace(&mut self.entries, vec![Entry::default(); capacity]);
        for entry in old.into_iter().filter(|e| !e.is_empty()) {
            let at = self.find(entry.key, hash(entry.key));
            self.entries[at] = entry;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip_through_the_packed_entry() {
        for time_ms in [
            0,
            -1,
            1_795_000_000_000,
            -62_167_219_200_000,
            253_402_300_799_999,
        ] {
            let slot = RunSlot {
                time_ms,
                info: RunInfo {
                    desc: 3 << 30 | 12345,
                    user: u32::MAX,
                    resolution: 4,
                },
                flags: 15,
                status: 4,
            };
            let back = Entry::new([1, 2], &slot).slot();
            assert_eq!(back.time_ms, time_ms);
            assert_eq!(back.info.desc, slot.info.desc);
            assert_eq!(back.info.user, slot.info.user);
            assert_eq!((back.info.resolution, back.flags, back.status), (4, 15, 4));
        }
    }

    #[test]
    fn finds_every_run_after_growing() {
        let mut slots = ShardSlots::default();
        // Ids that differ only in a few bits, like sequential ones, must spread too.
        let keys: Vec<RunKey> = (0..50_000u64).map(|i| [7, i]).collect();
        for (i, &key) in keys.iter().enumerate() {
            let fresh = slots.update(key, hash(key), |slot, fresh| {
                slot.time_ms = i as i64;
                fresh
            });
            assert!(fresh);
        }
        for (i, &key) in keys.iter().enumerate() {
            let (time, fresh) = slots.update(key, hash(key), |slot, fresh| (slot.time_ms, fresh));
            assert_eq!((time, fresh), (i as i64, false));
        }
        let mut seen = 0;
        slots.for_each(|_, _| seen += 1);
        assert_eq!(seen, keys.len());
    }
}

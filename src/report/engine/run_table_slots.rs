//! The runs of one shard of the run table: open addressing with linear probing
//! over 24-byte entries ([`Entry`]), and aside them the few runs that do not
//! pack in one.
//!
//! A lookup reads the entry where the hash lands and the ones after it, which
//! the prefetcher brings, so a run costs about one cache miss. The table grows
//! by a sixth when it is 90% full, so it is 77 to 90% full: a run costs 27 to
//! 31 bytes (at 57 to 85% with 32-byte entries it cost 38 to 57). The longer
//! probes cost about 5% more instructions than growing by a quarter at 85%.
//! Each shard starts at a slightly other size, so the shards do not grow
//! together and the table's memory follows the number of runs instead of
//! jumping by a growth step at once.

use super::run_table::{Map, RunKey, RunSlot};
use super::run_table_entry::Entry;

const FIRST_CAPACITY: usize = 1024;
/// The table grows by 1 / GROWTH_DIVISOR of its size...
const GROWTH_DIVISOR: usize = 6;
/// ... when it is MAX_FILL percent full.
const MAX_FILL: usize = 90;
/// Tables of this size or more grow in place (see [`ShardSlots::grow`]): twice
/// the allocator's first threshold for mapping a block on its own (128 KiB),
/// which rises as it gives back the smaller tables' blocks. At 1 MiB: 51,800
/// page faults on the 1 GiB lean log, at 256 KiB 32,300, with the same RSS.
const IN_PLACE_BYTES: usize = 256 << 10;

/// One shard's runs.
#[derive(Default)]
pub struct ShardSlots {
    entries: Vec<Entry>,
    len: usize,
    /// The capacity of the first allocation (see [`ShardSlots::staggered`]).
    first: usize,
    /// The runs whose entry is [`Entry::spilled`].
    spilled: Map<RunSlot>,
}

/// The hash of a run id: both words mixed, so ids that differ anywhere spread.
#[inline]
pub fn hash(key: RunKey) -> u64 {
    let x = (key[1] ^ key[0].rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ x >> 29
}

impl ShardSlots {
    /// The runs of shard `index` of `shards`: its first capacity is the one
    /// before it times the `shards`-th root of the growth, so the shards' sizes
    /// are spread over one growth step.
    pub fn staggered(index: usize, shards: usize) -> Self {
        ShardSlots {
            first: FIRST_CAPACITY + FIRST_CAPACITY * index / (shards * GROWTH_DIVISOR),
            ..ShardSlots::default()
        }
    }

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
        } else if entry.is_spilled() {
            // It was put there with the entry: the default is never used.
            self.spilled.remove(&key).unwrap_or_default()
        } else {
            entry.slot()
        };
        let result = update(&mut slot, fresh);
        *entry = Entry::pack(key, &slot).unwrap_or_else(|| {
            self.spilled.insert(key, slot);
            Entry::spilled(key)
        });
        result
    }

    /// Whether `more` runs fit without passing the load factor.
    #[inline]
    fn has_room(&self, more: usize) -> bool {
        (self.len + more) * 100 <= self.entries.len() * MAX_FILL
    }

    /// Makes room for `runs` runs in all in one growth, when the table has less:
    /// for a size known early, instead of growing a sixth at a time.
    pub fn presize(&mut self, runs: usize) {
        let capacity = (runs * 100).div_ceil(MAX_FILL);
        if capacity <= self.entries.len() || runs < self.len {
            return;
        }
        if self.entries.len() * std::mem::size_of::<Entry>() < IN_PLACE_BYTES {
            self.grow_into_new(capacity);
        } else {
            self.grow_in_place(capacity);
        }
    }

    /// The number of runs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// How many entries the table has room for.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.entries.len()
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
                // A 24-byte entry may straddle two lines: both are fetched.
                let first = self.entries.as_ptr().add(at) as *const i8;
                _mm_prefetch::<_MM_HINT_T0>(first);
                _mm_prefetch::<_MM_HINT_T0>(first.add(std::mem::size_of::<Entry>() - 1));
            }
        }
    }

    /// The run `key` (`hash` is [`hash`] of it), if the table has it.
    pub fn get(&self, key: RunKey, hash: u64) -> Option<RunSlot> {
        if self.entries.is_empty() {
            return None;
        }
        let entry = &self.entries[self.find(key, hash)];
        if entry.is_empty() {
            None
        } else if entry.is_spilled() {
            self.spilled.get(&key).copied()
        } else {
            Some(entry.slot())
        }
    }

    /// Visits every run.
    pub fn for_each(&self, mut visit: impl FnMut(RunKey, &RunSlot)) {
        for entry in self.entries.iter().filter(|e| !e.is_empty()) {
            if !entry.is_spilled() {
                visit(entry.key, &entry.slot());
            } else if let Some(slot) = self.spilled.get(&entry.key) {
                visit(entry.key, slot);
            }
        }
    }

    /// How many runs are kept aside (for tests and measurements).
    #[cfg(test)]
    pub fn spilled_len(&self) -> usize {
        self.spilled.len()
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

    /// Grows the table: a small one into a fresh allocation, a large one in
    /// place. A fresh table each growth made the kernel fault in and zero about
    /// seven times the final table over a run (101,000 page faults on the 1 GiB
    /// lean log); growing in place, only the new end is new memory. Small tables
    /// still move: the allocator keeps them in its heap, where extending one
    /// leaves the old block behind (peak RSS 4 bytes more per run at 200,000
    /// runs), while the first table of [`IN_PLACE_BYTES`] or more it maps on its
    /// own, and extends by remapping its pages, without copying them.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let old = self.entries.len();
        let grown = old + old / GROWTH_DIVISOR;
        let capacity = grown.max(self.first).max(FIRST_CAPACITY);
        if old * std::mem::size_of::<Entry>() < IN_PLACE_BYTES {
            self.grow_into_new(capacity);
        } else {
            self.grow_in_place(capacity);
        }
    }

    /// Moves the runs into a new allocation of `capacity` entries.
    fn grow_into_new(&mut self, capacity: usize) {
        let old = std::mem::replace(&mut self.entries, vec![Entry::default(); capacity]);
        // The keys are distinct: each goes to the first empty place from its
        // own, with no key to compare on the way.
        for entry in old.into_iter().filter(|e| !e.is_empty()) {
            let mut at = self.place(hash(entry.key));
            while !self.entries[at].is_empty() {
                at += 1;
                if at == capacity {
                    at = 0;
                }
            }
            self.entries[at] = entry;
        }
    }

    /// Extends the allocation to `capacity` entries, then takes out each run
    /// not yet moved and puts it at the first place from its new one that holds
    /// no moved run; a run found there, not yet moved, is taken out in turn.
    /// Moved runs stay put, so every run ends with only moved runs between its
    /// place and itself, as a lookup needs.
    fn grow_in_place(&mut self, capacity: usize) {
        let old = self.entries.len();
        self.entries.reserve_exact(capacity - old);
        self.entries.resize(capacity, Entry::default());
        // One bit per place: whether it holds a moved run.
        let mut moved = vec![0u64; capacity.div_ceil(64)];
        let is_moved = |moved: &[u64], at: usize| moved[at / 64] >> (at % 64) & 1 != 0;
        // From the top down: a run moves up by about a sixth of its place, into
        // the new end or a place already done, so it rarely finds a run to take
        // out, and both the reads and the writes go through memory in order.
        for i in (0..old).rev() {
            if self.entries[i].is_empty() || is_moved(&moved, i) {
                continue;
            }
            let mut entry = std::mem::take(&mut self.entries[i]);
            loop {
                let mut at = self.place(hash(entry.key));
                while is_moved(&moved, at) {
                    at += 1;
                    if at == capacity {
                        at = 0;
                    }
                }
                moved[at / 64] |= 1 << (at % 64);
                entry = std::mem::replace(&mut self.entries[at], entry);
                if entry.is_empty() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run_table::flag;
    use super::*;

    fn set(slots: &mut ShardSlots, key: RunKey, time_ms: i64, flags: u8, user: u32) -> bool {
        slots.update(key, hash(key), |slot, fresh| {
            slot.time_ms = time_ms;
            slot.flags = flags;
            slot.info.user = user;
            fresh
        })
    }

    fn get(slots: &mut ShardSlots, key: RunKey) -> (RunSlot, bool) {
        slots.update(key, hash(key), |slot, fresh| (*slot, fresh))
    }

    #[test]
    fn finds_every_run_after_growing() {
        let mut slots = ShardSlots::staggered(5, 16);
        // Ids that differ only in a few bits, like sequential ones, must spread too;
        // every 7th spills (far from its id's time).
        let keys: Vec<RunKey> = (0..50_000u64).map(|i| [7, i]).collect();
        let time = |i: usize| {
            if i.is_multiple_of(7) {
                i64::MAX - i as i64
            } else {
                i as i64
            }
        };
        for (i, &key) in keys.iter().enumerate() {
            assert!(set(&mut slots, key, time(i), flag::END, 0));
        }
        assert_eq!(slots.spilled_len(), keys.len().div_ceil(7));
        for (i, &key) in keys.iter().enumerate() {
            let (slot, fresh) = get(&mut slots, key);
            assert_eq!((slot.time_ms, fresh), (time(i), false));
        }
        let mut seen = 0;
        slots.for_each(|key, slot| {
            assert_eq!(slot.time_ms, time(key[1] as usize));
            seen += 1;
        });
        assert_eq!(seen, keys.len());
    }

    #[test]
    fn presizing_keeps_every_run_and_spares_the_later_growths() {
        for first in [500usize, 20_000] {
            let mut slots = ShardSlots::default();
            let keys: Vec<RunKey> = (0..60_000u64)
                .map(|i| [i << 16, i.wrapping_mul(0x9E37_79B9_7F4A_7C15)])
                .collect();
            for (n, &key) in keys[..first].iter().enumerate() {
                assert!(set(&mut slots, key, n as i64, flag::END, 0));
            }
            slots.presize(keys.len());
            let capacity = slots.entries.len();
            assert!(capacity * MAX_FILL >= keys.len() * 100, "{capacity}");
            for (n, &key) in keys.iter().enumerate().skip(first) {
                assert!(set(&mut slots, key, n as i64, flag::END, 0));
            }
            assert_eq!(slots.entries.len(), capacity, "grew after presizing");
            for (n, &key) in keys.iter().enumerate() {
                assert_eq!(
                    slots.get(key, hash(key)).expect("a run lost").time_ms,
                    n as i64
                );
            }
            // Smaller than what it holds: nothing changes.
            slots.presize(10);
            assert_eq!((slots.entries.len(), slots.len()), (capacity, keys.len()));
        }
    }

    #[test]
    fn every_run_is_found_after_each_growth() {
        let mut slots = ShardSlots::default();
        let keys: Vec<RunKey> = (0..20_000u64)
            .map(|i| [i << 16, i.wrapping_mul(0x9E37_79B9_7F4A_7C15)])
            .collect();
        let mut growths = 0;
        for (n, &key) in keys.iter().enumerate() {
            let capacity = slots.entries.len();
            assert!(set(&mut slots, key, n as i64, flag::END, 0));
            if slots.entries.len() != capacity {
                growths += 1;
                for (i, &earlier) in keys[..=n].iter().enumerate() {
                    let slot = slots.get(earlier, hash(earlier)).expect("a run lost");
                    assert_eq!(slot.time_ms, i as i64);
                }
            }
        }
        assert!(growths > 10, "{growths} growths");
        assert_eq!((slots.len, slots.spilled_len()), (keys.len(), 0));
    }

    #[test]
    fn every_run_is_found_after_growing_in_place() {
        let mut slots = ShardSlots::default();
        let keys: Vec<RunKey> = (0..30_000u64)
            .map(|i| [i << 16, i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i >> 3])
            .collect();
        let check = |slots: &ShardSlots, n: usize| {
            for (i, &key) in keys[..n].iter().enumerate() {
                let slot = slots.get(key, hash(key)).expect("a run lost");
                assert_eq!(slot.time_ms, i as i64);
            }
            let mut seen = 0;
            slots.for_each(|_, _| seen += 1);
            assert_eq!(seen, n);
        };
        for (n, &key) in keys.iter().enumerate() {
            assert!(set(&mut slots, key, n as i64, flag::END, 0));
            // Grown by a sixth at 90%, by one place, by two thirds.
            if slots.len * 10 >= slots.entries.len() * 9 || n % 4999 == 0 {
                let len = slots.entries.len();
                let capacity = [len + len / 6, len + 1, len + len * 2 / 3][n % 3];
                slots.grow_in_place(capacity);
                assert_eq!(slots.entries.len(), capacity);
                check(&slots, n + 1);
            }
        }
        check(&slots, keys.len());
    }

    #[test]
    fn runs_move_between_the_entry_and_the_side_map() {
        let mut slots = ShardSlots::default();
        let key = [1_790_000_000_000u64 << 16, 42];
        let id = 1_790_000_000_000;
        // A start with a large user spills; its end brings it back inline.
        assert!(set(&mut slots, key, id, flag::START, 70_000));
        assert_eq!(slots.spilled_len(), 1);
        assert_eq!(get(&mut slots, key).0.info.user, 70_000);
        assert!(!set(
            &mut slots,
            key,
            id + 5,
            flag::START | flag::END,
            70_000
        ));
        assert_eq!(slots.spilled_len(), 0);
        assert_eq!(get(&mut slots, key).0.time_ms, id + 5);
        // A far-off time spills it again, a near one brings it back.
        set(&mut slots, key, id + (1 << 40), flag::END, 0);
        assert_eq!(slots.spilled_len(), 1);
        set(&mut slots, key, id - 3, flag::END, 0);
        assert_eq!(slots.spilled_len(), 0);
        let (slot, fresh) = get(&mut slots, key);
        assert_eq!(
            (slot.time_ms, slot.flags, fresh),
            (id - 3, flag::END, false)
        );
        let mut seen = Vec::new();
        slots.for_each(|key, slot| seen.push((key, slot.time_ms)));
        assert_eq!(seen, vec![(key, id - 3)]);
    }
}

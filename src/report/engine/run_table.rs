//! The table of runs shared by the parsing workers: it de-duplicates events by
//! (run_id, type), joins a run's start, end and ratings wherever they are in
//! the input, and keeps the latest rating of each run.
//!
//! It is the only state that grows with the number of runs. Runs live in an
//! open-addressing table of 24-byte entries (the run id, then its start time as
//! a delta from the id's UUID v7 time, packed with the flags and descriptor):
//! looking one up usually costs one cache miss (a general hash map costs two:
//! its control bytes, then its bucket). A run's latest rating is packed in
//! the same entry once the run has ended. Runs that do not pack are kept
//! whole beside the table.
//! Sharded locks keep two workers from waiting on each other.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, TryLockError};

use super::run_table_slots::{self, ShardSlots};

/// Shards: a power of two, indexed by the top bits of the run's hash.
pub(super) const SHARD_BITS: u32 = 4;
const SHARDS: usize = 1 << SHARD_BITS;
/// A run id split in two words (8-byte aligned, so entries stay small).
pub type RunKey = [u64; 2];

/// A run id as a table key.
#[inline]
pub fn key(run_id: u128) -> RunKey {
    [(run_id >> 64) as u64, run_id as u64]
}

/// The run id of a table key ([`key`] undone).
#[inline]
pub fn run_id(key: RunKey) -> u128 {
    (key[0] as u128) << 64 | key[1] as u128
}

/// Hashes run ids: UUID v7's low word is random, so a multiply is enough.
#[derive(Default)]
pub struct RunIdHasher(u64);

impl Hasher for RunIdHasher {
    fn finish(&self) -> u64 {
        // murmur3's finaliser: every input bit reaches the low bits buckets use.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(29) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, _: usize) {}
}

pub(super) type Map<V> = HashMap<RunKey, V, BuildHasherDefault<RunIdHasher>>;

/// Flags of a [`RunSlot`].
pub mod flag {
    pub const START: u8 = 1;
    pub const END: u8 = 2;
    pub const ASKED: u8 = 4;
    /// The run has a rating (so the final pass looks for it only then).
    pub const RATED: u8 = 8;
}

/// What the table knows about one run.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunSlot {
    /// When the run started (ms): run_end's ts minus its duration, else run_start's ts,
    /// else the rating's ts.
    pub time_ms: i64,
    /// Who and what the run is.
    pub info: RunInfo,
    /// [`flag`] bits.
    pub flags: u8,
    /// The run_end status index.
    pub status: u8,
    /// With [`flag::RATED`]: the latest rating...
    pub stars: u8,
    /// ... and its ts (ms).
    pub rating_ts: i64,
}

impl RunSlot {
    /// A run with a run_start and no run_end.
    pub fn is_incomplete(&self) -> bool {
        self.flags & flag::START != 0 && self.flags & flag::END == 0
    }
}

/// A run's fields as one worker interned them (`desc`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RunInfo {
    /// The descriptor id, with the worker's index in its top bits.
    pub desc: u32,
    /// The user id (in the same worker's interner); the table keeps it only
    /// while the run has no run_end, the only runs whose user is read.
    pub user: u32,
    /// The resolution index; kept, like the user, only while the run has no end.
    pub resolution: u8,
}

/// What a run_end tells the table.
#[derive(Debug, Clone, Copy)]
pub struct EndInfo {
    pub info: RunInfo,
    pub time_ms: i64,
    pub status: u8,
    pub asked: bool,
}

/// The latest rating of a run.
#[derive(Debug, Clone, Copy)]
pub struct Rating {
    pub ts_ms: i64,
    pub rating: u8,
}

/// One change to the table.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    /// A run_start.
    Start { info: RunInfo, time_ms: i64 },
    /// A run_end, with its run_start when the worker paired them itself.
    End { end: EndInfo, with_start: bool },
    /// A rating; `info` describes the run when no run_start or run_end of it is ever seen.
    Rate {
        info: RunInfo,
        ts_ms: i64,
        rating: u8,
    },
}

/// Changes collected from one chunk, applied together with [`RunTable::apply`]:
/// grouped by shard, each shard is locked once, and the entry of a later change
/// is fetched from memory while an earlier one is worked on.
#[derive(Default)]
pub struct Batch {
    /// The shard this batch is applied from (then on in turn): workers start
    /// at different shards, so that while one sizes a shard the other applies
    /// or sizes another instead of queuing behind it.
    first_shard: usize,
    changes: Vec<(RunKey, u64, Change)>,
    /// Indexes of `changes`, grouped by shard.
    order: Vec<u32>,
    /// Per change, in push order: whether it was new, and (for an end with its
    /// start) whether the start was.
    pub results: Vec<(bool, bool)>,
}

impl Batch {
    /// An empty batch for worker `worker` (see `first_shard`): worker 1 starts
    /// about half way round from worker 0, and any 16 workers at 16 different shards
    /// (9 and the 16 shards have no common factor).
    pub fn for_worker(worker: u32) -> Self {
        Batch {
            first_shard: worker as usize * 9 % SHARDS,
            ..Batch::default()
        }
    }

    /// Adds a change of the run `key`.
    pub fn push(&mut self, key: RunKey, change: Change) {
        self.changes.push((key, run_table_slots::hash(key), change));
    }

    /// Sets the descriptor of the change at `index` (in push order).
    pub fn set_desc(&mut self, index: usize, desc: u32) {
        if let Some((_, _, change)) = self.changes.get_mut(index) {
            match change {
                Change::Start { info, .. } | Change::Rate { info, .. } => info.desc = desc,
                Change::End { end, .. } => end.info.desc = desc,
            }
        }
    }

    /// Empties the batch, keeping its memory.
    pub fn clear(&mut self) {
        self.changes.clear();
        self.order.clear();
        self.results.clear();
    }
}

/// How many changes ahead the entries are fetched.
const PREFETCH_AHEAD: usize = 8;

#[inline]
fn shard_of(hash: u64) -> usize {
    (hash >> (64 - SHARD_BITS)) as usize
}

#[derive(Default)]
struct Shard {
    runs: ShardSlots,
    /// (run, ts) of ratings a later one replaced.
    replaced: std::collections::HashSet<(RunKey, i64)>,
}

impl Shard {
    /// Applies one change; see [`Batch::results`].
    #[inline]
    fn apply(&mut self, key: RunKey, hash: u64, change: Change) -> (bool, bool) {
        match change {
            Change::Start { info, time_ms } => (self.start(key, hash, info, time_ms), false),
            Change::End { end, with_start } => self.end(key, hash, end, with_start),
            Change::Rate {
                info,
                ts_ms,
                rating,
            } => (self.rate(key, hash, info, ts_ms, rating), false),
        }
    }

    /// Records a run_end, and its run_start when `with_start`. Returns whether
    /// the end, and the start, were new (not duplicates).
    fn end(&mut self, key: RunKey, hash: u64, end: EndInfo, with_start: bool) -> (bool, bool) {
        self.runs.update(key, hash, |slot, _| {
            let start_fresh = with_start && slot.flags & flag::START == 0;
            if with_start {
                slot.flags |= flag::START;
            }
            if slot.flags & flag::END != 0 {
                return (false, start_fresh);
            }
            slot.flags |= flag::END | if end.asked { flag::ASKED } else { 0 };
            slot.info = end.info;
            slot.time_ms = end.time_ms;
            slot.status = end.status;
            (true, start_fresh)
        })
    }

    /// Records a run_start; false when this run already had one.
    fn start(&mut self, key: RunKey, hash: u64, info: RunInfo, time_ms: i64) -> bool {
        self.runs.update(key, hash, |slot, _| {
            if slot.flags & flag::START != 0 {
                return false;
            }
            if slot.flags & flag::END == 0 {
                slot.info = info;
                slot.time_ms = time_ms;
            }
            slot.flags |= flag::START;
            true
        })
    }

    /// Records a rating; false when it is a duplicate (same run and same ts).
    fn rate(&mut self, key: RunKey, hash: u64, info: RunInfo, ts_ms: i64, rating: u8) -> bool {
        let replaced = &mut self.replaced;
        self.runs.update(key, hash, |slot, fresh| {
            if fresh {
                slot.time_ms = ts_ms;
                slot.info = info;
            }
            if slot.flags & flag::RATED == 0 {
                slot.flags |= flag::RATED;
                (slot.rating_ts, slot.stars) = (ts_ms, rating);
                return true;
            }
            if slot.rating_ts == ts_ms {
                return false;
            }
            // Re-ratings are rare: remember the replaced ones to spot their duplicates.
            let older = if ts_ms > slot.rating_ts {
                let older = slot.rating_ts;
                (slot.rating_ts, slot.stars) = (ts_ms, rating);
                older
            } else {
                ts_ms
            };
            replaced.insert((key, older)) || older != ts_ms
        })
    }
}

/// Locks a shard. A poisoned lock only follows a worker's panic, which
/// `aggregate` raises again when it joins the workers, so it is taken as it is.
fn lock(shard: &Mutex<Shard>) -> std::sync::MutexGuard<'_, Shard> {
    shard.lock().unwrap_or_else(|p| p.into_inner())
}

/// The shared run table.
pub struct RunTable {
    shards: Vec<Mutex<Shard>>,
    /// The runs each shard is to have room for (see [`RunTable::presize`]).
    runs_per_shard: AtomicUsize,
}

impl Default for RunTable {
    fn default() -> Self {
        RunTable {
            shards: (0..SHARDS)
                .map(|i| {
                    Mutex::new(Shard {
                        runs: ShardSlots::staggered(i, SHARDS),
                        ..Shard::default()
                    })
                })
                .collect(),
            runs_per_shard: AtomicUsize::new(0),
        }
    }
}

impl RunTable {
    fn shard(&self, key: RunKey) -> std::sync::MutexGuard<'_, Shard> {
        let index = shard_of(run_table_slots::hash(key));
        lock(&self.shards[index])
    }

    /// The number of runs in the table (each shard locked in turn).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).runs.len()).sum()
    }

    /// The entries of every shard together.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.shards.iter().map(|s| lock(s).runs.capacity()).sum()
    }

    /// Sizes every shard for about `runs` runs in all at once, so that a table
    /// whose final size is known early is not rehashed a sixth at a time (seven
    /// times its size over a run: 5.5% of a report's samples on the 1 GiB lean log).
    /// Another worker applying a batch meanwhile sizes the shards it comes to
    /// first ([`RunTable::apply`]): the two share the work (a few hundred MB
    /// of new memory on a large log) instead of one waiting for the other.
    pub fn presize(&self, runs: usize) {
        let each = runs.div_ceil(SHARDS);
        self.runs_per_shard.fetch_max(each, Ordering::Relaxed);
        // The shards free now first; then each still left, waiting for it.
        let mut left: Vec<&Mutex<Shard>> = Vec::with_capacity(SHARDS);
        for shard in &self.shards {
            match shard.try_lock() {
                Ok(mut free) => free.runs.presize(each),
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().runs.presize(each),
                Err(TryLockError::WouldBlock) => left.push(shard),
            }
        }
        for shard in left {
            lock(shard).runs.presize(each);
        }
    }

    /// Applies every change of the batch and fills its `results`.
    pub fn apply(&self, batch: &mut Batch) {
        let Batch {
            first_shard,
            changes,
            order,
            results,
        } = batch;
        // A counting sort by shard (stable: one run's changes keep their order).
        let mut starts = [0u32; SHARDS + 1];
        for (_, hash, _) in changes.iter() {
            starts[shard_of(*hash) + 1] += 1;
        }
        for i in 0..SHARDS {
            starts[i + 1] += starts[i];
        }
        let mut next = starts;
        order.clear();
        order.resize(changes.len(), 0);
        for (i, (_, hash, _)) in changes.iter().enumerate() {
            let at = &mut next[shard_of(*hash)];
            order[*at as usize] = i as u32;
            *at += 1;
        }
        results.clear();
        results.resize(changes.len(), (false, false));
        let runs_per_shard = self.runs_per_shard.load(Ordering::Relaxed);
        for index in (0..SHARDS).map(|k| (k + *first_shard) % SHARDS) {
            let group = &order[starts[index] as usize..starts[index + 1] as usize];
            if group.is_empty() {
                continue;
            }
            let mut shard = lock(&self.shards[index]);
            // Nothing to do once sized (a comparison).
            shard.runs.presize(runs_per_shard);
            shard.runs.reserve(group.len());
            for (n, &i) in group.iter().enumerate() {
                if let Some(&ahead) = group.get(n + PREFETCH_AHEAD) {
                    shard.runs.prefetch(changes[ahead as usize].1);
                }
                let (key, hash, change) = changes[i as usize];
                results[i as usize] = shard.apply(key, hash, change);
            }
        }
    }

    /// The latest rating of a run.
    pub fn rating(&self, key: RunKey) -> Option<Rating> {
        let slot = self.shard(key).runs.get(key, run_table_slots::hash(key))?;
        rating_of(&slot)
    }

    /// Visits every run with its latest rating; consumes the table.
    #[cfg(test)]
    pub fn for_each(self, visit: impl FnMut(RunKey, &RunSlot, Option<Rating>)) {
        self.into_runs().for_each(visit);
    }

    /// The runs, no longer shared: several threads can read them at once.
    pub fn into_runs(self) -> Runs {
        Runs {
            shards: self
                .shards
                .into_iter()
                .map(|shard| shard.into_inner().unwrap_or_else(|p| p.into_inner()).runs)
                .collect(),
        }
    }
}

/// Every run of a [`RunTable`] once it is complete.
pub struct Runs {
    shards: Vec<ShardSlots>,
}

impl Runs {
    /// Visits every run with its latest rating.
    pub fn for_each(&self, mut visit: impl FnMut(RunKey, &RunSlot, Option<Rating>)) {
        for shard in &self.shards {
            shard.for_each(|key, slot| visit(key, slot, rating_of(slot)));
        }
    }
}

/// The latest rating of a run, if it has one.
fn rating_of(slot: &RunSlot) -> Option<Rating> {
    (slot.flags & flag::RATED != 0).then_some(Rating {
        ts_ms: slot.rating_ts,
        rating: slot.stars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(from: u64, runs: u64, worker: u32) -> Batch {
        let mut batch = Batch::for_worker(worker);
        for i in from..from + runs {
            let id =
                (0x0192_f3a1_0000_7000u128 + i as u128) << 64 | 0x8000_0000_0000_0000 | i as u128;
            let change = Change::Start {
                info: RunInfo::default(),
                time_ms: i as i64,
            };
            batch.push(key(id), change);
        }
        batch
    }

    fn capacities(table: &RunTable) -> Vec<usize> {
        table
            .shards
            .iter()
            .map(|s| lock(s).runs.capacity())
            .collect()
    }

    #[test]
    fn presizing_waits_for_a_busy_shard_and_sizes_every_one() {
        let table = RunTable::default();
        let runs = 400_000;
        std::thread::scope(|scope| {
            let busy = lock(&table.shards[5]);
            let sizing = scope.spawn(|| table.presize(runs));
            // The free shards are sized meanwhile; the busy one is waited for.
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!sizing.is_finished(), "returned with a shard not sized");
            drop(busy);
            sizing.join().unwrap();
        });
        let each = runs.div_ceil(SHARDS);
        for (shard, capacity) in capacities(&table).into_iter().enumerate() {
            assert!(capacity * 90 >= each * 100, "shard {shard}: {capacity}");
        }
    }

    #[test]
    fn a_batch_sizes_the_shards_it_comes_to_and_keeps_every_run() {
        let table = RunTable::default();
        let each = 30_000;
        // Promised, not yet done: as when another worker's presizing has not
        // reached these shards.
        table.runs_per_shard.store(each, Ordering::Relaxed);
        for worker in [0, 1] {
            let mut batch = starts(worker as u64 * 5_000, 5_000, worker);
            table.apply(&mut batch);
            assert!(batch.results.iter().all(|&(fresh, _)| fresh));
        }
        for (shard, capacity) in capacities(&table).into_iter().enumerate() {
            assert!(capacity * 90 >= each * 100, "shard {shard}: {capacity}");
        }
        let mut again = starts(0, 10_000, 1);
        table.apply(&mut again);
        assert!(
            again.results.iter().all(|&(fresh, _)| !fresh),
            "a run was lost"
        );
        assert_eq!(table.len(), 10_000);
    }
}

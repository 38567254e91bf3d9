//! The table of runs shared by the parsing workers: it de-duplicates events by
//! (run_id, type), joins a run's start, end and ratings wherever they are in
//! the input, and keeps the latest rating of each run.
//!
//! It is the only state that grows with the number of runs: 16 bytes of key and
//! 24 of slot per run, plus 16 per rated run. Sharded locks keep two workers from
//! waiting on each other.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

const SHARDS: usize = 256;

/// A run id split in two words (8-byte aligned, so entries stay small).
pub type RunKey = [u64; 2];

/// A run id as a table key.
#[inline]
pub fn key(run_id: u128) -> RunKey {
    [(run_id >> 64) as u64, run_id as u64]
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

type Map<V> = HashMap<RunKey, V, BuildHasherDefault<RunIdHasher>>;

/// Flags of a [`RunSlot`].
pub mod flag {
    pub const START: u8 = 1;
    pub const END: u8 = 2;
    pub const ASKED: u8 = 4;
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
}

/// A run's fields as one worker interned them (`desc`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RunInfo {
    /// The descriptor id, with the worker's index in its top bits.
    pub desc: u32,
    /// The user id (in the same worker's interner).
    pub user: u32,
    /// The resolution index.
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

#[derive(Default)]
struct Shard {
    runs: Map<RunSlot>,
    ratings: Map<Rating>,
    /// (run, ts) of ratings a later one replaced.
    replaced: std::collections::HashSet<(RunKey, i64)>,
}

/// The shared run table.
pub struct RunTable {
    shards: Vec<Mutex<Shard>>,
}

impl Default for RunTable {
    fn default() -> Self {
        RunTable {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl RunTable {
    fn shard(&self, key: RunKey) -> std::sync::MutexGuard<'_, Shard> {
        let index = (key[1] ^ key[1] >> 17) as usize % SHARDS;
        self.shards[index].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a run_end, and its run_start when `with_start` (a worker paired them
    /// itself). Returns whether the end, and the start, were new (not duplicates).
    pub fn end(&self, key: RunKey, end: EndInfo, with_start: bool) -> (bool, bool) {
        let mut shard = self.shard(key);
        let slot = shard.runs.entry(key).or_default();
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
    }

    /// Records a run_start; false when this run already had one.
    pub fn start(&self, key: RunKey, info: RunInfo, time_ms: i64) -> bool {
        let mut shard = self.shard(key);
        let slot = shard.runs.entry(key).or_default();
        if slot.flags & flag::START != 0 {
            return false;
        }
        if slot.flags & flag::END == 0 {
            slot.info = info;
            slot.time_ms = time_ms;
        }
        slot.flags |= flag::START;
        true
    }

    /// Records a rating; false when it is a duplicate (same run and same ts).
    /// `desc` describes the run when no run_start or run_end of it is ever seen.
    pub fn rate(&self, key: RunKey, info: RunInfo, ts_ms: i64, rating: u8) -> bool {
        let mut shard = self.shard(key);
        shard.runs.entry(key).or_insert(RunSlot {
            time_ms: ts_ms,
            info,
            flags: 0,
            status: 0,
        });
        let Shard {
            ratings, replaced, ..
        } = &mut *shard;
        match ratings.get_mut(&key) {
            Some(latest) if latest.ts_ms == ts_ms => false,
            Some(latest) => {
                // Re-ratings are rare: remember the replaced ones to spot their duplicates.
                let older = if ts_ms > latest.ts_ms {
                    std::mem::replace(latest, Rating { ts_ms, rating }).ts_ms
                } else {
                    ts_ms
                };
                replaced.insert((key, older)) || older != ts_ms
            }
            None => {
                ratings.insert(key, Rating { ts_ms, rating });
                true
            }
        }
    }

    /// The latest rating of a run.
    pub fn rating(&self, key: RunKey) -> Option<Rating> {
        self.shard(key).ratings.get(&key).copied()
    }

    /// Visits every run with its latest rating; consumes the table.
    pub fn for_each(self, mut visit: impl FnMut(RunKey, &RunSlot, Option<Rating>)) {
        for shard in self.shards {
            let shard = shard.into_inner().unwrap_or_else(|p| p.into_inner());
            for (key, slot) in &shard.runs {
                visit(*key, slot, shard.ratings.get(key).copied());
            }
        }
    }
}

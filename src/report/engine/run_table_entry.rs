//! One run of the run table in 24 bytes: the run id (16), then one word with
//! the start time, flags, status, resolution and descriptor.
//!
//! The start time fits in 21 bits because run ids are UUID v7: their top 48
//! bits are the milliseconds when the run started, so a run's start (run_end's
//! ts less its duration, or run_start's ts) is within a few ms of them and is
//! kept as a signed delta from them. What does not fit (another kind of id,
//! whose "timestamp" is noise; a start far from the id's time; a run without
//! an end whose user must be kept) is not packed: [`Entry::pack`] says so and
//! the shard keeps the whole [`RunSlot`] aside, so the table stays exact for
//! any input and only costs more memory then.
//!
//! The user is read only for runs without a run_end (incomplete runs), so an
//! entry of a run that has ended drops it: [`Entry::slot`] gives user 0.

use super::group_totals::RESOLUTIONS;
use super::parse::STATUS_NAMES;
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

    /// `value` in the field's place (the caller checked that it fits).
    const fn put(self, value: u64) -> u64 {
        (value << self.shift) & self.mask()
    }

    /// The largest value the field holds.
    const fn max(self) -> u64 {
        self.mask() >> self.shift
    }
}

/// [`flag`] bits. An entry holds a run when its word is not zero: a packed
/// run has START, END or RATED set, a spilled one has SPILLED.
const FLAGS: Bits = Bits { shift: 0, width: 4 };
/// The run's slot is kept aside by the shard, not in the word.
const SPILLED: Bits = Bits { shift: 4, width: 1 };
/// The run_end status index.
const STATUS: Bits = Bits { shift: 5, width: 3 };
/// The resolution index.
const RESOLUTION: Bits = Bits { shift: 8, width: 3 };
/// The start time less the id's time (ms), signed: ±17 minutes.
const DELTA: Bits = Bits {
    shift: 11,
    width: 21,
};
const DELTA_LIMIT: i64 = 1 << (DELTA.width - 1);
/// The descriptor id (the worker's index in its top bits).
const DESC: Bits = Bits {
    shift: 32,
    width: 32,
};

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

// The packing, checked when it compiles: the fields do not overlap, every value
// a field holds in practice fits its width (others spill: see `pack`), the
// descriptor keeps all its bits, and an entry is 24 bytes.
const _: () = assert!(disjoint(&[FLAGS, SPILLED, STATUS, RESOLUTION, DELTA, DESC]));
const _: () = assert!(STATUS_NAMES.len() as u64 <= STATUS.max() + 1);
const _: () = assert!(RESOLUTIONS.len() as u64 <= RESOLUTION.max() + 1);
const _: () =
    assert!((flag::START | flag::END | flag::ASKED | flag::RATED) as u64 <= FLAGS.max());
const _: () = assert!(DESC.width == u32::BITS);
const _: () = assert!(std::mem::size_of::<Entry>() == 24);

/// One run, or an empty place (an all-zero word).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub struct Entry {
    pub key: RunKey,
    word: u64,
}

/// The ms timestamp of a UUID v7 run id (noise for other ids).
#[inline]
fn id_ms(key: RunKey) -> i64 {
    (key[0] >> 16) as i64
}

impl Entry {
    /// The run packed in one entry, or None when it does not fit.
    #[inline]
    pub fn pack(key: RunKey, slot: &RunSlot) -> Option<Entry> {
        let delta = slot.time_ms.checked_sub(id_ms(key))?;
        let fits = (-DELTA_LIMIT..DELTA_LIMIT).contains(&delta)
            && slot.flags & (flag::START | flag::END | flag::RATED) != 0
            && slot.flags as u64 <= FLAGS.max()
            && slot.status as u64 <= STATUS.max()
            && slot.info.resolution as u64 <= RESOLUTION.max()
            && (slot.info.user == 0 || slot.flags & flag::END != 0);
        fits.then(|| Entry {
            key,
            word: DESC.put(slot.info.desc as u64)
                | DELTA.put(delta as u64)
                | RESOLUTION.put(slot.info.resolution as u64)
                | STATUS.put(slot.status as u64)
                | FLAGS.put(slot.flags as u64),
        })
    }

    /// The entry of a run whose slot is kept aside.
    #[inline]
    pub fn spilled(key: RunKey) -> Entry {
        Entry {
            key,
            word: SPILLED.put(1),
        }
    }

    /// The run of a packed entry (user 0: see the module docs).
    #[inline]
    pub fn slot(&self) -> RunSlot {
        // The delta's sign comes back with an arithmetic shift from the top.
        let shifted = (self.word << (64 - DELTA.shift - DELTA.width)) as i64;
        let delta = shifted >> (64 - DELTA.width);
        RunSlot {
            time_ms: id_ms(self.key) + delta,
            info: RunInfo {
                desc: DESC.get(self.word) as u32,
                user: 0,
                resolution: RESOLUTION.get(self.word) as u8,
            },
            flags: FLAGS.get(self.word) as u8,
            status: STATUS.get(self.word) as u8,
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.word == 0
    }

    #[inline]
    pub fn is_spilled(&self) -> bool {
        SPILLED.get(self.word) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v7-like run id whose time is `ms`.
    fn v7(ms: i64, low: u64) -> RunKey {
        [(ms as u64) << 16 | 0x7abc, low]
    }

    fn slot(time_ms: i64, flags: u8, user: u32) -> RunSlot {
        RunSlot {
            time_ms,
            info: RunInfo {
                desc: 3 << 30 | 12345,
                user,
                resolution: 4,
            },
            flags,
            status: 4,
        }
    }

    #[test]
    fn runs_near_their_ids_time_round_trip() {
        let id = 1_790_000_000_000;
        for delta in [0, 1, -1, DELTA_LIMIT - 1, -DELTA_LIMIT, 2_000, -3] {
            let run = slot(id + delta, 15, 77);
            let back = Entry::pack(v7(id, 9), &run).expect("fits").slot();
            assert_eq!(back.time_ms, id + delta);
            assert_eq!(back.info.desc, run.info.desc);
            assert_eq!((back.info.resolution, back.flags, back.status), (4, 15, 4));
            // The user of an ended run is not kept.
            assert_eq!(back.info.user, 0);
        }
    }

    #[test]
    fn what_does_not_fit_is_refused() {
        let id = 1_790_000_000_000;
        let key = v7(id, 1);
        let ok = slot(id, flag::START | flag::END, 5);
        assert!(Entry::pack(key, &ok).is_some());
        assert!(Entry::pack(key, &slot(id + DELTA_LIMIT, flag::END, 0)).is_none());
        assert!(Entry::pack(key, &slot(id - DELTA_LIMIT - 1, flag::END, 0)).is_none());
        assert!(Entry::pack(key, &slot(i64::MIN, flag::END, 0)).is_none());
        // A run without an end keeps its user, so a user spills it.
        assert!(Entry::pack(key, &slot(id, flag::START, 5)).is_none());
        assert!(Entry::pack(key, &slot(id, flag::START, 0)).is_some());
        // No flag would read back as an empty place.
        assert!(Entry::pack(key, &slot(id, 0, 0)).is_none());
        assert!(Entry::pack(key, &slot(id, flag::ASKED, 0)).is_none());
        let mut wide = ok;
        wide.status = 8;
        assert!(Entry::pack(key, &wide).is_none());
        // A random (non-v7) id's "time" is noise: its runs spill.
        assert!(Entry::pack([u64::MAX, 3], &ok).is_none());
        assert!(Entry::pack([0, 3], &ok).is_none());
    }

    #[test]
    fn spilled_and_packed_entries_are_never_empty() {
        assert!(Entry::default().is_empty());
        let spilled = Entry::spilled([0, 0]);
        assert!(!spilled.is_empty() && spilled.is_spilled());
        let packed = Entry::pack([0, 0], &slot(0, flag::RATED, 0)).expect("fits");
        assert!(!packed.is_empty() && !packed.is_spilled());
    }
}

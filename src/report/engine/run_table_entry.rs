//! One run of the run table in 24 bytes: the run id (16), then one word with
//! the start time, flags, status, descriptor and what else the run needs.
//!
//! The start time takes few bits because run ids are UUID v7: their top 48
//! bits are the milliseconds when the run started, so a run's start (run_end's
//! ts less its duration, or run_start's ts) is within a few ms of them and is
//! kept as a signed delta from them. The word has one of three layouts:
//! - plain: the delta in 24 bits and the resolution;
//! - rated (the run has ended and has a rating): the delta in 6 bits, the
//!   rating's time less the start in 18 and the rating;
//! - open (no end yet, and a user): the delta in 8 bits, the user in 16 and
//!   the resolution.
//!
//! What fits none (another kind of id, whose "timestamp" is noise; a start
//! far from the id's time; a late rating; a rated run without an end) is not
//! packed: [`Entry::pack`] says so and the shard keeps the whole [`RunSlot`]
//! aside, so the table stays exact for any input and only costs more memory.
//!
//! The user and the resolution are read only for runs without a run_end
//! (incomplete runs), so an entry of a run that has ended drops them:
//! [`Entry::slot`] gives 0 for them.

use super::fold::WORKER_SHIFT;
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

    /// `value` in the field's place, when it fits.
    #[inline]
    fn fit(self, value: u64) -> Option<u64> {
        (value <= self.max()).then(|| self.put(value))
    }

    /// `value` in the field's place, when it fits as a signed number.
    #[inline]
    fn fit_signed(self, value: i64) -> Option<u64> {
        let limit = 1i64 << (self.width - 1);
        (-limit..limit)
            .contains(&value)
            .then(|| self.put(value as u64))
    }

    /// The field's value in `word` as a signed number (its sign comes back
    /// with an arithmetic shift from the top).
    #[inline]
    fn get_signed(self, word: u64) -> i64 {
        ((word << (64 - self.shift - self.width)) as i64) >> (64 - self.width)
    }
}

/// [`flag`] bits. An entry holds a run when its word is not zero: a packed
/// run has START, END or RATED set, a spilled one has SPILLED.
const FLAGS: Bits = Bits { shift: 0, width: 4 };
/// The run's slot is kept aside by the shard, not in the word.
const SPILLED: Bits = Bits { shift: 4, width: 1 };
/// Not the plain layout: with END the rated one, without it the open one.
const OTHER: Bits = Bits { shift: 5, width: 1 };
/// The run_end status index.
const STATUS: Bits = Bits { shift: 6, width: 3 };
/// The resolution index, or in the rated layout the rating (a run that has
/// ended needs no resolution).
const SMALL: Bits = Bits { shift: 9, width: 3 };
/// Plain layout: the start time less the id's time (ms), signed: ±2.3 hours.
const DELTA: Bits = Bits {
    shift: 12,
    width: 24,
};
/// Rated layout: the start time less the id's time (signed, ±32 ms)...
const RATED_DELTA: Bits = Bits {
    shift: 12,
    width: 6,
};
/// ... and the rating's time less the start time (ms, up to 4.3 minutes).
const RATING_AFTER: Bits = Bits {
    shift: 18,
    width: 18,
};
/// Open layout: the start time less the id's time (signed, ±128 ms)...
const OPEN_DELTA: Bits = Bits {
    shift: 12,
    width: 8,
};
/// ... and the user.
const USER: Bits = Bits {
    shift: 20,
    width: 16,
};
/// The descriptor id: its worker's index (the top bits) and, below, the id
/// in the worker's interner (which must fit [`DESC_LOCAL_BITS`]).
const DESC: Bits = Bits {
    shift: 36,
    width: 28,
};
const DESC_WORKER_BITS: u32 = u32::BITS - WORKER_SHIFT;
const DESC_LOCAL_BITS: u32 = DESC.width - DESC_WORKER_BITS;

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

/// The fields every layout has.
const COMMON: [Bits; 5] = [FLAGS, SPILLED, OTHER, STATUS, SMALL];

/// `COMMON`, a layout's own fields and the descriptor: disjoint, and they fill the word.
const fn layout_fills_word(own: &[Bits]) -> bool {
    let mut fields = [DESC; 8];
    let mut n = 1;
    let mut i = 0;
    while i < COMMON.len() + own.len() {
        fields[n] = if i < COMMON.len() {
            COMMON[i]
        } else {
            own[i - COMMON.len()]
        };
        n += 1;
        i += 1;
    }
    let mut width = 0;
    let mut k = 0;
    while k < n {
        width += fields[k].width;
        k += 1;
    }
    disjoint(fields.split_at(n).0) && width == 64
}

// The packing, checked when it compiles: each layout's fields do not overlap
// and fill the word, every value a field holds in practice fits its width
// (others spill: see `pack`), descriptors keep their worker's index, and an
// entry is 24 bytes.
const _: () = assert!(layout_fills_word(&[DELTA]));
const _: () = assert!(layout_fills_word(&[RATED_DELTA, RATING_AFTER]));
const _: () = assert!(layout_fills_word(&[OPEN_DELTA, USER]));
const _: () = assert!(STATUS_NAMES.len() as u64 <= STATUS.max() + 1);
const _: () = assert!(RESOLUTIONS.len() as u64 <= SMALL.max() + 1);
const _: () = assert!(5 <= SMALL.max());
const _: () = assert!((flag::START | flag::END | flag::ASKED | flag::RATED) as u64 <= FLAGS.max());
const _: () = assert!(DESC_WORKER_BITS < DESC.width && DESC_LOCAL_BITS >= 24);
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

/// The descriptor in [`DESC`]'s bits, when its id in the worker fits.
#[inline]
fn pack_desc(desc: u32) -> Option<u64> {
    let local = desc & ((1 << WORKER_SHIFT) - 1);
    let worker = desc >> WORKER_SHIFT;
    (local >> DESC_LOCAL_BITS == 0)
        .then(|| DESC.put((worker as u64) << DESC_LOCAL_BITS | local as u64))
}

#[inline]
fn unpack_desc(word: u64) -> u32 {
    let packed = DESC.get(word) as u32;
    (packed >> DESC_LOCAL_BITS) << WORKER_SHIFT | packed & ((1 << DESC_LOCAL_BITS) - 1)
}

impl Entry {
    /// The run packed in one entry, or None when it does not fit.
    #[inline]
    pub fn pack(key: RunKey, slot: &RunSlot) -> Option<Entry> {
        if slot.flags & (flag::START | flag::END | flag::RATED) == 0 {
            return None;
        }
        let delta = slot.time_ms.checked_sub(id_ms(key))?;
        let ended = slot.flags & flag::END != 0;
        let common = pack_desc(slot.info.desc)?
            | STATUS.fit(slot.status as u64)?
            | FLAGS.fit(slot.flags as u64)?;
        let own = if slot.flags & flag::RATED != 0 {
            // A rated run keeps its rating here only once it has ended.
            let after = slot.rating_ts.checked_sub(slot.time_ms)?;
            if !ended || after < 0 {
                return None;
            }
            RATED_DELTA.fit_signed(delta)?
                | RATING_AFTER.fit(after as u64)?
                | SMALL.fit(slot.stars as u64)?
                | OTHER.put(1)
        } else if slot.info.user != 0 && !ended {
            OPEN_DELTA.fit_signed(delta)?
                | USER.fit(slot.info.user as u64)?
                | SMALL.fit(slot.info.resolution as u64)?
                | OTHER.put(1)
        } else {
            DELTA.fit_signed(delta)? | SMALL.fit(slot.info.resolution as u64)?
        };
        Some(Entry {
            key,
            word: own | common,
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

    /// The run of a packed entry (user and resolution 0 once it has ended).
    #[inline]
    pub fn slot(&self) -> RunSlot {
        let word = self.word;
        let flags = FLAGS.get(word) as u8;
        let small = SMALL.get(word) as u8;
        let mut slot = RunSlot {
            info: RunInfo {
                desc: unpack_desc(word),
                user: 0,
                resolution: small,
            },
            flags,
            status: STATUS.get(word) as u8,
            ..RunSlot::default()
        };
        let id = id_ms(self.key);
        if OTHER.get(word) == 0 {
            slot.time_ms = id + DELTA.get_signed(word);
        } else if flags & flag::END != 0 {
            slot.time_ms = id + RATED_DELTA.get_signed(word);
            slot.info.resolution = 0;
            slot.rating_ts = slot.time_ms + RATING_AFTER.get(word) as i64;
            slot.stars = small;
        } else {
            slot.time_ms = id + OPEN_DELTA.get_signed(word);
            slot.info.user = USER.get(word) as u32;
        }
        if flags & flag::END != 0 {
            slot.info.resolution = 0;
        }
        slot
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

    const LIMIT: i64 = 1 << (DELTA.width - 1);
    const ID_MS: i64 = 1_790_000_000_000;

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
            ..RunSlot::default()
        }
    }

    fn rated(time_ms: i64, rating_ts: i64) -> RunSlot {
        RunSlot {
            stars: 5,
            rating_ts,
            ..slot(
                time_ms,
                flag::START | flag::END | flag::RATED | flag::ASKED,
                0,
            )
        }
    }

    #[test]
    fn runs_near_their_ids_time_round_trip() {
        for delta in [0, 1, -1, LIMIT - 1, -LIMIT, 2_000, -3] {
            let run = slot(ID_MS + delta, flag::START, 0);
            let back = Entry::pack(v7(ID_MS, 9), &run).expect("fits").slot();
            assert_eq!(back.time_ms, ID_MS + delta);
            assert_eq!(back.info.desc, run.info.desc);
            assert_eq!((back.info.resolution, back.flags, back.status), (4, 1, 4));
            // The user of an ended run is not kept.
            let ended = slot(ID_MS + delta, flag::END | flag::ASKED, 77);
            let back = Entry::pack(v7(ID_MS, 9), &ended).expect("fits").slot();
            assert_eq!((back.time_ms, back.info.user), (ID_MS + delta, 0));
        }
    }

    #[test]
    fn ratings_of_ended_runs_round_trip() {
        let limit = 1 << (RATED_DELTA.width - 1);
        for (delta, after) in [
            (0, 0),
            (-limit, 2_000),
            (limit - 1, RATING_AFTER.max() as i64),
        ] {
            let run = rated(ID_MS + delta, ID_MS + delta + after);
            let back = Entry::pack(v7(ID_MS, 1), &run).expect("fits").slot();
            assert_eq!(back.time_ms, run.time_ms);
            assert_eq!((back.rating_ts, back.stars), (run.rating_ts, 5));
            assert_eq!(
                (back.flags, back.status, back.info.desc),
                (run.flags, 4, run.info.desc)
            );
        }
        // Too far from the id, a rating before the start, or a late one: kept aside.
        for (delta, after) in [
            (limit, 0),
            (-limit - 1, 0),
            (0, -1),
            (0, RATING_AFTER.max() as i64 + 1),
        ] {
            let run = rated(ID_MS + delta, ID_MS + delta + after);
            assert!(Entry::pack(v7(ID_MS, 1), &run).is_none());
        }
        // So is a rated run without an end (its resolution is kept).
        let mut open = rated(ID_MS, ID_MS);
        open.flags &= !flag::END;
        assert!(Entry::pack(v7(ID_MS, 1), &open).is_none());
    }

    #[test]
    fn what_does_not_fit_is_refused() {
        let key = v7(ID_MS, 1);
        let ok = slot(ID_MS, flag::START | flag::END, 5);
        assert!(Entry::pack(key, &ok).is_some());
        assert!(Entry::pack(key, &slot(ID_MS + LIMIT, flag::END, 0)).is_none());
        assert!(Entry::pack(key, &slot(ID_MS - LIMIT - 1, flag::END, 0)).is_none());
        assert!(Entry::pack(key, &slot(i64::MIN, flag::END, 0)).is_none());
        // A run without an end keeps its user: in the open layout when the
        // user is small and the start near the id's time, else aside.
        let open = Entry::pack(key, &slot(ID_MS - 128, flag::START, 65_535)).expect("fits");
        let back = open.slot();
        assert_eq!((back.time_ms, back.info.user), (ID_MS - 128, 65_535));
        assert_eq!(
            (back.info.resolution, back.flags, back.info.desc),
            (4, flag::START, ok.info.desc)
        );
        assert!(Entry::pack(key, &slot(ID_MS, flag::START, 65_536)).is_none());
        assert!(Entry::pack(key, &slot(ID_MS + 128, flag::START, 5)).is_none());
        assert!(Entry::pack(key, &slot(ID_MS + 128, flag::START, 0)).is_some());
        // No flag would read back as an empty place.
        assert!(Entry::pack(key, &slot(ID_MS, 0, 0)).is_none());
        assert!(Entry::pack(key, &slot(ID_MS, flag::ASKED, 0)).is_none());
        let mut wide = ok;
        wide.status = 8;
        assert!(Entry::pack(key, &wide).is_none());
        // Descriptors with a large id in their worker.
        let mut big = ok;
        big.info.desc = 2 << 30 | ((1 << DESC_LOCAL_BITS) - 1);
        let back = Entry::pack(key, &big).expect("fits").slot();
        assert_eq!(back.info.desc, big.info.desc);
        big.info.desc = 2 << 30 | 1 << DESC_LOCAL_BITS;
        assert!(Entry::pack(key, &big).is_none());
        // A random (non-v7) id's "time" is noise: its runs spill.
        assert!(Entry::pack([u64::MAX, 3], &ok).is_none());
        assert!(Entry::pack([0, 3], &ok).is_none());
    }

    #[test]
    fn spilled_and_packed_entries_are_never_empty() {
        assert!(Entry::default().is_empty());
        let spilled = Entry::spilled([0, 0]);
        assert!(!spilled.is_empty() && spilled.is_spilled());
        let packed = Entry::pack([0, 0], &slot(0, flag::START, 0)).expect("fits");
        assert!(!packed.is_empty() && !packed.is_spilled());
    }
}

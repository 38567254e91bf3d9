//! Short raw values to ids, in a table whose place for a value is known before
//! the value is looked up, so the place can be fetched from memory ahead.
//!
//! A worker looks up the value a report groups by once a run_end. With 40,000
//! distinct tickets that lookup missed the cache nearly every time, and the
//! worker waited for memory about as long as the rest of the line's work
//! took. Here a lookup is made in two steps: [`ShortValues::start`] works out
//! the place and asks for it, [`ShortValues::id`] (a few lines later) reads it.
//!
//! Open addressing with linear probing over 32-byte places (two a cache
//! line): the value's bytes zero-padded, its length, its id. At most 3/4 full.

use std::hash::{BuildHasher, Hasher};

use foldhash::fast::FixedState;

use super::prefetch::prefetch;

/// The longest value kept here; longer ones are the caller's.
pub const SHORT: usize = 27;

/// A value's bytes (zero-padded) and length in the low 28 bytes of four
/// words; the high 4 bytes of the last word hold its id in a place (0: empty).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ShortKey([u64; 4]);

/// The bits of the last word that belong to the key.
const KEY_BITS: u64 = u32::MAX as u64;

impl ShortKey {
    /// The key of a value of at most [`SHORT`] bytes.
    #[inline]
    pub fn of(raw: &[u8]) -> Option<ShortKey> {
        if raw.len() > SHORT {
            return None;
        }
        // Whole words, then the last few bytes one by one: a copy into a
        // padded buffer called `memcpy` for each value (1% of a report).
        let mut words = [0u64; 4];
        let mut chunks = raw.chunks_exact(8);
        for (word, chunk) in words.iter_mut().zip(&mut chunks) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            *word = u64::from_le_bytes(bytes);
        }
        let done = raw.len() / 8;
        for (i, &byte) in chunks.remainder().iter().enumerate() {
            words[done] |= u64::from(byte) << (i * 8);
        }
        words[3] |= (raw.len() as u64) << ((SHORT - 24) * 8);
        Some(ShortKey(words))
    }

    /// The value's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut bytes: Vec<u8> = self.0.iter().flat_map(|w| w.to_le_bytes()).collect();
        let len = bytes[SHORT] as usize;
        bytes.truncate(len);
        bytes
    }

    fn hash(&self) -> u64 {
        let mut hasher = FixedState::default().build_hasher();
        hasher.write_u64(self.0[0]);
        hasher.write_u64(self.0[1]);
        hasher.write_u64(self.0[2]);
        hasher.write_u64(self.0[3] & KEY_BITS);
        hasher.finish()
    }

    #[inline]
    fn id(&self) -> u32 {
        (self.0[3] >> 32) as u32
    }

    #[inline]
    fn same(&self, other: &ShortKey) -> bool {
        self.0[0] == other.0[0]
            && self.0[1] == other.0[1]
            && self.0[2] == other.0[2]
            && (self.0[3] ^ other.0[3]) & KEY_BITS == 0
    }
}

/// A lookup started with [`ShortValues::start`].
#[derive(Clone, Copy, Debug)]
pub struct Started {
    key: ShortKey,
    hash: u64,
}

impl Started {
    /// The value looked up.
    pub fn key(&self) -> &ShortKey {
        &self.key
    }
}

/// Short values to ids; see the module doc.
#[derive(Default)]
pub struct ShortValues {
    places: Vec<ShortKey>,
    len: usize,
}

impl ShortValues {
    /// Starts the lookup of `key`: its place is fetched from memory meanwhile.
    #[inline]
    pub fn start(&self, key: ShortKey) -> Started {
        let hash = key.hash();
        if !self.places.is_empty() {
            let at = self.place(hash);
            // The place and the next one, which a probe may read too.
            prefetch(&self.places[at], 1);
            prefetch(self.places[at..].as_ptr().wrapping_add(1), 1);
        }
        Started { key, hash }
    }

    /// The id of a started lookup's value; a new value gets `next`.
    #[inline]
    pub fn id(&mut self, started: Started, next: u32) -> u32 {
        if (self.len + 1) * 4 > self.places.len() * 3 {
            self.grow();
        }
        let capacity = self.places.len();
        let mut at = self.place(started.hash);
        loop {
            let place = &mut self.places[at];
            if place.id() == 0 {
                let mut key = started.key;
                key.0[3] = key.0[3] & KEY_BITS | u64::from(next) << 32;
                *place = key;
                self.len += 1;
                return next;
            }
            if place.same(&started.key) {
                return place.id();
            }
            at += 1;
            if at == capacity {
                at = 0;
            }
        }
    }

    /// The place a hash starts probing at.
    #[inline]
    fn place(&self, hash: u64) -> usize {
        ((hash as u128 * self.places.len() as u128) >> 64) as usize
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let capacity = (self.places.len() * 2).max(16);
        let old = std::mem::replace(&mut self.places, vec![ShortKey([0; 4]); capacity]);
        for key in old.into_iter().filter(|key| key.id() != 0) {
            let mut at = self.place(key.hash());
            while self.places[at].id() != 0 {
                at += 1;
                if at == capacity {
                    at = 0;
                }
            }
            self.places[at] = key;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_keeps_its_first_id_through_growth() {
        let mut values = ShortValues::default();
        let raws: Vec<Vec<u8>> = (0..5000u32)
            .map(|i| match i % 4 {
                0 => format!("T-{i}").into_bytes(),
                // Values that differ only in their last byte or in length.
                1 => format!("{:0>26}", i).into_bytes(),
                2 => format!("{:0>27}", i).into_bytes(),
                _ => vec![0; (i % 28) as usize],
            })
            .collect();
        let mut ids: Vec<u32> = Vec::new();
        let mut next = 1;
        for raw in &raws {
            let key = ShortKey::of(raw).unwrap();
            assert_eq!(key.bytes(), *raw);
            let id = values.id(values.start(key), next);
            if id == next {
                next += 1;
            }
            ids.push(id);
        }
        for (raw, &id) in raws.iter().zip(&ids) {
            let key = ShortKey::of(raw).unwrap();
            assert_eq!(values.id(values.start(key), next), id, "{raw:?}");
            // The first raw with this id is this value.
            let first = ids.iter().position(|&i| i == id).unwrap();
            assert_eq!(&raws[first], raw);
        }
        assert_eq!(ShortKey::of(&[b'x'; SHORT + 1]), None);
    }
}

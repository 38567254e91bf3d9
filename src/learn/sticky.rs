//! Sticky assignment: the same key (a user, a session) always gets the same arm
//! for a prompt, and the split over many keys follows the weights.
//!
//! The key and prompt hash to a point in [0, 1); the arms own consecutive
//! slices of [0, 1) as wide as their normalized weights (the cumulative-interval
//! method). A key changes arm only when its point falls in a part of [0, 1)
//! whose owner changed: going from 50/50 to 60/40 moves exactly the keys in
//! [0.5, 0.6), all from the second arm to the first, and nobody else. With more
//! arms, changing one weight shifts the edges after it, so keys move only
//! across those shifted edges.

use super::rng::mix64;
use super::select::{draw, normalized};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// A stable 64-bit hash of `key` and `prompt`: FNV-1a over the key, a
/// separator byte and the prompt, finished with the SplitMix64 mix so every bit
/// depends on every input byte. Fixed across versions and platforms.
pub fn sticky_hash(key: &[u8], prompt: &[u8]) -> u64 {
    let h = fnv1a(FNV_OFFSET, key);
    let h = fnv1a(h ^ 0xff, &(key.len() as u64).to_le_bytes());
    mix64(fnv1a(h, prompt))
}

/// The point in [0, 1) a hash stands for (its top 53 bits).
pub fn hash_point(hash: u64) -> f64 {
    (hash >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The arm for `hash` under `weights` (normalized; see [`normalized`]).
pub fn sticky_index(hash: u64, weights: &[f64]) -> usize {
    draw(&normalized(weights), hash_point(hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_separates_key_from_prompt() {
        assert_eq!(sticky_hash(b"user-1", b"p"), sticky_hash(b"user-1", b"p"));
        assert_ne!(sticky_hash(b"ab", b"c"), sticky_hash(b"a", b"bc"));
        assert_ne!(sticky_hash(b"user-1", b"p"), sticky_hash(b"user-2", b"p"));
        let p = hash_point(u64::MAX);
        assert!(p < 1.0 && p > 0.999_999);
    }

    #[test]
    fn changed_weights_move_only_keys_in_the_changed_range() {
        let (old, new) = ([0.5, 0.5], [0.6, 0.4]);
        let mut moved = 0;
        for i in 0..10_000 {
            let h = sticky_hash(format!("user-{i}").as_bytes(), b"summarize");
            let (before, after) = (sticky_index(h, &old), sticky_index(h, &new));
            if before != after {
                assert_eq!((before, after), (1, 0));
                assert!((0.5..0.6).contains(&hash_point(h)));
                moved += 1;
            }
        }
        assert!((900..1100).contains(&moved), "{moved}");
    }
}

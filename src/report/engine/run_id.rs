//! Run ids as 128-bit keys: a UUID's own bits, any other text hashed.

/// A run id as a 128-bit key: the UUID's bits, or a stable hash for any other text.
#[inline]
pub fn run_id_key(raw: &[u8]) -> u128 {
    if raw.len() == 36
        && let Some(r) = raw.first_chunk::<36>()
        && [r[8], r[13], r[18], r[23]] == [b'-'; 4]
    {
        // The 32 digits as two vectors of sixteen, loaded as whole words.
        let word = |at: usize| u64::from_le_bytes(r[at..at + 8].try_into().unwrap_or_default());
        let half = |at: usize| u32::from_le_bytes(r[at..at + 4].try_into().unwrap_or_default());
        let first = hex16(word(0), half(9) as u64 | (half(14) as u64) << 32);
        let second = hex16(half(19) as u64 | (half(24) as u64) << 32, word(28));
        if let (Some(a), Some(b)) = (first, second) {
            return (a as u128) << 64 | b as u128;
        }
    }
    fnv_128(raw)
}

/// Sixteen ASCII hex digits, the first in the lowest byte of `low`, as a number
/// (the first digit most significant), or None: with SSE2, all sixteen checked
/// and converted at once; elsewhere as two words of eight.
#[inline(always)]
fn hex16(low: u64, high: u64) -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_add_epi8, _mm_and_si128, _mm_cmpgt_epi8, _mm_cvtsi128_si64, _mm_movemask_epi8,
            _mm_or_si128, _mm_packus_epi16, _mm_set_epi64x, _mm_set1_epi8, _mm_set1_epi16,
            _mm_slli_epi16, _mm_srli_epi16,
        };
        // SAFETY: SSE2 is part of x86_64; these intrinsics only compute on registers.
        unsafe {
            let c = _mm_set_epi64x(high as i64, low as i64);
            let between = |v, lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmpgt_epi8(_mm_set1_epi8(hi as i8 + 1), v),
                )
            };
            // Bytes >= 0x80 are negative as i8: neither a digit nor a letter.
            let digit = between(c, b'0', b'9');
            let letter = between(_mm_or_si128(c, _mm_set1_epi8(0x20)), b'a', b'f');
            if _mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff {
                return None;
            }
            // '0'..'9' are 0x30..0x39, letters get 9 added to their low four bits.
            let nibbles = _mm_add_epi8(
                _mm_and_si128(c, _mm_set1_epi8(0x0f)),
                _mm_and_si128(letter, _mm_set1_epi8(9)),
            );
            // Each pair of digits (a 16-bit lane, the first digit low) to one byte.
            let pairs = _mm_or_si128(
                _mm_and_si128(_mm_slli_epi16(nibbles, 4), _mm_set1_epi16(0xf0)),
                _mm_srli_epi16(nibbles, 8),
            );
            let bytes = _mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)) as u64;
            Some(bytes.swap_bytes())
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Some(hex8(low)? << 32 | hex8(high)?)
    }
}

/// Eight ASCII hex digits (the first in the lowest byte, most significant) as
/// a number, or None: all eight checked and converted at once, a byte per lane.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn hex8(x: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    if x & HIGH != 0 {
        return None;
    }
    // With every byte below 0x80, adding 0x80 - c sets a byte's top bit exactly
    // when the byte is >= c, and never carries into the next byte.
    let at_least = |word: u64, c: u8| word + ONES * (0x80 - c as u64);
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let lower = x | (ONES * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'f' + 1);
    if (digit | letter) & HIGH != HIGH {
        return None;
    }
    // '0'..'9' are 0x30..0x39; 'a'..'f' and 'A'..'F' have bit 6 set: add 9.
    let nibbles = (x & (ONES * 0x0f)) + ((x >> 6) & ONES) * 9;
    // Pack the eight nibbles, the first digit (lowest byte) on top.
    let n = nibbles.swap_bytes();
    let n = (n | n >> 4) & 0x00ff_00ff_00ff_00ff;
    let n = (n | n >> 8) & 0x0000_ffff_0000_ffff;
    Some((n | n >> 16) & 0xffff_ffff)
}

/// FNV-1a, 128 bits: deterministic across threads and runs.
fn fnv_128(raw: &[u8]) -> u128 {
    let mut hash: u128 = 0x6c62272e07bb014262b821756295c58d;
    for &b in raw {
        hash ^= b as u128;
        hash = hash.wrapping_mul(0x0000000001000000000000000000013B);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_run_ids_are_their_bits() {
        for id in [
            "01a0c450-78a6-7655-bac4-f186cf4db874",
            "ffffffff-FFFF-0000-9abc-def012345678",
        ] {
            let want = u128::from_str_radix(&id.replace('-', ""), 16).unwrap();
            assert_eq!(run_id_key(id.as_bytes()), want);
        }
        // Any byte that is not a hex digit, anywhere: hashed, like any other text.
        let base = *b"01a0c450-78a6-7655-bac4-f186cf4db874";
        for at in (0..36).filter(|i| ![8, 13, 18, 23].contains(i)) {
            for byte in 0..=255u8 {
                let mut id = base;
                id[at] = byte;
                let want = if byte.is_ascii_hexdigit() {
                    let hex: String = id
                        .iter()
                        .filter(|&&b| b != b'-')
                        .map(|&b| b as char)
                        .collect();
                    u128::from_str_radix(&hex, 16).unwrap()
                } else {
                    fnv_128(&id)
                };
                assert_eq!(run_id_key(&id), want, "byte {byte} at {at}");
            }
        }
        // Not hex: hashed, not mistaken for a UUID.
        let odd = run_id_key(b"01a0c450-78a6-7655-bac4-f186cf4db87g");
        assert_ne!(odd, run_id_key(b"01a0c450-78a6-7655-bac4-f186cf4db870"));
    }
}

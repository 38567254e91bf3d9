//! The byte-level fast paths of the scanner: finding the end of a JSON string
//! sixteen bytes at a time, and reading short decimals exactly without the
//! general float parser.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The index of the first `"`, `\\` or control character at or after `at` (or the
/// length), noting in `high` whether a byte >= 0x80 was passed: sixteen bytes at a
/// time with SSE2, else eight. In each mask the lowest flagged byte
/// is exact, so the lowest of their union is too.
#[inline(always)]
pub fn special_byte(bytes: &[u8], mut at: usize, high: &mut u32) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8,
            _mm_or_si128, _mm_set1_epi8,
        };
        while at + 16 <= bytes.len() {
            // SAFETY: SSE2 is part of x86_64, and the 16 bytes loaded (unaligned
            // load) are inside `bytes` as checked just above.
            let mask = unsafe {
                let chunk = _mm_loadu_si128(bytes.as_ptr().add(at) as *const __m128i);
                let quote = _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'"' as i8));
                let backslash = _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'\\' as i8));
                // chunk <= 0x1f (unsigned) exactly when min(chunk, 0x1f) == chunk.
                let control = _mm_cmpeq_epi8(_mm_min_epu8(chunk, _mm_set1_epi8(0x1f)), chunk);
                *high |= _mm_movemask_epi8(chunk) as u32;
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
            };
            if mask != 0 {
                return at + mask.trailing_zeros() as usize;
            }
            at += 16;
        }
    }
    while let Some(word) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        *high |= (w & HIGHS != 0) as u32;
        let quote = w ^ (ONES * b'"' as u64);
        let backslash = w ^ (ONES * b'\\' as u64);
        let found = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | w.wrapping_sub(ONES * 0x20) & !w)
            & HIGHS;
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        *high |= (b >> 7) as u32;
        at += 1;
    }
    at
}

/// Powers of ten that f64 holds exactly.
const EXACT_POWERS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `-?digits(.digits)?` with at most 15 digits, exactly: the digits as an integer
/// and the power of ten are both exact in f64, so one division rounds correctly
/// (Clinger's fast path). None for anything else.
#[inline(always)]
pub fn simple_decimal(text: &[u8]) -> Option<f64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut count = 0;
    let mut fraction: Option<usize> = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + (b - b'0') as u64;
                count += 1;
            }
            b'.' if fraction.is_none() => fraction = Some(digits.len() - i - 1),
            _ => return None,
        }
    }
    if count > 15 {
        return None;
    }
    let value = mantissa as f64 / EXACT_POWERS[fraction.unwrap_or(0)];
    Some(if negative { -value } else { value })
}

/// The number at `at` when it is `-?(0|[1-9][0-9]*)(.[0-9]+)?` with at most 15
/// digits and no exponent, read in one pass (the grammar check and
/// [`simple_decimal`] in one): its value, exactly as `simple_decimal` gives it,
/// and where it ends. None for anything else, which the two-pass way reads.
#[inline(always)]
pub fn decimal_at(bytes: &[u8], at: usize) -> Option<(f64, usize)> {
    let negative = bytes.get(at) == Some(&b'-');
    let mut pos = at + negative as usize;
    let start = pos;
    let mut mantissa: u64 = 0;
    match bytes.get(pos)? {
        b'0' => pos += 1,
        b'1'..=b'9' => {
            while let Some(&digit @ b'0'..=b'9') = bytes.get(pos) {
                mantissa = mantissa
                    .wrapping_mul(10)
                    .wrapping_add((digit - b'0') as u64);
                pos += 1;
            }
        }
        _ => return None,
    }
    let mut count = pos - start;
    let mut fraction = 0;
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        let from = pos;
        while let Some(&digit @ b'0'..=b'9') = bytes.get(pos) {
            mantissa = mantissa
                .wrapping_mul(10)
                .wrapping_add((digit - b'0') as u64);
            pos += 1;
        }
        fraction = pos - from;
        count += fraction;
        if fraction == 0 {
            return None;
        }
    }
    if count > 15 || matches!(bytes.get(pos), Some(b'e' | b'E')) {
        return None;
    }
    let value = mantissa as f64 / EXACT_POWERS[fraction];
    Some((if negative { -value } else { value }, pos))
}

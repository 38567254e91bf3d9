//! Asking the processor to fetch memory that is about to be used: a worker folds
//! a chunk's runs into cells spread over megabytes (40,000 groups), and each
//! first touch of a cell was a cache miss that the fold waited for.

/// Starts fetching the `bytes` bytes at `ptr` into the cache (a hint: it reads
/// nothing the program sees and cannot fault, whatever the address).
#[inline(always)]
pub fn prefetch<T>(ptr: *const T, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let start = ptr as *const i8;
        let mut offset = 0;
        while offset < bytes {
            // SAFETY: a prefetch is only a hint: it reads nothing and cannot fault.
            unsafe {
                use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
                _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset));
            }
            offset += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (ptr, bytes);
}

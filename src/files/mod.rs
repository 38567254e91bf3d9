//! Files promptrun did not create are hostile until checked (STYLE practice 23).
//!
//! - [`owner`]: whom a file or directory belongs to and who else may write it,
//!   the checks of OpenSSH's StrictModes and git's `safe.directory`.
//! - [`open`]: opening without blocking (a FIFO or a device does not hang a run),
//!   regular files only, without following a final symlink where that matters,
//!   reads with an upper bound, and directories whose files are opened relative
//!   to the checked descriptor.

pub mod open;
pub mod owner;

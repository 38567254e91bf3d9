//! The run path: from the typed prompt name to the command's exit status.

pub mod child;
pub mod metrics_file;
pub mod placeholders;
pub mod router;
pub mod signals;

//! Beyond one machine: the logs leave the log directory.
//!
//! [`merge`] folds many machines' logs and CI artifacts into one set of day
//! files, [`purge`] removes expired or unwanted events (retention and erasure),
//! and [`otlp`] sends runs as OpenTelemetry spans. [`lines`] reads event lines
//! the way they all need them, and [`day_file`] rewrites a day file in place of
//! the old one without losing what a concurrent run appends.

pub mod day_file;
pub mod lines;
pub mod merge;
pub mod otlp;
pub mod purge;

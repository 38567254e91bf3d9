//! `promptrun report` and what builds on it: the engine that folds the logs into
//! grouped totals, the renderers, trends, alerts and the dashboard's data.
//!
//! - [`engine`]: inputs, the line parser (with its own-layout fast path), the run
//!   table, folding and merging into [`Report`] values.
//! - [`render`]: one renderer per output format; they only format.
//! - [`window`]: time windows and the views compared across them.
//! - [`trends`], [`alerts`], [`dashboard`]: what the windows say.

pub mod alerts;
pub mod arms;
pub mod compare;
pub mod dashboard;
pub mod engine;
pub mod recommend;
pub mod render;
pub mod trends;
pub mod window;

pub use engine::{
    Bucket, EngineOptions, Filters, GroupField, GroupStats, REPORT_SCHEMA, Report, RunFields,
    SortKey, Source, StatusFilter, ViewSpec, aggregate, expand,
};

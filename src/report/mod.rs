//! `promptrun report`: read JSONL events, aggregate, render.

pub mod alerts;
pub mod dashboard;
pub mod model;
pub mod render;
pub mod window;

//! `promptrun report`: read JSONL events, aggregate, render.

pub mod alert_command;
pub mod alerts;
pub mod dashboard;
pub mod model;
pub mod render;
pub mod trends;
pub mod window;

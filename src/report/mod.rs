//! `promptrun report`: read JSONL events, aggregate, render.

pub mod model;

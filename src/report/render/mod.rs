//! Renderers: they only format computed values.

pub mod charts;
pub mod html;
pub mod html_page;

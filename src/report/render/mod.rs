//! Renderers: they only format computed values.

pub mod breaches;
pub mod charts;
pub mod html;
pub mod html_page;
pub mod trends_html;
pub mod trends_text;

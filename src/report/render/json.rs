//! The `promptrun.report/v1` JSON document (the whole report, whatever the section).

use std::io::{self, Write};

use super::{RenderOptions, Renderer};
use crate::report::Report;

/// Pretty-printed JSON.
pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    }
}

//! The `promptrun.report/v1` JSON document (the whole report, whatever the section).

use std::io::{self, Write};

use super::{RenderOptions, Renderer};
use crate::report::Report;

/// Pretty-printed JSON.
pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        // serde_json writes a few bytes at a time: into a buffer of a concrete type
        // those writes are inlined copies, not a call through `dyn Write` each (with
        // 40,000 groups that was a third of the report's instructions).
        let mut buffered = io::BufWriter::with_capacity(64 << 10, out);
        serde_json::to_writer_pretty(&mut buffered, report)?;
        buffered.write_all(b"\n")?;
        buffered.flush()
    }
}

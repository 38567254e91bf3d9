//! The `promptrun.report/v1` JSON document (the whole report, whatever the section).

use std::io::{self, Write};

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{RenderOptions, Renderer};
use crate::report::engine::GroupRows;
use crate::report::{GroupStats, Report};

/// Pretty-printed JSON.
pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        write_pretty(report, out)
    }
}

/// Writes `value` as pretty JSON and a newline.
fn write_pretty(value: &impl Serialize, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes a few bytes at a time: into a buffer of a concrete type
    // those writes are inlined copies, not a call through `dyn Write` each (with
    // 40,000 groups that was a third of the report's instructions).
    let mut buffered = io::BufWriter::with_capacity(64 << 10, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// Writes the same document as [`Json`] for `report` with `groups` as its
/// groups, each group's statistics made (and passed through `each`) only when
/// it is written: memory holds one group's, not every group's.
pub fn write_streamed(
    report: &Report,
    groups: &GroupRows,
    each: &dyn Fn(&mut GroupStats),
    out: &mut dyn Write,
) -> io::Result<()> {
    write_pretty(
        &Streamed {
            report,
            groups,
            each,
        },
        out,
    )
}

/// A report whose groups are written from [`GroupRows`]; serialises field by
/// field as the derived `Serialize` of [`Report`] does.
struct Streamed<'a> {
    report: &'a Report,
    groups: &'a GroupRows,
    each: &'a dyn Fn(&mut GroupStats),
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.report;
        let mut document = serializer.serialize_struct("Report", 5)?;
        document.serialize_field("schema", &report.schema)?;
        document.serialize_field("inputs", &report.inputs)?;
        document.serialize_field("filters", &report.filters)?;
        document.serialize_field("totals", &report.totals)?;
        document.serialize_field("groups", &Groups(self))?;
        document.end()
    }
}

/// The `groups` array of a [`Streamed`] report.
struct Groups<'a, 'b>(&'b Streamed<'a>);

impl Serialize for Groups<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Streamed { groups, each, .. } = self.0;
        serializer.collect_seq(groups.iter().map(|mut group| {
            each(&mut group);
            group
        }))
    }
}

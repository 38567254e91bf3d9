//! The `promptrun.report/v1` JSON document (the whole report, whatever the section).

use std::io::{self, Write};

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

use super::{Groups, RenderOptions, Renderer};
use crate::report::engine::GroupRows;
use crate::report::{GroupStats, Report};

/// Pretty-printed JSON.
pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        write_pretty(report, out)
    }

    fn render_groups(
        &self,
        report: &Report,
        groups: &dyn Groups,
        _: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        write_pretty(
            &Streamed {
                report,
                groups,
                each: &|_| {},
            },
            out,
        )
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

/// A report whose groups are written one at a time from `groups`; serialises
/// field by field as the derived `Serialize` of [`Report`] does.
struct Streamed<'a> {
    report: &'a Report,
    groups: &'a dyn Groups,
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
        document.serialize_field("groups", &GroupList(self))?;
        document.end()
    }
}

/// The `groups` array of a [`Streamed`] report.
struct GroupList<'a, 'b>(&'b Streamed<'a>);

impl Serialize for GroupList<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Streamed { groups, each, .. } = self.0;
        let mut seq = serializer.serialize_seq(Some(groups.len()))?;
        // `Groups::each` stops at an I/O error: the serializer's error waits
        // here meanwhile, and is the one returned.
        let mut failed: Option<S::Error> = None;
        let read = groups.each(&mut |group| {
            let mut group = group.into_owned();
            each(&mut group);
            seq.serialize_element(&group).map_err(|err| {
                failed = Some(err);
                io::Error::other("serialising a group")
            })
        });
        if let Some(err) = failed {
            return Err(err);
        }
        read.map_err(serde::ser::Error::custom)?;
        seq.end()
    }
}

//! The `promptrun.report/v1` JSON document (the whole report, whatever the section).
//!
//! The document is serde_json's pretty layout (two spaces an indent level). Its
//! groups are written one at a time, and a report of many groups has them
//! written by two threads in blocks, put out in order: with 40,000 groups the
//! groups' text (82 MB) was the last third of a second of the report on one core.

use std::io::{self, Write};
use std::sync::mpsc;

use serde::Serialize;
use serde_json::ser::Formatter;

use super::{Groups, RenderOptions, Renderer};
use crate::report::engine::GroupRows;
use crate::report::{GroupStats, Report};

/// Groups a thread writes at a time: a few hundred kilobytes of text.
const BLOCK: usize = 256;

/// Pretty-printed JSON.
pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut buffered = buffer(out);
        write_value(&mut buffered, report, 0)?;
        buffered.write_all(b"\n")?;
        buffered.flush()
    }

    fn render_groups(
        &self,
        report: &Report,
        groups: &dyn Groups,
        _: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut buffered = buffer(out);
        write_head(&mut buffered, report)?;
        let mut first = true;
        groups.each(&mut |group| {
            write_group(&mut buffered, &group, first)?;
            first = false;
            Ok(())
        })?;
        write_tail(&mut buffered, !first)?;
        buffered.flush()
    }
}

/// serde_json writes a few bytes at a time: into a buffer of a concrete type
/// those writes are inlined copies, not a call through `dyn Write` each (with
/// 40,000 groups that was a third of the report's instructions).
fn buffer(out: &mut dyn Write) -> io::BufWriter<&mut dyn Write> {
    io::BufWriter::with_capacity(64 << 10, out)
}

/// Writes the same document as [`Json`] for `report` with `groups` as its
/// groups, each group's statistics made (and passed through `each`) only when
/// it is written: memory holds a few blocks of groups, not every group.
pub fn write_streamed(
    report: &Report,
    groups: &GroupRows,
    each: &(dyn Fn(&mut GroupStats) + Sync),
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut buffered = buffer(out);
    write_head(&mut buffered, report)?;
    let write_block = |block: usize, text: &mut Vec<u8>| -> io::Result<()> {
        let start = block * BLOCK;
        for index in start..groups.len().min(start + BLOCK) {
            let mut group = groups.stats(index);
            each(&mut group);
            write_group(text, &group, index == 0)?;
        }
        Ok(())
    };
    let blocks = groups.len().div_ceil(BLOCK);
    if blocks < 2 {
        // One block at most (none without groups): no second thread.
        let mut text = Vec::new();
        write_block(0, &mut text)?;
        buffered.write_all(&text)?;
    } else {
        write_blocks(blocks, &write_block, &mut buffered)?;
    }
    write_tail(&mut buffered, !groups.is_empty())?;
    buffered.flush()
}

/// Writes `blocks` blocks of groups in order: a second thread writes the odd
/// ones into buffers and hands them over (at most two wait at a time), this
/// one writes the even ones and puts all of them out.
fn write_blocks(
    blocks: usize,
    write_block: &(dyn Fn(usize, &mut Vec<u8>) -> io::Result<()> + Sync),
    out: &mut impl Write,
) -> io::Result<()> {
    std::thread::scope(|scope| {
        // Made inside the scope, so that they are dropped before it waits for
        // the second thread: after an error here (a closed pipe), its next
        // hand-over fails and it stops, instead of waiting for room forever.
        let (done, written) = mpsc::sync_channel::<io::Result<Vec<u8>>>(1);
        let (give_back, spare) = mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            for block in (1..blocks).step_by(2) {
                let mut text = spare.try_recv().unwrap_or_default();
                text.clear();
                let result = write_block(block, &mut text).map(|()| text);
                let failed = result.is_err();
                // The receiver is gone only when it stopped at an error.
                if done.send(result).is_err() || failed {
                    return;
                }
            }
        });
        let mut own = Vec::new();
        for block in 0..blocks {
            if block % 2 == 0 {
                own.clear();
                write_block(block, &mut own)?;
                out.write_all(&own)?;
            } else {
                let text = written
                    .recv()
                    .map_err(|_| io::Error::other("the second writer stopped"))??;
                out.write_all(&text)?;
                let _ = give_back.send(text);
            }
        }
        Ok(())
    })
}

/// The document up to the opening of its `groups` array.
fn write_head(out: &mut impl Write, report: &Report) -> io::Result<()> {
    out.write_all(b"{\n  \"schema\": ")?;
    write_value(out, &report.schema, 1)?;
    out.write_all(b",\n  \"inputs\": ")?;
    write_value(out, &report.inputs, 1)?;
    out.write_all(b",\n  \"filters\": ")?;
    write_value(out, &report.filters, 1)?;
    out.write_all(b",\n  \"totals\": ")?;
    write_value(out, &report.totals, 1)?;
    out.write_all(b",\n  \"groups\": [")
}

/// One element of the `groups` array.
fn write_group(out: &mut impl Write, group: &GroupStats, first: bool) -> io::Result<()> {
    out.write_all(if first { b"\n    " } else { b",\n    " })?;
    write_value(out, group, 2)
}

/// The end of the `groups` array and of the document, and a newline.
fn write_tail(out: &mut impl Write, any_group: bool) -> io::Result<()> {
    if any_group {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"]\n}\n")
}

/// Writes `value` as pretty JSON nested `depth` levels deep.
fn write_value(out: &mut impl Write, value: &impl Serialize, depth: usize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Indented::at(depth));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// serde_json's pretty layout, starting `depth` levels deep: a value written
/// with it is byte for byte what the whole document's pretty writer puts at
/// that depth.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn at(depth: usize) -> Self {
        Indented {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }

    fn indent<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        let mut left = 2 * self.depth;
        while left > 0 {
            let now = left.min(SPACES.len());
            out.write_all(&SPACES[..now])?;
            left -= now;
        }
        Ok(())
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `value` at `depth` with [`Indented`], and checks that it is the
    /// text serde_json's own pretty writer puts inside that many arrays.
    fn same_as_serde(value: &serde_json::Value, depth: usize) {
        let mut nested = value.clone();
        for _ in 0..depth {
            nested = serde_json::Value::Array(vec![nested]);
        }
        let whole = serde_json::to_string_pretty(&nested).unwrap();
        let mut mine = Vec::new();
        write_value(&mut mine, value, depth).unwrap();
        let mine = String::from_utf8(mine).unwrap();
        let indent = |level: usize| " ".repeat(2 * level);
        let opening: String = (0..depth).map(|level| indent(level) + "[\n").collect();
        let closing: String = (0..depth)
            .rev()
            .map(|level| "\n".to_string() + &indent(level) + "]")
            .collect();
        assert_eq!(
            whole,
            opening + &indent(depth) + &mine + &closing,
            "depth {depth}"
        );
    }

    #[test]
    fn indented_writes_what_serde_pretty_writes_at_each_depth() {
        let value = serde_json::json!({
            "a": 1,
            "b": [],
            "c": {},
            "d": [1, [2, []], {"e": null, "f": [{}]}],
            "g": {"h": "quote \" and \\ and \n", "i": 1.5e300, "j": -0.0},
        });
        for depth in 0..4 {
            same_as_serde(&value, depth);
        }
        same_as_serde(&serde_json::json!([]), 2);
        same_as_serde(&serde_json::json!("text"), 3);
    }
}

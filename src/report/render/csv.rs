//! One CSV row per group; the columns are those of the chosen sections, in a stable order.

use std::io::{self, Write};

use super::columns::{columns, metric_names};
use super::{RenderOptions, Renderer};
use crate::report::Report;

/// CSV through the csv crate (quoting done right).
pub struct Csv;

impl Renderer for Csv {
    fn render(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let metrics = metric_names(report);
        let mut all = Vec::new();
        for (i, section) in options.part.sections().iter().enumerate() {
            // Key columns once, at the front.
            let fields: &[String] = if i == 0 { &options.group_fields } else { &[] };
            all.extend(columns(*section, fields, &metrics));
        }
        let mut seen = std::collections::HashSet::new();
        all.retain(|c| seen.insert(c.header.clone()));
        let mut writer = ::csv::Writer::from_writer(out);
        writer.write_record(
            all.iter()
                .map(|c| c.header.replace('★', "_star").replace(' ', "_")),
        )?;
        for group in &report.groups {
            writer.write_record(all.iter().map(|c| (c.value)(group)))?;
        }
        writer.flush()
    }
}

//! `promptrun export`: runs to an OTLP collector, in batches.

use crate::cli::ExportArgs;
use crate::config::context::Context;
use crate::error::Result;

/// Sends the runs not sent yet.
pub fn run(context: &Context, args: &ExportArgs) -> Result<i32> {
    crate::export::otlp::batch::run(context, args)
}

//! `promptrun merge PATH... -o DIR`.

use crate::cli::MergeArgs;
use crate::error::{Result, exit};
use crate::export::merge;
use crate::record::log_files;

/// Merges the inputs into the output directory and says what it did.
pub fn run(args: &MergeArgs) -> Result<i32> {
    let sources = log_files::expand(&args.paths)?;
    let summary = merge::merge(&sources, &args.output)?;
    if summary.skipped > 0 {
        crate::error::warn(format_args!(
            "{} line(s) that are not events with a valid ts were left out",
            summary.skipped
        ));
    }
    super::output::print_line(&format!(
        "merged {} event(s) from {} file(s) into {}: {} day file(s) written, {} already up to date, {} duplicate(s) dropped",
        summary.events,
        summary.files,
        args.output.display(),
        summary.written.len(),
        summary.unchanged,
        summary.duplicates
    ))?;
    Ok(exit::OK)
}

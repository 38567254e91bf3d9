//! `promptrun <PROMPT> [-- CMD...]`: plan the run, then run it (or describe it).

use crate::cli::RunArgs;
use crate::config::context::Context;
use crate::error::{Result, exit};
use crate::run::{self, dry_run, plan::RunPlan};

/// Runs one prompt and returns the exit status to pass on.
pub fn run(context: &Context, args: &RunArgs) -> Result<i32> {
    let plan = RunPlan::prepare(context, args)?;
    if args.dry_run {
        super::output::print_line(&dry_run::describe(&plan, args.stdin, context))?;
        return Ok(exit::OK);
    }
    Ok(run::execute(context, args, plan))
}

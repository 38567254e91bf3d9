//! `promptrun purge`: retention and erasure.

use crate::cli::PurgeArgs;
use crate::config::context::Context;
use crate::config::glob::Glob;
use crate::error::{Error, Result, exit};
use crate::export::purge::{self, Criteria};
use crate::report::engine::time;

/// Removes what the flags select from the log directory and prints what went.
pub fn run(context: &Context, args: &PurgeArgs) -> Result<i32> {
    let Some(dir) = context.log_dir.as_deref() else {
        return Err(Error::Usage(
            "no log directory: set --log-dir or PROMPTRUN_LOG_DIR".into(),
        ));
    };
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    if args.expired {
        let Some(days) = context
            .config
            .as_ref()
            .and_then(|loaded| loaded.config.logging.retention_days)
        else {
            return Err(Error::Usage(
                "--expired needs logging.retention_days in the config (nothing expires by default)"
                    .into(),
            ));
        };
        let today = chrono::Utc::now().date_naive();
        let gone = purge::expire(dir, days, today, args.dry_run)?;
        for path in &gone {
            super::output::print_line(&format!("{verb} {}", path.display()))?;
        }
        super::output::print_line(&format!(
            "{verb} {} day file(s) older than {days} day(s)",
            gone.len()
        ))?;
        return Ok(exit::OK);
    }
    let criteria = criteria(context, args)?;
    let removed = purge::purge(dir, &criteria, args.dry_run)?;
    let mut events = 0;
    for file in &removed {
        events += file.events;
        let gone = if file.file_removed && !args.dry_run {
            "; the file was left empty and is removed"
        } else if file.file_removed {
            "; the file would be left empty and removed"
        } else {
            ""
        };
        super::output::print_line(&format!(
            "{verb} {} event(s) of {} run(s) from {}{gone}",
            file.events,
            file.runs.len(),
            file.path.display()
        ))?;
    }
    super::output::print_line(&format!(
        "{verb} {events} event(s) from {} file(s) in {}",
        removed.len(),
        dir.display()
    ))?;
    Ok(exit::OK)
}

fn criteria(context: &Context, args: &PurgeArgs) -> Result<Criteria> {
    let now = chrono::Utc::now().timestamp_millis();
    let before = args
        .before
        .as_deref()
        .map(|text| {
            time::parse_point(text, now)
                .map_err(|err| Error::Usage(format!("--before: {err}")))
                .and_then(|ms| {
                    chrono::DateTime::from_timestamp_millis(ms)
                        .ok_or_else(|| Error::Usage(format!("--before: out of range: {text}")))
                })
        })
        .transpose()?;
    let prompt = args
        .prompt
        .as_deref()
        .map(|p| Glob::new(p).map_err(|err| Error::Usage(format!("--prompt: {err}"))))
        .transpose()?;
    let user = args.user.as_deref().map(|user| match user {
        "me" => {
            crate::record::privacy::IdentityHasher::load_or_create(context.state_dir.as_deref())
                .hash(&crate::record::privacy::user_name())
        }
        other => other.to_string(),
    });
    Ok(Criteria {
        before,
        prompt,
        user,
    })
}

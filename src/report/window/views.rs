//! The views the dashboard, trends and `--check` need, in one pass over the logs:
//! the window by prompt, the previous window by prompt, the window by prompt and
//! variant, and the window by time bucket and prompt.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Window;
use crate::error::{Error, Result};
use crate::report::{
    Bucket, EngineOptions, Filters, GroupField, Report, SortKey, Source, ViewSpec, aggregate,
};

/// Which runs, over which window, bucketed how.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The inputs.
    pub sources: Vec<Source>,
    /// Every filter but time (`since_ms`/`until_ms` are set from `window`).
    pub filters: Filters,
    /// The filters as the user gave them, shown in the outputs.
    pub shown_filters: BTreeMap<String, serde_json::Value>,
    /// The window: `--since` (none: from the first event) to `--until` (default: now).
    pub window: Window,
    /// The bucket of the runs-over-time views.
    pub bucket: Bucket,
    /// A field the window, previous window and timeline views group by after the
    /// prompt (`trends --group-by variant|version`, `alerts.per: "variant"`).
    pub detail: Option<GroupField>,
}

/// The computed views.
#[derive(Debug, Clone)]
pub struct WindowedReports {
    /// The window, by prompt, most runs first.
    pub current: Report,
    /// The previous window of the same length, by prompt; none when the window has no start.
    pub previous: Option<Report>,
    /// The window, by prompt and variant.
    pub variants: Report,
    /// The window, by bucket and prompt, oldest bucket first.
    pub timeline: Report,
    /// The window, by model, most runs first.
    pub models: Report,
    /// The window, by bucket, prompt and variant, oldest bucket first (ratings over time).
    pub variant_timeline: Report,
    /// The window, by prompt and version (when each version first ran).
    pub versions: Report,
}

/// How many latest comments per prompt and variant the dashboard reads, to find the
/// low-rated ones among them.
pub const DASHBOARD_COMMENTS: usize = 50;

impl Selection {
    /// The window from `--since`/`--until` values already parsed to ms (`now` when no until).
    pub fn window_from(
        since_ms: Option<i64>,
        until_ms: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Window> {
        let at = |ms: i64| {
            DateTime::<Utc>::from_timestamp_millis(ms)
                .ok_or_else(|| Error::Usage(format!("time out of range: {ms} ms")))
        };
        let end = until_ms.map(at).transpose()?.unwrap_or(now);
        let start = since_ms.map(at).transpose()?;
        // Under a second (`--since 0d`) is as empty as a negative window: nothing to report.
        if start.is_some_and(|start| end - start < chrono::Duration::seconds(1)) {
            return Err(Error::Usage(format!(
                "the window is empty: --since must be before --until (or, without --until, \
                 before now: {})",
                crate::record::event::timestamp(end)
            )));
        }
        Ok(Window { start, end })
    }

    fn view(&self, window: &Window, group_by: Vec<GroupField>, sort: SortKey) -> ViewSpec {
        let mut filters = self.filters.clone();
        filters.since_ms = window.start.map(|start| start.timestamp_millis());
        filters.until_ms = Some(window.end.timestamp_millis());
        ViewSpec {
            filters,
            group_by,
            sort,
            shown_filters: self.shown_filters.clone(),
            ..ViewSpec::default()
        }
    }

    /// Reads the inputs once and computes the five views.
    pub fn compute(&self, options: &EngineOptions) -> Result<WindowedReports> {
        Ok(self.compute_with(options, Vec::new())?.0)
    }

    /// The four views and `extra` views, in the same one pass over the inputs.
    pub fn compute_with(
        &self,
        options: &EngineOptions,
        extra: Vec<ViewSpec>,
    ) -> Result<(WindowedReports, Vec<Report>)> {
        let previous_window = self.window.previous();
        let by_prompt = || {
            let mut fields = vec![GroupField::Prompt];
            fields.extend(self.detail.clone());
            fields
        };
        let mut views = vec![
            self.view(&self.window, by_prompt(), SortKey::Runs),
            self.view(
                &self.window,
                vec![GroupField::Prompt, GroupField::Variant],
                SortKey::Key,
            ),
            self.view(
                &self.window,
                [vec![GroupField::Time(self.bucket)], by_prompt()].concat(),
                SortKey::Key,
            ),
            self.view(&self.window, vec![GroupField::Model], SortKey::Runs),
            self.view(
                &self.window,
                vec![
                    GroupField::Time(self.bucket),
                    GroupField::Prompt,
                    GroupField::Variant,
                ],
                SortKey::Key,
            ),
            self.view(
                &self.window,
                vec![GroupField::Prompt, GroupField::Version],
                SortKey::Key,
            ),
        ];
        views[1].comments = DASHBOARD_COMMENTS;
        if let Some(previous) = &previous_window {
            views.push(self.view(previous, by_prompt(), SortKey::Runs));
        }
        let extras = extra.len();
        views.extend(extra);
        let mut reports = aggregate(&self.sources, &views, options)?.into_iter();
        let mut next = || reports.next().unwrap_or_default();
        let (current, variants, timeline, models) = (next(), next(), next(), next());
        let (variant_timeline, versions) = (next(), next());
        let previous = previous_window.map(|_| next());
        let rest = (0..extras).map(|_| next()).collect();
        Ok((
            WindowedReports {
                current,
                previous,
                variants,
                timeline,
                models,
                variant_timeline,
                versions,
            },
            rest,
        ))
    }
}

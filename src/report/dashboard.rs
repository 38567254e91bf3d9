//! What the dashboard shows, computed from reports: headline numbers and their
//! change, the runs-over-time series, the slowest and most failing prompts.
//! Pure values; `render::html` only lays them out.

use std::collections::BTreeMap;

use super::alerts::evaluate::{CheckResult, check_windows, prompt_of};
use super::alerts::rules::AlertsConfig;
use super::engine::model::{GroupStats, Report};
use super::window::views::{Selection, WindowedReports};
use super::window::{WindowLabel, fill_buckets};

/// How many prompts the runs-over-time chart stacks before lumping the rest into "other".
pub const TOP_PROMPTS: usize = 8;

/// Everything the dashboard is drawn from.
#[derive(Debug, Clone, Default)]
pub struct DashboardData {
    /// The window, grouped by prompt.
    pub current: Report,
    /// The previous window of the same length, grouped by prompt.
    pub previous: Option<Report>,
    /// The window, grouped by prompt and variant.
    pub variants: Report,
    /// The window, grouped by time bucket and prompt.
    pub timeline: Report,
    /// The window, grouped by model.
    pub models: Report,
    /// The window shown.
    pub window: WindowLabel,
    /// The window compared against.
    pub previous_window: Option<WindowLabel>,
    /// `hour`, `day` or `week`.
    pub bucket: String,
    /// When the page was made (RFC 3339).
    pub generated: String,
    /// The alert check, when rules are configured.
    pub check: Option<CheckResult>,
    /// Runs, success rate, p95, rating and participation, against the previous window.
    pub headlines: Vec<Headline>,
    /// Every bucket of the window, and runs per bucket of the top prompts (plus "other").
    pub runs_over_time: RunsOverTime,
    /// The prompts the per-prompt charts show, most runs first (at most [`CHART_PROMPTS`]).
    pub chart_prompts: Vec<GroupStats>,
    /// Up to five prompts with the highest p95.
    pub slowest: Vec<GroupStats>,
    /// Up to five prompts with failed runs, most failures first.
    pub most_failing: Vec<GroupStats>,
    /// Prompts with more than one variant, each with its variant groups.
    pub variant_sets: Vec<(String, Vec<GroupStats>)>,
    /// The verdicts of `compare` over the window's arms.
    pub verdicts: Vec<super::compare::Comparison>,
    /// The first [`TOP_RECOMMENDATIONS`] of `recommend`.
    pub recommendations: Vec<super::recommend::Recommendation>,
    // The first hour: what users asked to see next to the numbers.
    /// The window by bucket, prompt and variant (the source of `rating_over_time`).
    pub variant_timeline: Report,
    /// The window by prompt and version (the source of `versions`).
    pub version_groups: Report,
    /// The latest comments of ratings of [`LOW_RATING`] or less, newest first.
    pub low_rated: Vec<LowRated>,
    /// Mean rating per bucket, one series per rated prompt and variant.
    pub rating_over_time: RatingOverTime,
    /// When each prompt version first ran in the window, newest first.
    pub versions: Vec<VersionSeen>,
}

/// Ratings this low or lower are "low-rated" on the dashboard.
pub const LOW_RATING: u8 = 2;
/// How many low-rated comments the dashboard lists.
pub const LOW_RATED_SHOWN: usize = 10;
/// How many prompt-and-variant lines the rating chart draws (most ratings first).
pub const RATING_LINES: usize = 8;

/// A low rating's comment, with where and when.
#[derive(Debug, Clone, PartialEq)]
pub struct LowRated {
    pub prompt: String,
    pub variant: Option<String>,
    /// When the rating was given (RFC 3339).
    pub ts: String,
    pub rating: u8,
    pub comment: String,
}

/// Mean rating per bucket of each prompt and variant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RatingOverTime {
    /// Bucket starts (RFC 3339), oldest first, quiet buckets included.
    pub buckets: Vec<String>,
    /// `prompt` or `prompt / variant`, and its mean rating per bucket (None: no rating).
    pub series: Vec<(String, Vec<Option<f64>>)>,
}

/// A prompt version and when it first ran in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionSeen {
    pub prompt: String,
    /// The prompt file's hash.
    pub version: String,
    /// Its first run in the window (RFC 3339).
    pub first_ts: String,
    pub runs: u64,
}

/// How many verdicts the dashboard shows (decided ones first).
pub const TOP_VERDICTS: usize = 10;

/// How many recommendations the dashboard shows.
pub const TOP_RECOMMENDATIONS: usize = 5;

impl DashboardData {
    /// Adds the verdicts and the top recommendations.
    pub fn with_learned(mut self, learned: super::recommend::Learned) -> Self {
        self.verdicts = learned.compare.comparisons;
        // Decided verdicts first, then the most runs.
        self.verdicts.sort_by_key(|c| {
            (
                !matches!(c.outcome.kind, "winner" | "vetoed"),
                std::cmp::Reverse(c.a.runs + c.b.runs),
            )
        });
        self.verdicts.truncate(TOP_VERDICTS);
        self.recommendations = learned.recommendations;
        self.recommendations.truncate(TOP_RECOMMENDATIONS);
        self
    }
}

/// How many prompts the dashboard's prompt table lists (most runs first): beyond
/// a few hundred a page stops being read and only grows (1 M prompts made a
/// 440 MB page); the report's CSV has them all.
pub const TABLE_PROMPTS: usize = 300;

/// How many prompts the per-prompt charts show; the table has them all.
pub const CHART_PROMPTS: usize = 15;

/// The runs-over-time chart's data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunsOverTime {
    /// Bucket starts (RFC 3339), oldest first, quiet buckets included.
    pub buckets: Vec<String>,
    /// One series per top prompt, then "other": runs per bucket.
    pub series: Vec<(String, Vec<f64>)>,
}

impl DashboardData {
    /// The dashboard of the windowed views of `selection`, with the alert check
    /// when rules are configured.
    pub fn new(
        selection: &Selection,
        reports: WindowedReports,
        alerts: &AlertsConfig,
        generated: String,
    ) -> Self {
        let check = alerts
            .has_rules()
            .then(|| check_windows(alerts, selection, &reports));
        let mut data = DashboardData {
            window: selection.window.label(),
            previous_window: selection.window.previous().map(|w| w.label()),
            bucket: selection.bucket.name().to_string(),
            generated,
            check,
            current: reports.current,
            previous: reports.previous,
            variants: reports.variants,
            timeline: reports.timeline,
            models: reports.models,
            variant_timeline: reports.variant_timeline,
            version_groups: reports.versions,
            ..DashboardData::default()
        };
        data.derive();
        data
    }

    /// Computes the headline numbers, series and short lists from the reports.
    pub fn derive(&mut self) {
        let previous = self.previous.as_ref().map(|report| &report.totals);
        self.headlines = headlines(&self.current.totals, previous);
        let (buckets, series) =
            runs_over_time(&self.timeline, &self.current, &self.window, &self.bucket);
        self.runs_over_time = RunsOverTime { buckets, series };
        let mut by_runs: Vec<&GroupStats> = self.current.groups.iter().collect();
        by_runs.sort_by(|a, b| {
            b.runs
                .cmp(&a.runs)
                .then_with(|| prompt_of(a).cmp(prompt_of(b)))
        });
        self.chart_prompts = by_runs.into_iter().take(CHART_PROMPTS).cloned().collect();
        self.slowest = slowest(&self.current, 5).into_iter().cloned().collect();
        self.most_failing = most_failing(&self.current, 5)
            .into_iter()
            .cloned()
            .collect();
        let mut sets: Vec<(String, Vec<GroupStats>)> = variant_sets(&self.variants)
            .into_iter()
            .map(|(prompt, groups)| (prompt, groups.into_iter().cloned().collect()))
            .collect();
        let runs = |groups: &[GroupStats]| groups.iter().map(|g| g.runs).sum::<u64>();
        sets.sort_by(|a, b| runs(&b.1).cmp(&runs(&a.1)).then_with(|| a.0.cmp(&b.0)));
        self.variant_sets = sets;
        self.low_rated = low_rated(&self.variants, LOW_RATED_SHOWN);
        self.rating_over_time =
            rating_over_time(&self.variant_timeline, &self.window, &self.bucket);
        self.versions = versions(&self.version_groups);
    }
}

/// A headline number and its change against the previous window.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub label: &'static str,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// Whether a higher value is better (colours the change).
    pub higher_is_better: bool,
    /// How to print it: `count`, `percent`, `ms` or `stars`.
    pub unit: &'static str,
}

type HeadlineSpec = (
    &'static str,
    fn(&GroupStats) -> Option<f64>,
    bool,
    &'static str,
);

/// Runs, success rate, p95, mean rating and participation of all selected runs.
pub fn headlines(current: &GroupStats, previous: Option<&GroupStats>) -> Vec<Headline> {
    let pick = |get: fn(&GroupStats) -> Option<f64>| (get(current), previous.and_then(get));
    let rows: [HeadlineSpec; 5] = [
        ("Runs", |g| Some(g.runs as f64), true, "count"),
        ("Success rate", |g| g.success_rate, true, "percent"),
        ("p95 duration", |g| g.duration_ms.p95, false, "ms"),
        ("Mean rating", |g| g.ratings.mean, true, "stars"),
        ("Rating participation", |g| g.participation, true, "percent"),
    ];
    rows.into_iter()
        .map(|(label, get, higher_is_better, unit)| {
            let (value, previous) = pick(get);
            Headline {
                label,
                value,
                previous,
                higher_is_better,
                unit,
            }
        })
        .collect()
}

/// The bucket a timeline group belongs to.
pub fn bucket_of(group: &GroupStats) -> Option<&str> {
    ["bucket", "time", "day", "hour", "week"]
        .iter()
        .find_map(|name| group.key.get(*name))
        .map(String::as_str)
}

/// Bucket labels in order, every bucket of the window (quiet ones too, see
/// [`fill_buckets`]), and one series per top prompt (plus "other"), runs per bucket.
pub fn runs_over_time(
    timeline: &Report,
    ranking: &Report,
    window: &WindowLabel,
    bucket: &str,
) -> (Vec<String>, Vec<(String, Vec<f64>)>) {
    let buckets = axis(timeline, window, bucket);
    let index = positions(&buckets);
    let mut by_runs: Vec<&GroupStats> = ranking.groups.iter().collect();
    by_runs.sort_by(|a, b| {
        b.runs
            .cmp(&a.runs)
            .then_with(|| prompt_of(a).cmp(prompt_of(b)))
    });
    let top: Vec<&str> = by_runs
        .iter()
        .take(TOP_PROMPTS)
        .map(|g| prompt_of(g))
        .collect();
    let mut series: Vec<(String, Vec<f64>)> = top
        .iter()
        .map(|name| (name.to_string(), vec![0.0; buckets.len()]))
        .collect();
    let mut other = vec![0.0; buckets.len()];
    for group in &timeline.groups {
        let Some(slot) = bucket_of(group).and_then(|b| index.get(b)) else {
            continue;
        };
        match top.iter().position(|name| *name == prompt_of(group)) {
            Some(at) => series[at].1[*slot] += group.runs as f64,
            None => other[*slot] += group.runs as f64,
        }
    }
    if other.iter().any(|runs| *runs > 0.0) {
        series.push(("other".to_string(), other));
    }
    (buckets, series)
}

/// The newest comments of ratings of [`LOW_RATING`] or less, at most `n`.
pub fn low_rated(variants: &Report, n: usize) -> Vec<LowRated> {
    let mut low: Vec<LowRated> = variants
        .groups
        .iter()
        .flat_map(|group| {
            group
                .comments
                .iter()
                .filter(|c| c.rating >= 1 && c.rating <= LOW_RATING)
                .map(move |c| LowRated {
                    prompt: prompt_of(group).to_string(),
                    variant: variant_of(group)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string),
                    ts: c.ts.clone(),
                    rating: c.rating,
                    comment: c.comment.clone(),
                })
        })
        .collect();
    low.sort_by(|a, b| {
        b.ts.cmp(&a.ts)
            .then_with(|| a.prompt.cmp(&b.prompt))
            .then_with(|| a.comment.cmp(&b.comment))
    });
    low.truncate(n);
    low
}

/// Mean rating per bucket of the [`RATING_LINES`] prompt-and-variants with the most
/// ratings; every bucket of the window, as the runs chart has.
pub fn rating_over_time(timeline: &Report, window: &WindowLabel, bucket: &str) -> RatingOverTime {
    let name = |g: &GroupStats| match variant_of(g).filter(|v| !v.is_empty()) {
        Some(variant) => format!("{} / {variant}", prompt_of(g)),
        None => prompt_of(g).to_string(),
    };
    let mut rated: BTreeMap<String, u64> = BTreeMap::new();
    for group in timeline.groups.iter().filter(|g| g.ratings.count > 0) {
        *rated.entry(name(group)).or_default() += group.ratings.count;
    }
    if rated.is_empty() {
        return RatingOverTime::default();
    }
    let mut top: Vec<(String, u64)> = rated.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(RATING_LINES);
    let buckets = axis(timeline, window, bucket);
    let index = positions(&buckets);
    let mut series: Vec<(String, Vec<Option<f64>>)> = top
        .into_iter()
        .map(|(name, _)| (name, vec![None; buckets.len()]))
        .collect();
    for group in &timeline.groups {
        let (Some(mean), Some(slot)) = (
            group.ratings.mean,
            bucket_of(group).and_then(|b| index.get(b)),
        ) else {
            continue;
        };
        let name = name(group);
        if let Some((_, values)) = series.iter_mut().find(|(n, _)| *n == name) {
            values[*slot] = Some(mean);
        }
    }
    RatingOverTime { buckets, series }
}

/// Each prompt version with its first run, newest first.
pub fn versions(groups: &Report) -> Vec<VersionSeen> {
    let mut seen: Vec<VersionSeen> = groups
        .groups
        .iter()
        .filter_map(|g| {
            Some(VersionSeen {
                prompt: prompt_of(g).to_string(),
                version: g.key.get("version").filter(|v| !v.is_empty())?.clone(),
                first_ts: g.first_ts.clone()?,
                runs: g.runs,
            })
        })
        .collect();
    seen.sort_by(|a, b| {
        b.first_ts
            .cmp(&a.first_ts)
            .then_with(|| a.prompt.cmp(&b.prompt))
    });
    seen
}

/// Every bucket of the window, oldest first: those in `timeline` and the quiet
/// ones between them (see [`fill_buckets`]).
fn axis(timeline: &Report, window: &WindowLabel, bucket: &str) -> Vec<String> {
    let present: Vec<String> = timeline
        .groups
        .iter()
        .filter_map(bucket_of)
        .map(str::to_string)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    fill_buckets(&present, window, bucket)
}

/// Each bucket's column on the axis.
fn positions(buckets: &[String]) -> BTreeMap<&str, usize> {
    buckets
        .iter()
        .enumerate()
        .map(|(i, b)| (b.as_str(), i))
        .collect()
}

/// A bucket start as a short axis label: `2026-11-24` for days and weeks, `11-24 14:00` for hours.
pub fn bucket_label(start: &str, bucket: &str) -> String {
    match (bucket, start.get(..10), start.get(5..10), start.get(11..16)) {
        ("hour", _, Some(day), Some(time)) => format!("{day} {time}"),
        (_, Some(date), _, _) => date.to_string(),
        _ => start.to_string(),
    }
}

/// Up to `n` prompts with the highest p95.
pub fn slowest(report: &Report, n: usize) -> Vec<&GroupStats> {
    let mut groups: Vec<&GroupStats> = report
        .groups
        .iter()
        .filter(|g| g.duration_ms.p95.is_some())
        .collect();
    groups.sort_by(|a, b| {
        b.duration_ms
            .p95
            .partial_cmp(&a.duration_ms.p95)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    groups.truncate(n);
    groups
}

/// Up to `n` prompts with failed runs, most failures first.
pub fn most_failing(report: &Report, n: usize) -> Vec<&GroupStats> {
    let mut groups: Vec<&GroupStats> = report.groups.iter().filter(|g| failures(g) > 0).collect();
    groups.sort_by(|a, b| {
        failures(b)
            .cmp(&failures(a))
            .then_with(|| prompt_of(a).cmp(prompt_of(b)))
    });
    groups.truncate(n);
    groups
}

/// Completed runs that did not end ok, plus incomplete runs.
pub fn failures(group: &GroupStats) -> u64 {
    let completed: u64 = group.statuses.values().sum();
    completed.saturating_sub(group.ok) + group.incomplete
}

/// Prompts with more than one variant, each with its variant groups.
pub fn variant_sets(variants: &Report) -> Vec<(String, Vec<&GroupStats>)> {
    let mut by_prompt: BTreeMap<&str, Vec<&GroupStats>> = BTreeMap::new();
    for group in &variants.groups {
        by_prompt.entry(prompt_of(group)).or_default().push(group);
    }
    by_prompt
        .into_iter()
        .filter(|(_, groups)| groups.iter().filter(|g| variant_of(g).is_some()).count() > 1)
        .map(|(prompt, groups)| (prompt.to_string(), groups))
        .collect()
}

/// The group's variant.
pub fn variant_of(group: &GroupStats) -> Option<&str> {
    group
        .variant
        .as_deref()
        .or_else(|| group.key.get("variant").map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(prompt: &str, bucket: Option<&str>, runs: u64) -> GroupStats {
        let mut group = GroupStats {
            prompt: Some(prompt.into()),
            runs,
            ..GroupStats::default()
        };
        if let Some(bucket) = bucket {
            group.key.insert("day".into(), bucket.into());
        }
        group
    }

    #[test]
    fn runs_over_time_stacks_the_top_prompts_and_lumps_the_rest() {
        let names: Vec<String> = (0..TOP_PROMPTS + 2).map(|i| format!("p{i:02}")).collect();
        let ranking = Report {
            groups: names
                .iter()
                .enumerate()
                .map(|(i, n)| group(n, None, 100 - i as u64))
                .collect(),
            ..Report::default()
        };
        let mut timeline = Report::default();
        for name in &names {
            timeline
                .groups
                .push(group(name, Some("2026-11-02T00:00:00.000Z"), 2));
            timeline
                .groups
                .push(group(name, Some("2026-11-01T00:00:00.000Z"), 1));
        }
        let window = WindowLabel {
            start: None,
            end: "2026-11-03T00:00:00.000Z".into(),
        };
        let (buckets, series) = runs_over_time(&timeline, &ranking, &window, "day");
        assert_eq!(
            buckets,
            ["2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z"]
        );
        assert_eq!(series.len(), TOP_PROMPTS + 1);
        assert_eq!(series[0], ("p00".to_string(), vec![1.0, 2.0]));
        assert_eq!(series[TOP_PROMPTS], ("other".to_string(), vec![2.0, 4.0]));
        assert_eq!(bucket_label(&buckets[0], "day"), "2026-11-01");
        assert_eq!(
            bucket_label("2026-11-01T13:00:00.000Z", "hour"),
            "11-01 13:00"
        );
    }

    #[test]
    fn failures_count_bad_endings_and_incomplete_runs() {
        let mut g = group("p", None, 10);
        g.ok = 6;
        g.incomplete = 1;
        g.statuses = [
            ("ok".to_string(), 6),
            ("error".to_string(), 2),
            ("timeout".to_string(), 1),
        ]
        .into();
        assert_eq!(failures(&g), 4);
        let report = Report {
            groups: vec![g, group("clean", None, 3)],
            ..Report::default()
        };
        let failing: Vec<&str> = most_failing(&report, 5)
            .into_iter()
            .map(prompt_of)
            .collect();
        assert_eq!(failing, ["p"]);
    }
}

//! One worker's pass over its chunks: parse each line, record it in the shared
//! run table, and fold completed runs into this worker's cells for every view.
//!
//! The fields filters and group keys read are interned per distinct combination
//! (a "descriptor"), so filters and keys are worked out once per combination,
//! not once per line.

use std::collections::{HashMap, VecDeque};

use foldhash::fast::FixedState;

use super::ViewSpec;
use super::filter::RunFields;
use super::group_keys::{KeyIndex, key_hash};
use super::group_totals::{GroupTotals, push_cell};
use super::input::{Chunk, MAX_LINE};
use super::interner::{Descriptors, RawInterner, resolution_index};
use super::parse::{Event, Kind, LineParser, Members};
use super::prefetch::prefetch;
use super::run_table::{Batch, Change, EndInfo, RunInfo, RunTable, key};
use super::scan::number_members;
use super::short_values::Started;
use super::time::Bucket;

/// How many skipped-line locations each worker keeps.
pub const MAX_EXAMPLES: usize = 5;
/// Descriptor ids carry the worker's index in their top bits.
pub const WORKER_SHIFT: u32 = 30;
const UNSEEN: u32 = u32::MAX;
/// How many folding steps ahead a cell is prefetched, and its vectors' ends.
const CELL_AHEAD: usize = 8;
const VALUES_AHEAD: usize = 4;
const FILTERED: u32 = u32::MAX - 1;
/// How many descriptor lookups are started before the oldest is finished:
/// the value's place in its interner comes from memory meanwhile.
const LOOKUPS_AHEAD: usize = 2;

type FastMap<K, V> = HashMap<K, V, FixedState>;

/// Strings to dense ids.
#[derive(Default)]
pub struct Interner {
    pub ids: FastMap<String, u32>,
    pub names: Vec<String>,
}

impl Interner {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }
}

/// Line and skip counts of one worker.
#[derive(Default)]
pub struct Counts {
    pub lines: u64,
    pub events: u64,
    pub skipped: u64,
    pub duplicates: u64,
    /// (file, chunk seq, line within chunk, reason)
    pub examples: Vec<(u32, u32, u64, String)>,
    /// (file, chunk seq, lines in chunk)
    pub chunk_lines: Vec<(u32, u32, u64)>,
}

/// One view's groups as one worker sees them.
#[derive(Default)]
pub struct PartialView {
    /// Per descriptor: its static group, UNSEEN or FILTERED.
    desc_group: Vec<u32>,
    /// Per static group: a descriptor of it. A group's key is not kept: it is
    /// that descriptor's values (a worker's share of a million groups).
    group_desc: Vec<u32>,
    /// Static groups by their key's hash.
    index: KeyIndex,
    /// Cells; without a time bucket, the index is the static group.
    pub cells: Vec<GroupTotals>,
    /// (static group, bucket start) to cell, with a time bucket.
    pub cell_index: FastMap<(u32, i64), u32>,
}

/// The key of a run's fields in a view: the values of its static fields.
pub fn key_of(fields: &RunFields, spec: &ViewSpec) -> Vec<String> {
    spec.static_fields()
        .map(|field| fields.value(field))
        .collect()
}

impl PartialView {
    /// The static group of a descriptor, or None when the view's filters drop it.
    pub fn static_group(&mut self, desc: u32, descs: &Descriptors, spec: &ViewSpec) -> Option<u32> {
        let at = desc as usize;
        if self.desc_group.len() <= at {
            self.desc_group.resize(at + 1, UNSEEN);
        }
        if self.desc_group[at] == UNSEEN {
            let fields = descs.run_fields(desc);
            self.desc_group[at] = if spec.filters.selects_fields(&fields) {
                let key = key_of(&fields, spec);
                let next = self.group_desc.len() as u32;
                let group_desc = &self.group_desc;
                let id = self.index.find_or_insert(key_hash(&key), next, |group| {
                    key_of(&descs.run_fields(group_desc[group as usize]), spec) == key
                });
                if id == next {
                    self.group_desc.push(desc);
                    if spec.bucket().is_none() {
                        push_cell(&mut self.cells);
                    }
                }
                id
            } else {
                FILTERED
            };
        }
        Some(self.desc_group[at]).filter(|&g| g != FILTERED)
    }

    /// How many static groups.
    pub fn groups(&self) -> usize {
        self.group_desc.len()
    }

    /// The key of static group `group`.
    pub fn key(&self, group: u32, descs: &Descriptors, spec: &ViewSpec) -> Vec<String> {
        let desc = self.group_desc.get(group as usize).copied().unwrap_or(0);
        key_of(&descs.run_fields(desc), spec)
    }

    /// The cell of a static group (and of the bucket of `time_ms`), made when new.
    pub fn cell(&mut self, group: u32, time_ms: i64, bucket: Option<Bucket>) -> &mut GroupTotals {
        match bucket {
            None => &mut self.cells[group as usize],
            Some(bucket) => {
                let next = self.cells.len() as u32;
                let index = *self
                    .cell_index
                    .entry((group, bucket.start(time_ms)))
                    .or_insert(next);
                if index == next {
                    push_cell(&mut self.cells);
                }
                &mut self.cells[index as usize]
            }
        }
    }
}

/// Everything one worker computed.
pub struct Partial {
    /// The run fields the views read, interned.
    pub descs: Descriptors,
    pub metric_names: RawInterner,
    pub views: Vec<PartialView>,
    pub counts: Counts,
    /// (run id, rating ts, comment), with `--comments`.
    pub comments: Vec<(u128, i64, String)>,
}

/// A worker folding chunks.
pub struct Worker<'a> {
    index: u32,
    table: &'a RunTable,
    specs: &'a [ViewSpec],
    keep_comments: bool,
    pub partial: Partial,
    /// run_starts of this chunk whose run_end has not come yet.
    /// (Where their lines start in the chunk.)
    pending: FastMap<u128, usize>,
    parser: LineParser,
    /// This chunk's changes to the run table, applied at its end.
    batch: Batch,
    /// What to do with each change's result, in the batch's order.
    follow: Vec<Follow>,
    /// The metrics of the run_ends in `follow`.
    end_metrics: Vec<(u32, f64)>,
    /// Descriptor lookups started, oldest first, with the index of their
    /// change in `batch` (and step in `follow`).
    lookups: VecDeque<(usize, Started)>,
}

/// What a worker does once the table said whether a change was new.
enum Follow {
    Start,
    Rate {
        comment: Option<(u128, i64, String)>,
    },
    End {
        with_start: bool,
        fold: EndFold,
    },
}

/// What a run_end adds to its group, kept until the table says it is new.
struct EndFold {
    desc: u32,
    info: RunInfo,
    time_ms: i64,
    status: u8,
    duration_ms: f64,
    asked: bool,
    /// What the run cost: its `cost_usd`, else its `cost_usd` metric.
    cost_usd: Option<f64>,
    /// Its range in `Worker::end_metrics`.
    metrics: std::ops::Range<usize>,
}

impl<'a> Worker<'a> {
    /// `own_layout`: try the parser's fast path for promptrun's own layout first.
    pub fn new(index: u32, table: &'a RunTable, specs: &'a [ViewSpec], own_layout: bool) -> Self {
        let mut partial = Partial {
            descs: Descriptors::new(specs),
            metric_names: RawInterner::default(),
            views: Vec::new(),
            counts: Counts::default(),
            comments: Vec::new(),
        };
        partial.views.resize_with(specs.len(), PartialView::default);
        Worker {
            index,
            table,
            specs,
            keep_comments: specs.iter().any(|s| s.comments > 0),
            partial,
            pending: FastMap::default(),
            parser: LineParser::new(own_layout),
            batch: Batch::for_worker(index),
            follow: Vec::new(),
            end_metrics: Vec::new(),
            lookups: VecDeque::with_capacity(LOOKUPS_AHEAD + 1),
        }
    }

    /// Folds every line of a chunk.
    pub fn chunk(&mut self, chunk: &Chunk) {
        let mut line_no = 0u64;
        if let Some(reason) = &chunk.skipped_line {
            line_no += 1;
            self.skip(chunk, line_no, reason.clone());
        }
        let data = &chunk.data[..chunk.len];
        let mut start = 0;
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
            let line = &data[start..end];
            start = end + 1;
            line_no += 1;
            if line.len() > MAX_LINE {
                self.skip(
                    chunk,
                    line_no,
                    format!("line longer than {} MiB", MAX_LINE >> 20),
                );
            } else if line.iter().all(u8::is_ascii_whitespace) {
                // Blank lines are not events; nothing to report.
            } else {
                let mut members = Members::default();
                match self.parser.parse_into(line, &mut members) {
                    Ok(event) => self.event(event, start - line.len() - 1),
                    Err(reason) => self.skip(chunk, line_no, reason),
                }
            }
        }
        self.flush_starts(data);
        self.finish_lookups(0);
        self.apply_batch();
        self.partial.counts.lines += line_no;
        self.partial
            .counts
            .chunk_lines
            .push((chunk.file, chunk.seq, line_no));
    }

    fn skip(&mut self, chunk: &Chunk, line: u64, reason: String) {
        let counts = &mut self.partial.counts;
        counts.skipped += 1;
        if counts.examples.len() < MAX_EXAMPLES {
            counts.examples.push((chunk.file, chunk.seq, line, reason));
        }
    }

    /// The descriptor and run info of the event whose change goes next into
    /// `batch`. The descriptor may come later ([`Worker::finish_lookups`]).
    fn run_info(&mut self, e: &Event, is_run: bool) -> (u32, RunInfo) {
        let desc = match self.partial.descs.start(e, is_run) {
            Ok(started) => {
                self.lookups.push_back((self.follow.len(), started));
                0
            }
            Err(desc) => desc,
        };
        let info = RunInfo {
            desc: self.index << WORKER_SHIFT | desc,
            user: if is_run {
                self.partial.descs.users.id(e.user.map(|u| u.raw))
            } else {
                0
            },
            resolution: resolution_index(e.resolution),
        };
        (desc, info)
    }

    /// Records one event; `line_start` is where its line starts in the chunk.
    fn event(&mut self, e: &Event, line_start: usize) {
        let run = key(e.run_id);
        let kind = e.kind.unwrap_or(Kind::RunStart);
        if kind == Kind::RunStart {
            // Held back, not even interned: its run_end usually follows within
            // the chunk, then one table access records both and only the
            // run_end's fields count. Only a start left unpaired is read again.
            if self.pending.insert(e.run_id, line_start).is_some() {
                self.count(false);
            }
            return;
        }
        let (desc, info) = self.run_info(e, kind != Kind::Feedback);
        match kind {
            Kind::RunStart => {}
            Kind::Feedback => {
                self.batch.push(
                    run,
                    Change::Rate {
                        info,
                        ts_ms: e.ts_ms,
                        rating: e.rating,
                    },
                );
                let comment = e
                    .comment
                    .filter(|_| self.keep_comments)
                    .map(|c| (e.run_id, e.ts_ms, c.decode()));
                self.follow.push(Follow::Rate { comment });
            }
            Kind::RunEnd => {
                let time_ms = e.ts_ms - e.duration_ms.round() as i64;
                let with_start = self.pending.remove(&e.run_id).is_some();
                let end = EndInfo {
                    info,
                    time_ms,
                    status: e.status,
                    asked: e.feedback_asked,
                };
                self.batch.push(run, Change::End { end, with_start });
                let from = self.end_metrics.len();
                let mut cost_usd = e.cost_usd;
                if let Some(raw) = e.metrics {
                    let (names, buf) = (&mut self.partial.metric_names, &mut self.end_metrics);
                    let reported = &mut cost_usd;
                    let known = e.cost_usd.is_some();
                    number_members(raw, |name, value| {
                        if !known && name.raw == b"cost_usd" && value >= 0.0 {
                            *reported = Some(value);
                        }
                        buf.push((names.id(Some(name.raw)), value))
                    });
                }
                let fold = EndFold {
                    desc,
                    info,
                    time_ms,
                    status: e.status,
                    duration_ms: e.duration_ms,
                    asked: e.feedback_asked,
                    cost_usd,
                    metrics: from..self.end_metrics.len(),
                };
                self.follow.push(Follow::End { with_start, fold });
            }
        }
        self.finish_lookups(LOOKUPS_AHEAD);
    }

    /// Finishes the descriptor lookups started but the last `ahead`, and puts
    /// their descriptors in their changes.
    #[inline]
    fn finish_lookups(&mut self, ahead: usize) {
        while self.lookups.len() > ahead {
            let Some((at, started)) = self.lookups.pop_front() else {
                break;
            };
            let desc = self.partial.descs.finish(started);
            let tagged = self.index << WORKER_SHIFT | desc;
            self.batch.set_desc(at, tagged);
            if let Some(Follow::End { fold, .. }) = self.follow.get_mut(at) {
                fold.desc = desc;
                fold.info.desc = tagged;
            }
        }
    }

    /// Queues the run_starts still held back (at the end of each chunk).
    fn flush_starts(&mut self, data: &[u8]) {
        let mut pending = std::mem::take(&mut self.pending);
        for (run_id, line_start) in pending.drain() {
            let rest = &data[line_start..];
            let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
            // It parsed a moment ago, so it parses again.
            if let Ok(e) = self.parser.parse(line) {
                let (_, info) = self.run_info(&e, true);
                let time_ms = e.ts_ms;
                self.batch
                    .push(key(run_id), Change::Start { info, time_ms });
                self.follow.push(Follow::Start);
            }
        }
        self.pending = pending;
    }

    /// Applies the chunk's changes to the run table, then counts and folds
    /// what was new.
    fn apply_batch(&mut self) {
        self.table.apply(&mut self.batch);
        let mut follow = std::mem::take(&mut self.follow);
        for i in 0..follow.len() {
            // The cells of the runs folded a few steps on are fetched now, and
            // their vectors' ends a little later, once the cells have come.
            self.prefetch(&follow, i + CELL_AHEAD, false);
            self.prefetch(&follow, i + VALUES_AHEAD, true);
            let step = std::mem::replace(&mut follow[i], Follow::Start);
            let (fresh, start_fresh) = self.batch.results[i];
            match step {
                Follow::Start => self.count(fresh),
                Follow::Rate { comment } => {
                    if let Some(comment) = comment.filter(|_| fresh) {
                        self.partial.comments.push(comment);
                    }
                    self.count(fresh);
                }
                Follow::End { with_start, fold } => {
                    if fresh {
                        self.fold_end(&fold);
                    }
                    self.count(fresh);
                    if with_start {
                        self.count(start_fresh);
                    }
                }
            }
        }
        follow.clear();
        self.follow = follow;
        self.batch.clear();
        self.end_metrics.clear();
    }

    /// Prefetches what folding step `at` of `follow` will touch, when it is a
    /// new run_end: its cell in each view without a time bucket, or (`values`)
    /// where its duration and cost go and its metrics and users are.
    #[inline]
    fn prefetch(&self, follow: &[Follow], at: usize, values: bool) {
        let Some(Follow::End { fold, .. }) = follow.get(at) else {
            return;
        };
        if !self.batch.results.get(at).is_some_and(|r| r.0) {
            return;
        }
        for (view, spec) in self.partial.views.iter().zip(self.specs) {
            let Some(cell) = view
                .desc_group
                .get(fold.desc as usize)
                .filter(|_| spec.bucket().is_none())
                .and_then(|&group| view.cells.get(group as usize))
            else {
                continue;
            };
            if values {
                let [durations, costs, metrics] = cell.tails();
                prefetch(durations, 4);
                prefetch(costs, 4);
                prefetch(metrics, 64);
            } else {
                prefetch(cell, std::mem::size_of::<GroupTotals>());
            }
        }
    }

    #[inline]
    fn count(&mut self, fresh: bool) {
        let counts = &mut self.partial.counts;
        if fresh {
            counts.events += 1;
        } else {
            counts.duplicates += 1;
        }
    }

    fn fold_end(&mut self, end: &EndFold) {
        let metrics = &self.end_metrics[end.metrics.clone()];
        let p = &mut self.partial;
        let descs = &p.descs;
        let (desc, time) = (end.desc, end.time_ms);
        for (view, spec) in p.views.iter_mut().zip(self.specs) {
            if !spec.filters.selects_time(time) || !spec.filters.selects_status(Some(end.status)) {
                continue;
            }
            let Some(group) = view.static_group(desc, descs, spec) else {
                continue;
            };
            let cell = view.cell(group, time, spec.bucket());
            cell.add_end(end.status, end.duration_ms, end.asked);
            for &(id, value) in metrics {
                cell.add_metric(id, value);
            }
            if let Some(cost) = end.cost_usd {
                cell.add_cost(cost);
            }
            cell.add_run(end.info.user, end.info.resolution as usize, time);
        }
    }
}

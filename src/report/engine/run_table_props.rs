//! Property tests: the run table, with its packed entries and the runs kept
//! aside, answers as a plain `HashMap<u128, RunSlot>` applying the same rules.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::run_table::{
    Batch, Change, EndInfo, RunInfo, RunKey, RunSlot, RunTable, flag, key, run_id as id_of,
};
use super::run_table_slots::{ShardSlots, hash};

/// The model: the table's rules on a plain map (results as `Batch::results`).
#[derive(Default)]
struct Model {
    runs: HashMap<u128, RunSlot>,
    ratings: HashMap<u128, (i64, u8)>,
    replaced: HashSet<(u128, i64)>,
}

impl Model {
    fn apply(&mut self, run: u128, change: Change) -> (bool, bool) {
        let fresh = !self.runs.contains_key(&run);
        let slot = self.runs.entry(run).or_default();
        match change {
            Change::Start { info, time_ms } => {
                if slot.flags & flag::START != 0 {
                    return (false, false);
                }
                if slot.flags & flag::END == 0 {
                    slot.info = info;
                    slot.time_ms = time_ms;
                }
                slot.flags |= flag::START;
                (true, false)
            }
            Change::End { end, with_start } => {
                let start_fresh = with_start && slot.flags & flag::START == 0;
                if with_start {
                    slot.flags |= flag::START;
                }
                if slot.flags & flag::END != 0 {
                    return (false, start_fresh);
                }
                slot.flags |= flag::END | if end.asked { flag::ASKED } else { 0 };
                slot.info = end.info;
                slot.time_ms = end.time_ms;
                slot.status = end.status;
                (true, start_fresh)
            }
            Change::Rate {
                info,
                ts_ms,
                rating,
            } => {
                if fresh {
                    slot.time_ms = ts_ms;
                    slot.info = info;
                }
                slot.flags |= flag::RATED;
                let new = match self.ratings.get_mut(&run) {
                    Some(latest) if latest.0 == ts_ms => false,
                    Some(latest) => {
                        let older = if ts_ms > latest.0 {
                            std::mem::replace(latest, (ts_ms, rating)).0
                        } else {
                            ts_ms
                        };
                        self.replaced.insert((run, older)) || older != ts_ms
                    }
                    None => {
                        self.ratings.insert(run, (ts_ms, rating));
                        true
                    }
                };
                (new, false)
            }
        }
    }
}

/// What the table reports of a run: its user and resolution only while it has
/// no end, its rating only when it has one.
type Seen = (i64, u32, u32, u8, u8, u8, Option<(i64, u8)>);

fn seen(slot: &RunSlot) -> Seen {
    let (user, resolution) = if slot.flags & flag::END == 0 {
        (slot.info.user, slot.info.resolution)
    } else {
        (0, 0)
    };
    let rated = slot.flags & flag::RATED != 0;
    (
        slot.time_ms,
        slot.info.desc,
        user,
        resolution,
        slot.flags,
        slot.status,
        rated.then_some((slot.rating_ts, slot.stars)),
    )
}

const BASE_MS: i64 = 1_790_000_000_000;

/// Run ids: a few v7 ones (so changes repeat runs), or noise (never v7-like).
fn run_id() -> impl Strategy<Value = u128> {
    prop_oneof![
        4 => (0u64..6).prop_map(|n| ((BASE_MS as u128 + n as u128 * 1000) << 80) | 0x7000 << 64 | n as u128),
        1 => (0u128..4).prop_map(|n| n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835) | 1),
    ]
}

/// Times near the ids' (packed) or far from them (kept aside).
fn time() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => (-3_000i64..8_000).prop_map(|d| BASE_MS + d),
        1 => any::<i64>(),
        1 => Just(BASE_MS + (1 << 23)),
        1 => (0i64..300_000).prop_map(|d| BASE_MS + d),
    ]
}

/// Descriptors: small ids of any worker (packed) or any (large ones spill).
fn desc() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => (0u32..4, 0u32..100).prop_map(|(worker, id)| worker << 30 | id),
        1 => any::<u32>(),
    ]
}

/// Users: a few small ids (packed), or any (large ones spill).
fn user() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 0u32..3, 1 => 0u32..70_000, 1 => any::<u32>()]
}

fn info() -> impl Strategy<Value = RunInfo> {
    (desc(), user(), 0u8..5).prop_map(|(desc, user, resolution)| RunInfo {
        desc,
        user,
        resolution,
    })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (info(), time()).prop_map(|(info, time_ms)| Change::Start { info, time_ms }),
        (info(), time(), 0u8..5, any::<bool>(), any::<bool>()).prop_map(
            |(info, time_ms, status, asked, with_start)| Change::End {
                end: EndInfo {
                    info,
                    time_ms,
                    status,
                    asked,
                },
                with_start,
            }
        ),
        (info(), time(), 1u8..6).prop_map(|(mut info, ts_ms, rating)| {
            info.user = 0;
            Change::Rate {
                info,
                ts_ms,
                rating,
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn the_table_answers_as_a_plain_map(
        batches in proptest::collection::vec(
            proptest::collection::vec((run_id(), change()), 0..40), 1..6),
    ) {
        let table = RunTable::default();
        let mut model = Model::default();
        let mut batch = Batch::default();
        for changes in &batches {
            batch.clear();
            for &(run, change) in changes {
                batch.push(key(run), change);
            }
            table.apply(&mut batch);
            for (i, &(run, change)) in changes.iter().enumerate() {
                prop_assert_eq!(batch.results[i], model.apply(run, change));
            }
        }
        for (&run, &(ts, rating)) in &model.ratings {
            let got = table.rating(key(run)).map(|r| (r.ts_ms, r.rating));
            prop_assert_eq!(got, Some((ts, rating)));
        }
        let mut got = HashMap::new();
        table.for_each(|run: RunKey, slot, rating| {
            let id = id_of(run);
            got.insert(id, (seen(slot), rating.map(|r| (r.ts_ms, r.rating))));
        });
        let want: HashMap<_, _> = model
            .runs
            .iter()
            .map(|(&id, slot)| {
                let rating = (slot.flags & flag::RATED != 0)
                    .then(|| model.ratings.get(&id).copied())
                    .flatten();
                let mut slot = *slot;
                (slot.rating_ts, slot.stars) = rating.unwrap_or_default();
                (id, (seen(&slot), rating))
            })
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn shard_slots_keep_what_a_plain_map_keeps(
        steps in proptest::collection::vec(
            (run_id(), time(), 0u8..16, user(), desc(), 0u8..9, 0u8..9, (time(), 0u8..9)),
            0..300),
    ) {
        let mut slots = ShardSlots::staggered(3, 16);
        let mut model: HashMap<u128, RunSlot> = HashMap::new();
        for (run, time_ms, flags, user, desc, status, resolution, (rating_ts, stars)) in steps {
            let new = RunSlot {
                time_ms,
                info: RunInfo { desc, user, resolution },
                flags,
                status,
                stars,
                rating_ts,
            };
            let k = key(run);
            let before = slots.update(k, hash(k), |slot, fresh| {
                let before = (fresh, seen(slot));
                *slot = new;
                before
            });
            let old = model.insert(run, new);
            let want = old.map_or((true, seen(&RunSlot::default())), |s| (false, seen(&s)));
            prop_assert_eq!(before, want);
        }
        let mut got = HashMap::new();
        slots.for_each(|run, slot| {
            got.insert(id_of(run), seen(slot));
        });
        let want: HashMap<_, _> = model.iter().map(|(&id, s)| (id, seen(s))).collect();
        prop_assert_eq!(got, want);
    }
}

/// Scripted runs through each way a run leaves its entry and comes back.
#[test]
fn runs_that_spill_and_come_back_keep_their_results() {
    let near = |n: u128| ((BASE_MS as u128) << 80) | 0x7000 << 64 | n;
    let random = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321u128; // "time" far in the future
    let info = |user: u32| RunInfo {
        desc: 1 << 30 | 7,
        user,
        resolution: 2,
    };
    let end = |time_ms: i64, with_start: bool| Change::End {
        end: EndInfo {
            info: info(3),
            time_ms,
            status: 1,
            asked: true,
        },
        with_start,
    };
    let start = |user: u32, time_ms: i64| Change::Start {
        info: info(user),
        time_ms,
    };
    let rate = |ts_ms: i64, rating: u8| Change::Rate {
        info: info(0),
        ts_ms,
        rating,
    };
    let script: Vec<(u128, Change)> = vec![
        // A start with a user too large to pack spills; a duplicate of it is
        // found aside; its end brings it back inline; a duplicate end is found.
        (near(1), start(1 << 20, BASE_MS)),
        (near(1), start(1 << 20, BASE_MS)),
        (near(1), end(BASE_MS + 3, false)),
        (near(1), end(BASE_MS + 3, true)),
        // A rating before its run's end (kept aside), then the end packs both;
        // a re-rating, its duplicate and the older one's duplicate.
        (near(2), rate(BASE_MS + 9_000, 4)),
        (near(2), end(BASE_MS, true)),
        (near(2), rate(BASE_MS + 70_000, 2)),
        (near(2), rate(BASE_MS + 70_000, 2)),
        (near(2), rate(BASE_MS + 9_000, 4)),
        // A rating too late to pack, then one that would fit: the latest stays.
        (near(3), end(BASE_MS, true)),
        (near(3), rate(BASE_MS + (1 << 20), 5)),
        (near(3), rate(BASE_MS + 1_000, 1)),
        // Rating-only runs and a run far from its id's time.
        (near(4), rate(BASE_MS + 5, 3)),
        (near(5), end(BASE_MS + (1 << 30), true)),
        (near(5), end(BASE_MS + (1 << 30), true)),
        // A random id: everything aside, still exact.
        (random, start(2, BASE_MS)),
        (random, rate(BASE_MS, 5)),
        (random, end(BASE_MS, false)),
        (random, rate(BASE_MS, 5)),
    ];
    let table = RunTable::default();
    let mut model = Model::default();
    let mut batch = Batch::default();
    // One change a batch, so each sees the one before it applied.
    for &(run, change) in &script {
        batch.clear();
        batch.push(key(run), change);
        table.apply(&mut batch);
        assert_eq!(
            batch.results[0],
            model.apply(run, change),
            "{run:x} {change:?}"
        );
    }
    assert_eq!(
        table.rating(key(near(2))).map(|r| (r.ts_ms, r.rating)),
        Some((BASE_MS + 70_000, 2))
    );
    assert_eq!(
        table.rating(key(near(3))).map(|r| (r.ts_ms, r.rating)),
        Some((BASE_MS + (1 << 20), 5))
    );
    let mut got = HashMap::new();
    table.for_each(|run, slot, _| {
        got.insert(id_of(run), seen(slot));
    });
    assert_eq!(got.len(), 6);
    for (id, slot) in &model.runs {
        let mut slot = *slot;
        if let Some(&(ts, stars)) = model.ratings.get(id) {
            (slot.rating_ts, slot.stars) = (ts, stars);
        }
        assert_eq!(got[id], seen(&slot), "{id:x}");
    }
}

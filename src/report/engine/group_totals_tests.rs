//! Tests of a group's running totals: what folding and merging keep must not
//! depend on how compactly it is kept.

use super::*;

#[test]
fn a_cell_is_small() {
    assert!(std::mem::size_of::<GroupTotals>() <= 168);
}

#[test]
fn counts_carry_past_u32() {
    let mut cell = GroupTotals::default();
    cell.add_count(STATUS, u64::from(u32::MAX));
    cell.add_end(0, 1.0, true);
    assert_eq!(cell.statuses()[0], 1 << 32);
    cell.add_count(STATUS, 5 << 32 | 7);
    assert_eq!(cell.statuses()[0], (6 << 32) + 7);
    let mut other = GroupTotals::default();
    other.add_count(STATUS, u64::from(u32::MAX));
    other.merge(cell, |u| u, |m| m);
    assert_eq!(other.statuses()[0], (6 << 32) + 7 + u64::from(u32::MAX));
    assert_eq!(other.completed(), other.statuses()[0]);
    assert_eq!(other.asked(), (1, 0));
}

#[test]
fn metric_counts_and_huge_sums_carry() {
    let mut cell = GroupTotals {
        metrics: vec![Metric {
            id: 3,
            count: u32::MAX,
            nanos: i64::MAX - 1,
        }]
        .into_boxed_slice(),
        ..GroupTotals::default()
    };
    cell.add_metric(3, 1.5);
    cell.add_metric(3, 1e300);
    cell.add_metric(4, 2.0);
    let metrics: Vec<(u32, f64, u64)> = cell
        .metrics()
        .map(|(id, s, n)| (id, s.value(), n))
        .collect();
    assert_eq!(metrics, vec![(3, 1e300, (1 << 32) + 1), (4, 2.0, 1)]);
    // The exact part past i64 is kept too.
    let exact = cell.metrics().next().map(|(_, sum, _)| sum.nanos.get());
    assert_eq!(exact, Some(i128::from(i64::MAX - 1) + 1_500_000_000));
    // Merged under other ids, and absorbed into totals by copy.
    let mut merged = GroupTotals::default();
    merged.add_metric(7, 0.5);
    merged.merge(cell, |u| u, |m| m + 4);
    let mut total = GroupTotals::default();
    total.absorb(&merged);
    total.absorb(&merged);
    let metrics: Vec<(u32, f64, u64)> = total
        .metrics()
        .map(|(id, s, n)| (id, s.value(), n))
        .collect();
    assert_eq!(metrics, vec![(7, 2e300, 2 * ((1 << 32) + 2)), (8, 4.0, 2)]);
}

#[test]
fn users_inline_and_past_the_word() {
    let mut a = GroupTotals::default();
    for user in [1, 63, 64, 5000, 1] {
        a.add_run(user, 0, 10);
    }
    assert_eq!(a.users(), 4);
    let mut b = GroupTotals::default();
    b.add_run(2, 1, 5);
    // The other side's ids map to ours: 1 -> 2 (already there), 63 -> 70, ...
    b.merge(a, |u| if u == 1 { 2 } else { u + 7 }, |m| m);
    assert_eq!(b.users(), 4);
    assert_eq!(b.resolutions(), [5, 1, 0, 0, 0]);
    assert_eq!(b.span(), Some((5, 10)));
    assert_eq!(GroupTotals::default().span(), None);
}

#[test]
fn values_keep_their_bits_inline_heap_or_rare() {
    let durations = [1.5, 2294.199, 0.1234, -0.0, 7.0, 1e300, 3.25];
    let costs = [0.000123, 1e-9, 0.5];
    let mut cell = GroupTotals::default();
    for (i, &d) in durations.iter().enumerate() {
        cell.add_end((i % 5) as u8, d, false);
    }
    for &c in &costs {
        cell.add_cost(c);
    }
    let bits = |values: &[f64]| {
        let mut bits: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        bits.sort();
        bits
    };
    assert_eq!(bits(&cell.durations()), bits(&durations));
    assert_eq!(bits(&cell.costs()), bits(&costs));
    // Split over two cells and merged: the same values.
    let (mut a, mut b) = (GroupTotals::default(), GroupTotals::default());
    for (i, &d) in durations.iter().enumerate() {
        if i % 2 == 0 { &mut a } else { &mut b }.add_end(0, d, false);
    }
    a.merge(b, |u| u, |m| m);
    assert_eq!(bits(&a.durations()), bits(&durations));
    let mut total = GroupTotals::default();
    total.absorb(&a);
    total.absorb(&cell);
    assert_eq!(total.durations().len(), 2 * durations.len());
    a.free_values();
    assert!(a.durations().is_empty());
    assert_eq!(a.completed(), durations.len() as u64);
}

#[test]
fn ratings_and_comments() {
    let mut cell = GroupTotals::default();
    cell.add_rating(5, true);
    cell.add_rating(1, false);
    cell.add_incomplete();
    cell.add_comment(10, "b".into(), 5);
    cell.add_comment(20, "a".into(), 1);
    cell.add_comment(10, "a".into(), 4);
    assert_eq!(cell.ratings(), [1, 0, 0, 0, 1]);
    assert_eq!(cell.asked(), (0, 1));
    assert_eq!(cell.runs(), 1);
    cell.keep_comments(2);
    let texts: Vec<&str> = cell.comments().iter().map(|c| c.1.as_str()).collect();
    assert_eq!(texts, vec!["a", "a"]);
    assert_eq!(cell.comments()[1].0, 10);
}

#[test]
fn remapped_is_merged_into_an_empty_cell() {
    let mut cell = GroupTotals::default();
    cell.add_run(3, 2, 50);
    cell.add_run(70, 0, 40);
    cell.add_end(1, 12.5, true);
    cell.add_metric(1, 2.0);
    cell.add_metric(2, 1e300);
    cell.add_cost(0.25);
    let user = |u: u32| u * 2;
    let metric = |m: u32| m + 10;
    let mut merged = GroupTotals::default();
    let copy = {
        let mut copy = GroupTotals::default();
        copy.absorb(&cell);
        copy
    };
    merged.merge(copy, user, metric);
    let moved = cell.remapped(user, metric);
    let view = |c: &GroupTotals| {
        let mut users: Vec<u32> = c.user_ids().collect();
        users.sort();
        let metrics: Vec<(u32, f64, u64)> =
            c.metrics().map(|(id, s, n)| (id, s.value(), n)).collect();
        (
            users,
            metrics,
            c.statuses(),
            c.resolutions(),
            c.span(),
            c.durations(),
            c.costs(),
        )
    };
    assert_eq!(view(&moved), view(&merged));
    assert_eq!(view(&moved).0, vec![6, 140]);
}

#[test]
fn small_nanos_are_the_exact_nanos() {
    for value in [
        0.0,
        -0.0,
        1.5,
        -2.25,
        0.1234567891,
        8.99e9,
        -8.99e9,
        123456.000000001,
    ] {
        assert_eq!(
            ExactSum::small_nanos_of(value).map(i128::from),
            ExactSum::nanos_of(value),
            "{value}"
        );
    }
    assert_eq!(ExactSum::small_nanos_of(9.5e9), None);
    assert_eq!(ExactSum::small_nanos_of(f64::NAN), None);
}

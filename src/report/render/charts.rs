//! The dashboard's charts as inline SVG strings, drawn with plotters' SVG backend.
//!
//! plotters renders to a `String` with no browser, font file or network, and
//! escapes every text it writes (`<`, `>`, `&`, quotes), so prompt names from
//! the logs are safe as axis labels. Colours the page restyles for dark mode
//! ([`AXIS`], [`GRID`]) are matched by the page's CSS.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

/// Axis lines and labels (the page's CSS recolours them in dark mode).
pub const AXIS: RGBColor = RGBColor(0x6B, 0x72, 0x80);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xE5, 0xE7, 0xEB);
/// The series colours, in order; "other" is the last.
pub const PALETTE: [RGBColor; 9] = [
    RGBColor(0x3B, 0x82, 0xF6),
    RGBColor(0xF5, 0x9E, 0x0B),
    RGBColor(0x10, 0xB9, 0x81),
    RGBColor(0xEF, 0x44, 0x44),
    RGBColor(0x8B, 0x5C, 0xF6),
    RGBColor(0x06, 0xB6, 0xD4),
    RGBColor(0xEC, 0x48, 0x99),
    RGBColor(0x84, 0xCC, 0x16),
    RGBColor(0x9C, 0xA3, 0xAF),
];
/// Ratings 1 to 5, red to green.
pub const RATING_COLOURS: [RGBColor; 5] = [
    RGBColor(0xDC, 0x26, 0x26),
    RGBColor(0xF9, 0x73, 0x16),
    RGBColor(0xEA, 0xB3, 0x08),
    RGBColor(0x84, 0xCC, 0x16),
    RGBColor(0x16, 0xA3, 0x4A),
];

const WIDE: u32 = 1080;
/// Half-width charts sit two to a row (about 530 px each on the page), so they are
/// drawn near that size: scaled down much, their 13 px labels would read under 11 px.
const HALF: u32 = 580;
const FONT: &str = "sans-serif";
/// Axis labels and value labels, as plotters' font size: it writes 0.806 of it as
/// the SVG font-size, so 16 is 12.9 px (13 was 10.5 px, too small once scaled).
const LABEL_PX: u32 = 16;
const LABEL_CHARS: usize = 28;

/// The colour of each series, by name: a prompt keeps its colour from chart to
/// chart and page to page, as it comes from a stable hash of its name (FNV-1a),
/// not from its place in this chart's ranking. Two names of one chart that hash
/// alike take the next free colour; "other" is always the last, grey.
pub fn series_colours(names: &[String]) -> Vec<RGBColor> {
    let hues = PALETTE.len() - 1;
    let mut taken = vec![false; hues];
    names
        .iter()
        .map(|name| {
            if name == "other" {
                return PALETTE[hues];
            }
            let preferred = (fnv1a(name) % hues as u64) as usize;
            let slot = (0..hues)
                .map(|step| (preferred + step) % hues)
                .find(|slot| !taken[*slot])
                .unwrap_or(preferred);
            taken[slot] = true;
            PALETTE[slot]
        })
        .collect()
}

/// FNV-1a, 64 bits: stable across runs, platforms and versions (std's hasher is not).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The CSS colour of a palette entry, for HTML legends.
pub fn css(colour: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2)
}

/// Shortens a label for an axis, keeping its start and its end (names that
/// differ only at the end stay apart); the full name stays in the tables.
pub fn short(label: &str) -> String {
    let count = label.chars().count();
    if count <= LABEL_CHARS {
        return label.to_string();
    }
    let head = (LABEL_CHARS - 1) / 2;
    let tail = LABEL_CHARS - 1 - head;
    let mut out: String = label.chars().take(head).collect();
    out.push('…');
    out.extend(label.chars().skip(count - tail));
    out
}

fn draw(
    width: u32,
    height: u32,
    paint: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Option<()>,
) -> Option<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        paint(&root)?;
        root.present().ok()?;
    }
    // Inline SVG in HTML needs no namespace; dropping it keeps the page free of any URL.
    let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    // Never shrunk below 90% of its size (its section scrolls instead), so a 12.9 px
    // label stays at least 11.6 px on the page.
    let min_width = width * 9 / 10;
    Some(svg.replacen(
        "<svg ",
        &format!("<svg class=\"chart\" role=\"img\" style=\"min-width:{min_width}px\" "),
        1,
    ))
}

/// Text as plotters' SVG backend escapes it (`'` as `&apos;`).
fn svg_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Gives each shortened axis label a `<title>` with the full name, which a
/// browser shows as a tooltip (plotters cannot write one itself).
fn with_tooltips(svg: String, names: &[String]) -> String {
    let mut svg = svg;
    for name in names {
        let shown = short(name);
        if shown == *name {
            continue;
        }
        let label = format!(">\n{}\n</text>", svg_text(&shown));
        let titled = format!(
            ">\n<title>{}</title>{}\n</text>",
            svg_text(name),
            svg_text(&shown)
        );
        svg = svg.replacen(&label, &titled, 1);
    }
    svg
}

/// A category axis of `n` slots, slot `i` spanning `i..i + 1`, with a tick at
/// the centre of every `step`-th slot.
///
/// A continuous axis, unlike plotters' segmented one, still has width with a
/// single slot (a segmented `0..0` maps every value to one point).
#[derive(Debug, Clone, Copy)]
struct Slots {
    n: usize,
    step: usize,
}

/// `n` slots showing at most `ticks` labels.
fn slots(n: usize, ticks: usize) -> Slots {
    Slots {
        n: n.max(1),
        step: n.div_ceil(ticks.max(1)).max(1),
    }
}

impl Ranged for Slots {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, (from, to): (i32, i32)) -> i32 {
        from + ((to - from) as f64 * value / self.n as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.n)
            .step_by(self.step)
            .map(|i| i as f64 + 0.5)
            .collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n as f64
    }
}

/// The label of the slot a tick value falls in.
fn slot_label(labels: &[String], value: f64) -> String {
    if value < 0.0 {
        return String::new();
    }
    labels.get(value as usize).cloned().unwrap_or_default()
}

/// The pixel margin on each side of a bar in a slot `slot_px` wide: 3 px, less
/// for narrow slots, so a bar never gets a negative size.
pub fn bar_margin(slot_px: f64) -> u32 {
    (slot_px * 0.15).floor().clamp(0.0, 3.0) as u32
}

fn text_style(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&AXIS)
}

/// Vertical columns per time bucket, one stacked segment per series.
pub fn stacked_columns(buckets: &[String], series: &[(String, Vec<f64>)]) -> Option<String> {
    if buckets.is_empty() {
        return None;
    }
    let totals: Vec<f64> = (0..buckets.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, values)| values.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    // Counts: an integer axis, so ticks never repeat (0, 0, 1, 1 from rounding).
    let top = (totals.iter().copied().fold(1.0, f64::max) * 1.1).ceil() as u64;
    let labels = buckets.to_vec();
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    let colours = series_colours(&names);
    draw(WIDE, 300, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(32)
            .y_label_area_size(52)
            .build_cartesian_2d(slots(buckets.len(), 10), 0u64..top)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(10)
            .x_label_formatter(&|value| slot_label(&labels, *value))
            .y_labels(6)
            .y_label_formatter(&|value| value.to_string())
            .label_style(text_style(LABEL_PX))
            .draw()
            .ok()?;
        let plot_px = chart.plotting_area().dim_in_pixel().0 as f64;
        let margin = bar_margin(plot_px / buckets.len() as f64);
        let mut base = vec![0u64; buckets.len()];
        for (index, (_, values)) in series.iter().enumerate() {
            let colour = colours[index];
            let bars: Vec<_> = values
                .iter()
                .enumerate()
                .filter(|(_, value)| **value > 0.0)
                .map(|(i, value)| {
                    let value = value.round() as u64;
                    let from = base[i];
                    base[i] += value;
                    let mut bar = Rectangle::new(
                        [(i as f64, from), (i as f64 + 1.0, from + value)],
                        colour.filled(),
                    );
                    bar.set_margin(0, 0, margin, margin);
                    bar
                })
                .collect();
            chart.draw_series(bars).ok()?;
        }
        Some(())
    })
}

/// Horizontal bars, one per row: `(label, value)`, on an axis from 0 to `max`.
pub fn horizontal_bars(
    rows: &[(String, f64)],
    max: f64,
    colour: RGBColor,
    format: &dyn Fn(f64) -> String,
) -> Option<String> {
    let rows: Vec<(String, Option<f64>, f64)> = rows
        .iter()
        .map(|(label, value)| (label.clone(), None, *value))
        .collect();
    bars(&rows, max, (colour, colour.filled()), format, None)
}

/// [`horizontal_bars`] with each bar's value written at its end, and, with `goal`,
/// a vertical goal line at that value (e.g. the 80% participation goal).
pub fn labelled_bars(
    rows: &[(String, f64)],
    max: f64,
    colour: RGBColor,
    format: &dyn Fn(f64) -> String,
    goal: Option<f64>,
) -> Option<String> {
    let rows: Vec<(String, Option<f64>, f64)> = rows
        .iter()
        .map(|(label, value)| (label.clone(), None, *value))
        .collect();
    bars(
        &rows,
        max,
        (colour, colour.filled()),
        format,
        Some(Labels { goal }),
    )
}

/// The goal line's colour.
pub const GOAL: RGBColor = RGBColor(0xDC, 0x26, 0x26);

/// Value labels at the bars' ends, and an optional goal line.
struct Labels {
    goal: Option<f64>,
}

/// Horizontal bars with an inner bar: `(label, inner, outer)`, e.g. p50 inside p95.
pub fn bullet_bars(
    rows: &[(String, f64, f64)],
    max: f64,
    (inner_colour, outer_colour): (RGBColor, RGBColor),
    format: &dyn Fn(f64) -> String,
) -> Option<String> {
    let rows: Vec<(String, Option<f64>, f64)> = rows
        .iter()
        .map(|(label, inner, outer)| (label.clone(), Some(*inner), *outer))
        .collect();
    bars(
        &rows,
        max,
        (inner_colour, outer_colour.mix(0.45).filled()),
        format,
        None,
    )
}

fn bars(
    rows: &[(String, Option<f64>, f64)],
    max: f64,
    (inner_colour, outer_style): (RGBColor, ShapeStyle),
    format: &dyn Fn(f64) -> String,
    labels_and_goal: Option<Labels>,
) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let labelled = labels_and_goal.is_some();
    let goal = labels_and_goal.and_then(|l| l.goal);
    // Slot 0 is at the bottom: the first row gets the top slot.
    let labels: Vec<String> = rows.iter().rev().map(|row| short(&row.0)).collect();
    let names: Vec<String> = rows.iter().map(|row| row.0.clone()).collect();
    let height = 40 + 26 * rows.len().max(1) as u32;
    // Room after the longest bar for its value label.
    let top = match (max > 0.0, labelled) {
        (true, true) => max * 1.16,
        (true, false) => max * 1.05,
        (false, _) => 1.0,
    };
    let svg = draw(HALF, height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(8)
            // The last axis label ("100%") is centred on the axis end: room for its half.
            .margin_right(24)
            .x_label_area_size(28)
            .y_label_area_size(200)
            .build_cartesian_2d(0f64..top, slots(rows.len(), rows.len()))
            .ok()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .y_labels(rows.len())
            .y_label_formatter(&|value| slot_label(&labels, *value))
            .x_label_formatter(&|value| format(*value))
            .x_labels(6)
            .label_style(text_style(LABEL_PX))
            .draw()
            .ok()?;
        let slot = |i: usize| (rows.len() - i - 1) as f64;
        let outer = rows.iter().enumerate().map(|(i, (_, _, value))| {
            let mut bar = Rectangle::new([(0.0, slot(i)), (*value, slot(i) + 1.0)], outer_style);
            bar.set_margin(4, 4, 0, 0);
            bar
        });
        chart.draw_series(outer).ok()?;
        let inner = rows.iter().enumerate().filter_map(|(i, (_, value, _))| {
            let value = (*value)?;
            let mut bar = Rectangle::new(
                [(0.0, slot(i)), (value, slot(i) + 1.0)],
                inner_colour.filled(),
            );
            bar.set_margin(9, 9, 0, 0);
            Some(bar)
        });
        chart.draw_series(inner).ok()?;
        if labelled {
            let style = text_style(LABEL_PX).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ));
            let values = rows.iter().enumerate().map(|(i, (_, _, value))| {
                EmptyElement::at((*value, slot(i) + 0.5))
                    + Text::new(format(*value), (4, 0), style.clone())
            });
            chart.draw_series(values).ok()?;
        }
        if let Some(goal) = goal {
            let n = rows.len() as f64;
            chart
                .draw_series(LineSeries::new(
                    vec![(goal, 0.0), (goal, n)],
                    GOAL.stroke_width(2),
                ))
                .ok()?;
        }
        Some(())
    })?;
    Some(with_tooltips(svg, &names))
}

/// One horizontal bar per row split into five shares (ratings 1 to 5).
pub fn rating_shares(rows: &[(String, [u64; 5])]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    // Slot 0 is at the bottom: the first row gets the top slot.
    let labels: Vec<String> = rows.iter().rev().map(|row| short(&row.0)).collect();
    let names: Vec<String> = rows.iter().map(|row| row.0.clone()).collect();
    let height = 40 + 26 * rows.len().max(1) as u32;
    let svg = draw(HALF, height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(8)
            // "100%" is centred on the axis end: room for its right half, not clipped.
            .margin_right(24)
            .x_label_area_size(28)
            .y_label_area_size(200)
            .build_cartesian_2d(0f64..100f64, slots(rows.len(), rows.len()))
            .ok()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .y_labels(rows.len())
            .y_label_formatter(&|value| slot_label(&labels, *value))
            .x_label_formatter(&|value| format!("{value:.0}%"))
            .x_labels(6)
            .label_style(text_style(LABEL_PX))
            .draw()
            .ok()?;
        for (i, (_, dist)) in rows.iter().enumerate() {
            let slot = (rows.len() - i - 1) as f64;
            let total: u64 = dist.iter().sum();
            if total == 0 {
                continue;
            }
            let mut from = 0.0;
            let segments: Vec<_> = dist
                .iter()
                .enumerate()
                .map(|(star, count)| {
                    let width = *count as f64 * 100.0 / total as f64;
                    let mut bar = Rectangle::new(
                        [(from, slot), (from + width, slot + 1.0)],
                        RATING_COLOURS[star].filled(),
                    );
                    bar.set_margin(4, 4, 0, 0);
                    from += width;
                    bar
                })
                .collect();
            chart.draw_series(segments).ok()?;
        }
        Some(())
    })?;
    Some(with_tooltips(svg, &names))
}

/// One line per series over the buckets; `None` values leave a gap.
pub fn lines(
    buckets: &[String],
    series: &[(String, Vec<Option<f64>>)],
    format: &dyn Fn(f64) -> String,
) -> Option<String> {
    lines_up_to(buckets, series, format, None)
}

/// [`lines`] on an axis from 0 to `top` when given (5 for ratings), else to a
/// little over the highest value.
pub fn lines_up_to(
    buckets: &[String],
    series: &[(String, Vec<Option<f64>>)],
    format: &dyn Fn(f64) -> String,
    fixed_top: Option<f64>,
) -> Option<String> {
    if buckets.is_empty() || series.is_empty() {
        return None;
    }
    let top = series
        .iter()
        .flat_map(|(_, values)| values.iter().flatten())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let top = match fixed_top {
        Some(top) => top,
        None if top > 0.0 => top * 1.1,
        None => 1.0,
    };
    let labels = buckets.to_vec();
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    let colours = series_colours(&names);
    let svg = draw(WIDE, 300, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(32)
            .y_label_area_size(72)
            .build_cartesian_2d(slots(buckets.len(), 10), 0f64..top)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(10)
            .x_label_formatter(&|value| slot_label(&labels, *value))
            .y_labels(6)
            .y_label_formatter(&|value| format(*value))
            .label_style(text_style(LABEL_PX))
            .draw()
            .ok()?;
        for (index, (_, values)) in series.iter().enumerate() {
            let colour = colours[index];
            // Consecutive known values make one stretch of line; a gap starts a new one.
            let mut stretch: Vec<(f64, f64)> = Vec::new();
            let mut stretches = Vec::new();
            for (i, value) in values.iter().enumerate() {
                match value {
                    Some(v) if v.is_finite() => stretch.push((i as f64 + 0.5, *v)),
                    _ => stretches.push(std::mem::take(&mut stretch)),
                }
            }
            stretches.push(stretch);
            for points in stretches.into_iter().filter(|s| !s.is_empty()) {
                let dots: Vec<_> = points
                    .iter()
                    .map(|point| Circle::new(*point, 3, colour.filled()))
                    .collect();
                chart
                    .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                    .ok()?;
                chart.draw_series(dots).ok()?;
            }
        }
        Some(())
    })?;
    Some(svg.replacen("class=\"chart\"", "class=\"chart lines\"", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_keep_their_start_and_end() {
        let a = short("summarize-customer-tickets-for-the-weekly-report-v1");
        let b = short("summarize-customer-tickets-for-the-weekly-report-v2");
        assert_eq!(a.chars().count(), LABEL_CHARS);
        assert!(
            a.starts_with("summarize-cu") && a.ends_with("report-v1"),
            "{a}"
        );
        assert_ne!(a, b);
        assert_eq!(short("short"), "short");
    }

    #[test]
    fn shortened_bar_labels_carry_the_full_name_as_a_tooltip() {
        let long = "<b>summarize-customer-tickets-for-the-weekly-report</b>".to_string();
        let svg = horizontal_bars(&[(long, 3.0), ("x".into(), 1.0)], 3.0, PALETTE[0], &|v| {
            format!("{v}")
        })
        .unwrap();
        assert!(
            svg.contains(
                "<title>&lt;b&gt;summarize-customer-tickets-for-the-weekly-report&lt;/b&gt;</title>"
            ),
            "{svg}"
        );
        assert!(!svg.contains("<b>"), "the name stays escaped");
    }
}

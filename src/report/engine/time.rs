//! Timestamps as milliseconds since the Unix epoch: fast parsing of the events'
//! `ts`, time buckets, and the `--since`/`--until` forms.

use chrono::{DateTime, NaiveDate, Utc};

const MS_PER_HOUR: i64 = 3_600_000;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// A time bucket for grouping runs by when they started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Hour,
    Day,
    /// Weeks start on Monday, 00:00 UTC.
    Week,
}

impl Bucket {
    /// The start (ms) of the bucket holding `ms`.
    pub fn start(self, ms: i64) -> i64 {
        match self {
            Bucket::Hour => ms.div_euclid(MS_PER_HOUR) * MS_PER_HOUR,
            Bucket::Day => ms.div_euclid(MS_PER_DAY) * MS_PER_DAY,
            // 1970-01-01 was a Thursday: shift by 3 days so weeks start on Monday.
            Bucket::Week => {
                let days = ms.div_euclid(MS_PER_DAY) + 3;
                (days.div_euclid(7) * 7 - 3) * MS_PER_DAY
            }
        }
    }

    /// The group-by name: `hour`, `day` or `week`.
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }
}

/// Parses an RFC 3339 timestamp to ms; fast for the events' own `...T..:..:..(.mmm)Z`.
pub fn parse_ts_ms(raw: &[u8]) -> Option<i64> {
    fast_utc(raw).or_else(|| {
        let text = std::str::from_utf8(raw).ok()?;
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.timestamp_millis())
    })
}

fn fast_utc(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    let (hour, minute, second) = (two_digits(b, 11)?, two_digits(b, 14)?, two_digits(b, 17)?);
    let millis = match &b[19..b.len() - 1] {
        [] => 0,
        // The events' own three digits, without the general division.
        [b'.', _, _, d] if d.is_ascii_digit() => two_digits(b, 20)? * 10 + (d - b'0') as i64,
        [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 9 => {
            let value = frac.iter().try_fold(0i64, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + (d - b'0') as i64)
            })?;
            value * 1000 / 10i64.pow(frac.len() as u32)
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_of_date(b)?;
    Some(days * MS_PER_DAY + (hour * 3600 + minute * 60 + second) * 1000 + millis)
}

/// The two-digit number at `at` (and `at + 1`).
#[inline(always)]
fn two_digits(b: &[u8], at: usize) -> Option<i64> {
    let (high, low) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
    (high < 10 && low < 10).then(|| (high * 10 + low) as i64)
}

thread_local! {
    /// The last `YYYY-MM-DD` read (its bytes as two words) and its days since
    /// the epoch: events come in time order, so most lines repeat it. It starts
    /// as the epoch itself, a valid pair.
    static LAST_DATE: std::cell::Cell<(u64, u16, i64)> = const {
        std::cell::Cell::new((u64::from_le_bytes(*b"1970-01-"), u16::from_le_bytes(*b"01"), 0))
    };
}

/// The days since 1970-01-01 of the valid date `b[..10]` (its dashes checked by the caller).
#[inline]
fn days_of_date(b: &[u8]) -> Option<i64> {
    let head = u64::from_le_bytes(b[..8].try_into().ok()?);
    let tail = u16::from_le_bytes(b[8..10].try_into().ok()?);
    let (last_head, last_tail, last_days) = LAST_DATE.get();
    if (head, tail) == (last_head, last_tail) {
        return Some(last_days);
    }
    let year = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    let (month, day) = (two_digits(b, 5)?, two_digits(b, 8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    LAST_DATE.set((head, tail, days));
    Some(days)
}

/// The days of a month of the proleptic Gregorian calendar.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// 0001-01-01T00:00:00Z in ms since the epoch: the earliest time reports accept.
const EARLIEST_MS: i64 = -62_135_596_800_000;

/// Formats ms as RFC 3339 UTC with milliseconds.
pub fn format_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(crate::record::event::timestamp)
        .unwrap_or_else(|| ms.to_string())
}

/// Parses a `--since`/`--until` value: RFC 3339, a date (`2026-11-24`, midnight UTC),
/// or a time ago (`24h`, `7d`, `90m`, `2w`) counted back from `now_ms`.
pub fn parse_point(text: &str, now_ms: i64) -> Result<i64, String> {
    let text = text.trim();
    if let Some(ms) = parse_ts_ms(text.as_bytes()) {
        return Ok(ms);
    }
    if let Some(t) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
    {
        return Ok(t.and_utc().timestamp_millis());
    }
    let ago = if let Some(weeks) = text.strip_suffix('w') {
        weeks
            .parse::<f64>()
            .ok()
            .and_then(|w| std::time::Duration::try_from_secs_f64(w * 604_800.0).ok())
            .ok_or_else(String::new)
    } else {
        crate::cli::parse_duration_unbounded(text)
    };
    let point = match ago {
        Ok(ago) if text.ends_with(|c: char| c.is_ascii_alphabetic()) => {
            i64::try_from(ago.as_millis())
                .ok()
                .and_then(|ago| now_ms.checked_sub(ago))
        }
        _ => {
            return Err(format!(
                "expected a date (2026-11-24), an RFC 3339 time or a time ago (24h, 7d, 2w), got `{text}`"
            ));
        }
    };
    // Before year 1 nothing was logged, and RFC 3339 cannot write it.
    point
        .filter(|ms| *ms >= EARLIEST_MS)
        .ok_or_else(|| format!("`{text}` reaches back before the year 1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_chrono() {
        for text in [
            "2026-11-24T10:15:02.123Z",
            "1999-02-28T23:59:59Z",
            "2024-02-29T00:00:00.5Z",
            "1969-12-31T23:59:59.999Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text)
                .unwrap()
                .timestamp_millis();
            assert_eq!(fast_utc(text.as_bytes()), Some(chrono), "{text}");
        }
        assert_eq!(
            parse_ts_ms(b"2026-11-24T11:15:02+01:00"),
            parse_ts_ms(b"2026-11-24T10:15:02Z")
        );
        assert_eq!(fast_utc(b"2026-13-24T10:15:02Z"), None);
        assert_eq!(fast_utc(b"2026-11-24T10:15:02.1x3Z"), None);
        assert_eq!(
            fast_utc(b"2026-11-24T10:15:02.12Z"),
            Some(chrono_ms("2026-11-24T10:15:02.12Z"))
        );
        assert_eq!(parse_ts_ms(b"2026-02-30T10:15:02Z"), None);
        // Month lengths, leap years included, as chrono has them.
        for date in [
            "2025-02-29",
            "2100-02-29",
            "2000-02-29",
            "2024-04-31",
            "2024-12-31",
        ] {
            let text = format!("{date}T00:00:00Z");
            let chrono = DateTime::parse_from_rfc3339(&text).ok();
            assert_eq!(
                fast_utc(text.as_bytes()),
                chrono.map(|t| t.timestamp_millis())
            );
        }
    }

    fn chrono_ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn the_cached_date_agrees_with_chrono_whatever_the_order() {
        // Days apart, then back, with every millisecond width: the cache must
        // never hand one date's days to another.
        let mut ms: i64 = -86_400_000 * 400;
        let mut step: i64 = 7;
        for i in 0..5000 {
            ms += step;
            step = (step * 7919 + i) % (86_400_000 * 40) - 86_400_000 * 19;
            let text = format_ms(ms);
            assert_eq!(fast_utc(text.as_bytes()), Some(chrono_ms(&text)), "{text}");
            let short = text.replace(".000Z", "Z");
            assert_eq!(
                fast_utc(short.as_bytes()),
                Some(chrono_ms(&short)),
                "{short}"
            );
        }
        assert_eq!(fast_utc(b"1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(fast_utc(b"1970-01-32T00:00:00Z"), None);
    }

    #[test]
    fn buckets() {
        let t = parse_ts_ms(b"2026-11-26T13:45:00Z").unwrap(); // a Thursday
        assert_eq!(format_ms(Bucket::Hour.start(t)), "2026-11-26T13:00:00.000Z");
        assert_eq!(format_ms(Bucket::Day.start(t)), "2026-11-26T00:00:00.000Z");
        assert_eq!(format_ms(Bucket::Week.start(t)), "2026-11-23T00:00:00.000Z");
    }

    #[test]
    fn points() {
        let now = parse_ts_ms(b"2026-11-24T12:00:00Z").unwrap();
        assert_eq!(parse_point("24h", now), Ok(now - MS_PER_DAY));
        assert_eq!(parse_point("7d", now), Ok(now - 7 * MS_PER_DAY));
        assert_eq!(parse_point("1w", now), Ok(now - 7 * MS_PER_DAY));
        assert_eq!(
            parse_point("2026-11-20", now),
            Ok(parse_ts_ms(b"2026-11-20T00:00:00Z").unwrap())
        );
        assert!(parse_point("yesterday", now).is_err());
        assert!(parse_point("12", now).is_err());
        for absurd in ["infw", "1e20w", "-1w", "NaNw", "100000000w", "99999999d"] {
            assert!(parse_point(absurd, now).is_err(), "{absurd}");
        }
    }
}

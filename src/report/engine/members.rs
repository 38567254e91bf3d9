//! A line's members as the parsers read them: what each known key's value
//! means, and the checks that make the event once the whole line is read.
//! Shared by the general parser and the learned-template path, so the two
//! cannot differ in either.

use super::parse::{
    Event, Kind, MAX_DURATION_MS, STATUS_NAMES, Status, cost, object, period_of, run_id_key, skip,
};
use super::scan::{RawStr, Scanner};
use super::time::parse_ts_ms;

/// What a line's members gave, before the checks at its end. The general parser
/// and the learned-template path (`template.rs`) both read members with
/// [`Members::read`] and end with [`Members::finish`], so they cannot differ in
/// what a member means or which event a line makes.
#[derive(Default)]
pub(super) struct Members<'a> {
    /// The event being read; once [`Members::check`] passed, the line's event.
    pub(super) event: Event<'a>,
    version: Option<&'a [u8]>,
    kind: Option<RawStr<'a>>,
    ts: Option<RawStr<'a>>,
    run_id: Option<RawStr<'a>>,
    has_duration: bool,
    status: Option<RawStr<'a>>,
    rating: Option<f64>,
}

impl<'a> Members<'a> {
    /// Reads the value of key number `index` in `KEYS` (`OTHER`: any other key),
    /// the cursor on the value. A later duplicate key overwrites an earlier one.
    #[inline(always)]
    pub(super) fn read(&mut self, index: usize, s: &mut Scanner<'a>) -> Result<(), &'static str> {
        let event = &mut self.event;
        match index {
            0 => self.version = Some(s.number()?),
            1 => self.kind = Some(s.string()?),
            2 => self.ts = Some(s.string()?),
            3 => self.run_id = Some(s.string()?),
            4 => event.prompt = Some(s.string()?),
            5 => event.variant = s.string_or_null()?,
            6 => event.version = s.string_or_null()?,
            7 => event.resolution = s.string_or_null()?,
            8 => event.command = s.string_or_null()?,
            9 => event.user = s.string_or_null()?,
            10 => event.host = s.string_or_null()?,
            11 if s.peek() == Some(b'{') => event.tags = Some(object(s)?),
            12 if s.peek() == Some(b'{') => event.metrics = Some(object(s)?),
            13 if s.peek() != Some(b'n') => {
                event.duration_ms = s.f64()?;
                self.has_duration = true;
            }
            14 => self.status = Some(s.string()?),
            15 => event.feedback_asked = s.literal(b"true") || skip(s)?,
            16 if s.peek() != Some(b'n') => self.rating = Some(s.f64()?),
            17 => event.comment = s.string_or_null()?,
            18 => event.model = s.string_or_null()?,
            19 => event.provider = s.string_or_null()?,
            20 => event.cost_usd = cost(s)?,
            21 if s.peek() == Some(b'{') => event.period = period_of(s.raw_object(1)?),
            // Most unread values are strings: skip them without the general walk.
            _ if s.peek() == Some(b'"') => drop(s.string()?),
            _ => s.skip_value(1)?,
        }
        Ok(())
    }

    /// The event, once the whole line was read as one valid JSON object in
    /// valid UTF-8: its version, type and required fields checked.
    #[inline(always)]
    pub(super) fn finish(mut self) -> Result<Event<'a>, String> {
        self.check()?;
        Ok(self.event)
    }

    /// [`Members::finish`] in place: the event is left in `self.event`, not
    /// moved out (a copy of its 300-odd bytes a line on the learned-template path).
    #[inline(always)]
    pub(super) fn check(&mut self) -> Result<(), String> {
        let Members {
            event,
            version,
            kind,
            ts,
            run_id,
            has_duration,
            status,
            rating,
        } = self;
        let (version, kind, ts, run_id, has_duration, status, rating) = (
            *version,
            *kind,
            *ts,
            *run_id,
            *has_duration,
            *status,
            *rating,
        );
        match version {
            Some(b"1") => {}
            Some(v) => {
                let v = String::from_utf8_lossy(v);
                return Err(match v.parse::<u64>() {
                    Ok(n) if n > 1 => {
                        format!("schema version {n} is newer than this promptrun reads (1)")
                    }
                    _ => format!("unknown schema version `{v}`"),
                });
            }
            None => return Err("missing field `v`".into()),
        }
        let kind = kind.ok_or("missing field `type`")?;
        event.kind = Some(match kind.raw {
            b"run_start" => Kind::RunStart,
            b"run_end" => Kind::RunEnd,
            b"feedback" => Kind::Feedback,
            other => {
                return Err(format!(
                    "unknown event type `{}`",
                    String::from_utf8_lossy(other)
                ));
            }
        });
        let ts = ts.ok_or("missing field `ts`")?;
        event.ts_ms = parse_ts_ms(ts.raw).ok_or("`ts` is not an RFC 3339 timestamp")?;
        event.run_id = run_id_key(run_id.ok_or("missing field `run_id`")?.raw);
        if event.prompt.is_none() {
            return Err("missing field `prompt`".into());
        }
        match event.kind {
            Some(Kind::RunEnd) => {
                if !has_duration || !(0.0..=MAX_DURATION_MS).contains(&event.duration_ms) {
                    return Err("run_end without a valid `duration_ms`".into());
                }
                let status = status.ok_or("run_end without `status`")?;
                event.status = STATUS_NAMES
                    .iter()
                    .position(|name| name.as_bytes() == status.raw)
                    .ok_or_else(|| {
                        format!("unknown status `{}`", String::from_utf8_lossy(status.raw))
                    })? as Status;
            }
            Some(Kind::Feedback) => match rating {
                Some(r) if (1.0..=5.0).contains(&r) && r.fract() == 0.0 => event.rating = r as u8,
                _ => return Err("feedback without a rating from 1 to 5".into()),
            },
            _ => {}
        }
        Ok(())
    }
}

//! Descriptors: a run's fields that the views read, interned per worker.
//!
//! Each field is interned on its own (raw bytes to a small id) and a descriptor
//! is the tuple of the ids of the fields some view groups or filters by. Fields
//! no view reads are not kept, so the number of descriptors grows with the
//! combinations the views can tell apart, not with the runs. The user (for
//! distinct users) and the resolution are kept per run instead.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use foldhash::fast::FixedState;

use super::ViewSpec;
use super::filter::{GroupField, RunFields};
use super::parse::Event;
use super::scan::{RawStr, Scanner, string_members};
use super::short_values::{ShortKey, ShortValues, Started};

type FastMap<K, V> = HashMap<K, V, FixedState>;

/// A descriptor's field ids, hashed as words of two ids (the array's own hash
/// writes each id and the length apart).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Tuple([u32; FIELDS]);

impl Hash for Tuple {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        for pair in self.0.chunks(2) {
            let high = pair.get(1).copied().unwrap_or(0) as u64;
            state.write_u64(pair[0] as u64 | high << 32);
        }
    }
}

/// Raw field values to ids; id 0 is null or missing.
#[derive(Default)]
pub struct RawInterner {
    /// Values up to [`SHORT`](super::short_values::SHORT) bytes.
    short: ShortValues,
    /// Longer values.
    long: FastMap<Box<[u8]>, u32>,
    /// Every value's bytes, one after another (a box each cost 40 bytes more
    /// per value: a worker interns a million prompt names of a million groups).
    bytes: Vec<u8>,
    /// Where each value ends in `bytes`, by id - 1.
    ends: Vec<usize>,
}

impl RawInterner {
    /// The id of a raw value.
    #[inline]
    pub fn id(&mut self, raw: Option<&[u8]>) -> u32 {
        let Some(raw) = raw else { return 0 };
        match ShortKey::of(raw) {
            Some(key) => self.finish(self.short.start(key)),
            None => {
                let next = self.ends.len() as u32 + 1;
                let id = match self.long.get(raw) {
                    Some(&id) => id,
                    None => {
                        self.long.insert(raw.into(), next);
                        next
                    }
                };
                if id == next {
                    self.keep(raw);
                }
                id
            }
        }
    }

    /// Starts looking up a short value (see [`ShortValues::start`]).
    #[inline]
    pub fn start(&self, key: ShortKey) -> Started {
        self.short.start(key)
    }

    /// The id of a value whose lookup was started.
    #[inline]
    pub fn finish(&mut self, started: Started) -> u32 {
        let next = self.ends.len() as u32 + 1;
        let id = self.short.id(started, next);
        if id == next {
            self.keep(&started.key().bytes());
        }
        id
    }

    /// Keeps a new value's bytes.
    fn keep(&mut self, raw: &[u8]) {
        if self.bytes.capacity() - self.bytes.len() < raw.len() && self.bytes.len() >= 4096 {
            // By a quarter, not double, once long.
            self.bytes
                .reserve_exact(raw.len().max(self.bytes.len() / 4));
        }
        self.bytes.extend_from_slice(raw);
        self.ends.push(self.bytes.len());
    }

    /// The raw value of an id.
    pub fn raw(&self, id: u32) -> Option<&[u8]> {
        let at = id.checked_sub(1)? as usize;
        let end = *self.ends.get(at)?;
        let start = at.checked_sub(1).map_or(0, |before| self.ends[before]);
        Some(&self.bytes[start..end])
    }

    /// The decoded string of an id.
    pub fn text(&self, id: u32) -> Option<String> {
        self.raw(id).map(|raw| {
            RawStr {
                raw,
                escaped: raw.contains(&b'\\'),
            }
            .decode()
        })
    }

    /// Every decoded string, by id - 1.
    pub fn texts(&self) -> Vec<String> {
        (1..=self.ends.len() as u32)
            .map(|id| self.text(id).unwrap_or_default())
            .collect()
    }
}

const PROMPT: usize = 0;
const VARIANT: usize = 1;
const VERSION: usize = 2;
const COMMAND: usize = 3;
const USER: usize = 4;
const HOST: usize = 5;
const RESOLUTION: usize = 6;
const TAGS: usize = 7;
const MODEL: usize = 8;
const PROVIDER: usize = 9;
/// Not interned: the allocation period itself is the id.
const PERIOD: usize = 10;
const FIELDS: usize = 11;

/// One worker's descriptors.
pub struct Descriptors {
    needed: [bool; FIELDS],
    /// The one field read, when only one is (besides no period): then a
    /// descriptor is that field's id.
    single: Option<usize>,
    fields: [RawInterner; FIELDS],
    ids: FastMap<Tuple, u32>,
    tuples: Vec<[u32; FIELDS]>,
    /// Users (for distinct users per group).
    pub users: RawInterner,
    /// The tag keys views group or filter by: a run's tags are interned with only
    /// these members, so tags no view reads (a ticket id when grouping by team)
    /// do not multiply the descriptors.
    tag_keys: Vec<Vec<u8>>,
    /// The kept members of the tags being interned.
    tag_scratch: Vec<u8>,
}

impl Descriptors {
    /// Descriptors holding what `views` group and filter by, and nothing else: a
    /// prompt kept when grouping by a ticket tag alone would make nearly every
    /// run its own descriptor (4,000 prompts × 40,000 tickets).
    pub fn new(views: &[ViewSpec]) -> Self {
        let mut needed = [false; FIELDS];
        let mut tag_keys: Vec<Vec<u8>> = Vec::new();
        for view in views {
            let filter_keys = view.filters.tags.iter().map(|(key, _)| key);
            let group_keys = view.group_by.iter().filter_map(|field| match field {
                GroupField::Tag(key) => Some(key),
                _ => None,
            });
            for key in filter_keys.chain(group_keys) {
                if !tag_keys.iter().any(|k| k == key.as_bytes()) {
                    tag_keys.push(key.as_bytes().to_vec());
                }
            }
            for field in &view.group_by {
                match field {
                    GroupField::Prompt => needed[PROMPT] = true,
                    GroupField::Variant => needed[VARIANT] = true,
                    GroupField::Version => needed[VERSION] = true,
                    GroupField::Command => needed[COMMAND] = true,
                    GroupField::User => needed[USER] = true,
                    GroupField::Host => needed[HOST] = true,
                    GroupField::Resolution => needed[RESOLUTION] = true,
                    GroupField::Tag(_) => needed[TAGS] = true,
                    GroupField::Model => needed[MODEL] = true,
                    GroupField::Provider => needed[PROVIDER] = true,
                    GroupField::Period => needed[PERIOD] = true,
                    GroupField::Time(_) => {}
                }
            }
            let f = &view.filters;
            needed[PROMPT] |= !f.prompts.is_empty();
            needed[VARIANT] |= !f.variants.is_empty();
            needed[TAGS] |= !f.tags.is_empty();
            needed[USER] |= !f.users.is_empty();
            needed[MODEL] |= !f.models.is_empty();
        }
        let mut read = (0..FIELDS).filter(|&i| needed[i] && i != PERIOD);
        let single = match (read.next(), read.next(), needed[PERIOD]) {
            (Some(field), None, false) => Some(field),
            _ => None,
        };
        Descriptors {
            needed,
            single,
            fields: Default::default(),
            ids: FastMap::default(),
            tuples: Vec::new(),
            users: RawInterner::default(),
            tag_keys,
            tag_scratch: Vec::new(),
        }
    }

    /// The descriptor of an event; a rating's event has no run fields but its prompt,
    /// variant and version.
    #[inline]
    pub fn intern(&mut self, e: &Event, is_run: bool) -> u32 {
        let mut tuple = [0u32; FIELDS];
        for (i, id) in tuple.iter_mut().enumerate() {
            if self.needed[i] && i != PERIOD {
                let value = field_value(e, is_run, i, &self.tag_keys, &mut self.tag_scratch);
                *id = self.fields[i].id(value);
            }
        }
        if self.needed[PERIOD] && is_run {
            tuple[PERIOD] = u32::try_from(e.period).unwrap_or(u32::MAX);
        }
        if let Some(field) = self.single {
            // One field read: its id is the descriptor, without a second lookup
            // (with 40,000 tickets, that lookup was a cache miss per line) and
            // without a tuple kept per descriptor.
            return tuple[field];
        }
        if let Some(&id) = self.ids.get(&Tuple(tuple)) {
            return id;
        }
        let id = self.tuples.len() as u32;
        self.tuples.push(tuple);
        self.ids.insert(Tuple(tuple), id);
        id
    }

    /// Starts finding the descriptor of an event, when one field is read and
    /// its value is short: that value's place in its interner is fetched from
    /// memory meanwhile, and [`Descriptors::finish`] gives the descriptor.
    /// Otherwise the descriptor is found now (`Err`).
    #[inline]
    pub fn start(&mut self, e: &Event, is_run: bool) -> Result<Started, u32> {
        let Some(field) = self.single else {
            return Err(self.intern(e, is_run));
        };
        let value = field_value(e, is_run, field, &self.tag_keys, &mut self.tag_scratch);
        let interner = &mut self.fields[field];
        match value.and_then(ShortKey::of) {
            Some(key) => Ok(interner.start(key)),
            None => Err(interner.id(value)),
        }
    }

    /// The descriptor of a lookup [`Descriptors::start`] started.
    #[inline]
    pub fn finish(&mut self, started: Started) -> u32 {
        match self.single {
            Some(field) => self.fields[field].finish(started),
            None => 0,
        }
    }

    /// The decoded fields of a descriptor (those not kept are empty).
    pub fn run_fields(&self, desc: u32) -> RunFields {
        let tuple = match self.single {
            Some(field) => {
                let mut only = [0u32; FIELDS];
                only[field] = desc;
                only
            }
            None => self.tuples.get(desc as usize).copied().unwrap_or_default(),
        };
        let text = |i: usize| self.fields[i].text(tuple[i]);
        RunFields {
            prompt: text(PROMPT).unwrap_or_default(),
            variant: text(VARIANT),
            version: text(VERSION),
            command: text(COMMAND),
            user: text(USER),
            host: text(HOST),
            resolution: text(RESOLUTION),
            model: text(MODEL),
            provider: text(PROVIDER),
            tags: self.fields[TAGS]
                .raw(tuple[TAGS])
                .map(string_members)
                .unwrap_or_default(),
            period: u64::from(tuple[PERIOD]),
        }
    }
}

/// The raw value of field `field` of an event as descriptors keep it: a
/// rating's event has no run fields but its prompt, variant and version, and
/// of the tags only the members whose keys are in `tag_keys` are kept (in
/// `scratch`, see [`read_tags`]).
#[inline]
fn field_value<'a>(
    e: &Event<'a>,
    is_run: bool,
    field: usize,
    tag_keys: &[Vec<u8>],
    scratch: &'a mut Vec<u8>,
) -> Option<&'a [u8]> {
    match field {
        PROMPT => raw(e.prompt),
        VARIANT => raw(e.variant),
        VERSION => raw(e.version),
        _ if !is_run => None,
        COMMAND => raw(e.command),
        USER => raw(e.user),
        HOST => raw(e.host),
        RESOLUTION => raw(e.resolution),
        TAGS => e.tags.map(|tags| read_tags(tags, tag_keys, scratch)),
        MODEL => raw(e.model),
        PROVIDER => raw(e.provider),
        _ => None,
    }
}

/// The members of a (valid) tags object whose keys are in `keys`, in their order,
/// as an object's text in `scratch`: what [`RunFields`] reads of the tags (the
/// last string member of a key) is the same as from the whole object. An object
/// with an escaped key, where comparing raw bytes could mislead, is kept whole.
fn read_tags<'a>(raw: &'a [u8], keys: &[Vec<u8>], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    scratch.clear();
    scratch.push(b'{');
    let mut scanner = Scanner::new(raw);
    let mut whole = false;
    let walked = scanner.object(0, |s, key| {
        whole |= key.escaped;
        let start = s.pos;
        // Most tag values are strings: read without the general walk's call.
        if s.peek() == Some(b'"') {
            s.string()?;
        } else {
            s.skip_value(1)?;
        }
        if keys.iter().any(|k| k[..] == *key.raw) {
            if scratch.len() > 1 {
                scratch.push(b',');
            }
            scratch.push(b'"');
            scratch.extend_from_slice(key.raw);
            scratch.extend_from_slice(b"\":");
            scratch.extend_from_slice(s.bytes[start..s.pos].trim_ascii());
        }
        Ok(())
    });
    if whole || walked.is_err() {
        return raw;
    }
    scratch.push(b'}');
    scratch
}

fn raw<'a>(s: Option<RawStr<'a>>) -> Option<&'a [u8]> {
    s.map(|s| s.raw)
}

/// The resolution's index in [`super::group_totals::RESOLUTIONS`].
#[inline]
pub fn resolution_index(raw: Option<RawStr>) -> u8 {
    match raw.map(|s| s.raw) {
        Some(b"name") => 0,
        Some(b"alias") => 1,
        Some(b"route") => 2,
        Some(b"adhoc") => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a view reads of the tags: the last string value of a key.
    fn tag(raw: &[u8], key: &str) -> Option<String> {
        string_members(raw)
            .into_iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    #[test]
    fn raw_values_come_back_by_id() {
        let mut interner = RawInterner::default();
        let long = vec![b'x'; 5000];
        let values: [&[u8]; 5] = [b"a", b"", &long, br"tA", b"a"];
        let ids: Vec<u32> = values.iter().map(|v| interner.id(Some(v))).collect();
        assert_eq!(ids, vec![1, 2, 3, 4, 1]);
        assert_eq!(interner.id(None), 0);
        for (value, id) in values.iter().zip(&ids) {
            assert_eq!(interner.raw(*id), Some(*value));
        }
        assert_eq!(interner.raw(0), None);
        assert_eq!(interner.raw(5), None);
        assert_eq!(interner.text(4).as_deref(), Some("tA"));
        assert_eq!(interner.texts().len(), 4);
    }

    #[test]
    fn kept_tags_read_the_same_as_the_whole_object() {
        let keys = vec![b"ticket".to_vec(), b"team".to_vec()];
        for raw in [
            &br#"{"env":"ci","team":"ml","ticket":"T-1"}"#[..],
            br#"{"ticket":"T-1","ticket":"T-2"}"#,
            br#"{"ticket":"T-1","ticket":7}"#,
            br#"{ "team" : "a\"b" , "x" : {"ticket":"no"} }"#,
            br#"{"tick\u0065t":"T-9","ticket":"T-1"}"#,
            br#"{}"#,
            br#"{"env":"ci"}"#,
        ] {
            let mut scratch = Vec::new();
            let kept = read_tags(raw, &keys, &mut scratch).to_vec();
            for key in ["ticket", "team", "env", "x"] {
                let want = if key == "ticket" || key == "team" {
                    tag(raw, key)
                } else {
                    None
                };
                let got = tag(&kept, key);
                if key == "ticket" || key == "team" {
                    assert_eq!(got, want, "{key} in {}", String::from_utf8_lossy(raw));
                }
            }
        }
        // Unread tags do not tell descriptors apart.
        let mut scratch = Vec::new();
        let a = read_tags(br#"{"env":"ci","ticket":"T-1"}"#, &keys, &mut scratch).to_vec();
        let b = read_tags(br#"{"env":"local","ticket":"T-1"}"#, &keys, &mut scratch).to_vec();
        assert_eq!(a, b);
    }
}

//! Group keys (the values of a view's group-by fields, without the time bucket)
//! held compactly: with a million groups, a key kept as its own strings and
//! looked up by a map of them cost a few hundred bytes a group, once per
//! worker and once more in the merge.
//!
//! [`KeyIndex`] finds a key by its 64-bit hash (16 bytes an entry), asking the
//! caller whether a candidate is the same key, so that a worker need not keep
//! its keys' texts at all (it rebuilds one from a descriptor when asked) and
//! the merge keeps them in one text ([`KeyTexts`]).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasher;

use foldhash::fast::FixedState;

/// A key's hash: the same for the same values, whatever holds them.
pub fn key_hash<S: AsRef<str>>(values: &[S]) -> u64 {
    let mut hasher = FixedState::default().build_hasher();
    for value in values {
        std::hash::Hash::hash(value.as_ref(), &mut hasher);
    }
    std::hash::Hasher::finish(&hasher)
}

/// Key hashes to key ids: 32 bits of the hash, 8 bytes an entry (a million
/// groups give a hundred or so keys whose 32 bits an earlier key has; they go
/// to a short list).
#[derive(Default)]
pub struct KeyIndex {
    /// The first key with each hash.
    first: HashMap<u32, u32, FixedState>,
    /// Later keys whose hash an earlier one has.
    more: Vec<(u32, u32)>,
}

impl KeyIndex {
    /// The id of the key hashed `hash` for which `same(id)` holds; when there
    /// is none, `next` is recorded for it and returned.
    pub fn find_or_insert(
        &mut self,
        hash: u64,
        next: u32,
        mut same: impl FnMut(u32) -> bool,
    ) -> u32 {
        let hash = hash as u32;
        match self.first.entry(hash) {
            Entry::Vacant(entry) => {
                entry.insert(next);
                return next;
            }
            Entry::Occupied(entry) => {
                if same(*entry.get()) {
                    return *entry.get();
                }
            }
        }
        if let Some(&(_, id)) = self.more.iter().find(|&&(h, id)| h == hash && same(id)) {
            return id;
        }
        self.more.push((hash, next));
        next
    }
}

/// A view's keys, each as its field values, all in one text.
#[derive(Default)]
pub struct KeyTexts {
    /// Values per key (the view's static fields).
    fields: usize,
    keys: usize,
    text: String,
    /// Where each value ends in `text`, key after key.
    ends: Vec<usize>,
    index: KeyIndex,
}

impl KeyTexts {
    /// No keys yet, each of `fields` values.
    pub fn new(fields: usize) -> Self {
        KeyTexts {
            fields,
            ..KeyTexts::default()
        }
    }

    /// How many keys.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.keys
    }

    /// Value `field` of key `key` ("" past the end).
    pub fn value(&self, key: u32, field: usize) -> &str {
        if field >= self.fields {
            return "";
        }
        let at = key as usize * self.fields + field;
        let start = at.checked_sub(1).map_or(0, |before| self.ends[before]);
        self.ends.get(at).map_or("", |&end| &self.text[start..end])
    }

    /// The values of key `key`.
    pub fn values(&self, key: u32) -> impl Iterator<Item = &str> + '_ {
        (0..self.fields).map(move |field| self.value(key, field))
    }

    /// The id of the key with these values, added when new.
    pub fn id<S: AsRef<str>>(&mut self, values: &[S]) -> u32 {
        let next = self.keys as u32;
        let hash = key_hash(values);
        let (fields, text, ends) = (self.fields, &self.text, &self.ends);
        let id = self.index.find_or_insert(hash, next, |id| {
            (0..fields).all(|field| {
                let at = id as usize * fields + field;
                let start = at.checked_sub(1).map_or(0, |before| ends[before]);
                values.get(field).map(AsRef::as_ref) == Some(&text[start..ends[at]])
            })
        });
        if id == next {
            for value in values.iter().take(self.fields) {
                self.text.push_str(value.as_ref());
                self.ends.push(self.text.len());
            }
            for _ in values.len()..self.fields {
                self.ends.push(self.text.len());
            }
            self.keys += 1;
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_their_values() {
        let mut keys = KeyTexts::new(2);
        assert_eq!(keys.id(&["a", "b"]), 0);
        assert_eq!(keys.id(&["ab", ""]), 1);
        assert_eq!(keys.id(&["", "ab"]), 2);
        assert_eq!(keys.id(&["a".to_string(), "b".to_string()]), 0);
        assert_eq!(keys.id(&["", "ab"]), 2);
        assert_eq!(keys.len(), 3);
        assert_eq!(keys.values(1).collect::<Vec<_>>(), vec!["ab", ""]);
        assert_eq!(keys.values(2).collect::<Vec<_>>(), vec!["", "ab"]);
        let mut none = KeyTexts::new(0);
        assert_eq!(none.id::<&str>(&[]), 0);
        assert_eq!(none.id::<&str>(&[]), 0);
        assert_eq!(none.values(0).count(), 0);
    }

    #[test]
    fn colliding_hashes_keep_keys_apart() {
        // Every key gets the same hash: only `same` tells them apart.
        let names = ["x", "y", "x", "z", "y"];
        let mut index = KeyIndex::default();
        let mut ids: Vec<&str> = Vec::new();
        let got: Vec<u32> = names
            .iter()
            .map(|name| {
                let id = index.find_or_insert(7, ids.len() as u32, |id| ids[id as usize] == *name);
                if id as usize == ids.len() {
                    ids.push(name);
                }
                id
            })
            .collect();
        assert_eq!(got, vec![0, 1, 0, 2, 1]);
    }
}

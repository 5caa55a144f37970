//! Purpose fingerprints: SHA-256 (first 16 bytes, hex) of the purpose's canonical content.
//!
//! The bytes hashed are serde_json's compact form of a JSON object with its keys in sorted
//! order, as the first versions built it through a `serde_json::Value` (a `BTreeMap` sorts
//! keys). They are written here directly, piece by piece, so no copy of every text is made;
//! `tests/fingerprints_pinned.rs` pins the result for every committed policy fixture.
//!
//! The canonical object is order-independent where order carries no meaning (permissions,
//! description locales). Schema-2 parts are added only when present, so a purpose written
//! the schema-1 way keeps its schema-1 fingerprint. Its keys, sorted: `data`, `description`,
//! `id`, `permissions`, `recipients`, `sdks`, `when`. The fingerprint of what a reader of one
//! translation saw has `seen: {tag: text}` instead of `description` (so the two kinds never
//! collide); other texts (recipients, SDKs) stay whole.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::{Purpose, Sdk, Text};

/// Buffers for the canonical bytes, reused for every purpose of a policy (a parse would
/// otherwise allocate six small vectors per purpose).
pub(super) struct Scratch {
    head: Canonical,
    mid: Canonical,
    tail: Canonical,
    description: Canonical,
    seen_one: Canonical,
    names: Vec<&'static str>,
}

impl Scratch {
    /// `text_has_backslash`: whether the policy's text holds a `\`. Without one no string in
    /// it has an escape, so none can hold what serde_json escapes (`"`, `\`, control
    /// characters: JSON text cannot hold them raw), and the check per string is skipped.
    pub(super) fn new(text_has_backslash: bool) -> Scratch {
        let canonical = || Canonical { out: Vec::new(), check_escapes: text_has_backslash };
        Scratch {
            head: canonical(),
            mid: canonical(),
            tail: canonical(),
            description: canonical(),
            seen_one: canonical(),
            names: Vec::new(),
        }
    }
}

/// The whole purpose's fingerprint, and per description locale the fingerprint of what a
/// reader of that translation saw.
pub(super) fn fingerprints(
    purpose: &Purpose,
    sdks: &[Sdk],
    scratch: &mut Scratch,
) -> (String, BTreeMap<String, String>) {
    // The purpose's object is hashed in pieces that both kinds share:
    //   whole: head description mid tail     {"data":..,  "description":{..},  "id":..,..,"sdks":[..]  ,"when":..}
    //   seen:  head mid seen tail            {"data":..,  "id":..,..,"sdks":[..]  ,"seen":{..}  ,"when":..}
    // `mid` always starts with a field, so the pieces before it end with their comma.
    let Scratch { head, mid, tail, description, seen_one, names } = scratch;
    head.out.clear();
    head.out.push(b'{');
    if let Some(data) = &purpose.data {
        head.key("data");
        head.text(data);
        head.out.push(b',');
    }
    mid.out.clear();
    let mut fields = mid.fields();
    fields.field("id").str(&purpose.id);
    names.clear();
    names.extend(purpose.permissions.iter().map(|p| p.name()));
    names.sort_unstable();
    fields.field("permissions").list(names, |c, name| c.str(name));
    fields.field("recipients").list(&purpose.recipients, |c, r| {
        c.object(|o| {
            o.field("data").text(&r.data);
            o.field("name").text(&r.name);
        })
    });
    if !purpose.sdks.is_empty() {
        // What the user is told about each SDK; its code packages are not part of it.
        fields.field("sdks").list(&purpose.sdks, |c, &i| {
            let s = &sdks[i];
            c.object(|o| {
                o.field("company").text(&s.company);
                o.field("data").text(&s.data);
                o.field("id").str(&s.id);
                o.field("name").text(&s.name);
                o.field("privacy_url").text(&s.privacy_url);
            })
        });
    }
    tail.out.clear();
    if let Some(when) = &purpose.when {
        tail.out.push(b',');
        tail.key("when");
        tail.text(when);
    }
    tail.out.push(b'}');

    description.out.clear();
    description.key("description");
    description.locales(&purpose.description);
    description.out.push(b',');
    // `update` through `&mut`: `chain_update` moves the hasher's state at every call.
    let mut whole = Sha256::new();
    for piece in [&head.out, &description.out, &mid.out, &tail.out] {
        whole.update(piece);
    }
    let whole = whole.finalize();

    // Every translation's hash starts with the same bytes: hash them once.
    let mut shared = Sha256::new();
    shared.update(&head.out);
    shared.update(&mid.out);
    // Inserted one by one: `collect` into a map goes through a vector and a sort.
    let mut seen = BTreeMap::new();
    for (tag, text) in &purpose.description {
        seen_one.out.clear();
        seen_one.out.push(b',');
        seen_one.key("seen");
        seen_one.object(|o| o.field(tag).str(text));
        let mut hasher = shared.clone();
        hasher.update(&seen_one.out);
        hasher.update(&tail.out);
        seen.insert(tag.clone(), short_hex(&hasher.finalize()));
    }
    (short_hex(&whole), seen)
}

/// Lowercase hex of the first 16 bytes (`hex::encode` collects char by char: 5% of a parse).
fn short_hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (pair, &b) in out.chunks_exact_mut(2).zip(&digest[..16]) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xf)];
    }
    String::from_utf8(out.to_vec()).expect("hex digits are ASCII")
}

/// serde_json's compact JSON, written piece by piece (keys in sorted order by the caller).
struct Canonical {
    out: Vec<u8>,
    /// False when no string can need an escape (see [`Scratch::new`]).
    check_escapes: bool,
}

impl Canonical {
    fn str(&mut self, s: &str) {
        // Without an early exit the check is vectorized: most strings need no escape.
        if self.check_escapes && s.bytes().fold(false, |escape, b| escape | (b < 0x20) | (b == b'"') | (b == b'\\')) {
            // serde_json's escaping, for the strings that need one.
            serde_json::to_writer(&mut self.out, s).expect("a Vec takes every write");
        } else {
            // What serde_json writes for a string with nothing to escape.
            self.out.push(b'"');
            self.out.extend_from_slice(s.as_bytes());
            self.out.push(b'"');
        }
    }

    /// `"key":`
    fn key(&mut self, key: &str) {
        self.str(key);
        self.out.push(b':');
    }

    fn locales(&mut self, map: &BTreeMap<String, String>) {
        self.object(|o| {
            for (tag, text) in map {
                o.field(tag).str(text);
            }
        });
    }

    fn text(&mut self, text: &Text) {
        match text {
            Text::Plain(s) => self.str(s),
            Text::PerLocale(map) => self.locales(map),
        }
    }

    /// `{..}`: `write` writes the fields through [`Fields`], which places the commas.
    fn object(&mut self, write: impl FnOnce(&mut Fields<'_>)) {
        self.out.push(b'{');
        write(&mut self.fields());
        self.out.push(b'}');
    }

    /// Writes fields one after another from here (the first without a comma before it).
    fn fields(&mut self) -> Fields<'_> {
        Fields { out: self, first: true }
    }

    fn list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        self.out.push(b'[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            item(self, x);
        }
        self.out.push(b']');
    }
}

/// The fields of one object, written in order (keys sorted by the caller).
struct Fields<'a> {
    out: &'a mut Canonical,
    first: bool,
}

impl Fields<'_> {
    /// Starts the field `key` (`,"key":`, no comma for the first): write its value into the result.
    fn field(&mut self, key: &str) -> &mut Canonical {
        if !std::mem::take(&mut self.first) {
            self.out.out.push(b',');
        }
        self.out.key(key);
        self.out
    }
}

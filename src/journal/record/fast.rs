//! A decoder for journal lines exactly as the encoder writes them: the fields in their
//! fixed order, no whitespace, integers in canonical form, strings without escapes. It
//! reads the same bytes serde reads (the format is unchanged) and yields the same `Line`,
//! borrowing every string from the line, at a fraction of serde's cost (the typed serde
//! parse was half of a journal load: BENCHMARKS.md, "Journal load").
//!
//! It only accepts what it is sure of: anything else (an escape, whitespace, a field out of
//! order or unknown, a number serde might read differently, a snapshot's `state`) makes it
//! decline, and the caller reads the line from its JSON tree (`tree`, itself held to serde's
//! derive). So a line is never read differently from serde's derived `Deserialize for Line`.
//! The unit tests hold it to that: on every record the writer can produce, and on mutations
//! of those lines, it either declines or returns what serde returns.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Line, SUM_HEX_LEN, SUM_PREFIX, SUM_SUFFIX_LEN};

/// The line's fields, if it is laid out exactly as the encoder writes it; `None` otherwise
/// (the caller falls back to serde).
pub(super) fn parse(line: &[u8]) -> Option<Line<'_>> {
    // One pass over the whole line instead of one per string: no escape and no control
    // character anywhere (serde_json would unescape or refuse them), and valid UTF-8, so
    // every string is exactly the text between its quotes. The same pass tells whether the
    // line is ASCII (ids, fingerprints, tags: nearly always), which needs no UTF-8 check.
    let (unusual, ascii) = line
        .iter()
        .fold((false, true), |(unusual, ascii), &b| (unusual | (b == b'\\') | (b < 0x20), ascii & (b < 0x80)));
    if unusual {
        return None;
    }
    let text = if ascii {
        // SAFETY: every byte is below 0x80, and ASCII is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(line) }
    } else {
        std::str::from_utf8(line).ok()?
    };
    let mut at = Reader { text, at: 0 };
    let v = u32::try_from(at.field(b"{\"v\":", Reader::unsigned)?).ok()?;
    let seq = at.field(b",\"seq\":", Reader::unsigned)?;
    let ts = at.field(b",\"ts\":", Reader::signed)?;
    let event = at.field(b",\"event\":", Reader::variant)?;
    let purpose = at.optional(b",\"purpose\":", Reader::string)?;
    let fp = at.optional(b",\"fp\":", Reader::string)?;
    let seen_fp = at.optional(b",\"seen_fp\":", Reader::string)?;
    let policy_version = at.field(b",\"policy_version\":", Reader::string)?;
    let surface = at.field(b",\"surface\":", Reader::variant)?;
    let locale = at.field(b",\"locale\":", Reader::string)?;
    let actor = at.field(b",\"actor\":", Reader::variant)?;
    let permission = at.optional(b",\"permission\":", Reader::string)?;
    let os_result = at.optional(b",\"os_result\":", Reader::variant)?;
    let age = at.optional(b",\"age\":", Reader::variant)?;
    let guardian = at.optional(b",\"guardian\":", Reader::boolean)?;
    // A snapshot's state is a whole JSON document: serde's job (one line per file).
    if at.literal(b",\"state\":").is_some() {
        return None;
    }
    let note = at.optional(b",\"note\":", Reader::string)?;
    let prev = at.field(b",\"prev\":", Reader::string)?;
    at.checksum_suffix()?;
    Some(Line {
        v,
        seq,
        ts,
        event,
        purpose,
        fp,
        seen_fp,
        policy_version,
        surface,
        locale,
        actor,
        permission,
        os_result,
        age,
        guardian,
        state: None,
        note,
        prev,
    })
}

/// The position of the first `"` in `bytes`, eight bytes at a time. The strings searched are
/// short (5 to 64 bytes), where `memchr`'s dispatch and set-up cost more than the search.
fn find_quote(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else { break };
        // A zero byte where a quote was: the lowest set high bit marks the first (the
        // borrow can only set bits above a zero byte, never below it).
        let word = u64::from_le_bytes(chunk) ^ QUOTES;
        let found = word.wrapping_sub(ONES) & !word & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| b == b'"').map(|i| at + i)
}

/// A position in a line already known to be UTF-8 without escapes or control characters.
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.text.as_bytes()[self.at..]
    }

    /// Consumes `lit` if the bytes continue with it (a fixed-size comparison the compiler
    /// inlines, rather than a call to `memcmp` per field).
    fn literal<const N: usize>(&mut self, lit: &[u8; N]) -> Option<()> {
        (self.rest().first_chunk::<N>() == Some(lit)).then(|| self.at += N)
    }

    /// A field: `key`, then its value as `value` reads it.
    fn field<T, const N: usize>(&mut self, key: &[u8; N], value: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.literal(key)?;
        value(self)
    }

    /// A field that may be absent: `Some(None)` when `key` does not follow, `None`
    /// (decline) when it does but `value` cannot read what comes after it.
    fn optional<T, const N: usize>(
        &mut self,
        key: &[u8; N],
        value: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        if self.literal(key).is_none() {
            return Some(None);
        }
        value(self).map(Some)
    }

    /// `"..."`: the text up to the next quote (the line has no escapes, see `parse`).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.literal(b"\"")?;
        let len = find_quote(self.rest())?;
        // SAFETY: `find_quote` found a quote `len` bytes into the rest of the text, and the
        // byte before the start is the quote just read: both ends are next to ASCII bytes,
        // so the range lies inside the text and on character boundaries (no check needed).
        let value = unsafe { self.text.get_unchecked(self.at..self.at + len) };
        self.at += len + 1;
        Some(Cow::Borrowed(value))
    }

    /// A unit enum variant by its serde name (the derive's own matching, so the names
    /// cannot drift from the encoder's).
    fn variant<T: Deserialize<'a>>(&mut self) -> Option<T> {
        let Cow::Borrowed(name) = self.string()? else { return None };
        crate::json_fields::variant_named(name)
    }

    /// Digits without a sign, a leading zero (but `0` itself), fraction or exponent, that fit
    /// a `u64`, followed by the next field or the end: what serde writes for an integer.
    fn unsigned(&mut self) -> Option<u64> {
        let rest = self.rest();
        // One pass: 19 digits always fit a u64, only a 20th can overflow it.
        let mut value: u64 = 0;
        let mut digits = 0;
        while let Some(&d) = rest.get(digits).filter(|d| d.is_ascii_digit()) {
            let digit = u64::from(d - b'0');
            value = if digits < 19 { value * 10 + digit } else { value.checked_mul(10)?.checked_add(digit)? };
            digits += 1;
        }
        if digits == 0 || (digits > 1 && rest[0] == b'0') || !matches!(rest.get(digits), Some(b',' | b'}')) {
            return None;
        }
        self.at += digits;
        Some(value)
    }

    /// An `i64` as serde writes it: the digits above, with `-` before a non-zero value.
    fn signed(&mut self) -> Option<i64> {
        if self.literal(b"-").is_none() {
            return i64::try_from(self.unsigned()?).ok();
        }
        let magnitude = self.unsigned()?;
        if magnitude == 0 {
            return None;
        }
        0i64.checked_sub_unsigned(magnitude)
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.literal(b"true").is_some() {
            Some(true)
        } else {
            self.literal(b"false").map(|()| false)
        }
    }

    /// `,"sum":"<16 lowercase hex>"}` and the end of the line (serde reads and drops the
    /// `sum` field; the caller compares its value with the digest).
    fn checksum_suffix(&mut self) -> Option<()> {
        let rest = self.rest();
        let ok = rest.len() == SUM_SUFFIX_LEN
            && rest.starts_with(SUM_PREFIX)
            && rest.ends_with(b"\"}")
            && rest[SUM_PREFIX.len()..SUM_PREFIX.len() + SUM_HEX_LEN]
                .iter()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| self.at = self.text.len())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use proptest::prelude::*;

    use super::super::{Actor, AgeBracket, Event, OsResult, PurposeRef, Record, Surface, FORMAT_VERSION, GENESIS_HASH};
    use super::*;

    fn serde_line(line: &[u8]) -> Option<Line<'_>> {
        serde_json::from_slice::<Line>(line).ok()
    }

    /// Text as the SDK records it (ids, fingerprints, tags, notes) and text it never
    /// writes but must not misread: quotes, backslashes, control characters, non-ASCII.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-z0-9_.-]{0,24}",
            1 => "[0-9a-f]{32}",
            1 => any::<String>(),
            1 => prop::collection::vec(prop_oneof![Just('"'), Just('\\'), Just('\n'), Just('\u{1}'), Just('é'), Just('中'), Just('/'), Just('a')], 0..8)
                .prop_map(|c| c.into_iter().collect()),
        ]
    }

    fn purpose_ref() -> impl Strategy<Value = PurposeRef> {
        (text(), text(), prop::option::of(text())).prop_map(|(purpose, fp, seen_fp)| PurposeRef {
            purpose,
            fp,
            seen_fp,
        })
    }

    fn event() -> impl Strategy<Value = Event> {
        let os = prop_oneof![Just(OsResult::Granted), Just(OsResult::Denied), Just(OsResult::DeniedPermanently)];
        let age = prop_oneof![
            Just(AgeBracket::Under14),
            Just(AgeBracket::Age14To17),
            Just(AgeBracket::Adult),
            Just(AgeBracket::Unknown)
        ];
        prop_oneof![
            Just(Event::PolicyAccepted),
            purpose_ref().prop_map(Event::ConsentGranted),
            purpose_ref().prop_map(Event::ConsentDenied),
            purpose_ref().prop_map(Event::ConsentWithdrawn),
            (purpose_ref(), text(), os).prop_map(|(purpose, permission, result)| Event::OsResult {
                purpose,
                permission,
                result
            }),
            age.prop_map(|age| Event::AgeBracketSet { age }),
            any::<bool>().prop_map(|given| Event::GuardianConsent { given }),
            text().prop_map(|s| Event::Snapshot { state: serde_json::json!({ "purposes": { s: 1 } }) }),
            text().prop_map(|note| Event::JournalReset { note }),
            Just(Event::PolicyWithdrawn),
            (prop::option::of(purpose_ref()), text())
                .prop_map(|(purpose, permission)| Event::PermissionRevoked { purpose, permission }),
        ]
    }

    pub(in crate::journal::record) fn record() -> impl Strategy<Value = Record> {
        let surface = prop_oneof![
            Just(Surface::RationaleDialog),
            Just(Surface::SettingsScreen),
            Just(Surface::SystemDialog),
            Just(Surface::App),
            Just(Surface::QaHook),
            Just(Surface::Sdk),
            Just(Surface::SystemSettings),
        ];
        let actor = prop_oneof![Just(Actor::User), Just(Actor::Guardian), Just(Actor::System)];
        let seq = prop_oneof![Just(0u64), Just(1), Just(u64::MAX), any::<u64>()];
        let ts = prop_oneof![Just(0i64), Just(i64::MIN), Just(i64::MAX), Just(-1), any::<i64>()];
        let v = prop_oneof![1..=FORMAT_VERSION, Just(0), Just(u32::MAX)];
        (v, seq, ts, text(), surface, text(), actor, prop_oneof![Just(GENESIS_HASH.to_string()), text()], event())
            .prop_map(|(v, seq, ts, policy_version, surface, locale, actor, prev, event)| Record {
                v,
                seq,
                ts,
                policy_version,
                surface,
                locale,
                actor,
                prev,
                event,
            })
    }

    /// Up to three edits of a line: a byte changed, inserted or removed (see `mutated`).
    pub(in crate::journal::record) fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, u8, u8)>> {
        prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..4)
    }

    /// `r`'s line with `edits` applied: damaged or hand-made variants of written lines.
    pub(in crate::journal::record) fn mutated(r: &Record, edits: &[(prop::sample::Index, u8, u8)]) -> Vec<u8> {
        let mut line = r.encode().into_bytes();
        for &(at, op, byte) in edits {
            let i = at.index(line.len());
            match op {
                0 => line[i] = byte,
                1 => line.insert(i, byte),
                _ => {
                    line.remove(i);
                }
            }
            if line.is_empty() {
                break;
            }
        }
        line
    }

    /// Whether serde_json writes `s` as it is (no escape).
    fn plain(s: &str) -> bool {
        !s.chars().any(|c| c == '"' || c == '\\' || c < ' ')
    }

    fn strings_of(r: &Record) -> Vec<&str> {
        let mut out = vec![r.policy_version.as_str(), &r.locale, &r.prev];
        if let Some(p) = r.event.purpose() {
            out.extend([p.purpose.as_str(), &p.fp]);
            out.extend(p.seen_fp.as_deref());
        }
        match &r.event {
            Event::OsResult { permission, .. } | Event::PermissionRevoked { permission, .. } => out.push(permission),
            Event::JournalReset { note } => out.push(note),
            _ => {}
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Every record the writer can produce: the fast decoder reads it exactly as serde
        /// does, and declines only snapshots and lines with escaped text.
        #[test]
        fn agrees_with_serde_on_every_written_line(r in record()) {
            let line = r.encode();
            let fast = parse(line.as_bytes());
            let declines = matches!(r.event, Event::Snapshot { .. }) || !strings_of(&r).into_iter().all(plain);
            prop_assert_eq!(fast.is_none(), declines, "{}", line);
            if let Some(fast) = fast {
                prop_assert_eq!(Some(fast), serde_line(line.as_bytes()), "{}", line);
            }
        }

        /// The view the load folds (borrowing the line's text) says what the record says:
        /// a record's view copies back to the record, and the view decoded from its line is
        /// the record's own view, whichever decoder read it.
        #[test]
        fn the_view_of_a_line_is_its_record(r in record()) {
            prop_assert_eq!(&r.view().to_record(), &r);
            let line = r.encode();
            let decoded = Record::decode_with(line.as_bytes(), |view| view == &r.view());
            if r.v >= 1 && r.v <= FORMAT_VERSION {
                prop_assert_eq!(decoded.map(|(same, _)| same), Ok(true), "{}", line);
            }
        }

        /// Damaged or hand-made variants of written lines (a byte changed, inserted or
        /// removed): the fast decoder declines, or serde reads the same.
        #[test]
        fn declines_or_agrees_on_mutated_lines(
            r in record(),
            edits in edits(),
        ) {
            let line = mutated(&r, &edits);
            if let Some(fast) = parse(&line) {
                prop_assert_eq!(Some(fast), serde_line(&line), "{}", String::from_utf8_lossy(&line));
            }
        }

        /// The quote search agrees with a byte-by-byte search: quotes anywhere (or none),
        /// bytes one bit away from a quote and zero bytes before and after them.
        #[test]
        fn the_quote_search_finds_the_first_quote(bytes in prop::collection::vec(
            prop_oneof![Just(b'"'), Just(b'"' ^ 1), Just(b'"' + 0x80), Just(0u8), Just(0xff), any::<u8>()], 0..80,
        )) {
            prop_assert_eq!(find_quote(&bytes), bytes.iter().position(|&b| b == b'"'));
        }

        /// Bytes that look like a line: structural characters and digits only.
        #[test]
        fn declines_or_agrees_on_line_shaped_noise(noise in prop::collection::vec(prop::sample::select(vec![
            "{\"v\":", ",", ":", "\"", "0", "1", "-", "}", "\"seq\"", "\"ts\"", "\"event\"", "\"policy_accepted\"",
            "\"app\"", "\"user\"", "\"prev\"", "\"policy_version\"", "\"surface\"", "\"locale\"", "\"actor\"",
            ",\"sum\":\"0123456789abcdef\"}", " ", "1e3", "1.0", "true", "\"guardian\"",
        ]), 1..40)) {
            let line = noise.concat().into_bytes();
            if let Some(fast) = parse(&line) {
                prop_assert_eq!(Some(fast), serde_line(&line), "{}", String::from_utf8_lossy(&line));
            }
        }
    }

    #[test]
    fn numbers_serde_would_read_differently_or_refuse_are_declined() {
        let line = |v: &str, seq: &str, ts: &str| {
            format!(
                r#"{{"v":{v},"seq":{seq},"ts":{ts},"event":"policy_accepted","policy_version":"p","surface":"app","locale":"en","actor":"user","prev":"00","sum":"0123456789abcdef"}}"#
            )
        };
        assert!(parse(line("1", "1", "0").as_bytes()).is_some());
        assert_eq!(
            parse(line("1", "18446744073709551615", "-9223372036854775808").as_bytes()).map(|l| (l.seq, l.ts)),
            Some((u64::MAX, i64::MIN))
        );
        for (v, seq, ts) in [
            ("01", "1", "0"),
            ("1", "1.0", "0"),
            ("1", "1e3", "0"),
            ("1", "18446744073709551616", "0"),
            ("4294967296", "1", "0"),
            ("1", "1", "-0"),
            ("1", "1", "-9223372036854775809"),
            ("1", "1", "9223372036854775808"),
            ("1", "-1", "0"),
            ("1", " 1", "0"),
        ] {
            let text = line(v, seq, ts);
            assert!(parse(text.as_bytes()).is_none(), "{text}");
        }
    }
}

//! Lines the fast decoder declines (a snapshot's `state`, escaped text, whitespace, another
//! field order): parsed as a `serde_json::Value`, the parser the library links anyway, and
//! their fields read with `json_fields`. This replaced serde's derived `Deserialize for
//! Line` in the library, whose per-field code was needed for these rare lines only; the
//! derive stays for the tests, which hold this reader to it.

use std::borrow::Cow;

use serde_json::Value;

use super::Line;
use crate::json_fields::Fields;
use crate::json_locate::key_text;

/// The fields of a line, in the derive's order.
const FIELDS: [&str; 18] = [
    "v",
    "seq",
    "ts",
    "event",
    "purpose",
    "fp",
    "seen_fp",
    "policy_version",
    "surface",
    "locale",
    "actor",
    "permission",
    "os_result",
    "age",
    "guardian",
    "state",
    "note",
    "prev",
];

/// The line as a JSON tree (serde_json's error when it is not JSON).
pub(super) fn parse(line: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(line).map_err(|e| e.to_string())
}

/// A field of a line written twice: refused, as the derive refused it (a tree keeps the
/// last silently); other keys (`sum`) are not looked at. `line` is JSON (serde_json read it):
/// one pass over its bytes finds the keys of its outer object.
fn repeated_field(line: &[u8]) -> Option<String> {
    let mut seen = [false; FIELDS.len()];
    let (mut depth, mut expect_key, mut at) = (0usize, false, 0);
    while let Some(&byte) = line.get(at) {
        match byte {
            b'"' => {
                let start = at + 1;
                at = start;
                while let Some(&b) = line.get(at) {
                    match b {
                        b'"' => break,
                        b'\\' => at += 2,
                        _ => at += 1,
                    }
                }
                if depth == 1 && expect_key {
                    expect_key = false;
                    let key = key_text(line.get(start..at)?)?;
                    if let Some(field) = FIELDS.iter().position(|f| *f == key) {
                        if std::mem::replace(&mut seen[field], true) {
                            return Some(format!("duplicate field `{key}`"));
                        }
                    }
                }
            }
            b'{' => {
                depth += 1;
                expect_key = depth == 1;
            }
            b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        at += 1;
    }
    None
}

impl<'a> Line<'a> {
    /// The fields of `line`, borrowed from its `tree` (the snapshot's `state` is moved out).
    pub(super) fn from_tree(line: &[u8], tree: &'a mut Value) -> Result<Line<'a>, String> {
        if let Some(repeated) = repeated_field(line) {
            return Err(repeated);
        }
        let state = tree.as_object_mut().and_then(|o| o.remove("state")).filter(|s| !s.is_null());
        let f = Fields::of(tree, "a journal line (a JSON object)")?;
        let text = |key| Ok::<_, String>(f.opt_str(key)?.map(Cow::Borrowed));
        let v = f.u64("v")?;
        Ok(Line {
            v: u32::try_from(v).map_err(|_| format!("invalid value: integer `{v}`, expected u32 (field `v`)"))?,
            seq: f.u64("seq")?,
            ts: f.i64("ts")?,
            event: f.variant("event")?,
            purpose: text("purpose")?,
            fp: text("fp")?,
            seen_fp: text("seen_fp")?,
            policy_version: Cow::Borrowed(f.str("policy_version")?),
            surface: f.variant("surface")?,
            locale: Cow::Borrowed(f.str("locale")?),
            actor: f.variant("actor")?,
            permission: text("permission")?,
            os_result: f.opt_variant("os_result")?,
            age: f.opt_variant("age")?,
            guardian: f.opt_bool("guardian")?,
            state: state.map(Cow::Owned),
            note: text("note")?,
            prev: Cow::Borrowed(f.str("prev")?),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::fast::tests::{edits, mutated, record};
    use super::*;

    /// What serde's derive reads from `line` (`None`: it refuses the line).
    fn derived(line: &[u8]) -> Option<Line<'_>> {
        serde_json::from_slice::<Line>(line).ok()
    }

    fn from_text(line: &[u8]) -> Option<Line<'static>> {
        let mut tree = parse(line).ok()?;
        let line = Line::from_tree(line, &mut tree).ok()?;
        // Owned copies, so the line outlives the tree.
        let own = |s: Option<Cow<'_, str>>| s.map(|s| Cow::Owned(s.into_owned()));
        Some(Line {
            purpose: own(line.purpose),
            fp: own(line.fp),
            seen_fp: own(line.seen_fp),
            policy_version: Cow::Owned(line.policy_version.into_owned()),
            locale: Cow::Owned(line.locale.into_owned()),
            permission: own(line.permission),
            state: line.state.map(|s| Cow::Owned(s.into_owned())),
            note: own(line.note),
            prev: Cow::Owned(line.prev.into_owned()),
            ..line
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Every line the writer produces is read exactly as the derive reads it.
        #[test]
        fn agrees_with_the_derive_on_every_written_line(r in record()) {
            let line = r.encode();
            prop_assert_eq!(from_text(line.as_bytes()), derived(line.as_bytes()), "{}", line);
        }

        /// Damaged or hand-made variants of written lines: read as the derive reads them,
        /// or refused as it refuses them (or, for bytes that are not UTF-8, refused).
        #[test]
        fn agrees_with_the_derive_on_mutated_lines(
            r in record(),
            edits in edits(),
        ) {
            let line = mutated(&r, &edits);
            let ours = from_text(&line);
            if std::str::from_utf8(&line).is_ok() {
                prop_assert_eq!(ours, derived(&line), "{}", String::from_utf8_lossy(&line));
            } else {
                // Stricter on one point: bytes that are not UTF-8 are refused even in a key the
                // derive skipped unread (`sum`, a later version's field). No SDK writes them.
                prop_assert_eq!(ours, None, "{}", String::from_utf8_lossy(&line));
            }
        }
    }

    #[test]
    fn hand_made_lines_are_read_or_refused_as_the_derive_does() {
        let header = r#""policy_version":"p","surface":"app","locale":"en","actor":"user","prev":"00""#;
        let cases = [
            // Another order, whitespace, escapes, unknown fields, nulls for optional fields.
            format!(r#"{{ "seq" : 1, "v":1, "ts":0, "event":"policy_accepted", {header}, "x":[1,2.5] }}"#),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"consent_granted","purpose":"a\u0062","fp":"f",{header}}}"#),
            format!(
                r#"{{"v":1,"seq":1,"ts":0,"event":"os_result","purpose":null,"age":null,"guardian":null,{header}}}"#
            ),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"snapshot","state":{{"a":{{"b":1,"b":2}}}},{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"snapshot","state":null,{header}}}"#),
            // Refused: a field twice, wrong types, out of range, unknown variants, not an object.
            format!(r#"{{"v":1,"seq":1,"seq":2,"ts":0,"event":"policy_accepted",{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"s\u0065q":2,"ts":0,"event":"policy_accepted",{header}}}"#),
            format!(
                r#"{{"v":1,"seq":1,"ts":0,"event":"policy_accepted","x":{{"seq":1,"y":["seq",{{"seq":2}}]}},{header}}}"#
            ),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"policy_accepted","x":"\"seq\":","seq":2,{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"policy_accepted","x":1,"x":2,{header}}}"#),
            format!(r#"{{"v":1,"seq":1.0,"ts":0,"event":"policy_accepted",{header}}}"#),
            format!(r#"{{"v":4294967296,"seq":1,"ts":0,"event":"policy_accepted",{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"ts":9223372036854775808,"event":"policy_accepted",{header}}}"#),
            format!(r#"{{"v":1,"seq":-1,"ts":0,"event":"policy_accepted",{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"policy_acceptedx",{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"policy_accepted","guardian":"yes",{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"policy_accepted","age":"old",{header}}}"#),
            format!(r#"{{"v":1,"seq":1,"ts":0,"event":"policy_accepted","locale":null,{header}}}"#),
            r#"{"v":1,"seq":1,"ts":0,"event":"policy_accepted"}"#.to_string(),
            "[1,2,3]".to_string(),
            "12.5".to_string(),
        ];
        for line in cases {
            let ours = from_text(line.as_bytes());
            assert_eq!(ours, derived(line.as_bytes()), "{line}");
        }
    }
}

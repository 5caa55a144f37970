//! Finds the source line of a JSON path like `$.purposes[2].permissions[0]`, so that
//! validation errors can say "line N" next to the path (serde_json keeps no spans), and
//! finds keys written twice in one object (serde_json keeps the last silently).
//!
//! One walk over the text builds an index of where every value starts; each lookup then
//! follows the path's steps through it. Reporting many issues in a large file therefore
//! costs one pass plus a few steps per issue, never a rescan per issue.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::line_index::LineIndex;

/// Deeper nesting than this is not indexed (serde_json refuses more than 128 levels).
const MAX_DEPTH: usize = 256;

/// A step in a JSON path.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(Step::Key(&r[..end]));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            match r[..end].parse() {
                Ok(i) => out.push(Step::Index(i)),
                Err(_) => break,
            }
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            break;
        }
    }
    out
}

/// A key that appears more than once in the same object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON path of the key, e.g. `$.purposes[0].id`.
    pub path: String,
    pub key: String,
    /// 1-based line of the repeated occurrence.
    pub line: usize,
}

#[derive(Debug)]
enum Kids {
    None,
    /// Key -> node; the first occurrence of a key wins here (duplicates are reported).
    Object(HashMap<String, usize>),
    Array(Vec<usize>),
}

#[derive(Debug)]
struct Node {
    /// Byte offset where the value starts.
    offset: usize,
    kids: Kids,
}

/// Where every value of one JSON text starts, and its repeated keys.
#[derive(Debug)]
pub struct JsonIndex {
    lines: LineIndex,
    /// `nodes[0]` is the root value, when the text has one.
    nodes: Vec<Node>,
    duplicates: Vec<DuplicateKey>,
}

impl JsonIndex {
    /// Indexes `source` in one pass. Never fails: text that is not JSON is indexed up to
    /// where it stops making sense.
    pub fn build(source: &str) -> JsonIndex {
        #[cfg(test)]
        tests::WALKED.with(|w| w.set(w.get() + source.len()));
        let lines = LineIndex::new(source.as_bytes());
        let mut walker = Walker { bytes: source.as_bytes(), pos: 0, nodes: Vec::new(), duplicates: Vec::new() };
        let mut path = String::from("$");
        walker.value(0, &mut path, &lines);
        JsonIndex { lines, nodes: walker.nodes, duplicates: walker.duplicates }
    }

    /// The 1-based line where the value at `path` starts (or the deepest part of the
    /// path that exists). `None` only when the text has no value at all.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut node = self.nodes.first()?;
        for step in steps(path) {
            let next = match (&node.kids, step) {
                (Kids::Object(keys), Step::Key(k)) => keys.get(k),
                (Kids::Array(items), Step::Index(i)) => items.get(i),
                _ => None,
            };
            match next {
                Some(&id) => node = &self.nodes[id],
                // Path goes deeper than the document: point at the deepest existing part.
                None => break,
            }
        }
        Some(self.lines.line_of(node.offset))
    }

    /// Keys written more than once in one object, in source order.
    pub fn duplicate_keys(&self) -> &[DuplicateKey] {
        &self.duplicates
    }
}

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    duplicates: Vec<DuplicateKey>,
}

impl<'a> Walker<'a> {
    fn skip_ws(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Reads a string starting at a quote; returns its raw (still escaped) contents.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.pos += 1;
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(&self.bytes[start..self.pos - 1]);
                }
                _ => self.pos += 1,
            }
        }
        None
    }

    fn push(&mut self, offset: usize, kids: Kids) -> usize {
        self.nodes.push(Node { offset, kids });
        self.nodes.len() - 1
    }

    /// Indexes the value at the cursor; returns its node. `path` is its JSON path
    /// (restored before returning).
    fn value(&mut self, depth: usize, path: &mut String, lines: &LineIndex) -> Option<usize> {
        self.skip_ws();
        let offset = self.pos;
        match self.peek()? {
            b'"' => {
                self.string()?;
                Some(self.push(offset, Kids::None))
            }
            b'{' if depth < MAX_DEPTH => {
                let id = self.push(offset, Kids::Object(HashMap::new()));
                self.members(b'}', |w| w.object_member(id, depth, path, lines))?;
                Some(id)
            }
            b'[' if depth < MAX_DEPTH => {
                let id = self.push(offset, Kids::Array(Vec::new()));
                self.members(b']', |w| w.array_item(id, depth, path, lines))?;
                Some(id)
            }
            b'{' | b'[' => None,
            _ => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
                (self.pos > offset).then(|| self.push(offset, Kids::None))
            }
        }
    }

    /// Walks an object or array from its opening bracket at the cursor to `close`, past the
    /// commas between its members: `member` reads each one from its first byte.
    fn members(&mut self, close: u8, mut member: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek()? {
                b if b == close => {
                    self.pos += 1;
                    return Some(());
                }
                b',' => self.pos += 1,
                _ => member(self)?,
            }
        }
    }

    /// `"key": value` of the object node `id` (at depth `depth`, at `path`); notes a key
    /// the object already has.
    fn object_member(&mut self, id: usize, depth: usize, path: &mut String, lines: &LineIndex) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        let key_at = self.pos;
        let key = unescape(self.string()?);
        self.skip_ws();
        if self.peek()? != b':' {
            return None;
        }
        self.pos += 1;
        let len = path.len();
        path.push('.');
        path.push_str(&key);
        let child = self.value(depth + 1, path, lines);
        if let Some(child) = child {
            let Kids::Object(keys) = &mut self.nodes[id].kids else { unreachable!() };
            match keys.entry(key) {
                Entry::Occupied(seen) => self.duplicates.push(DuplicateKey {
                    path: path.clone(),
                    key: seen.key().clone(),
                    line: lines.line_of(key_at),
                }),
                Entry::Vacant(slot) => {
                    slot.insert(child);
                }
            }
        }
        path.truncate(len);
        child.map(|_| ())
    }

    /// The next item of the array node `id` (at depth `depth`, at `path`).
    fn array_item(&mut self, id: usize, depth: usize, path: &mut String, lines: &LineIndex) -> Option<()> {
        let Kids::Array(items) = &self.nodes[id].kids else { unreachable!() };
        let len = path.len();
        path.push_str(&format!("[{}]", items.len()));
        let child = self.value(depth + 1, path, lines);
        path.truncate(len);
        let Kids::Array(items) = &mut self.nodes[id].kids else { unreachable!() };
        items.push(child?);
        Some(())
    }
}

/// A key as its object holds it: escapes resolved (`"zh\u002dCN"` is `zh-CN`); text that is
/// not a valid JSON string as it stands.
fn unescape(raw: &[u8]) -> String {
    key_text(raw).map_or_else(|| String::from_utf8_lossy(raw).into_owned(), Cow::into_owned)
}

/// A key's text between its quotes, escapes resolved; `None` when it is not valid JSON
/// string text.
pub(crate) fn key_text(raw: &[u8]) -> Option<Cow<'_, str>> {
    if !raw.contains(&b'\\') {
        return std::str::from_utf8(raw).ok().map(Cow::Borrowed);
    }
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    // Read as a `Value` (the parse the library has anyway), not a typed `String`, whose
    // error path alone links float formatting (BENCHMARKS.md, "Size").
    match serde_json::from_slice(&quoted) {
        Ok(serde_json::Value::String(key)) => Some(Cow::Owned(key)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Bytes of JSON text indexed by this thread (an operation counter for the test below).
        pub(super) static WALKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    fn line_of(source: &str, path: &str) -> Option<usize> {
        JsonIndex::build(source).line_of(path)
    }

    /// A policy of `n` purposes, each with one unknown field and one bad permission: two
    /// issues (two line lookups) per purpose.
    fn bad_policy(n: usize) -> String {
        let purposes: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{{\n\"id\": \"p{i}\",\n\"colour{i}\": 1,\n\"permissions\": [\"android.permission.NOPE\"],\n\"description\": {{\"en\": \"x\"}}\n}}"
                )
            })
            .collect();
        format!(
            "{{\"schema\": 1, \"policy_version\": \"v\", \"default_locale\": \"en\", \"purposes\": [\n{}\n]}}",
            purposes.join(",\n")
        )
    }

    /// Issue 11, defect 9: every issue used to rescan the source from the top to find its
    /// line, so validation grew with issues x size. Now the index walks the text once,
    /// however many issues: the work per byte stays constant as the policy grows 4x and 16x.
    #[test]
    fn validation_walks_the_text_once_however_many_issues() {
        for n in [250, 1000, 1024] {
            let source = bad_policy(n);
            let before = WALKED.with(|w| w.get());
            let err = crate::policy::Policy::parse(&source).unwrap_err();
            let walked = WALKED.with(|w| w.get()) - before;
            assert!(err.issues.len() >= 2 * n, "{} issues for {n} purposes", err.issues.len());
            assert_eq!(walked, source.len(), "{n} purposes: one walk of {} bytes, walked {walked}", source.len());
            let last = err.issues.iter().rev().find(|i| i.path.contains("colour")).unwrap();
            assert_eq!(
                last.line,
                Some(source.lines().position(|l| l.contains(&format!("colour{}", n - 1))).unwrap() + 1)
            );
        }
    }

    #[cfg(feature = "cli")]
    #[test]
    fn the_lint_walks_the_policy_a_fixed_number_of_times() {
        let manifest = "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\"/>";
        let mut per_byte = Vec::new();
        for n in [64, 256, 1024] {
            let source = bad_policy(n);
            let before = WALKED.with(|w| w.get());
            let report = crate::lint::lint(manifest, &source, None).unwrap();
            assert!(report.findings.len() >= 2 * n);
            per_byte.push((WALKED.with(|w| w.get()) - before) / source.len());
        }
        assert_eq!(per_byte, [2, 2, 2], "the lint's index and the validation's: two walks, whatever the size");
    }

    const DOC: &str = "{\n  \"schema\": 1,\n  \"purposes\": [\n    {\"id\": \"a\"},\n    {\n      \"id\": \"b\",\n      \"permissions\": [\n        \"x\",\n        \"y\"\n      ]\n    }\n  ]\n}\n";

    #[test]
    fn finds_nested_values() {
        assert_eq!(line_of(DOC, "$"), Some(1));
        assert_eq!(line_of(DOC, "$.schema"), Some(2));
        assert_eq!(line_of(DOC, "$.purposes[0].id"), Some(4));
        assert_eq!(line_of(DOC, "$.purposes[1].id"), Some(6));
        assert_eq!(line_of(DOC, "$.purposes[1].permissions[1]"), Some(9));
    }

    #[test]
    fn missing_parts_point_at_the_deepest_existing_value() {
        assert_eq!(line_of(DOC, "$.purposes[1].description"), Some(5));
        assert_eq!(line_of(DOC, "$.nothing"), Some(1));
        assert_eq!(line_of(DOC, "$.purposes[7]"), Some(3));
    }

    #[test]
    fn never_panics_on_garbage() {
        for doc in ["", "{", "[\"", "{\"a\":", "{\"a\" 1}", "\\", "[1,,]", "{\"a\":[[[[", "}"] {
            let _ = line_of(doc, "$.a[3].b");
        }
        assert_eq!(line_of("", "$"), None);
        let deep = "[".repeat(100_000);
        assert_eq!(line_of(&deep, "$[0][0]"), Some(1));
    }

    #[test]
    fn escaped_keys_are_matched_by_their_value() {
        assert_eq!(line_of("{\n\"zh\\u002dCN\":\n1}", "$.zh-CN"), Some(3));
    }

    /// A valid policy builds no index: it is built only to report.
    #[test]
    fn a_valid_policy_builds_no_index() {
        let source = include_str!("../examples/phone-backup/policy.json");
        let before = WALKED.with(|w| w.get());
        crate::policy::Policy::parse(source).unwrap();
        assert_eq!(WALKED.with(|w| w.get()) - before, 0);
    }

    /// Reading the JSON notes a repeated key exactly when the index finds one (escaped keys
    /// compared by their value), and not for equal keys in different objects or as values.
    #[test]
    fn reading_notes_every_repeated_key() {
        let repeats = |doc: &str| crate::policy::json::parse(doc, &bumpalo::Bump::new()).unwrap().1;
        let repeated = [
            "{\"a\": 1, \"a\": 2}",
            "{\"a\": {\"b\": 1, \"c\": [1, {\"x\": 0}], \"b\": 2}}",
            "[{\"id\": \"x\"}, {\"id\": \"y\", \"n\": {}, \"id\": \"z\"}]",
            "{\"a\": [], \"b\": {\"a\": 1}, \"a\": 3}",
            "{\"k\\\"\": 1, \"k\\\"\": 2}",
            "{\"\\u0061\": 1, \"a\": 2}",
        ];
        for doc in repeated {
            assert!(!JsonIndex::build(doc).duplicate_keys().is_empty(), "{doc}");
            assert!(repeats(doc), "{doc}");
        }
        let wide: Vec<String> = (0..=40).map(|i| format!("\"k{i}\": {i}")).collect();
        let wide = format!("{{{}}}", wide.join(", "));
        let distinct = [
            "{\"a\": 1, \"b\": {\"a\": 1}, \"c\": [{\"a\": 1}, {\"a\": 2}]}",
            "{\"a\": \"a\", \"b\": [\"a\", \"b\"], \"c\": \"{\\\"a\\\": 1, \\\"a\\\": 2}\"}",
            "[\"a\", \"a\", {}, []]",
            "{\"\\u0061\": 1, \"b\": 2}",
            &wide,
            DOC,
        ];
        for doc in distinct {
            assert!(JsonIndex::build(doc).duplicate_keys().is_empty(), "{doc}");
            assert!(!repeats(doc), "{doc}");
        }
    }

    /// JSON texts whose objects draw keys from a small set (so keys repeat often), some
    /// escaped, with nested objects, arrays and strings that look like JSON.
    fn json_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = prop::sample::select(vec!["a", "b", "id", "a\\u0062", "\\\"", "{"]);
        let leaf = prop::sample::select(vec!["1", "\"a\"", "\"{\\\"a\\\": 1, \\\"a\\\": 2}\"", "null", "[]", "{}"])
            .prop_map(str::to_string);
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(|items| format!("[{}]", items.join(",\n"))),
                prop::collection::vec((key.clone(), inner), 0..5).prop_map(|members| {
                    let members: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                    format!("{{{}}}", members.join(", "))
                }),
            ]
        })
    }

    proptest::proptest! {
        /// Reading the JSON notes a repeated key exactly when the index finds one.
        #[test]
        fn reading_and_the_index_agree_on_repeated_keys(doc in json_text()) {
            let Ok((_, repeats)) = crate::policy::json::parse(&doc, &bumpalo::Bump::new()) else { return Ok(()) };
            proptest::prop_assert_eq!(repeats, !JsonIndex::build(&doc).duplicate_keys().is_empty(), "{}", doc);
        }
    }

    /// A repeated key in a policy is still reported with its path and line.
    #[test]
    fn a_policy_with_a_repeated_key_is_refused_at_its_line() {
        let source = "{\"schema\": 1,\n\"schema\": 1, \"policy_version\": \"v\", \"default_locale\": \"en\", \"purposes\": [{\"id\": \"a\", \"permissions\": [\"android.permission.CAMERA\"], \"description\": {\"en\": \"x\"}}]}";
        let err = crate::policy::Policy::parse(source).unwrap_err();
        assert_eq!((err.issues[0].path.as_str(), err.issues[0].line), ("$.schema", Some(2)));
        assert!(err.issues[0].message.starts_with("duplicate key \"schema\""), "{}", err.issues[0].message);
    }

    #[test]
    fn duplicate_keys_are_reported_with_path_and_line() {
        let index = JsonIndex::build("{\"a\": 1,\n \"p\": [{\"id\": \"x\",\n \"id\": \"y\"}],\n \"a\": 2}");
        let found: Vec<(&str, &str, usize)> =
            index.duplicate_keys().iter().map(|d| (d.path.as_str(), d.key.as_str(), d.line)).collect();
        assert_eq!(found, [("$.p[0].id", "id", 3), ("$.a", "a", 4)]);
        assert_eq!(index.line_of("$.a"), Some(1), "the first occurrence is indexed");
    }
}

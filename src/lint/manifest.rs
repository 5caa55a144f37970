//! Reads the parts of an `AndroidManifest.xml` the lint needs, with a real XML parser
//! (quick-xml, namespace-aware): `<uses-permission>` and `<uses-permission-sdk-23>` (or its
//! older name `<uses-permission-sdk-m>`)
//! entries with their `android:maxSdkVersion` and source lines, and `<uses-sdk>`.
//!
//! Only direct children of the root `<manifest>` count, as on Android. Entries marked
//! `tools:node="remove"` are not requests: they strip a permission that a library
//! would otherwise merge in.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::line_index::LineIndex;

const ANDROID_NS: &[u8] = b"http://schemas.android.com/apk/res/android";
const TOOLS_NS: &[u8] = b"http://schemas.android.com/tools";

/// One permission the manifest requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsesPermission {
    pub(crate) name: String,
    /// 1-based line of the element's `<`.
    pub(crate) line: usize,
    /// `android:maxSdkVersion`: the last API level the request applies to.
    pub(crate) max_sdk: Option<u32>,
    /// `<uses-permission-sdk-23>`: requested only from API 23 on.
    pub(crate) sdk23: bool,
}

/// An `android:*SdkVersion` value and where it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SdkValue {
    pub(crate) value: u32,
    pub(crate) line: usize,
}

/// Something in a well-formed manifest that the lint cannot use (reported as CG106).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryProblem {
    pub(crate) line: usize,
    pub(crate) message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub(crate) package: Option<String>,
    pub(crate) min_sdk: Option<SdkValue>,
    pub(crate) target_sdk: Option<SdkValue>,
    pub(crate) permissions: Vec<UsesPermission>,
    pub(crate) problems: Vec<EntryProblem>,
}

/// Why the text is not an Android manifest at all (the lint's exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", .line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct NotAManifest {
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    pub message: String,
}

/// Parses manifest text (UTF-8, an optional byte-order mark allowed).
pub(crate) fn parse(text: &str) -> Result<Manifest, NotAManifest> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = LineIndex::new(text.as_bytes());
    let line_at = |offset: u64| lines.line_of(usize::try_from(offset).unwrap_or(usize::MAX));
    // XML 1.0 allows no control characters but tab, line feed and carriage return (a NUL
    // byte is also where C-based tools would silently stop reading).
    if let Some(at) = text.bytes().position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) {
        return Err(NotAManifest {
            line: Some(lines.line_of(at)),
            message: format!(
                "not XML: control character U+{:04X} at byte {at} (XML allows none but tab, line feed and carriage return)",
                text.as_bytes()[at]
            ),
        });
    }
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let not_xml = |reader: &NsReader<&[u8]>, e: &dyn std::fmt::Display| NotAManifest {
        line: Some(line_at(reader.error_position())),
        message: format!("not well-formed XML: {e}"),
    };

    let mut manifest = Manifest::default();
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let start = reader.buffer_position();
        let line = line_at(start);
        let (ns, event) = match reader.read_resolved_event() {
            Ok(pair) => pair,
            Err(e) => return Err(not_xml(&reader, &e)),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name();
                let local = local.as_ref();
                if depth == 0 {
                    if seen_root {
                        return Err(NotAManifest { line: Some(line), message: "more than one root element".into() });
                    }
                    seen_root = true;
                    if local != b"manifest" || !matches!(ns, ResolveResult::Unbound) {
                        return Err(NotAManifest {
                            line: Some(line),
                            message: format!(
                                "the root element is <{}>, not <manifest>: this is not an AndroidManifest.xml",
                                String::from_utf8_lossy(e.name().as_ref())
                            ),
                        });
                    }
                    manifest.package = attribute(&reader, e, None, b"package", line)?;
                } else if depth == 1 && matches!(ns, ResolveResult::Unbound) {
                    match local {
                        // Android's package parser reads <uses-permission-sdk-m> exactly as
                        // <uses-permission-sdk-23> (the API 23 preview's name for it).
                        b"uses-permission" | b"uses-permission-sdk-23" | b"uses-permission-sdk-m" => {
                            let sdk23 = local != b"uses-permission";
                            let element = String::from_utf8_lossy(local).into_owned();
                            uses_permission(&reader, e, line, sdk23, &element, &mut manifest)?;
                        }
                        b"uses-sdk" => uses_sdk(&reader, e, line, &mut manifest)?,
                        _ => {}
                    }
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(ref t) if depth == 0 => {
                let raw: &[u8] = t.as_ref();
                if !raw.iter().all(|b| b.is_ascii_whitespace()) {
                    return Err(NotAManifest {
                        line: Some(line),
                        message: "not XML: text outside the root element".into(),
                    });
                }
            }
            Event::CData(_) if depth == 0 => {
                return Err(NotAManifest {
                    line: Some(line),
                    message: "not XML: CDATA outside the root element".into(),
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(NotAManifest { line: None, message: "not XML: no root element found".into() });
    }
    if depth != 0 {
        return Err(NotAManifest {
            line: Some(line_at(text.len() as u64)),
            message: "not well-formed XML: the file ends before the root element is closed".into(),
        });
    }
    Ok(manifest)
}

/// The value of the attribute `local` in namespace `ns` (`None` = no prefix).
fn attribute(
    reader: &NsReader<&[u8]>,
    e: &BytesStart,
    ns: Option<&[u8]>,
    local: &[u8],
    line: usize,
) -> Result<Option<String>, NotAManifest> {
    for attr in e.attributes() {
        let attr =
            attr.map_err(|err| NotAManifest { line: Some(line), message: format!("not well-formed XML: {err}") })?;
        let (resolved, name) = reader.resolve_attribute(attr.key);
        let matches_ns = match (ns, &resolved) {
            (None, ResolveResult::Unbound) => true,
            (Some(want), ResolveResult::Bound(got)) => got.as_ref() == want,
            _ => false,
        };
        if matches_ns && name.as_ref() == local {
            let value = attr
                .unescape_value()
                .map_err(|err| NotAManifest { line: Some(line), message: format!("not well-formed XML: {err}") })?;
            return Ok(Some(value.trim().to_string()));
        }
    }
    Ok(None)
}

/// Whether the element uses an `android:` attribute whose prefix is not bound to the
/// Android namespace (a missing `xmlns:android`), so the lint can say so.
fn has_unbound_android_prefix(reader: &NsReader<&[u8]>, e: &BytesStart) -> bool {
    e.attributes().flatten().any(|attr| {
        attr.key.as_ref().starts_with(b"android:")
            && !matches!(reader.resolve_attribute(attr.key).0, ResolveResult::Bound(ns) if ns.as_ref() == ANDROID_NS)
    })
}

fn uses_permission(
    reader: &NsReader<&[u8]>,
    e: &BytesStart,
    line: usize,
    sdk23: bool,
    element: &str,
    manifest: &mut Manifest,
) -> Result<(), NotAManifest> {
    if attribute(reader, e, Some(TOOLS_NS), b"node", line)?.as_deref() == Some("remove") {
        return Ok(());
    }
    let Some(name) = attribute(reader, e, Some(ANDROID_NS), b"name", line)?.filter(|n| !n.is_empty()) else {
        let hint = if has_unbound_android_prefix(reader, e) {
            " (the android: prefix is not bound: add xmlns:android=\"http://schemas.android.com/apk/res/android\" to <manifest>)"
        } else {
            ""
        };
        manifest.problems.push(EntryProblem { line, message: format!("<{element}> without android:name{hint}") });
        return Ok(());
    };
    let max_sdk = match attribute(reader, e, Some(ANDROID_NS), b"maxSdkVersion", line)? {
        None => None,
        Some(v) => match api_level(&v) {
            Some(n) => Some(n),
            None => {
                manifest.problems.push(EntryProblem {
                    line,
                    message: format!(
                        "android:maxSdkVersion=\"{v}\" on {name} is not an API level: the lint treats the permission as requested on every version"
                    ),
                });
                None
            }
        },
    };
    manifest.permissions.push(UsesPermission { name, line, max_sdk, sdk23 });
    Ok(())
}

fn uses_sdk(
    reader: &NsReader<&[u8]>,
    e: &BytesStart,
    line: usize,
    manifest: &mut Manifest,
) -> Result<(), NotAManifest> {
    for (attr, slot) in
        [(&b"minSdkVersion"[..], &mut manifest.min_sdk), (&b"targetSdkVersion"[..], &mut manifest.target_sdk)]
    {
        if let Some(v) = attribute(reader, e, Some(ANDROID_NS), attr, line)? {
            match api_level(&v) {
                Some(value) => *slot = Some(SdkValue { value, line }),
                None => manifest.problems.push(EntryProblem {
                    line,
                    message: format!(
                        "android:{}=\"{v}\" is not an API level (a preview codename or a build placeholder?): pass --target-sdk N",
                        String::from_utf8_lossy(attr)
                    ),
                }),
            }
        }
    }
    Ok(())
}

/// An API level: a whole number from 1 to 1000.
pub(crate) fn api_level(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|n| (1..=1000).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!-- a comment with <uses-permission android:name="android.permission.SEND_SMS"/> inside -->
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    xmlns:tools="http://schemas.android.com/tools"
    package="com.example.app">
    <uses-sdk android:minSdkVersion="24" android:targetSdkVersion="34" />
    <uses-permission android:name="android.permission.CAMERA" />
    <uses-permission
        android:name="android.permission.READ_EXTERNAL_STORAGE"
        android:maxSdkVersion="29" />
    <uses-permission-sdk-23 android:name="android.permission.READ_CONTACTS"/>
    <uses-permission android:name="android.permission.RECORD_AUDIO" tools:node="remove" />
    <application android:label="x">
        <uses-permission android:name="android.permission.READ_SMS" />
    </application>
</manifest>
"#;

    #[test]
    fn reads_permissions_with_lines_and_attributes() {
        let m = parse(OK).unwrap();
        assert_eq!(m.package.as_deref(), Some("com.example.app"));
        assert_eq!(m.min_sdk, Some(SdkValue { value: 24, line: 6 }));
        assert_eq!(m.target_sdk, Some(SdkValue { value: 34, line: 6 }));
        let got: Vec<(&str, usize, Option<u32>, bool)> =
            m.permissions.iter().map(|p| (p.name.as_str(), p.line, p.max_sdk, p.sdk23)).collect();
        assert_eq!(
            got,
            vec![
                ("android.permission.CAMERA", 7, None, false),
                ("android.permission.READ_EXTERNAL_STORAGE", 8, Some(29), false),
                ("android.permission.READ_CONTACTS", 11, None, true),
            ],
            "comments, tools:node=remove and elements outside <manifest>'s children are not requests"
        );
        assert!(m.problems.is_empty());
    }

    #[test]
    fn other_prefix_names_for_the_android_namespace_work() {
        let m = parse(r#"<manifest xmlns:a="http://schemas.android.com/apk/res/android"><uses-permission a:name="android.permission.CAMERA"/></manifest>"#).unwrap();
        assert_eq!(m.permissions[0].name, "android.permission.CAMERA");
    }

    #[test]
    fn unusable_entries_are_problems_not_failures() {
        let m = parse(
            "<manifest>\n<uses-permission android:name=\"android.permission.CAMERA\"/>\n<uses-permission/>\n<uses-sdk android:targetSdkVersion=\"Baklava\"/>\n</manifest>",
        )
        .unwrap();
        assert!(m.permissions.is_empty(), "an unbound android: prefix is not the Android namespace");
        assert_eq!(m.problems.len(), 2, "{:?}", m.problems);
        assert_eq!(m.problems[0].line, 2);
        assert!(m.problems[0].message.contains("xmlns:android"), "{}", m.problems[0].message);
        assert_eq!(m.problems[1].line, 3);
        let m = parse(r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android"><uses-sdk android:targetSdkVersion="Baklava"/><uses-permission android:name="android.permission.CAMERA" android:maxSdkVersion="x"/></manifest>"#).unwrap();
        assert_eq!(m.target_sdk, None);
        assert_eq!(m.permissions[0].max_sdk, None);
        assert_eq!(m.problems.len(), 2);
        assert!(m.problems[0].message.contains("Baklava"));
    }

    #[test]
    fn not_a_manifest_is_an_error_with_a_line() {
        for (text, line, needle) in [
            ("", None, "no root element"),
            ("{\"schema\": 1}", Some(1), "text outside"),
            ("<manifest>\n<uses-permission>\n</manifest>", Some(3), "not well-formed"),
            ("<manifest>\n<a>\n", Some(3), "ends before"),
            ("<resources/>", Some(1), "not <manifest>"),
            ("<manifest/>\n<manifest/>", Some(2), "more than one root"),
            ("<manifest a=\"1\" a=\"2\"/>", Some(1), "not well-formed"),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err}");
            assert!(err.to_string().contains(needle), "{text:?}: {err}");
        }
    }

    #[test]
    fn uses_permission_sdk_m_is_read_like_sdk_23() {
        let m = parse("<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n<uses-permission-sdk-m android:name=\"android.permission.READ_CONTACTS\"/>\n<uses-permission-sdk-m/>\n</manifest>").unwrap();
        assert_eq!(m.permissions.len(), 1);
        assert_eq!(
            (m.permissions[0].name.as_str(), m.permissions[0].line, m.permissions[0].sdk23),
            ("android.permission.READ_CONTACTS", 2, true)
        );
        assert_eq!(m.problems.len(), 1);
        assert!(
            m.problems[0].message.contains("<uses-permission-sdk-m> without android:name"),
            "{}",
            m.problems[0].message
        );
    }

    #[test]
    fn nul_and_other_control_characters_are_not_xml() {
        for (text, line) in
            [("<manifest>\n<a\0/></manifest>", 2), ("<manifest/>\u{1}", 1), ("<manifest>\n\n\u{1b}</manifest>", 3)]
        {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text:?}");
            assert!(err.message.contains("control character U+00"), "{err}");
        }
        assert!(parse("<manifest>\t\r\n</manifest>").is_ok());
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        let m = parse("\u{feff}<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n<uses-permission android:name=\"android.permission.CAMERA\"/></manifest>").unwrap();
        assert_eq!(m.permissions[0].line, 2);
    }

    #[test]
    fn api_levels() {
        assert_eq!(api_level("29"), Some(29));
        assert_eq!(api_level(" 33 "), Some(33));
        for bad in ["", "0", "-1", "+3", "33.0", "${target}", "99999999999", "1001"] {
            assert_eq!(api_level(bad), None, "{bad}");
        }
    }
}

//! The checks behind every fuzz target, shared with the normal test run: the fuzz targets
//! (fuzz_targets/*.rs) call these functions on libFuzzer's inputs, and
//! tests/fuzz_corpus_replay.rs calls the same functions on every committed corpus file.
//!
//! Each function feeds one input through a core entry point, panics if any documented
//! invariant does not hold, and returns the input's outcome class: a short string such as
//! `valid 2`, `invalid`, `loaded 3`, `loaded 3 torn`, `corrupt line 2`. The replay test
//! compares those classes with fuzz/expected/<target>.tsv, so a change of behaviour on a
//! known input shows up as a failing test.
//!
//! Uses only crates the main package depends on (consentgate, serde_json, sha2), so the
//! replay test can include this file as a module.

use consentgate::engine::decision::{decide, Source};
use consentgate::engine::state::ConsentState;
use consentgate::journal::record::{line_hash, Record};
use consentgate::journal::scan::{scan, ChainPoint, Scan};
use consentgate::{ManualClock, Permission, Policy, RequestPlan};
use sha2::{Digest, Sha256};

/// A fixed policy for deciding on fuzzed journal states.
const FIXED_POLICY: &str = r#"{"schema":1,"policy_version":"2024-01-01","default_locale":"en","purposes":[
 {"id":"feedback_photo","permissions":["android.permission.CAMERA"],"description":{"en":"Photo","zh-CN":"拍照"}},
 {"id":"nearby_stores","permissions":["android.permission.ACCESS_COARSE_LOCATION","android.permission.ACCESS_FINE_LOCATION"],
  "description":{"en":"Stores"},"recipients":[{"name":"Maps","data":"location"}]}]}"#;

const API_LEVELS: [u32; 8] = [0, 22, 23, 29, 30, 33, 34, 35];

// ---- policy_parse -------------------------------------------------------------------

/// `Policy::parse` on any text: never panics; a valid policy satisfies the schema's
/// guarantees; an invalid one reports at least one issue, each with a JSON path.
/// Classes: `valid <purposes>` or `invalid`.
pub fn policy_parse(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    match Policy::parse(&text) {
        Ok(policy) => {
            check_valid_policy(&policy);
            let again = Policy::parse(&text).expect("parsing is deterministic");
            assert_eq!(again, policy, "parsing is deterministic");
            format!("valid {}", policy.purposes.len())
        }
        Err(err) => {
            assert!(!err.issues.is_empty(), "an invalid policy reports at least one issue");
            let lines = text.lines().count().max(1);
            for issue in &err.issues {
                assert!(issue.path.starts_with('$'), "issue path {:?} is a JSON path", issue.path);
                assert!(!issue.message.is_empty());
                if let Some(line) = issue.line {
                    assert!(line >= 1 && line <= lines + 1, "issue line {line} outside 1..={}", lines + 1);
                }
            }
            assert!(err.to_string().starts_with("invalid policy: "));
            "invalid".to_string()
        }
    }
}

fn check_valid_policy(policy: &Policy) {
    assert!(!policy.purposes.is_empty() && policy.purposes.len() <= consentgate::policy::MAX_PURPOSES);
    assert!(consentgate::policy::COOLDOWN_HOURS_RANGE.contains(&u64::from(policy.denial_cooldown_hours)));
    assert!(policy.cooldown_ms() > 0);
    let mut ids = std::collections::HashSet::new();
    for (i, p) in policy.purposes.iter().enumerate() {
        assert!(ids.insert(p.id.as_str()), "duplicate purpose id {:?} accepted", p.id);
        assert_eq!(policy.index_of(&p.id), Some(i));
        assert!(!p.id.is_empty() && p.id.len() <= 64);
        assert!(policy.schema >= 2 || !p.permissions.is_empty(), "schema-1 purpose {:?} without permissions", p.id);
        assert!(p.description.contains_key(&policy.default_locale), "no default-locale text");
        assert_eq!(p.fingerprint.len(), 32);
        assert!(p.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        for locale in ["en", "zh-CN", "zh", "", "x-y", &policy.default_locale] {
            assert!(!p.description_for(locale, &policy.default_locale).trim().is_empty());
        }
        if p.permissions.contains(&Permission::AccessBackgroundLocation) {
            assert!(p.permissions.iter().any(|x| x.is_foreground_location()), "background without foreground accepted");
        }
        for api in API_LEVELS {
            let _ = RequestPlan::for_api(&p.permissions, api, &[]);
        }
        // A fresh state never allows anything.
        let d = decide(policy, &ConsentState::default(), i, Source::Feature, &ManualClock::new(0));
        assert!(!d.is_allowed());
    }
}

// ---- journal_scan -------------------------------------------------------------------

/// The journal loader on raw bytes: `scan` (what the engine, the CLI's `journal verify`
/// and the proof export run), then folding the records into a consent state and deciding.
/// Checks: the verified prefix ends at a newline and re-scans identically; sequence
/// numbers are consecutive; reading the same bytes in two pieces (as the engine does
/// when another process appended) gives the same records; corruption is reported at the
/// first bad line, whose prefix loads cleanly; every record re-encodes to itself.
/// Classes: `loaded <n>`, `loaded <n> torn`, `loaded <n> bad-snapshot`, `corrupt line <l>`.
pub fn journal_scan(data: &[u8]) -> String {
    match scan(data, None) {
        Ok(s) => check_loaded(data, &s),
        Err(c) => {
            let newlines = data.iter().filter(|&&b| b == b'\n').count();
            assert!(c.line >= 1 && c.line <= newlines + 1, "corrupt line {} outside the file", c.line);
            assert!(!c.reason.is_empty());
            // Everything before the first bad line loads cleanly.
            let start = line_start(data, c.line);
            let prefix = scan(&data[..start], None).unwrap_or_else(|e| {
                panic!("line {} reported as the first bad line, but line {} is bad too: {}", c.line, e.line, e.reason)
            });
            assert_eq!(prefix.records.len(), c.line - 1);
            assert_eq!(prefix.torn_tail, 0);
            format!("corrupt line {}", c.line)
        }
    }
}

/// Byte offset where 1-based line `line` starts.
fn line_start(data: &[u8], line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    data.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(line - 2).map(|(i, _)| i + 1).unwrap_or(data.len())
}

fn check_loaded(data: &[u8], s: &Scan) -> String {
    assert_eq!(s.consumed + s.torn_tail, data.len(), "every byte is either verified or a torn tail");
    assert!(s.consumed == 0 || data[s.consumed - 1] == b'\n');
    assert!(!data[s.consumed..].contains(&b'\n'), "the torn tail holds no newline");
    let lines = data[..s.consumed].iter().filter(|&&b| b == b'\n').count();
    assert_eq!(s.records.len(), lines, "one record per line");
    for pair in s.records.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1, "sequence numbers are consecutive");
    }
    match (&s.end, s.records.last()) {
        (Some(end), Some(last)) => {
            assert_eq!(end.seq, last.seq);
            assert_eq!(end.lines, s.records.len());
            let last_line_start = line_start(data, lines);
            assert_eq!(end.hash, line_hash(&data[last_line_start..s.consumed - 1]));
        }
        (None, None) => {}
        other => panic!("chain end and records disagree: {other:?}"),
    }

    // The verified prefix alone loads the same records with no tail.
    let again = scan(&data[..s.consumed], None).expect("the verified prefix re-scans");
    assert_eq!(again.records, s.records);
    assert_eq!(again.torn_tail, 0);

    // Incremental reads: the engine reads what another process appended from where it
    // stopped. Any split at a line boundary must give the same result as one read.
    let boundaries: Vec<usize> =
        data[..s.consumed].iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1).collect();
    for &k in boundaries.iter().take(2).chain(boundaries.last()) {
        let head = scan(&data[..k], None).expect("a prefix at a line boundary loads");
        let start: Option<ChainPoint> = head.end.clone();
        let tail = scan(&data[k..], start.as_ref()).unwrap_or_else(|e| {
            panic!("reading from line boundary {k} fails where one read succeeded: line {}: {}", e.line, e.reason)
        });
        let mut joined = head.records.clone();
        joined.extend(tail.records);
        assert_eq!(joined, s.records, "split read at {k} differs");
        assert_eq!(tail.torn_tail, s.torn_tail);
        assert_eq!(tail.end, s.end);
    }

    // Every stored record re-encodes to a line that decodes to the same record.
    for r in &s.records {
        let line = r.encode();
        assert_eq!(&Record::decode(line.as_bytes()).expect("re-encoded line decodes"), r);
    }

    // Fold and decide, as the engine does after loading.
    let policy = Policy::parse(FIXED_POLICY).expect("fixed policy");
    let mut state = ConsentState::default();
    let mut bad_snapshot = false;
    for r in &s.records {
        if !state.apply(r) {
            bad_snapshot = true; // the engine fails closed on this
            break;
        }
    }
    if !bad_snapshot {
        for i in 0..policy.purposes.len() {
            for now in [i64::MIN, -1, 0, 1_700_000_000_000, i64::MAX] {
                for source in [Source::Feature, Source::Settings] {
                    let d = decide(&policy, &state, i, source, &ManualClock::new(now));
                    if d.is_allowed() {
                        let p = &policy.purposes[i];
                        let rec = state.purposes.get(&p.id).expect("allowed only with a record");
                        assert_eq!(rec.fp, p.fingerprint, "allowed only for the current fingerprint");
                        assert_eq!(
                            state.accepted.as_ref().map(|a| a.policy_version.as_str()),
                            Some(policy.policy_version.as_str()),
                            "allowed only after the policy was accepted"
                        );
                    }
                }
            }
        }
    }
    let mut class = format!("loaded {}", s.records.len());
    if s.torn_tail > 0 {
        class.push_str(" torn");
    }
    if bad_snapshot {
        class.push_str(" bad-snapshot");
    }
    class
}

// ---- journal_resigned ---------------------------------------------------------------

/// Like `journal_scan`, but the input is a list of event bodies (JSON without the `sum`
/// field, one per line) that the harness signs with valid checksums, and, when the first
/// byte says so, with a valid hash chain and sequence numbers. A mutation of raw journal
/// bytes almost never survives the checksum; this target gets past it to the record
/// decoder, the chain rules, snapshot states and the decision function.
/// First byte: bit 0 = fix `prev`, bit 1 = fix `seq`, bit 2 = leave the last line without
/// its newline (a torn write). Classes as in `journal_scan`.
pub fn journal_resigned(data: &[u8]) -> String {
    journal_scan(&resign(data))
}

/// Builds the journal bytes `journal_resigned` checks (public for the seed generator).
pub fn resign(data: &[u8]) -> Vec<u8> {
    let Some((&flags, rest)) = data.split_first() else {
        return Vec::new();
    };
    let (fix_prev, fix_seq, torn) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
    let mut out = Vec::with_capacity(rest.len() + 128);
    let mut prev_hash = consentgate::journal::record::GENESIS_HASH.to_string();
    let bodies: Vec<&[u8]> = rest.split(|&b| b == b'\n').filter(|b| !b.is_empty()).collect();
    for (i, body) in bodies.iter().enumerate() {
        let mut body = body.to_vec();
        if fix_prev || fix_seq {
            if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice::<serde_json::Value>(&body) {
                if fix_prev {
                    map.insert("prev".into(), serde_json::Value::String(prev_hash.clone()));
                }
                if fix_seq {
                    map.insert("seq".into(), serde_json::Value::from(i as u64 + 1));
                }
                body = serde_json::to_vec(&serde_json::Value::Object(map)).expect("serializes");
            }
        }
        let line = sign(&body);
        prev_hash = line_hash(&line);
        out.extend_from_slice(&line);
        if !(torn && i + 1 == bodies.len()) {
            out.push(b'\n');
        }
    }
    out
}

/// Appends the `sum` field as the journal format defines it (first 8 bytes of SHA-256
/// over the body, in hex) to a body ending in `}`; other bytes are left as they are.
fn sign(body: &[u8]) -> Vec<u8> {
    if body.last() != Some(&b'}') {
        return body.to_vec();
    }
    let digest = Sha256::digest(body);
    let mut line = body[..body.len() - 1].to_vec();
    line.extend_from_slice(b",\"sum\":\"");
    for b in &digest[..8] {
        line.extend_from_slice(format!("{b:02x}").as_bytes());
    }
    line.extend_from_slice(b"\"}");
    line
}

// ---- manifest_lint ------------------------------------------------------------------

/// The policy the lint checks a fuzzed manifest against when the input carries none.
#[cfg(feature = "cli")]
const LINT_POLICY: &str = include_str!("../../examples/phone-backup/policy.json");

/// `consentgate lint` (the CLI's manifest lint) on a fuzzed `AndroidManifest.xml`. The
/// input is the manifest, optionally followed by a NUL byte and a policy file; without
/// one, the phone-backup example policy is used. Runs with the manifest's target SDK and
/// with `--target-sdk` 22 and 35.
/// Checks: findings sorted, without repeats, on lines inside the file they point into;
/// the target SDK and its source as documented; the policy side agrees with the SDK's own
/// validation (an invalid policy yields a policy finding, a valid one no CG100); the same
/// input gives the same report. Classes: `report <codes>` (sorted distinct codes, or
/// `none`), `not-xml`, `policy-not-json`.
#[cfg(feature = "cli")]
pub fn manifest_lint(data: &[u8]) -> String {
    use consentgate::lint::{lint, Code, File, InputError, TargetSource};
    let (manifest, policy) = match data.iter().position(|&b| b == 0) {
        Some(i) => (String::from_utf8_lossy(&data[..i]), String::from_utf8_lossy(&data[i + 1..])),
        None => (String::from_utf8_lossy(data), std::borrow::Cow::Borrowed(LINT_POLICY)),
    };
    let lines_in = |text: &str| text.split('\n').count();
    let policy_valid = Policy::parse(&policy).map(|_| ()).map_err(|e| e.to_string());
    let mut class = String::new();
    for flag in [None, Some(22), Some(35)] {
        let result = lint(&manifest, &policy, flag);
        if flag.is_none() {
            assert_eq!(result, lint(&manifest, &policy, flag), "the lint is deterministic");
        }
        let this = match result {
            Ok(report) => {
                let mut sorted = report.findings.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(sorted, report.findings, "findings sorted, no repeats");
                for f in &report.findings {
                    let lines = match f.file {
                        File::Policy => lines_in(&policy),
                        File::Manifest => lines_in(&manifest),
                    };
                    assert!(f.line >= 1 && f.line <= lines, "{} on line {} of a {lines}-line file", f.code, f.line);
                    assert!(!f.message.trim().is_empty());
                    assert!(f.code.to_string().starts_with("CG1"));
                }
                match flag {
                    Some(n) => assert_eq!((report.target_sdk, report.target_source), (n, TargetSource::Flag)),
                    None => assert_ne!(report.target_source, TargetSource::Flag),
                }
                let policy_codes = [
                    Code::PolicyInvalid,
                    Code::PurposeListsNonRuntimePermission,
                    Code::BackgroundLocationWithoutForeground,
                ];
                match &policy_valid {
                    Ok(()) => assert!(
                        report.findings.iter().all(|f| f.code != Code::PolicyInvalid),
                        "CG100 for a policy the SDK accepts"
                    ),
                    Err(e) => assert!(
                        report.findings.iter().any(|f| f.file == File::Policy && policy_codes.contains(&f.code)),
                        "no policy finding for a policy the SDK rejects: {e}"
                    ),
                }
                let mut codes: Vec<String> = report.findings.iter().map(|f| f.code.to_string()).collect();
                codes.dedup();
                codes.sort();
                codes.dedup();
                if codes.is_empty() {
                    "report none".to_string()
                } else {
                    format!("report {}", codes.join(","))
                }
            }
            Err(InputError::ManifestNotXml(e)) => {
                if let Some(line) = e.line {
                    assert!(line >= 1 && line <= lines_in(&manifest), "error on line {line}");
                }
                assert!(!e.message.is_empty());
                "not-xml".to_string()
            }
            Err(e @ InputError::PolicyNotJson { .. }) => {
                assert!(!e.to_string().is_empty());
                "policy-not-json".to_string()
            }
        };
        // The class is the manifest's own target SDK run; the others only must not panic.
        if flag.is_none() {
            class = this;
        }
    }
    class
}

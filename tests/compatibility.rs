//! What this SDK does when it meets files from a newer one (docs/compatibility.md, "An older
//! SDK meets newer files"): an app downgraded, or a journal folder restored next to an older
//! build. Every case fails closed and says why; nothing is rewritten. Also: the version number
//! is the same everywhere it is written.

use std::path::Path;
use std::sync::Arc;

use consentgate::journal::record::{line_hash, Record, FORMAT_VERSION};
use consentgate::{
    Actor, BlockReason, Context, CoreError, Decision, Engine, JournalOptions, ManualClock, Policy, Source, Surface,
};
use sha2::{Digest, Sha256};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const NOW_MS: i64 = 1_700_100_000_000;

fn policy() -> Policy {
    Policy::parse(&std::fs::read_to_string(format!("{ROOT}/tests/fixtures/journals/policy.json")).unwrap()).unwrap()
}

fn open(dir: &Path) -> Engine {
    let options = JournalOptions { fsync: false, ..JournalOptions::default() };
    Engine::open(policy(), dir, Arc::new(ManualClock::new(NOW_MS)), options).unwrap()
}

fn user() -> Context {
    Context::new(Surface::RationaleDialog, "en", Actor::User)
}

/// A journal this SDK wrote: policy accepted, one purpose granted.
fn journal_with_a_grant(dir: &Path) -> std::path::PathBuf {
    let mut e = open(dir);
    e.accept_policy(&Context::new(Surface::App, "en", Actor::User)).unwrap();
    e.grant("feedback_photo", &user()).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
    dir.join("consent.journal")
}

/// Appends a well-formed line (valid checksum, chained to the last line) with the given
/// JSON fields, as a newer SDK would write it.
fn append_line(journal: &Path, fields: &str) {
    let text = std::fs::read_to_string(journal).unwrap();
    let last = text.lines().last().unwrap();
    let seq = Record::decode(last.as_bytes()).unwrap().seq + 1;
    let body = format!(r#"{{{fields},"seq":{seq},"prev":"{}"}}"#, line_hash(last.as_bytes()));
    let digest = Sha256::digest(body.as_bytes());
    let sum: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let line = format!("{},\"sum\":\"{sum}\"}}\n", &body[..body.len() - 1]);
    std::fs::write(journal, text + &line).unwrap();
}

const HEADER: &str = r#""ts":1700000000000,"policy_version":"2024-01-01","surface":"app","locale":"en","actor":"user""#;

/// Fail closed, and nothing rewritten: the checks every newer-file case shares.
fn assert_fails_closed_untouched(dir: &Path, journal: &Path, why: &str) {
    let before = std::fs::read(journal).unwrap();
    let mut e = open(dir);
    let problem = e.storage_problem().unwrap_or_else(|| panic!("a newer journal opened as healthy")).to_string();
    assert!(problem.contains(why), "{problem}");
    for id in ["feedback_photo", "nearby_stores"] {
        for source in [Source::Feature, Source::Settings] {
            assert_eq!(
                e.decide(id, source).unwrap(),
                Decision::Blocked { reason: BlockReason::Storage },
                "{id} {source:?}"
            );
        }
    }
    // Writes, compaction and the proof export are refused: the newer file is never changed.
    let refused = e.grant("nearby_stores", &user());
    assert!(matches!(refused, Err(CoreError::Storage { .. })), "{refused:?}");
    assert!(e.compact().is_err());
    assert!(e.export_proof().is_err());
    drop(e);
    assert_eq!(std::fs::read(journal).unwrap(), before, "the newer journal was rewritten");
}

/// After a grant, a line a later SDK writes (format version `FORMAT_VERSION + 1`, then
/// `event`): every decision blocks, the file stays as it is, the problem names the version.
fn assert_a_newer_line_fails_closed(event: &str) {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with_a_grant(dir.path());
    let newer = FORMAT_VERSION + 1;
    append_line(&journal, &format!(r#""v":{newer},{event},{HEADER}"#));
    let why = format!("journal format version {newer} is newer than this SDK reads ({FORMAT_VERSION})");
    assert_fails_closed_untouched(dir.path(), &journal, &why);
}

#[test]
fn a_line_of_a_newer_format_version_blocks_every_decision_and_is_never_rewritten() {
    assert_a_newer_line_fails_closed(r#""event":"policy_accepted""#);
}

#[test]
fn a_newer_event_kind_is_named_as_a_newer_version_not_as_garbage() {
    // What a later SDK writes for a kind this one does not know: its version and its kind.
    assert_a_newer_line_fails_closed(r#""event":"consent_paused","purpose":"feedback_photo""#);
}

#[test]
fn an_unknown_event_kind_at_a_known_version_is_corruption() {
    // No SDK writes this: a kind is only ever added with a new version.
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with_a_grant(dir.path());
    append_line(&journal, &format!(r#""v":1,"event":"consent_paused","purpose":"feedback_photo",{HEADER}"#));
    assert_fails_closed_untouched(dir.path(), &journal, "corrupt at line 3");
}

#[test]
fn a_snapshot_holding_state_this_sdk_does_not_know_blocks_instead_of_dropping_it() {
    // A later SDK's state may carry more than this one's (a new kind of consent); read as
    // this version's state, the extra part would be silently lost.
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("consent.journal");
    {
        let mut e = open(dir.path());
        e.accept_policy(&Context::new(Surface::App, "en", Actor::User)).unwrap();
        e.grant("feedback_photo", &user()).unwrap();
        e.compact().unwrap();
    }
    // Rewrite the live file's snapshot with one more field in its state (valid checksum).
    let live = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(live.lines().count(), 1, "{live}");
    let snapshot: serde_json::Value = serde_json::from_str(live.lines().next().unwrap()).unwrap();
    let mut state = snapshot["state"].clone();
    state["paused"] = serde_json::json!({ "feedback_photo": true });
    let mut fields = snapshot.as_object().unwrap().clone();
    for key in ["sum", "seq", "prev"] {
        fields.remove(key);
    }
    fields.insert("state".into(), state);
    let body = serde_json::Value::Object(fields).to_string();
    let seq = snapshot["seq"].as_u64().unwrap();
    let prev = snapshot["prev"].as_str().unwrap();
    let full = format!(r#"{},"seq":{seq},"prev":"{prev}"}}"#, &body[..body.len() - 1]);
    let digest = Sha256::digest(full.as_bytes());
    let sum: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&journal, format!("{},\"sum\":\"{sum}\"}}\n", &full[..full.len() - 1])).unwrap();
    // Without the archive it summarises, only the state itself can tell.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".archive") {
            std::fs::remove_file(path).unwrap();
        }
    }
    assert_fails_closed_untouched(dir.path(), &journal, "snapshot");
}

#[test]
fn a_newer_policy_schema_is_refused_with_its_path() {
    let text = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/journals/policy.json")).unwrap();
    let newer = text.replacen("\"schema\": 1", "\"schema\": 3", 1);
    assert_ne!(newer, text, "the fixture policy declares schema 1");
    let err = Policy::parse(&newer).unwrap_err().to_string();
    assert!(err.contains("$.schema") && err.contains("unknown schema 3 (this SDK reads schema 1 and 2)"), "{err}");
}

#[test]
fn a_field_this_sdk_does_not_know_is_refused_in_a_policy() {
    // A newer schema's field in a file that claims an older schema is an error, not ignored.
    let text = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/journals/policy.json")).unwrap();
    let extended = text.replacen("{", "{\n  \"retention_days\": 30,", 1);
    let err = Policy::parse(&extended).unwrap_err().to_string();
    assert!(err.contains("retention_days"), "{err}");
}

// ---- one version everywhere --------------------------------------------------------------

fn field_after<'a>(text: &'a str, key: &str) -> &'a str {
    let start = text.find(key).unwrap_or_else(|| panic!("{key:?} not found")) + key.len();
    let rest = &text[start..];
    &rest[..rest.find(['"', '<']).unwrap()]
}

#[test]
fn the_version_is_the_same_in_cargo_maven_gradle_and_the_changelog() {
    let cargo = env!("CARGO_PKG_VERSION");
    let pom = std::fs::read_to_string(format!("{ROOT}/android-wrapper/pom.xml")).unwrap();
    let pom_version =
        field_after(&pom[pom.find("<artifactId>consentgate-android</artifactId>").unwrap()..], "<version>");
    let gradle = std::fs::read_to_string(format!("{ROOT}/android-wrapper/build.gradle.kts")).unwrap();
    let gradle_version = field_after(&gradle, "\nversion = \"");
    let changelog = std::fs::read_to_string(format!("{ROOT}/CHANGELOG.md")).unwrap();
    let released = changelog
        .lines()
        .find_map(|l| l.strip_prefix("## ").filter(|v| v.starts_with(|c: char| c.is_ascii_digit())))
        .expect("CHANGELOG.md has a released version")
        .split(' ')
        .next()
        .unwrap();
    assert!(changelog.contains("\n## Unreleased\n"), "CHANGELOG.md keeps an Unreleased section");
    assert_eq!(pom_version, cargo, "android-wrapper/pom.xml");
    assert_eq!(gradle_version, cargo, "android-wrapper/build.gradle.kts");
    assert_eq!(released, cargo, "the newest version in CHANGELOG.md");
}

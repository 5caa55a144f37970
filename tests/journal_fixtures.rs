//! Journals written by earlier versions keep verifying and folding the same (the journal
//! format is a stable contract: docs/ARCHITECTURE.md, "The journal format").
//!
//! `tests/fixtures/journals/<name>/` holds real journal folders written by the SDK at the
//! commit named in that folder's README, each with the policy they were written for and
//! `expected.json`: the proof export (state, every event, chain head) and every purpose's
//! decision, as that version computed them. This test checks, for each folder, that
//! - every line decodes and encodes back to exactly the same bytes (checksum included);
//! - the engine opens it without a storage problem and folds it to the same state;
//! - the proof export and the decisions are the same.
//!
//! Never regenerate the committed folders to make this test pass: they are the old
//! version's output. New fixtures (for new event kinds) go into new folders; the ignored
//! test `write_fixtures` writes them with the current code into `$CG_FIXTURES_OUT`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use consentgate::journal::record::Record;
use consentgate::journal::scan::scan;
use consentgate::{Actor, AgeBracket, Context, Engine, JournalOptions, ManualClock, OsResult, Policy, Source, Surface};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/journals");
/// The clock every fixture's expectations were computed at.
const NOW_MS: i64 = 1_700_100_000_000;
const HOUR_MS: i64 = 3_600_000;

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("tests/fixtures/journals")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "fixture folders missing under {FIXTURES}");
    dirs
}

/// The journal files of a fixture folder (archives and the live file).
fn journal_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("consent.journal"))
        .collect();
    files.sort();
    files
}

/// What the fixture's expectations hold: the proof export and the decisions.
fn observe(engine: &mut Engine) -> serde_json::Value {
    assert_eq!(engine.storage_problem(), None);
    let ids: Vec<String> = engine.policy().purposes.iter().map(|p| p.id.clone()).collect();
    let decisions: serde_json::Map<String, serde_json::Value> = ids
        .iter()
        .map(|id| {
            let feature = engine.decide(id, Source::Feature).unwrap();
            let settings = engine.decide(id, Source::Settings).unwrap();
            (id.clone(), serde_json::json!({ "feature": feature, "settings": settings }))
        })
        .collect();
    serde_json::json!({ "proof": engine.export_proof().unwrap(), "decisions": decisions })
}

fn open(policy: &str, dir: &Path) -> Engine {
    let clock = Arc::new(ManualClock::new(NOW_MS));
    // No compaction while reading: the folder must stay as it was written.
    let options = JournalOptions { fsync: false, compact_after: usize::MAX };
    Engine::open(Policy::parse(policy).unwrap(), dir, clock, options).unwrap()
}

#[test]
fn every_line_of_an_old_journal_re_encodes_to_the_same_bytes() {
    for dir in fixture_dirs() {
        for file in journal_files(&dir) {
            let bytes = std::fs::read(&file).unwrap();
            let text = std::str::from_utf8(&bytes).unwrap();
            assert!(text.ends_with('\n'), "{}", file.display());
            for (i, line) in text.lines().enumerate() {
                let record =
                    Record::decode(line.as_bytes()).unwrap_or_else(|e| panic!("{}:{}: {e}", file.display(), i + 1));
                assert_eq!(record.encode(), line, "{}:{}", file.display(), i + 1);
            }
            // The same through the loader's scan, which decodes every line into one reused record.
            let scanned = scan(&bytes, None).unwrap_or_else(|c| panic!("{}:{}: {}", file.display(), c.line, c.reason));
            let encoded: Vec<String> = scanned.records.iter().map(Record::encode).collect();
            assert_eq!(encoded, text.lines().collect::<Vec<_>>(), "{}", file.display());
        }
    }
}

#[test]
fn old_journals_verify_and_fold_the_same() {
    for dir in fixture_dirs() {
        let copy = tempfile::tempdir().unwrap();
        for file in journal_files(&dir) {
            std::fs::copy(&file, copy.path().join(file.file_name().unwrap())).unwrap();
        }
        let policy = std::fs::read_to_string(dir.join("policy.json")).unwrap();
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
        let seen = observe(&mut open(&policy, copy.path()));
        assert_eq!(seen, expected, "{}", dir.display());
        // Reading changed nothing.
        for file in journal_files(&dir) {
            let read = std::fs::read(copy.path().join(file.file_name().unwrap())).unwrap();
            assert_eq!(read, std::fs::read(&file).unwrap(), "{}", file.display());
        }
    }
}

// ---- the generator ----------------------------------------------------------------------

fn ctx(surface: Surface, locale: &str, actor: Actor) -> Context {
    Context::new(surface, locale, actor)
}

/// Every event kind, from every surface and actor, in two locales.
fn write_every_kind(policy: &str, dir: &Path, clock: &Arc<ManualClock>) {
    let mut e = Engine::open(Policy::parse(policy).unwrap(), dir, clock.clone(), JournalOptions::default()).unwrap();
    let user = |s| ctx(s, "zh-CN", Actor::User);
    let tick = || clock.advance(60_000);
    e.set_age_bracket(AgeBracket::Age14To17, &ctx(Surface::App, "zh-CN", Actor::System)).unwrap();
    tick();
    e.accept_policy(&user(Surface::App)).unwrap();
    tick();
    e.set_guardian_consent(true, &ctx(Surface::App, "zh-CN", Actor::Guardian)).unwrap();
    tick();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("feedback_photo", "android.permission.CAMERA", OsResult::Granted, &user(Surface::SystemDialog))
        .unwrap();
    tick();
    e.grant("nearby_stores", &ctx(Surface::RationaleDialog, "en", Actor::User)).unwrap();
    e.record_os_result(
        "nearby_stores",
        "android.permission.ACCESS_COARSE_LOCATION",
        OsResult::Granted,
        &user(Surface::SystemDialog),
    )
    .unwrap();
    e.record_os_result(
        "nearby_stores",
        "android.permission.ACCESS_FINE_LOCATION",
        OsResult::DeniedPermanently,
        &user(Surface::SystemDialog),
    )
    .unwrap();
    tick();
    e.deny("scan_receipt", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("scan_receipt", "android.permission.CAMERA", OsResult::Denied, &user(Surface::SystemDialog))
        .unwrap();
    tick();
    e.withdraw("nearby_stores", &user(Surface::SettingsScreen)).unwrap();
    e.grant("scan_receipt", &ctx(Surface::QaHook, "und", Actor::User)).unwrap();
    clock.advance(50 * HOUR_MS);
    e.set_guardian_consent(false, &ctx(Surface::SettingsScreen, "zh-CN", Actor::Guardian)).unwrap();
    e.set_age_bracket(AgeBracket::Adult, &ctx(Surface::App, "zh-CN", Actor::System)).unwrap();
    e.deny("nearby_stores", &ctx(Surface::SettingsScreen, "en", Actor::User)).unwrap();
}

/// A long history that compacted itself twice (two archives, a snapshot opening the live
/// file), then a manual compaction, then more events.
fn write_compacted(policy: &str, dir: &Path, clock: &Arc<ManualClock>) {
    let options = JournalOptions { fsync: false, compact_after: 8 };
    let mut e = Engine::open(Policy::parse(policy).unwrap(), dir, clock.clone(), options).unwrap();
    let user = |s| ctx(s, "zh-CN", Actor::User);
    e.accept_policy(&user(Surface::App)).unwrap();
    for round in 0..7 {
        clock.advance(HOUR_MS);
        e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
        e.record_os_result(
            "feedback_photo",
            "android.permission.CAMERA",
            OsResult::Granted,
            &user(Surface::SystemDialog),
        )
        .unwrap();
        if round % 2 == 0 {
            e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
        }
        e.deny("nearby_stores", &ctx(Surface::RationaleDialog, "en", Actor::User)).unwrap();
    }
    e.compact().unwrap();
    clock.advance(HOUR_MS);
    e.grant("scan_receipt", &user(Surface::RationaleDialog)).unwrap();
    e.set_age_bracket(AgeBracket::Adult, &ctx(Surface::App, "zh-CN", Actor::System)).unwrap();
}

/// A journal found corrupt, recovered (kept aside), and used again: the live file opens
/// with a `journal_reset` line.
fn write_reset(policy: &str, dir: &Path, clock: &Arc<ManualClock>) {
    let user = |s| ctx(s, "zh-CN", Actor::User);
    {
        let mut e =
            Engine::open(Policy::parse(policy).unwrap(), dir, clock.clone(), JournalOptions::default()).unwrap();
        e.accept_policy(&user(Surface::App)).unwrap();
        e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    }
    let journal = dir.join("consent.journal");
    let mut bytes = std::fs::read(&journal).unwrap();
    let flip = bytes.iter().position(|&b| b == b'z').unwrap();
    bytes[flip] = b'y';
    std::fs::write(&journal, bytes).unwrap();
    clock.advance(HOUR_MS);
    let mut e = Engine::open(Policy::parse(policy).unwrap(), dir, clock.clone(), JournalOptions::default()).unwrap();
    assert!(e.storage_problem().is_some());
    e.recover_from_corruption(&ctx(Surface::App, "zh-CN", Actor::System)).unwrap();
    clock.advance(60_000);
    e.accept_policy(&user(Surface::App)).unwrap();
    e.grant("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
    // The kept-aside file is not part of this fixture: only the new journal is.
    for file in journal_files(dir) {
        if file.file_name().unwrap() != "consent.journal" {
            std::fs::remove_file(file).unwrap();
        }
    }
}

/// Journal format 2: the user withdrew their acceptance of the privacy policy (the
/// version-2 `policy_withdrawn` line), every consent ended with it; then accepted again and
/// consented anew, so that a reader must not revive the consents given before the withdrawal.
fn write_format_2(policy: &str, dir: &Path, clock: &Arc<ManualClock>) {
    let mut e = Engine::open(Policy::parse(policy).unwrap(), dir, clock.clone(), JournalOptions::default()).unwrap();
    let user = |s| ctx(s, "zh-CN", Actor::User);
    e.accept_policy(&user(Surface::App)).unwrap();
    clock.advance(60_000);
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.grant("nearby_stores", &ctx(Surface::RationaleDialog, "en", Actor::User)).unwrap();
    e.deny("scan_receipt", &user(Surface::RationaleDialog)).unwrap();
    clock.advance(HOUR_MS);
    e.withdraw_policy(&user(Surface::SettingsScreen)).unwrap();
    clock.advance(HOUR_MS);
    e.accept_policy(&user(Surface::App)).unwrap();
    e.grant("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
}

/// Journal format 3: a refusal in the system dialog (`consent_denied` on that surface), a
/// consent bound to the translation read (`seen_fp`), a guardian's consent, and a permission
/// found switched off in Android's settings (`permission_revoked`, the version-3 line).
fn write_format_3(policy: &str, dir: &Path, clock: &Arc<ManualClock>) {
    let mut e = Engine::open(Policy::parse(policy).unwrap(), dir, clock.clone(), JournalOptions::default()).unwrap();
    let user = |s| ctx(s, "zh-CN", Actor::User);
    e.accept_policy(&user(Surface::App)).unwrap();
    clock.advance(60_000);
    e.grant("feedback_photo", &ctx(Surface::RationaleDialog, "en-GB", Actor::User)).unwrap();
    e.record_os_results(
        "feedback_photo",
        &[("android.permission.CAMERA", OsResult::Granted)],
        &user(Surface::SystemDialog),
    )
    .unwrap();
    clock.advance(60_000);
    e.grant("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_results(
        "nearby_stores",
        &[
            ("android.permission.ACCESS_COARSE_LOCATION", OsResult::Denied),
            ("android.permission.ACCESS_FINE_LOCATION", OsResult::DeniedPermanently),
        ],
        &user(Surface::SystemDialog),
    )
    .unwrap();
    clock.advance(HOUR_MS);
    assert_eq!(e.record_revocations(34, &[], &user(Surface::SystemSettings)).unwrap(), ["feedback_photo"]);
    clock.advance(HOUR_MS);
    e.set_age_bracket(AgeBracket::Under14, &ctx(Surface::App, "zh-CN", Actor::System)).unwrap();
    e.set_guardian_consent(true, &ctx(Surface::App, "zh-CN", Actor::Guardian)).unwrap();
    e.grant("scan_receipt", &ctx(Surface::RationaleDialog, "zh-CN", Actor::Guardian)).unwrap();
}

/// Writes the fixture folders with the current code into `$CG_FIXTURES_OUT` (a new,
/// empty folder). Copy a new folder into tests/fixtures/journals only for a new format
/// feature; never overwrite an existing one.
#[test]
#[ignore = "writes fixtures; run by hand with CG_FIXTURES_OUT set"]
fn write_fixtures() {
    let out = PathBuf::from(std::env::var("CG_FIXTURES_OUT").expect("CG_FIXTURES_OUT"));
    let policy = std::fs::read_to_string(Path::new(FIXTURES).join("policy.json")).unwrap();
    type Writer = fn(&str, &Path, &Arc<ManualClock>);
    let writers: [(&str, Writer); 5] = [
        ("every-kind", write_every_kind),
        ("compacted", write_compacted),
        ("reset", write_reset),
        ("format-2", write_format_2),
        ("format-3", write_format_3),
    ];
    for (name, write) in writers {
        let dir = out.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        write(&policy, &dir, &clock);
        for extra in ["consent.lock", "consent.gen"] {
            let _ = std::fs::remove_file(dir.join(extra));
        }
        std::fs::write(dir.join("policy.json"), &policy).unwrap();
        let copy = tempfile::tempdir().unwrap();
        for file in journal_files(&dir) {
            std::fs::copy(&file, copy.path().join(file.file_name().unwrap())).unwrap();
        }
        let expected = observe(&mut open(&policy, copy.path()));
        std::fs::write(dir.join("expected.json"), serde_json::to_string_pretty(&expected).unwrap() + "\n").unwrap();
    }
}

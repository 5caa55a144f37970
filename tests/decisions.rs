//! The decision table of docs/ARCHITECTURE.md, row by row, through the public engine API and a
//! real journal on disk.

mod common;

use std::sync::Arc;

use common::*;
use consentgate::*;

fn setup() -> (tempfile::TempDir, Arc<ManualClock>, Engine) {
    temp_engine(small_policy())
}

#[test]
fn privacy_policy_not_accepted_blocks_everything() {
    let (_d, _c, mut e) = setup();
    assert!(!e.policy_accepted());
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);
    assert_eq!(e.decide("feedback_photo", Source::Settings).unwrap(), BLOCKED_POLICY);
    // Even a consent on record does not count before the policy is accepted.
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);
}

#[test]
fn accepting_an_older_policy_version_does_not_count() {
    let (dir, clock, mut e) = temp_engine(small_policy());
    accept_and_grant(&mut e, &["feedback_photo"]);
    assert!(e.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
    drop(e);
    let newer = Policy::parse(&SMALL_POLICY.replace("2024-01-01", "2025-06-01")).unwrap();
    let mut e = open(newer, dir.path(), &clock);
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);
    assert!(!e.policy_accepted(), "the older version was accepted, not this one");
    e.accept_policy(&user(Surface::App)).unwrap();
    assert!(e.policy_accepted());
    assert!(
        e.decide("feedback_photo", Source::Feature).unwrap().is_allowed(),
        "purpose text unchanged: consent stands"
    );
}

#[test]
fn minor_without_guardian_is_blocked_with_guardian_is_not() {
    let (_d, _c, mut e) = setup();
    e.accept_policy(&user(Surface::App)).unwrap();
    for age in [AgeBracket::Under14, AgeBracket::Age14To17] {
        e.set_age_bracket(age, &user(Surface::App)).unwrap();
        assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_GUARDIAN, "{age:?}");
    }
    e.set_guardian_consent(true, &Context::new(Surface::App, "zh-CN", Actor::Guardian)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), NEVER_ASKED);
    e.set_guardian_consent(false, &Context::new(Surface::SettingsScreen, "zh-CN", Actor::Guardian)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_GUARDIAN);
    e.set_age_bracket(AgeBracket::Adult, &user(Surface::App)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), NEVER_ASKED);
}

#[test]
fn undeclared_purpose_and_over_scope_permission_are_errors() {
    let (_d, _c, mut e) = setup();
    e.accept_policy(&user(Surface::App)).unwrap();
    let err = e.decide("read_sms", Source::Feature).unwrap_err();
    assert!(matches!(err, CoreError::UndeclaredPurpose { .. }));
    assert!(err.to_string().contains("read_sms"));
    let err = e.decide_permission("feedback_photo", RECORD_AUDIO, Source::Feature).unwrap_err();
    assert!(matches!(err, CoreError::UndeclaredPermission { .. }));
    assert!(err.to_string().contains("RECORD_AUDIO"));
    assert_eq!(e.decide_permission("feedback_photo", CAMERA, Source::Feature).unwrap(), NEVER_ASKED);
    assert!(matches!(e.grant("nope", &user(Surface::RationaleDialog)), Err(CoreError::UndeclaredPurpose { .. })));
    assert!(matches!(
        e.record_os_result("feedback_photo", READ_CONTACTS, OsResult::Granted, &user(Surface::SystemDialog)),
        Err(CoreError::UndeclaredPermission { .. })
    ));
}

#[test]
fn granted_is_allowed_never_asked_needs_consent() {
    let (_d, _c, mut e) = setup();
    e.accept_policy(&user(Surface::App)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), NEVER_ASKED);
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
    // No bundling: one purpose's consent does not cover another with the same permission.
    assert_eq!(e.decide("scan_receipt", Source::Feature).unwrap(), NEVER_ASKED);
}

#[test]
fn changed_purpose_text_makes_consent_stale() {
    let (dir, clock, mut e) = temp_engine(small_policy());
    accept_and_grant(&mut e, &["nearby_stores", "feedback_photo"]);
    drop(e);
    let changed = Policy::parse(&SMALL_POLICY.replace("查找附近门店", "查找附近门店并推荐商品")).unwrap();
    let mut e = open(changed, dir.path(), &clock);
    assert_eq!(e.decide("nearby_stores", Source::Feature).unwrap(), STALE);
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed, "other purposes unaffected");
    drop(e);
    let new_recipient = Policy::parse(&SMALL_POLICY.replace("GPS location", "GPS location and device id")).unwrap();
    let mut e = open(new_recipient, dir.path(), &clock);
    assert_eq!(e.decide("nearby_stores", Source::Feature).unwrap(), STALE);
}

#[test]
fn refusal_blocks_feature_requests_for_the_cooldown_but_not_settings() {
    for refuse in ["deny", "withdraw"] {
        let (_d, clock, mut e) = setup();
        e.accept_policy(&user(Surface::App)).unwrap();
        if refuse == "deny" {
            e.deny("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
        } else {
            e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
            e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
        }
        let until = T0 + 48 * HOUR_MS;
        let cooldown = cooldown_until(until);
        assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), cooldown, "{refuse}");
        assert_eq!(e.decide("feedback_photo", Source::Settings).unwrap(), ASK_AGAIN, "{refuse}");
        clock.set(until - 1);
        assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), cooldown, "{refuse}");
        clock.set(until);
        assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), ASK_AGAIN, "{refuse}");
    }
}

#[test]
fn a_clock_moved_backwards_keeps_the_cooldown_closed() {
    let (_d, clock, mut e) = setup();
    e.accept_policy(&user(Surface::App)).unwrap();
    e.deny("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    clock.set(T0 - 365 * 24 * HOUR_MS);
    assert!(matches!(
        e.decide("feedback_photo", Source::Feature).unwrap(),
        Decision::Blocked { reason: BlockReason::Cooldown { .. } }
    ));
}

#[test]
fn cooldown_length_comes_from_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let policy =
        Policy::parse(&SMALL_POLICY.replace("\"denial_cooldown_hours\": 48", "\"denial_cooldown_hours\": 2")).unwrap();
    let mut e = open(policy, dir.path(), &clock);
    e.accept_policy(&user(Surface::App)).unwrap();
    e.deny("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), cooldown_until(T0 + 2 * HOUR_MS));
}

#[test]
fn corrupt_journal_fails_closed_and_keeps_the_file() {
    let (d, _c, mut e) = setup();
    accept_and_grant(&mut e, &["feedback_photo", "scan_receipt"]);
    drop(e);
    let path = d.path().join("consent.journal");
    let mut bytes = std::fs::read(&path).unwrap();
    let second_line = bytes.iter().position(|&b| b == b'\n').unwrap() + 10;
    bytes[second_line] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();

    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), d.path(), &clock);
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
    assert_eq!(e.decide("scan_receipt", Source::Settings).unwrap(), BLOCKED_STORAGE);
    assert!(!e.policy_accepted(), "accepted on line 1, but a corrupt journal cannot be trusted");
    assert!(e.storage_problem().unwrap().contains("line 2"), "{:?}", e.storage_problem());
    let err = e.grant("nearby_stores", &user(Surface::RationaleDialog)).unwrap_err();
    assert!(matches!(err, CoreError::Storage { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the corrupt file is left untouched");

    let kept = e.recover_from_corruption(&user(Surface::App)).unwrap();
    assert_eq!(std::fs::read(d.path().join(&kept)).unwrap(), bytes, "kept aside byte for byte");
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY, "everything must be asked again");
}

/// Corruption found by a write (another writer's bad line after ours) is reported once,
/// at its line, not wrapped in a second "corrupt at line 0".
#[test]
fn corruption_found_while_writing_names_its_line_once() {
    let (d, _c, mut e) = setup();
    e.accept_policy(&user(Surface::App)).unwrap();
    let path = d.path().join("consent.journal");
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut file, b"{\"v\":1,\"sum\":\"0000000000000000\"}\n").unwrap();
    let err = e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap_err();
    assert!(matches!(err, CoreError::Corrupt { line: 2, .. }), "{err}");
    let problem = e.storage_problem().unwrap();
    assert_eq!(problem, err.to_string());
    assert_eq!(problem.matches("corrupt").count(), 1, "{problem}");
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
}

#[test]
fn unreadable_journal_fails_closed() {
    let (d, _c, mut e) = setup();
    accept_and_grant(&mut e, &["feedback_photo"]);
    drop(e);
    // A directory where the journal file should be: reads fail.
    let path = d.path().join("consent.journal");
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), d.path(), &clock);
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
    assert!(!e.policy_accepted());
}

#[test]
fn withdraw_returns_only_permissions_no_other_purpose_covers() {
    let (_d, _c, mut e) = setup();
    accept_and_grant(&mut e, &["feedback_photo", "scan_receipt", "nearby_stores"]);
    assert_eq!(
        e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap(),
        vec![],
        "scan_receipt still uses the camera"
    );
    assert_eq!(e.withdraw("scan_receipt", &user(Surface::SettingsScreen)).unwrap(), vec![Permission::Camera]);
    assert_eq!(
        e.withdraw("nearby_stores", &user(Surface::SettingsScreen)).unwrap(),
        vec![Permission::AccessCoarseLocation, Permission::AccessFineLocation]
    );
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), cooldown_until(T0 + 48 * HOUR_MS));
}

#[test]
fn reconcile_reports_os_grants_without_consent() {
    let (_d, _c, mut e) = setup();
    accept_and_grant(&mut e, &["feedback_photo"]);
    let os = [CAMERA, FINE, POST_NOTIFICATIONS];
    assert_eq!(e.reconcile(&os), vec![Permission::AccessFineLocation]);
}

#[test]
fn os_grants_accept_approximate_location() {
    let (_d, _c, e) = setup();
    let nearby = e.policy().index_of("nearby_stores").unwrap();
    assert!(e.os_grants_satisfy(nearby, 31, &[COARSE]));
    assert!(!e.os_grants_satisfy(nearby, 31, &[]));
    let photo = e.policy().index_of("feedback_photo").unwrap();
    assert!(!e.os_grants_satisfy(photo, 34, &[RECORD_AUDIO]));
}

#[test]
fn settings_view_lists_every_purpose_with_its_state() {
    let (_d, _c, mut e) = setup();
    accept_and_grant(&mut e, &["feedback_photo"]);
    e.deny("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
    let rows = e.settings("en");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].id, "feedback_photo");
    assert_eq!(rows[0].state, SettingsState::Granted);
    assert!(rows[0].allowed);
    assert_eq!(rows[0].description, "Take a photo to attach to your feedback");
    assert_eq!(rows[0].last_decision_ms, Some(T0));
    assert_eq!(rows[1].state, SettingsState::Denied);
    assert_eq!(rows[1].recipients[0].name, "Amap (高德地图)");
    assert_eq!(rows[1].cooldown_until_ms, Some(T0 + 48 * HOUR_MS));
    assert_eq!(rows[1].permissions[1].label, "precise location");
    assert_eq!(rows[2].state, SettingsState::NeverAsked);
    assert_eq!(e.settings("zh-TW")[0].description, "用户问题反馈拍照上传照片", "same language falls back");
    assert_eq!(e.settings("fr")[0].description, "用户问题反馈拍照上传照片", "unknown language: default locale");
}

#[test]
fn rationale_shows_purpose_permissions_and_recipients_in_the_locale() {
    let (_d, _c, e) = setup();
    let r = e.rationale("nearby_stores", "zh-CN").unwrap();
    assert_eq!(r.description, "查找附近门店");
    assert_eq!(r.permissions[0].label, "大致位置");
    assert_eq!(r.recipients[0].data, "GPS location");
    assert!(matches!(e.rationale("x", "en"), Err(CoreError::UndeclaredPurpose { .. })));
}

#[test]
fn erase_leaves_no_journal_and_starts_over() {
    let (d, _c, mut e) = setup();
    accept_and_grant(&mut e, &["feedback_photo"]);
    e.compact().unwrap();
    e.grant("scan_receipt", &user(Surface::RationaleDialog)).unwrap();
    e.erase().unwrap();
    let left: Vec<String> =
        std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(left.iter().all(|n| n == "consent.lock" || n == "consent.gen"), "left behind: {left:?}");
    for name in &left {
        let bytes = std::fs::read(d.path().join(name)).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("feedback"), "{name} holds data");
    }
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);
}

#[test]
fn compaction_keeps_state_and_full_history() {
    let (d, clock, mut e) = setup();
    accept_and_grant(&mut e, &["feedback_photo"]);
    e.deny("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
    e.compact().unwrap();
    clock.advance(1000);
    e.grant("scan_receipt", &user(Surface::RationaleDialog)).unwrap();
    e.compact().unwrap();
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    drop(e);
    let mut e = open(small_policy(), d.path(), &clock);
    assert!(e.decide("scan_receipt", Source::Feature).unwrap().is_allowed());
    assert!(!e.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
    let proof = e.export_proof().unwrap();
    let kinds: Vec<&str> = proof["history"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["policy_accepted", "consent_granted", "consent_denied", "consent_granted", "consent_withdrawn"]);
    let seqs: Vec<u64> = proof["history"].as_array().unwrap().iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let live = std::fs::read_to_string(d.path().join("consent.journal")).unwrap();
    assert_eq!(live.lines().count(), 2, "snapshot + one event since");
}

#[test]
fn proof_export_records_who_where_and_which_text() {
    let (_d, _c, mut e) = setup();
    e.accept_policy(&user(Surface::App)).unwrap();
    e.grant("feedback_photo", &Context::new(Surface::RationaleDialog, "en", Actor::User)).unwrap();
    os_answer(&mut e, "feedback_photo", CAMERA, OsResult::DeniedPermanently);
    let proof = e.export_proof().unwrap();
    assert_eq!(proof["format"], "consentgate-proof");
    let grant = &proof["history"][1];
    assert_eq!(grant["surface"], "rationale_dialog");
    assert_eq!(grant["locale"], "en");
    assert_eq!(grant["actor"], "user");
    assert_eq!(grant["fp"], proof["policy"]["purposes"][0]["fingerprint"]);
    assert_eq!(proof["history"][2]["os_result"], "denied_permanently");
    // A "no" in the system dialog is the user's refusal of the purpose, recorded as such.
    assert_eq!(proof["history"][3]["event"], "consent_denied");
    assert_eq!(proof["history"][3]["surface"], "system_dialog");
    assert_eq!(proof["journal"]["events"], 4);
    assert_eq!(proof["journal"]["head_hash"].as_str().unwrap().len(), 64);
}

#[test]
fn age_brackets_have_stable_journal_names() {
    // The journal format is a contract: these names are what QA scripts and the adb hook use.
    let names: Vec<String> = [AgeBracket::Under14, AgeBracket::Age14To17, AgeBracket::Adult, AgeBracket::Unknown]
        .iter()
        .map(|a| serde_json::to_value(a).unwrap().as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["under_14", "age_14_to_17", "adult", "unknown"]);
}

#[test]
fn long_histories_compact_themselves_and_keep_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let options = JournalOptions { fsync: true, compact_after: 10 };
    let mut e = Engine::open(small_policy(), dir.path(), clock.clone(), options).unwrap();
    e.accept_policy(&user(Surface::App)).unwrap();
    for i in 0..24 {
        clock.advance(HOUR_MS);
        let id = ["feedback_photo", "scan_receipt"][i % 2];
        if i % 3 == 0 {
            e.deny(id, &user(Surface::RationaleDialog))
        } else {
            e.grant(id, &user(Surface::RationaleDialog))
        }
        .unwrap();
    }
    let live = std::fs::read_to_string(dir.path().join("consent.journal")).unwrap();
    assert!(live.lines().count() <= 11, "the live file stays short: {} lines", live.lines().count());
    let archives = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|f| f.as_ref().unwrap().file_name().to_string_lossy().ends_with(".archive"))
        .count();
    assert!(archives >= 2, "history moved to archives: {archives}");
    let before: Vec<Decision> =
        ["feedback_photo", "scan_receipt"].iter().map(|id| e.decide(id, Source::Feature).unwrap()).collect();
    drop(e);
    let mut e = open(small_policy(), dir.path(), &clock);
    let after: Vec<Decision> =
        ["feedback_photo", "scan_receipt"].iter().map(|id| e.decide(id, Source::Feature).unwrap()).collect();
    assert_eq!(before, after);
    let history = e.export_proof().unwrap()["history"].as_array().unwrap().clone();
    assert_eq!(history.len(), 25, "every event is still in the proof");
    let seqs: Vec<u64> = history.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn two_engines_compacting_one_after_the_other_keep_the_history_exact() {
    // Caught by the JVM concurrency test: two engines crossed the auto-compaction limit
    // together; the second compacted the first's lone snapshot, and the proof export then
    // counted that snapshot as an event.
    let (dir, clock, mut a) = temp_engine(small_policy());
    let mut b = open(small_policy(), dir.path(), &clock);
    accept_and_grant(&mut a, &["feedback_photo"]);
    b.grant("scan_receipt", &user(Surface::RationaleDialog)).unwrap();
    a.compact().unwrap();
    b.compact().unwrap();
    let archives = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|f| f.as_ref().unwrap().file_name().to_string_lossy().ends_with(".archive"))
        .count();
    assert_eq!(archives, 1, "a lone snapshot is not compacted again");
    for e in [&mut a, &mut b] {
        let history = e.export_proof().unwrap()["history"].as_array().unwrap().clone();
        let kinds: Vec<&str> = history.iter().map(|r| r["event"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["policy_accepted", "consent_granted", "consent_granted"]);
    }
}

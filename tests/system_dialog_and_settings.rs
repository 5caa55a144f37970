//! Issue 14 at the core: a "no" in Android's permission dialog and a permission switched off
//! in Android's settings are refusals of the purpose; the request plan and the OS check only
//! count what the app can request; partial grants; consent bound to the translation read;
//! minors' consents are the guardian's.

mod common;

use std::sync::Arc;

use common::*;
use consentgate::journal::record::{Event, Record, FORMAT_VERSION};
use consentgate::*;

/// The suite's small policy with background location for nearby_stores and a photo picker purpose.
fn policy_text() -> String {
    let fine = r#""android.permission.ACCESS_FINE_LOCATION"]"#;
    let scan = r#"    { "id": "scan_receipt""#;
    assert!(SMALL_POLICY.contains(fine) && SMALL_POLICY.contains(scan), "the small policy changed");
    SMALL_POLICY
        .replacen(
            fine,
            r#""android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_BACKGROUND_LOCATION"]"#,
            1,
        )
        .replacen(
            scan,
            r#"    { "id": "pick_photos",
      "permissions": ["android.permission.READ_EXTERNAL_STORAGE", "android.permission.READ_MEDIA_IMAGES",
                      "android.permission.READ_MEDIA_VISUAL_USER_SELECTED"],
      "description": { "zh-CN": "选择照片", "en": "Pick photos" } },
    { "id": "scan_receipt""#,
            1,
        )
}

const COOLDOWN: Decision = cooldown_until(T0 + 48 * HOUR_MS);

fn setup() -> (tempfile::TempDir, Arc<ManualClock>, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let mut engine = open(Policy::parse(&policy_text()).unwrap(), dir.path(), &clock);
    engine.accept_policy(&user(Surface::App)).unwrap();
    (dir, clock, engine)
}

fn dialog() -> Context {
    user(Surface::SystemDialog)
}

fn settings_page() -> Context {
    user(Surface::SystemSettings)
}

/// The user agrees in the rationale dialog, then answers Android's dialog: whether that amounts to a "no".
fn agree_then_answer(e: &mut Engine, purpose: &str, answers: &[(&str, OsResult)]) -> bool {
    e.grant(purpose, &user(Surface::RationaleDialog)).unwrap();
    e.record_os_results(purpose, answers, &dialog()).unwrap()
}

fn events(e: &mut Engine) -> Vec<serde_json::Value> {
    e.export_proof().unwrap()["history"].as_array().unwrap().clone()
}

// ---- 1. a "no" in the system dialog ---------------------------------------------------------

#[test]
fn a_denial_in_the_system_dialog_is_a_refusal_with_the_cooldown() {
    for result in [OsResult::Denied, OsResult::DeniedPermanently] {
        let (_d, clock, mut e) = setup();
        e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
        assert!(e.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
        e.record_os_result("feedback_photo", CAMERA, result, &dialog()).unwrap();
        assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), COOLDOWN, "{result:?}");
        assert_eq!(e.decide("feedback_photo", Source::Settings).unwrap(), ASK_AGAIN, "settings can always ask");
        let last = events(&mut e).last().unwrap().clone();
        assert_eq!(last["event"], "consent_denied");
        assert_eq!(last["surface"], "system_dialog");
        assert_eq!(last["v"], 1, "an event older SDKs already read");
        // The other purpose with the same permission keeps its own consent question.
        assert_eq!(e.decide("scan_receipt", Source::Feature).unwrap(), NEVER_ASKED);
        clock.set(T0 + 48 * HOUR_MS);
        assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), ASK_AGAIN, "cooldown over");
    }
}

#[test]
fn a_grant_in_the_system_dialog_is_no_refusal() {
    let (_d, _c, mut e) = setup();
    assert!(!agree_then_answer(&mut e, "feedback_photo", &[(CAMERA, OsResult::Granted)]));
    assert!(e.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
}

#[test]
fn a_denied_alternative_or_optional_permission_is_no_refusal() {
    let (_d, _c, mut e) = setup();
    // Approximate location chosen over precise: the need "location" is met.
    assert!(!agree_then_answer(&mut e, "nearby_stores", &[(COARSE, OsResult::Granted), (FINE, OsResult::Denied)]));
    // Background location is optional.
    let refused = e.record_os_results("nearby_stores", &[(BACKGROUND, OsResult::Denied)], &dialog()).unwrap();
    assert!(!refused);
    assert!(e.decide("nearby_stores", Source::Feature).unwrap().is_allowed());
    // Both foreground location permissions denied: that is a "no".
    let (_d, _c, mut e) = setup();
    assert!(agree_then_answer(
        &mut e,
        "nearby_stores",
        &[(COARSE, OsResult::Denied), (FINE, OsResult::DeniedPermanently)]
    ));
    assert_eq!(e.decide("nearby_stores", Source::Feature).unwrap(), COOLDOWN);
}

#[test]
fn selecting_photos_in_the_picker_is_no_refusal() {
    let (_d, _c, mut e) = setup();
    assert!(!agree_then_answer(&mut e, "pick_photos", &[(IMAGES, OsResult::Denied), (SELECTED, OsResult::Granted)]));
    assert!(e.decide("pick_photos", Source::Feature).unwrap().is_allowed());
}

// ---- 3. switched off in Android's settings -------------------------------------------------

#[test]
fn a_permission_switched_off_in_settings_is_one_revocation_event() {
    let (_d, clock, mut e) = setup();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("feedback_photo", CAMERA, OsResult::Granted, &dialog()).unwrap();
    assert!(e.record_revocations(34, &[CAMERA], &settings_page()).unwrap().is_empty(), "still granted");
    clock.advance(HOUR_MS);
    let revoked_at = clock.now_ms();
    assert_eq!(e.record_revocations(34, &[], &settings_page()).unwrap(), ["feedback_photo"]);
    // Refreshing again (another resume, another process start) records nothing more.
    for _ in 0..3 {
        assert!(e.record_revocations(34, &[], &settings_page()).unwrap().is_empty());
    }
    let history = events(&mut e);
    let revocations: Vec<_> = history.iter().filter(|r| r["event"] == "permission_revoked").collect();
    assert_eq!(revocations.len(), 1);
    let r = revocations[0];
    assert_eq!(r["v"], FORMAT_VERSION, "a format-3 line");
    assert_eq!((r["purpose"].as_str(), r["permission"].as_str()), (Some("feedback_photo"), Some(CAMERA)));
    assert_eq!((r["surface"].as_str(), r["ts"].as_i64()), (Some("system_settings"), Some(revoked_at)));
    // Off in the settings view, and the cooldown of any refusal.
    let view = e.settings("en");
    assert_eq!((view[0].state, view[0].allowed), (SettingsState::Withdrawn, false));
    assert!(view[0].revoked_in_system_settings, "the row names Android's settings, not a refusal");
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), cooldown_until(revoked_at + 48 * HOUR_MS));
    assert_eq!(e.decide("feedback_photo", Source::Settings).unwrap(), ASK_AGAIN);
    // The user's own history shows it as their withdrawal, made in Android's settings.
    let h = e.consent_history("en").unwrap();
    assert_eq!(
        (h[0].event, h[0].purpose_id.as_deref(), h[0].surface, h[0].ts_ms),
        ("permission_revoked", Some("feedback_photo"), Surface::SystemSettings, revoked_at)
    );
    // Given again from the settings screen and granted by the OS: revocable again, once.
    e.grant("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    assert!(!e.settings("en")[0].revoked_in_system_settings, "given again");
    e.record_os_result("feedback_photo", CAMERA, OsResult::Granted, &dialog()).unwrap();
    assert_eq!(e.record_revocations(34, &[], &settings_page()).unwrap(), ["feedback_photo"]);
}

#[test]
fn a_withdrawal_in_the_app_is_not_shown_as_made_in_androids_settings() {
    let (_d, _clock, mut e) = setup();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    e.grant("scan_receipt", &user(Surface::RationaleDialog)).unwrap();
    e.deny("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
    let view = e.settings("en");
    assert_eq!(view[0].state, SettingsState::Withdrawn);
    assert!(view.iter().all(|row| !row.revoked_in_system_settings), "{view:?}");
}

#[test]
fn a_revocation_in_androids_settings_is_kept_through_a_compaction() {
    let (dir, clock, mut e) = setup();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("feedback_photo", CAMERA, OsResult::Granted, &dialog()).unwrap();
    e.record_revocations(34, &[], &settings_page()).unwrap();
    e.compact().unwrap();
    drop(e);
    let mut e = reopen(dir.path(), &clock, &policy_text());
    assert!(e.settings("en")[0].revoked_in_system_settings, "read back from the snapshot");
    // The snapshot still equals the events it summarises (the proof export checks it).
    assert_eq!(e.export_proof().unwrap()["journal"]["snapshots"].as_array().map(Vec::len), Some(1));
}

#[test]
fn every_purpose_that_loses_a_shared_permission_is_revoked_in_one_write() {
    let (_d, _c, mut e) = setup();
    for id in ["feedback_photo", "scan_receipt"] {
        e.grant(id, &user(Surface::RationaleDialog)).unwrap();
    }
    e.record_os_result("feedback_photo", CAMERA, OsResult::Granted, &dialog()).unwrap();
    assert_eq!(e.record_revocations(34, &[], &settings_page()).unwrap(), ["feedback_photo", "scan_receipt"]);
}

#[test]
fn a_permission_android_never_granted_is_no_revocation() {
    let (_d, _c, mut e) = setup();
    // Consent given, the system dialog denied: a refusal, not a revocation.
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("feedback_photo", CAMERA, OsResult::Denied, &dialog()).unwrap();
    assert!(e.record_revocations(34, &[], &settings_page()).unwrap().is_empty());
    // Consent given, the dialog not answered yet (no OS answer on record).
    e.grant("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
    assert!(e.record_revocations(34, &[], &settings_page()).unwrap().is_empty());
    // Approximate location kept, precise switched off: the need is still met, and the
    // journal says precise location is off (one event without a purpose, once).
    e.record_os_results("nearby_stores", &[(COARSE, OsResult::Granted), (FINE, OsResult::Granted)], &dialog()).unwrap();
    assert!(e.record_revocations(34, &[COARSE], &settings_page()).unwrap().is_empty());
    assert!(e.record_revocations(34, &[COARSE], &settings_page()).unwrap().is_empty());
    let off: Vec<_> = events(&mut e).into_iter().filter(|r| r["event"] == "permission_revoked").collect();
    assert_eq!(off.len(), 1);
    assert_eq!((off[0]["permission"].as_str(), off[0].get("purpose")), (Some(FINE), None));
    assert!(e.decide("nearby_stores", Source::Feature).unwrap().is_allowed());
    assert_eq!(e.record_revocations(34, &[], &settings_page()).unwrap(), ["nearby_stores"]);
}

#[test]
fn a_permission_switched_off_while_no_consent_stood_does_not_revoke_a_later_consent() {
    let (_d, _c, mut e) = setup();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("feedback_photo", CAMERA, OsResult::Granted, &dialog()).unwrap();
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    // Switched off in Android's settings while withdrawn: noted, nothing revoked.
    assert!(e.record_revocations(34, &[], &settings_page()).unwrap().is_empty());
    // Consent given again; the OS has not been asked yet: no revocation.
    e.grant("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    assert!(e.record_revocations(34, &[], &settings_page()).unwrap().is_empty());
    assert_eq!(e.decide("feedback_photo", Source::Settings).unwrap(), Decision::Allowed);
}

#[test]
fn an_sdk_that_knows_format_1_only_fails_closed_on_a_revocation_line() {
    // What a version-1 reader does with a line of a newer version: refuses it, and the engine
    // fails closed on the whole journal. Simulated with a line one version above this SDK.
    let (d, _c, mut e) = setup();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    let journal = d.path().join("consent.journal");
    let text = std::fs::read_to_string(&journal).unwrap();
    let last = Record::decode(text.lines().last().unwrap().as_bytes()).unwrap();
    let mut newer = last.clone();
    newer.v = FORMAT_VERSION + 1;
    newer.seq = last.seq + 1;
    newer.prev = consentgate::journal::record::line_hash(text.lines().last().unwrap().as_bytes());
    newer.event = Event::PermissionRevoked { purpose: None, permission: CAMERA.into() };
    std::fs::write(&journal, format!("{text}{}\n", newer.encode())).unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let mut reader = open(Policy::parse(&policy_text()).unwrap(), d.path(), &clock);
    let problem = reader.storage_problem().expect("fails closed").to_string();
    assert!(problem.contains("newer than this SDK reads"), "{problem}");
    assert_eq!(reader.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
}

// ---- 4. only what the app can request -------------------------------------------------------

#[test]
fn a_permission_the_manifest_does_not_request_here_is_neither_asked_nor_needed() {
    let (_d, _c, mut e) = setup();
    e.grant("pick_photos", &user(Surface::RationaleDialog)).unwrap();
    // API 30: READ_EXTERNAL_STORAGE is requestable in general...
    assert_eq!(e.request_plan("pick_photos", 30, &[]).unwrap().first, [Permission::ReadExternalStorage]);
    assert!(!e.os_grants_satisfy(2, 30, &[]));
    // ...but this app's manifest stops it at maxSdkVersion 29, so Android drops it on 30.
    e.set_manifest_permissions(&[CAMERA, IMAGES]);
    assert!(e.request_plan("pick_photos", 30, &[]).unwrap().is_empty(), "nothing to ask Android");
    assert!(e.os_grants_satisfy(2, 30, &[]), "consent alone governs it here");
    // On 33 the manifest's READ_MEDIA_IMAGES is asked and needed.
    assert_eq!(e.request_plan("pick_photos", 33, &[]).unwrap().first, [Permission::ReadMediaImages]);
    assert!(!e.os_grants_satisfy(2, 33, &[]));
    // A permission that cannot be requested is never found "revoked".
    e.record_os_result("pick_photos", READ_STORAGE, OsResult::Granted, &dialog()).unwrap();
    assert!(e.record_revocations(30, &[], &settings_page()).unwrap().is_empty());
}

// ---- 5. partial grants -----------------------------------------------------------------------

#[test]
fn partial_grants_are_allowed_reported_and_photos_ask_android_again() {
    let (_d, _c, e) = setup();
    let approximate = e.os_grant(1, 31, &[COARSE]);
    assert!(approximate.satisfied && approximate.is_partial());
    assert_eq!(approximate.not_granted, [Permission::AccessFineLocation, Permission::AccessBackgroundLocation]);
    assert!(!approximate.ask_os_again, "approximate location is the user's choice: not asked again");
    let full = e.os_grant(1, 31, &[COARSE, FINE, BACKGROUND]);
    assert!(full.satisfied && !full.is_partial());
    let selected = e.os_grant(2, 34, &[SELECTED]);
    assert!(selected.satisfied && selected.is_partial() && selected.ask_os_again);
    assert_eq!(selected.not_granted, [Permission::ReadMediaImages]);
    let plan = e.request_plan("pick_photos", 34, &[SELECTED]).unwrap();
    assert_eq!(plan.first, [Permission::ReadMediaImages, Permission::ReadMediaVisualUserSelected], "the picker");
    let all_photos = e.os_grant(2, 34, &[IMAGES]);
    assert!(all_photos.satisfied && !all_photos.is_partial() && !all_photos.ask_os_again);
    assert!(!e.os_grant(1, 31, &[BACKGROUND]).satisfied, "background alone is not location");
}

const NEEDS_POLICY: &str = r#"{
  "schema": 2,
  "policy_version": "2024-01-01",
  "default_locale": "en",
  "purposes": [
    { "id": "video_call",
      "permissions": ["android.permission.CAMERA", "android.permission.RECORD_AUDIO",
                      "android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION"],
      "needs": ["android.permission.RECORD_AUDIO",
                ["android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION"]],
      "description": { "en": "Video calls" } }
  ]
}"#;

#[test]
fn schema_2_needs_say_what_is_required_and_what_is_optional() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(Policy::parse(NEEDS_POLICY).unwrap(), dir.path(), &clock);
    e.accept_policy(&user(Surface::App)).unwrap();
    e.grant("video_call", &user(Surface::RationaleDialog)).unwrap();
    assert!(e.os_grant(0, 34, &[RECORD_AUDIO, FINE]).satisfied, "camera is optional");
    assert!(e.os_grant(0, 34, &[RECORD_AUDIO, FINE]).is_partial());
    assert!(!e.os_grant(0, 34, &[CAMERA, FINE]).satisfied, "audio is needed");
    assert!(!e.os_grant(0, 34, &[CAMERA, RECORD_AUDIO]).satisfied, "one of the locations is needed");
    // Denying the optional camera is no refusal; denying audio is.
    assert!(!e.record_os_results("video_call", &[(CAMERA, OsResult::Denied)], &dialog()).unwrap());
    assert!(e.record_os_results("video_call", &[(RECORD_AUDIO, OsResult::Denied)], &dialog()).unwrap());
}

#[test]
fn needs_are_validated_with_their_path() {
    let in_schema_1 = NEEDS_POLICY.replace("\"schema\": 2", "\"schema\": 1");
    let err = Policy::parse(&in_schema_1).unwrap_err().to_string();
    assert!(err.contains("$.purposes[0].needs"), "{err}");
    let undeclared = NEEDS_POLICY
        .replace("\"needs\": [\"android.permission.RECORD_AUDIO\"", "\"needs\": [\"android.permission.READ_CONTACTS\"");
    let err = Policy::parse(&undeclared).unwrap_err().to_string();
    assert!(err.contains("$.purposes[0].needs[0]") && err.contains("not in this purpose's permissions"), "{err}");
}

// ---- 6. consent bound to what the user read ------------------------------------------------

fn reopen(dir: &std::path::Path, clock: &Arc<ManualClock>, policy: &str) -> Engine {
    open(Policy::parse(policy).unwrap(), dir, clock)
}

/// A fresh folder where the user accepted the policy, then agreed to feedback_photo reading it in `locale`.
fn agreed_reading(locale: &str) -> (tempfile::TempDir, Arc<ManualClock>, Engine) {
    let (dir, clock, mut e) = temp_engine(small_policy());
    e.accept_policy(&user(Surface::App)).unwrap();
    e.grant("feedback_photo", &Context::new(Surface::RationaleDialog, locale, Actor::User)).unwrap();
    (dir, clock, e)
}

#[test]
fn a_translation_the_user_did_not_read_does_not_ask_again_what_they_read_does() {
    let (dir, clock, e) = agreed_reading("en-GB");
    drop(e);
    let allowed = |policy: &str| reopen(dir.path(), &clock, policy).decide("feedback_photo", Source::Feature).unwrap();
    // The user read the "en" text (en-GB falls back to it).
    let added = SMALL_POLICY.replace(r#""en": "Take a photo"#, r#""zh-TW": "用戶問題反饋拍照", "en": "Take a photo"#);
    assert!(allowed(&added).is_allowed(), "a translation added");
    let edited = SMALL_POLICY.replace("用户问题反馈拍照上传照片", "拍照上传照片用于反馈");
    assert!(allowed(&edited).is_allowed(), "a translation the user did not read edited");
    let reworded = SMALL_POLICY.replace("Take a photo to attach to your feedback", "Take photos for any purpose");
    assert_eq!(allowed(&reworded), STALE, "the text the user read changed");
    let more_permissions = SMALL_POLICY.replacen(
        r#"["android.permission.CAMERA"]"#,
        r#"["android.permission.CAMERA", "android.permission.RECORD_AUDIO"]"#,
        1,
    );
    assert_eq!(allowed(&more_permissions), STALE, "a permission added");
    let recipient = SMALL_POLICY.replacen(
        r#""en": "Take a photo to attach to your feedback" } }"#,
        r#""en": "Take a photo to attach to your feedback" }, "recipients": [{ "name": "X", "data": "photos" }] }"#,
        1,
    );
    assert_eq!(allowed(&recipient), STALE, "a recipient added");
    assert!(allowed(SMALL_POLICY).is_allowed());
}

#[test]
fn the_translation_read_is_kept_through_a_compaction() {
    let (dir, clock, mut e) = agreed_reading("en");
    e.compact().unwrap();
    drop(e);
    let live = std::fs::read_to_string(dir.path().join("consent.journal")).unwrap();
    assert!(live.starts_with(r#"{"v":1,"#) && live.contains("seen_fp"), "{live}");
    // Read back from the snapshot alone: a translation added later still asks nobody again.
    let added = SMALL_POLICY.replace(r#""en": "Take a photo"#, r#""zh-TW": "用戶問題反饋拍照", "en": "Take a photo"#);
    assert!(reopen(dir.path(), &clock, &added).decide("feedback_photo", Source::Feature).unwrap().is_allowed());
}

#[test]
fn consents_written_before_seen_fp_stay_valid_while_their_purpose_is_unchanged() {
    // The committed fixture journal was written by the SDK before this change (schema-1
    // policy, consents with the whole-purpose fingerprint only).
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/journals/reset");
    let policy = std::fs::read_to_string(format!("{fixtures}/policy.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(format!("{fixtures}/consent.journal"), dir.path().join("consent.journal")).unwrap();
    let clock = Arc::new(ManualClock::new(T0 + 400 * 24 * HOUR_MS));
    let mut e = reopen(dir.path(), &clock, &policy);
    assert!(e.decide("nearby_stores", Source::Feature).unwrap().is_allowed(), "no re-consent on upgrade");
    drop(e);
    // Such a consent does not say which translation was read: any change to the purpose asks
    // once more (documented); consents given from now on survive translation changes.
    let added =
        policy.replace(r#""en": "Find stores near you""#, r#""zh-TW": "查找附近門店", "en": "Find stores near you""#);
    let mut e = reopen(dir.path(), &clock, &added);
    assert_eq!(e.decide("nearby_stores", Source::Feature).unwrap(), STALE);
    e.grant("nearby_stores", &user(Surface::RationaleDialog)).unwrap();
    drop(e);
    let again = added.replace("查找附近門店", "尋找附近門市");
    assert!(reopen(dir.path(), &clock, &again).decide("nearby_stores", Source::Feature).unwrap().is_allowed());
}

// ---- 7. minors --------------------------------------------------------------------------------

#[test]
fn every_bracket_under_18_needs_a_guardian_and_the_rationale_says_so() {
    let (_d, _c, mut e) = setup();
    assert!(!e.rationale("feedback_photo", "zh-CN").unwrap().guardian_required);
    for age in [AgeBracket::Under14, AgeBracket::Age14To17] {
        e.set_age_bracket(age, &user(Surface::App)).unwrap();
        assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_GUARDIAN);
        assert!(e.rationale("feedback_photo", "zh-CN").unwrap().guardian_required, "{age:?}");
    }
    e.set_guardian_consent(true, &Context::new(Surface::App, "zh-CN", Actor::Guardian)).unwrap();
    e.grant("feedback_photo", &Context::new(Surface::RationaleDialog, "zh-CN", Actor::Guardian)).unwrap();
    assert!(e.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
    assert_eq!(events(&mut e).last().unwrap()["actor"], "guardian");
    e.set_age_bracket(AgeBracket::Adult, &user(Surface::App)).unwrap();
    assert!(!e.rationale("feedback_photo", "zh-CN").unwrap().guardian_required);
}

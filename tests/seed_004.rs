//! Seed 004 (phone-backup / dialer app privacy policy, 2021-11-17), section 9's
//! permission -> purpose table loaded as a policy (examples/phone-backup/policy.json) and
//! walked through the promises the policy makes about it.

mod common;

use std::sync::Arc;

use common::*;
use consentgate::*;

fn app() -> (tempfile::TempDir, Arc<ManualClock>, Engine) {
    temp_engine(phone_backup_policy())
}

fn ids(e: &Engine) -> Vec<String> {
    e.policy().purposes.iter().map(|p| p.id.clone()).collect()
}

/// Section 9 lists these functions; each is its own purpose with exactly its permission.
#[test]
fn section_9_table_is_declared_one_purpose_per_function() {
    let (_d, _c, e) = app();
    let expect = [
        ("feedback_photo", "android.permission.CAMERA"),
        ("import_contacts_to_dial", "android.permission.READ_CONTACTS"),
        ("sync_customers_to_contacts", "android.permission.WRITE_CONTACTS"),
        ("call_quality_recording", "android.permission.RECORD_AUDIO"),
        ("dial_imported_numbers", "android.permission.CALL_PHONE"),
        ("customer_call_history", "android.permission.READ_CALL_LOG"),
        ("after_call_sms", "android.permission.SEND_SMS"),
        ("export_excel_report", "android.permission.WRITE_EXTERNAL_STORAGE"),
        ("import_documents", "android.permission.READ_EXTERNAL_STORAGE"),
    ];
    for (id, permission) in expect {
        let p = e.policy().purpose(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(p.permissions, vec![Permission::parse(permission).unwrap()], "{id}");
        assert!(p.description.contains_key("zh-CN") && p.description.contains_key("en"), "{id}");
    }
    assert_eq!(e.policy().policy_version, "2021-11-17");
}

/// "默认关闭" — sensitive permissions are off by default and nothing is usable before the
/// privacy policy is accepted.
#[test]
fn everything_is_off_by_default() {
    let (_d, _c, mut e) = app();
    for id in ids(&e) {
        assert_eq!(e.decide(&id, Source::Feature).unwrap(), BLOCKED_POLICY, "{id}");
    }
    e.accept_policy(&user(Surface::App)).unwrap();
    for id in ids(&e) {
        assert_eq!(e.decide(&id, Source::Feature).unwrap(), NEVER_ASKED, "{id}");
    }
    assert!(e.settings("zh-CN").iter().all(|row| !row.allowed));
}

/// No bundled consent: agreeing to one function enables that function only.
#[test]
fn consent_is_never_bundled() {
    let (_d, _c, mut e) = app();
    accept_and_grant(&mut e, &["import_contacts_to_dial"]);
    for id in ids(&e) {
        let allowed = e.decide(&id, Source::Feature).unwrap().is_allowed();
        assert_eq!(allowed, id == "import_contacts_to_dial", "{id}");
    }
    // Write-only contact sync is a different purpose even though Android groups the two.
    assert!(!e.decide("sync_customers_to_contacts", Source::Feature).unwrap().is_allowed());
}

/// A refusal is respected: the app cannot ask again on its own for 48 hours, while the
/// user can still change their mind from the settings screen at any time.
#[test]
fn refusal_is_respected() {
    let (_d, clock, mut e) = app();
    e.accept_policy(&user(Surface::App)).unwrap();
    e.deny("call_quality_recording", &user(Surface::RationaleDialog)).unwrap();
    let blocked = e.decide("call_quality_recording", Source::Feature).unwrap();
    assert_eq!(blocked, cooldown_until(T0 + 48 * HOUR_MS));
    assert!(!e.decide("call_quality_recording", Source::Settings).unwrap().is_allowed());
    e.grant("call_quality_recording", &user(Surface::SettingsScreen)).unwrap();
    assert!(e.decide("call_quality_recording", Source::Feature).unwrap().is_allowed());
    e.withdraw("call_quality_recording", &user(Surface::SettingsScreen)).unwrap();
    clock.advance(48 * HOUR_MS);
    assert_eq!(e.decide("call_quality_recording", Source::Feature).unwrap(), ASK_AGAIN);
}

/// "如果我们要将您的个人信息用于本政策未载明的其他用途…会事先征求您的同意": a changed purpose
/// needs fresh consent; unchanged purposes keep theirs.
#[test]
fn a_purpose_change_needs_fresh_consent() {
    let (d, clock, mut e) = app();
    accept_and_grant(&mut e, &["location_service", "feedback_photo"]);
    drop(e);
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/phone-backup/policy.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let location = json["purposes"].as_array_mut().unwrap().iter_mut().find(|p| p["id"] == "location_service").unwrap();
    location["recipients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "Ad network", "data": "GPS location"}));
    let changed = Policy::parse(&json.to_string()).unwrap();
    let mut e = open(changed, d.path(), &clock);
    assert_eq!(e.decide("location_service", Source::Feature).unwrap(), STALE);
    assert!(e.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
    let rationale = e.rationale("location_service", "en").unwrap();
    assert!(
        rationale.recipients.iter().any(|r| r.name == "Ad network"),
        "the new recipient is shown when asking again"
    );
}

/// Withdrawal stops future use at once, but does not rewrite the past: the history of what
/// was agreed and when stays in the proof.
#[test]
fn withdrawal_stops_future_use_and_keeps_history() {
    let (_d, clock, mut e) = app();
    accept_and_grant(&mut e, &["after_call_sms"]);
    os_answer(&mut e, "after_call_sms", "android.permission.SEND_SMS", OsResult::Granted);
    clock.advance(HOUR_MS);
    let to_revoke = e.withdraw("after_call_sms", &user(Surface::SettingsScreen)).unwrap();
    assert_eq!(to_revoke, vec![Permission::SendSms]);
    assert!(!e.decide("after_call_sms", Source::Feature).unwrap().is_allowed());
    let proof = e.export_proof().unwrap();
    let events: Vec<(&str, i64)> = proof["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["purpose"] == "after_call_sms")
        .map(|r| (r["event"].as_str().unwrap(), r["ts"].as_i64().unwrap()))
        .collect();
    assert_eq!(events, [("consent_granted", T0), ("os_result", T0), ("consent_withdrawn", T0 + HOUR_MS)]);
}

/// Location goes to the map provider only while the location feature is used: the
/// Amap SDK (3.1.2c) is shown with its company and link, and the point-of-use check is false
/// once withdrawn.
#[test]
fn location_is_shared_only_with_consent_and_the_recipient_is_shown() {
    let (_d, _c, mut e) = app();
    e.accept_policy(&user(Surface::App)).unwrap();
    let r = e.rationale("location_service", "zh-CN").unwrap();
    let amap = r.sdks.iter().find(|x| x.name.contains("高德")).unwrap_or_else(|| panic!("{:?}", r.sdks));
    assert_eq!(amap.company, "高德软件有限公司");
    assert!(amap.privacy_url.starts_with("https://"), "{}", amap.privacy_url);
    assert_eq!(e.rationale("location_service", "en").unwrap().sdks[0].company, "AutoNavi Software Co., Ltd.");
    e.grant("location_service", &user(Surface::RationaleDialog)).unwrap();
    assert!(e.decide("location_service", Source::Feature).unwrap().is_allowed());
    e.withdraw("location_service", &user(Surface::SettingsScreen)).unwrap();
    assert!(!e.decide("location_service", Source::Feature).unwrap().is_allowed());
}

/// "若您是未满18周岁的未成年人…应在监护人的陪同下阅读本政策，并取得监护人的同意".
#[test]
fn under_18s_need_a_guardian() {
    let (_d, _c, mut e) = app();
    e.accept_policy(&user(Surface::App)).unwrap();
    e.set_age_bracket(AgeBracket::Age14To17, &user(Surface::App)).unwrap();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_GUARDIAN);
    e.set_guardian_consent(true, &Context::new(Surface::App, "zh-CN", Actor::Guardian)).unwrap();
    assert!(e.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
}

/// Storage on today's Android: the write permission means nothing on API 30+, the read
/// permission is requested only where the policy's documents import can use it.
#[test]
fn storage_requests_follow_the_api_level() {
    let (_d, _c, e) = app();
    let plan = |id, api| e.request_plan(id, api, &[]).unwrap();
    assert_eq!(plan("export_excel_report", 29).first, vec![Permission::WriteExternalStorage]);
    assert!(plan("export_excel_report", 30).is_empty());
    assert_eq!(plan("import_documents", 28).first, vec![Permission::ReadExternalStorage]);
    assert!(plan("import_documents", 33).is_empty(), "READ_EXTERNAL_STORAGE means nothing on 33+");
}

/// Account deletion: every record is gone and nothing is allowed afterwards.
#[test]
fn account_deletion_erases_everything() {
    let (d, _c, mut e) = app();
    accept_and_grant(&mut e, &["feedback_photo"]);
    e.erase().unwrap();
    assert!(!d.path().join("consent.journal").exists());
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);
    assert_eq!(e.export_proof().unwrap()["history"].as_array().unwrap().len(), 0);
}

/// 1.1.1f one-key login, 1.1.2 identity verification, 3.1.5 marketing: consent with no
/// Android permission. Nothing to ask the OS; allowed is the consent alone.
#[test]
fn consent_only_purposes_need_consent_and_nothing_else() {
    let (_d, _c, mut e) = app();
    for id in ["one_key_login", "id_verification", "marketing_campaigns"] {
        assert_eq!(e.decide(id, Source::Feature).unwrap(), BLOCKED_POLICY);
    }
    e.accept_policy(&user(Surface::App)).unwrap();
    let login = e.policy().index_of("one_key_login").unwrap();
    assert!(e.request_plan("one_key_login", 35, &[]).unwrap().is_empty(), "no OS step");
    assert!(e.os_grants_satisfy(login, 35, &[]), "no grant needed");
    assert!(!e.decide("one_key_login", Source::Feature).unwrap().is_allowed(), "but consent is");
    e.grant("one_key_login", &user(Surface::RationaleDialog)).unwrap();
    assert!(e.decide("one_key_login", Source::Feature).unwrap().is_allowed());
    e.deny("marketing_campaigns", &user(Surface::RationaleDialog)).unwrap();
    assert!(matches!(
        e.decide("marketing_campaigns", Source::Feature).unwrap(),
        Decision::Blocked { reason: BlockReason::Cooldown { .. } }
    ));
    let r = e.rationale("marketing_campaigns", "zh-CN").unwrap();
    assert_eq!(r.recipients[0].data, "姓名、通信地址、联系方式、银行帐号", "recipient data in Chinese");
    assert!(r.permissions.is_empty());
}

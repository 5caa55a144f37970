//! Schema 2 in the engine: consent-only purposes, SDK state, withdrawing the privacy-policy
//! acceptance (journaled, every purpose blocked, nothing revived by accepting again), the
//! user's history, the lists and the policy text.

mod common;

use std::sync::Arc;

use common::*;
use consentgate::journal::record::Record;
use consentgate::*;

fn app() -> (tempfile::TempDir, Arc<ManualClock>, Engine) {
    temp_engine(phone_backup_policy())
}

#[test]
fn an_sdk_may_run_only_while_a_purpose_it_serves_is_allowed() {
    let (_d, clock, mut e) = app();
    assert!(!e.sdk_allowed("amap_location").unwrap(), "nothing before the privacy policy");
    e.accept_policy(&user(Surface::App)).unwrap();
    assert!(!e.sdk_allowed("amap_location").unwrap(), "nor before consent");
    e.grant("location_service", &user(Surface::RationaleDialog)).unwrap();
    assert!(e.sdk_allowed("amap_location").unwrap());
    clock.advance(HOUR_MS);
    e.withdraw("location_service", &user(Surface::SettingsScreen)).unwrap();
    assert!(!e.sdk_allowed("amap_location").unwrap());
    assert!(matches!(e.sdk_allowed("nope"), Err(CoreError::InvalidArgument(_))));
}

#[test]
fn withdrawing_the_privacy_policy_blocks_everything_and_revives_nothing() {
    let (dir, clock, mut e) = app();
    accept_and_grant(&mut e, &["location_service", "one_key_login"]);
    clock.advance(HOUR_MS);
    e.withdraw_policy(&user(Surface::SettingsScreen)).unwrap();
    for id in ["location_service", "one_key_login", "feedback_photo"] {
        assert_eq!(e.decide(id, Source::Feature).unwrap(), BLOCKED_POLICY, "{id}");
    }
    assert!(!e.sdk_allowed("amap_location").unwrap());
    // Durable: another engine on the same folder (a later process) sees the same.
    let mut again = open(phone_backup_policy(), dir.path(), &clock);
    assert_eq!(again.decide("location_service", Source::Feature).unwrap(), BLOCKED_POLICY);
    // Accepting again revives no consent: each purpose is asked again (the feature waits
    // for the cooldown, as after any withdrawal; settings may ask at once).
    clock.advance(HOUR_MS);
    again.accept_policy(&user(Surface::App)).unwrap();
    assert!(matches!(
        again.decide("location_service", Source::Feature).unwrap(),
        Decision::Blocked { reason: BlockReason::Cooldown { .. } }
    ));
    assert_eq!(again.decide("location_service", Source::Settings).unwrap(), ASK_AGAIN);
    assert_eq!(again.decide("feedback_photo", Source::Feature).unwrap(), NEVER_ASKED, "never asked stays never asked");
    // On disk: a format-2 line of its own kind; the older kinds stay version 1.
    let text = std::fs::read_to_string(dir.path().join("consent.journal")).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let withdrawn = lines.iter().find(|l| l["event"] == "policy_withdrawn").unwrap();
    assert_eq!(withdrawn["v"], 2);
    assert_eq!(withdrawn["surface"], "settings_screen");
    assert!(lines.iter().filter(|l| l["event"] != "policy_withdrawn").all(|l| l["v"] == 1));
    for line in text.lines() {
        Record::decode(line.as_bytes()).expect("every line verifies");
    }
}

#[test]
fn a_compacted_journal_keeps_the_withdrawal() {
    let (dir, clock, mut e) = app();
    accept_and_grant(&mut e, &["one_key_login"]);
    e.withdraw_policy(&user(Surface::SettingsScreen)).unwrap();
    e.compact().unwrap();
    let mut again = open(phone_backup_policy(), dir.path(), &clock);
    again.accept_policy(&user(Surface::App)).unwrap();
    assert!(!again.decide("one_key_login", Source::Feature).unwrap().is_allowed());
}

#[test]
fn the_history_screen_shows_the_users_own_decisions_newest_first() {
    let (_d, clock, mut e) = app();
    e.accept_policy(&user(Surface::App)).unwrap();
    clock.advance(HOUR_MS);
    e.grant("one_key_login", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("feedback_photo", CAMERA, OsResult::Denied, &user(Surface::SystemDialog)).unwrap();
    clock.advance(HOUR_MS);
    e.deny("marketing_campaigns", &user(Surface::RationaleDialog)).unwrap();
    e.withdraw_policy(&user(Surface::SettingsScreen)).unwrap();
    let h = e.consent_history("en").unwrap();
    let events: Vec<(&str, Option<&str>, i64)> =
        h.iter().map(|x| (x.event, x.purpose_id.as_deref(), x.ts_ms)).collect();
    assert_eq!(
        events,
        [
            ("policy_withdrawn", None, T0 + 2 * HOUR_MS),
            ("consent_denied", Some("marketing_campaigns"), T0 + 2 * HOUR_MS),
            // The "no" in Android's dialog is the user's refusal of the purpose (issue 14)...
            ("consent_denied", Some("feedback_photo"), T0 + HOUR_MS),
            ("consent_granted", Some("one_key_login"), T0 + HOUR_MS),
            ("policy_accepted", None, T0),
        ],
        "OS answers themselves are not the user's consent decisions"
    );
    // ...and says where it was given.
    assert_eq!(h[2].surface, Surface::SystemDialog, "{:?}", h[2]);
    assert!(h[3].purpose.as_deref().unwrap().starts_with("One-key login"), "{:?}", h[3].purpose);
    assert!(e.consent_history("zh-CN").unwrap()[3].purpose.as_deref().unwrap().contains("一键登录"));
}

#[test]
fn lists_and_policy_text_from_the_engine() {
    let (_d, _c, e) = app();
    let zh = e.lists("zh-CN");
    assert_eq!(zh.collection.len(), e.policy().purposes.len());
    let sdk = zh.sharing.iter().find(|r| r.purpose_id == "location_service").unwrap();
    assert_eq!(sdk.company.as_deref(), Some("高德软件有限公司"));
    let text = e.policy_text("en").unwrap();
    assert_eq!(text.asset.as_deref(), Some("privacy/privacy-policy.en.html"));
    assert_eq!(text.url, None);
    assert_eq!(e.policy_text("zh").unwrap().asset.as_deref(), Some("privacy/privacy-policy.zh-CN.html"));
    let (_d2, _c2, small) = temp_engine(small_policy());
    assert_eq!(small.policy_text("en"), None, "a schema-1 policy names no text");
}

#[test]
fn the_proof_names_sdks_for_schema_2_and_keeps_the_schema_1_shape() {
    let (_d, _c, mut e) = app();
    let proof = e.export_proof().unwrap();
    assert_eq!(proof["policy"]["schema"], 2);
    assert_eq!(proof["policy"]["sdks"][0]["id"], "amap_location");
    let location =
        proof["policy"]["purposes"].as_array().unwrap().iter().find(|p| p["id"] == "location_service").unwrap();
    assert_eq!(location["sdks"], serde_json::json!(["amap_location"]));
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let proof = open(small_policy(), dir.path(), &clock).export_proof().unwrap();
    let keys: Vec<&String> = proof["policy"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["default_locale", "denial_cooldown_hours", "policy_version", "purposes"]);
}

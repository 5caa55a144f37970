//! Schema 2: every addition is optional, validated with path and line, and part of the
//! fingerprint only when present.

mod common;

use common::{assert_issue, issue_at};

use consentgate::permission::{Kind, Permission, RequestPlan};
use consentgate::policy::{Policy, Text};

/// A schema-2 policy with `extra` top-level fields and one purpose.
fn policy(schema: u32, purpose: &str, extra: &str) -> String {
    format!(
        r#"{{
  "schema": {schema},
  "policy_version": "v1",
  "default_locale": "zh-CN",
  {extra}
  "purposes": [
    {purpose}
  ]
}}"#
    )
}

const LOCATION: &str = r#"{ "id": "nearby_stores",
      "permissions": ["android.permission.ACCESS_FINE_LOCATION"],
      "description": { "zh-CN": "查找附近门店", "en": "Find stores near you" } }"#;

const AMAP: &str = r#""sdks": [{ "id": "amap", "name": { "zh-CN": "高德地图 SDK", "en": "Amap SDK" },
    "company": "高德软件有限公司", "data": { "zh-CN": "位置信息", "en": "location" },
    "purposes": ["nearby_stores"], "privacy_url": "https://lbs.amap.com/pages/privacy/",
    "packages": ["com.amap.api", "com.loc"] }],"#;

#[test]
fn a_schema_2_file_may_use_nothing_new_and_keeps_schema_1_fingerprints() {
    let one = Policy::parse(common::SMALL_POLICY).unwrap();
    let two = Policy::parse(&common::SMALL_POLICY.replace("\"schema\": 1", "\"schema\": 2")).unwrap();
    assert_eq!((one.schema, two.schema), (1, 2));
    for (a, b) in one.purposes.iter().zip(&two.purposes) {
        assert_eq!(a.fingerprint, b.fingerprint, "{}: moving to schema 2 alone asks nobody again", a.id);
    }
}

#[test]
fn consent_only_purpose() {
    let src = policy(
        2,
        r#"{ "id": "one_key_login", "permissions": [],
      "description": { "zh-CN": "本机号码一键登录", "en": "One-key login with this phone's number" },
      "data": { "zh-CN": "本机号码", "en": "this phone's number" }, "when": "登录时" }"#,
        "",
    );
    let p = Policy::parse(&src).unwrap();
    let purpose = &p.purposes[0];
    assert!(purpose.is_consent_only());
    assert_eq!(purpose.data.as_ref().unwrap().for_locale("en-US", "zh-CN"), "this phone's number");
    assert_eq!(
        purpose.when.as_ref().unwrap().for_locale("en", "zh-CN"),
        "登录时",
        "a single string serves every locale"
    );
    assert!(RequestPlan::for_api(&purpose.permissions, 35, &[]).is_empty());
    // Schema 1 still refuses it, and says how to get it.
    let schema_1 = src.replace("\"schema\": 2", "\"schema\": 1");
    assert_issue(&schema_1, "$.purposes[0].permissions", "consent-only purpose needs \"schema\": 2", 7);
}

#[test]
fn schema_2_fields_in_a_schema_1_file_say_which_schema_they_need() {
    let src = policy(1, LOCATION, &format!("{AMAP} \"privacy_policy\": {{ \"url\": \"https://example.com/p\" }},"));
    let (msg, line) = issue_at(&src, "$.sdks");
    assert_eq!(msg, "the field \"sdks\" needs \"schema\": 2");
    assert_eq!(line, Some(5));
    assert!(issue_at(&src, "$.privacy_policy").0.contains("needs \"schema\": 2"));
    let notif = LOCATION.replace("ACCESS_FINE_LOCATION", "POST_NOTIFICATIONS");
    let (msg, _) = issue_at(&policy(1, &notif, ""), "$.purposes[0].permissions[0]");
    assert_eq!(msg, "android.permission.POST_NOTIFICATIONS needs \"schema\": 2");
    let localized = LOCATION.replace(
        "\"description\"",
        "\"recipients\": [{ \"name\": { \"zh-CN\": \"高德\" }, \"data\": \"位置\" }], \"description\"",
    );
    let (msg, _) = issue_at(&policy(1, &localized, ""), "$.purposes[0].recipients[0].name");
    assert!(msg.contains("text per locale needs \"schema\": 2"), "{msg}");
}

#[test]
fn recipients_per_locale_with_fallback_and_a_single_string_still_valid() {
    let purpose = LOCATION.replace(
        "\"description\"",
        r#""recipients": [
        { "name": { "zh-CN": "高德地图", "en": "Amap" }, "data": { "zh-CN": "位置信息", "en": "location" } },
        { "name": "Ad network", "data": "device id" }], "description""#,
    );
    let p = Policy::parse(&policy(2, &purpose, "")).unwrap();
    let r = &p.purposes[0].recipients;
    assert_eq!(r[0].name.for_locale("zh-CN", "zh-CN"), "高德地图");
    assert_eq!(r[0].data.for_locale("en-GB", "zh-CN"), "location", "same language");
    assert_eq!(r[0].data.for_locale("fr", "zh-CN"), "位置信息", "default locale");
    assert_eq!(r[1].name, Text::Plain("Ad network".into()));
    let missing_default = purpose.replace("{ \"zh-CN\": \"高德地图\", \"en\": \"Amap\" }", "{ \"en\": \"Amap\" }");
    let (msg, _) = issue_at(&policy(2, &missing_default, ""), "$.purposes[0].recipients[0].name");
    assert_eq!(msg, "no text in the default locale \"zh-CN\"");
}

#[test]
fn sdks_are_declared_with_their_purposes_and_bound_into_the_fingerprint() {
    let without = Policy::parse(&policy(2, LOCATION, "")).unwrap();
    let with = Policy::parse(&policy(2, LOCATION, AMAP)).unwrap();
    let sdk = with.sdk("amap").unwrap();
    assert_eq!(sdk.packages, ["com.amap.api", "com.loc"]);
    assert_eq!(with.sdks_of(&with.purposes[0]).map(|s| s.id.as_str()).collect::<Vec<_>>(), ["amap"]);
    assert_ne!(without.purposes[0].fingerprint, with.purposes[0].fingerprint, "a new SDK is asked for again");
    let renamed = Policy::parse(&policy(2, LOCATION, &AMAP.replace("高德软件有限公司", "Other Co."))).unwrap();
    assert_ne!(renamed.purposes[0].fingerprint, with.purposes[0].fingerprint, "the company is what the user saw");
    let more_code =
        Policy::parse(&policy(2, LOCATION, &AMAP.replace("\"com.loc\"", "\"com.loc\", \"com.autonavi\""))).unwrap();
    assert_eq!(more_code.purposes[0].fingerprint, with.purposes[0].fingerprint, "packages are not shown to users");
}

#[test]
fn sdk_errors_name_the_field() {
    let bad = AMAP
        .replace("[\"nearby_stores\"]", "[\"nearby_store\"]")
        .replace("https://lbs.amap.com/pages/privacy/", "lbs.amap.com")
        .replace("\"com.loc\"", "\"com..loc\"")
        .replace("\"id\": \"amap\"", "\"id\": \"nearby_stores\"");
    let src = policy(2, LOCATION, &bad);
    assert_eq!(issue_at(&src, "$.sdks[0].purposes[0]").0, "no purpose \"nearby_store\" is declared");
    assert!(issue_at(&src, "$.sdks[0].privacy_url").0.contains("is not an http(s) URL"));
    assert!(issue_at(&src, "$.sdks[0].packages[1]").0.contains("not a Java package prefix"));
    assert_eq!(issue_at(&src, "$.sdks[0].id").0, "\"nearby_stores\" is already a purpose id");
    let (msg, line) =
        issue_at(&policy(2, LOCATION, &AMAP.replace("\"company\": \"高德软件有限公司\", ", "")), "$.sdks[0].company");
    assert_eq!((msg.as_str(), line), ("missing required field", Some(5)));
}

#[test]
fn privacy_policy_text_per_locale() {
    let extra = r#""privacy_policy": { "url": { "zh-CN": "https://example.com/zh", "en": "https://example.com/en" },
    "asset": "privacy/policy.html" },"#;
    let p = Policy::parse(&policy(2, LOCATION, extra)).unwrap();
    let text = p.privacy_policy.unwrap();
    assert_eq!(text.url.unwrap().for_locale("en-US", "zh-CN"), "https://example.com/en");
    assert_eq!(text.asset.unwrap().for_locale("en", "zh-CN"), "privacy/policy.html");
    let (msg, _) = issue_at(&policy(2, LOCATION, r#""privacy_policy": {},"#), "$.privacy_policy");
    assert_eq!(msg, "give the text's \"url\", \"asset\" or both");
    let (msg, _) =
        issue_at(&policy(2, LOCATION, r#""privacy_policy": { "asset": "../secret" },"#), "$.privacy_policy.asset");
    assert!(msg.contains("not a path inside the app's assets folder"), "{msg}");
}

/// `android.permission.NAME`, which must be of `kind`.
fn permission_of_kind(name: &str, kind: Kind) -> Permission {
    let p = Permission::parse(&format!("android.permission.{name}")).unwrap();
    assert_eq!(p.kind(), kind, "{name}");
    p
}

/// Runtime and special permissions with their kind and the first API level on which the app
/// can ask for them (one table for both tests below).
const API_LEVELS: [(&str, Kind, u32); 17] = [
    ("POST_NOTIFICATIONS", Kind::Runtime, 33),
    ("BLUETOOTH_SCAN", Kind::Runtime, 31),
    ("BLUETOOTH_CONNECT", Kind::Runtime, 31),
    ("BLUETOOTH_ADVERTISE", Kind::Runtime, 31),
    ("NEARBY_WIFI_DEVICES", Kind::Runtime, 33),
    ("UWB_RANGING", Kind::Runtime, 31),
    ("BODY_SENSORS", Kind::Runtime, 23),
    ("BODY_SENSORS_BACKGROUND", Kind::Runtime, 33),
    ("ACTIVITY_RECOGNITION", Kind::Runtime, 29),
    ("READ_MEDIA_VISUAL_USER_SELECTED", Kind::Runtime, 34),
    ("ACCESS_MEDIA_LOCATION", Kind::Runtime, 29),
    ("MANAGE_EXTERNAL_STORAGE", Kind::Special, 30),
    ("SYSTEM_ALERT_WINDOW", Kind::Special, 23),
    ("SCHEDULE_EXACT_ALARM", Kind::Special, 31),
    ("REQUEST_INSTALL_PACKAGES", Kind::Special, 26),
    ("PACKAGE_USAGE_STATS", Kind::Special, 23),
    ("WRITE_SETTINGS", Kind::Special, 23),
];

#[test]
fn every_runtime_and_special_permission_of_api_35_with_its_api_level() {
    for (name, kind, min) in API_LEVELS {
        let p = permission_of_kind(name, kind);
        assert!(!p.requestable_on(min - 1), "{name}: nothing to request below {min}");
        assert!(p.requestable_on(min) && p.requestable_on(35), "{name}");
    }
    // Nothing to ask below 33: notifications are on by default there.
    let notif = [Permission::PostNotifications];
    assert!(RequestPlan::for_api(&notif, 32, &[]).is_empty());
    assert_eq!(RequestPlan::for_api(&notif, 33, &[]).first, notif);
}

#[test]
fn special_permissions_go_to_a_settings_page_step() {
    for (name, _, min) in API_LEVELS.into_iter().filter(|&(_, kind, _)| kind == Kind::Special) {
        let p = permission_of_kind(name, Kind::Special);
        let plan = RequestPlan::for_api(&[Permission::Camera, p], 35, &[]);
        assert_eq!((plan.first.as_slice(), plan.special.as_slice()), (&[Permission::Camera][..], &[p][..]), "{name}");
        assert!(RequestPlan::for_api(&[p], min - 1, &[]).is_empty(), "{name} below {min}");
        assert!(RequestPlan::for_api(&[p], 35, &[p]).is_empty(), "{name} already granted");
    }
}

#[test]
fn background_body_sensors_is_a_second_step_after_body_sensors() {
    let both = [Permission::BodySensors, Permission::BodySensorsBackground];
    let plan = RequestPlan::for_api(&both, 33, &[]);
    assert_eq!(plan.first, [Permission::BodySensors]);
    assert_eq!(plan.background(), Some(Permission::BodySensorsBackground));
    let alone = LOCATION.replace("ACCESS_FINE_LOCATION", "BODY_SENSORS_BACKGROUND");
    let (msg, _) = issue_at(&policy(2, &alone, ""), "$.purposes[0].permissions");
    assert!(msg.starts_with("BODY_SENSORS_BACKGROUND needs BODY_SENSORS in the same purpose"), "{msg}");
}

//! Policy validation: every rule names the JSON path, the line and the reason.

mod common;

use common::{assert_issue, errors, issue_at};

use consentgate::policy::Policy;

fn with_purpose(purpose: &str) -> String {
    format!(
        r#"{{
  "schema": 1,
  "policy_version": "v1",
  "default_locale": "en",
  "purposes": [
    {purpose}
  ]
}}"#
    )
}

#[test]
fn the_example_policies_are_valid() {
    for name in ["phone-backup", "assistant"] {
        let path = format!("{}/examples/{name}/policy.json", env!("CARGO_MANIFEST_DIR"));
        let policy = Policy::parse(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!policy.purposes.is_empty());
    }
}

#[test]
fn not_json_names_the_line() {
    let err = errors("{\n  \"schema\": 1,\n  \"purposes\": [,]\n}");
    assert_eq!(err.issues[0].line, Some(3));
    assert!(err.to_string().contains("not valid JSON"), "{err}");
}

#[test]
fn unknown_schema() {
    assert_issue(&common::SMALL_POLICY.replace("\"schema\": 1", "\"schema\": 3"), "$.schema", "unknown schema 3", 2);
}

#[test]
fn duplicate_purpose_id() {
    let src = common::SMALL_POLICY.replace("\"scan_receipt\"", "\"feedback_photo\"");
    assert_issue(&src, "$.purposes[2].id", "duplicate purpose id \"feedback_photo\"", 13);
}

#[test]
fn malformed_purpose_id() {
    for bad in ["Feedback", "1photo", "feedback-photo", "", "照片"] {
        let src = with_purpose(&format!(
            r#"{{"id": "{bad}", "permissions": ["android.permission.CAMERA"], "description": {{"en": "x"}}}}"#
        ));
        let err = errors(&src);
        assert!(err.issues.iter().any(|i| i.path == "$.purposes[0].id"), "{bad}: {err}");
    }
}

#[test]
fn empty_permission_list() {
    let (msg, _) = issue_at(
        &with_purpose(r#"{"id": "a", "permissions": [], "description": {"en": "x"}}"#),
        "$.purposes[0].permissions",
    );
    assert!(msg.contains("at least one permission"), "{msg}");
}

#[test]
fn unknown_and_normal_permissions() {
    let src = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.CAMERA",
        "android.permission.CAMRA", "android.permission.INTERNET"], "description": {"en": "x"}}"#,
    );
    assert_issue(&src, "$.purposes[0].permissions[1]", "unknown permission \"android.permission.CAMRA\"", 7);
    let (msg, _) = issue_at(&src, "$.purposes[0].permissions[2]");
    assert!(msg.contains("not a runtime permission"), "{msg}");
}

#[test]
fn no_description_in_default_locale() {
    let src =
        with_purpose(r#"{"id": "a", "permissions": ["android.permission.CAMERA"], "description": {"zh-CN": "拍照"}}"#);
    let (msg, _) = issue_at(&src, "$.purposes[0].description");
    assert!(msg.contains("no description in the default locale \"en\""), "{msg}");
}

#[test]
fn background_location_without_foreground() {
    let src = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.ACCESS_BACKGROUND_LOCATION"], "description": {"en": "x"}}"#,
    );
    let (msg, _) = issue_at(&src, "$.purposes[0].permissions");
    assert!(msg.contains("ACCESS_BACKGROUND_LOCATION needs"), "{msg}");
    let ok = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_BACKGROUND_LOCATION"], "description": {"en": "x"}}"#,
    );
    Policy::parse(&ok).unwrap();
}

#[test]
fn cooldown_out_of_range() {
    for bad in ["0", "-5", "8761", "1.5", "\"48\""] {
        let src =
            common::SMALL_POLICY.replace("\"denial_cooldown_hours\": 48", &format!("\"denial_cooldown_hours\": {bad}"));
        // The message names the value, so a failure says which one.
        assert_issue(&src, "$.denial_cooldown_hours", &format!("{bad} is out of range"), 5);
    }
}

#[test]
fn unknown_fields_anywhere() {
    let src = common::SMALL_POLICY.replace("\"schema\": 1,", "\"schema\": 1, \"purpose\": [],");
    let (msg, _) = issue_at(&src, "$.purpose");
    assert!(msg.contains("unknown field \"purpose\""), "{msg}");
    let src = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.CAMERA"], "description": {"en": "x"}, "optional": true}"#,
    );
    issue_at(&src, "$.purposes[0].optional");
    let src = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.CAMERA"], "description": {"en": "x"}, "recipients": [{"name": "n", "data": "d", "url": "u"}]}"#,
    );
    issue_at(&src, "$.purposes[0].recipients[0].url");
}

#[test]
fn every_problem_is_reported_at_once() {
    let src = with_purpose(r#"{"id": "Bad", "permissions": [], "description": {}}"#);
    let err = errors(&src);
    assert!(err.issues.len() >= 3, "{:#?}", err.issues);
    assert!(err.to_string().contains("more"), "{err}");
}

#[test]
fn fingerprint_ignores_order_but_not_content() {
    let a = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.CAMERA", "android.permission.RECORD_AUDIO"], "description": {"en": "x", "zh-CN": "y"}}"#,
    );
    let b = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.RECORD_AUDIO", "android.permission.CAMERA"], "description": {"zh-CN": "y", "en": "x"}}"#,
    );
    let c = with_purpose(
        r#"{"id": "a", "permissions": ["android.permission.RECORD_AUDIO", "android.permission.CAMERA"], "description": {"zh-CN": "y", "en": "x!"}}"#,
    );
    let fp = |s: &str| Policy::parse(s).unwrap().purposes[0].fingerprint.clone();
    assert_eq!(fp(&a), fp(&b));
    assert_ne!(fp(&a), fp(&c));
}

//! The README's first command, `cargo run --example walkthrough`, run end to end: the
//! example's own code is compiled in here, so CI runs exactly what a newcomer runs.

#[allow(dead_code)]
#[path = "../examples/walkthrough.rs"]
mod walkthrough;

use consentgate::journal::scan::scan;

fn transcript(policy: &str, dir: &std::path::Path) -> (Result<walkthrough::Outcome, String>, String) {
    let mut out = Vec::new();
    let result = walkthrough::run(policy, dir, &mut out);
    (result, String::from_utf8(out).expect("the transcript is UTF-8"))
}

#[test]
fn walkthrough_runs_end_to_end_and_leaves_a_verifiable_journal_and_proof() {
    let dir = tempfile::tempdir().unwrap();
    let (result, text) = transcript(walkthrough::POLICY, dir.path());
    let outcome = result.unwrap_or_else(|e| panic!("walkthrough failed: {e}\n{text}"));

    // The story a newcomer reads, in order.
    let mut at = 0;
    for needle in [
        "1. First launch, before the privacy policy is accepted",
        "blocked: privacy policy not accepted",
        "2. The user accepts privacy policy 2021-11-17",
        "用户问题反馈拍照上传照片",
        "Take a photo to attach to your feedback",
        "take photos and videos (android.permission.CAMERA)",
        "blocked: the user said no; the app may not ask again before 2024-05-22 09:10 UTC",
        "needs consent (may ask again)",
        "says no in Android's dialog",
        "consent_denied (surface system_dialog)",
        "needs consent (the purpose changed since the user agreed)",
        "blocked: a guardian must agree first",
        "shared with: Amap Location SDK (AutoNavi Software Co., Ltd.): GPS location",
        "the Amap SDK may start now that location_service is agreed to  [ok]",
        "to revoke: android.permission.READ_CONTACTS",
        "The camera switched off in Android's settings",
        "revoked: feedback_photo",
        "11. One-key login: a consent that needs no permission",
        "使用权限: 无（仅需您的同意）",
        "decide(one_key_login, feature)             -> allowed  [ok]",
        "第三方信息共享清单 | 高德地图定位 SDK | 高德软件有限公司",
        "13. Verifying the journal",
        "journal show",
    ] {
        match text[at..].find(needle) {
            Some(i) => at += i + needle.len(),
            None => panic!("transcript lacks {needle:?} (in order)\n{text}"),
        }
    }
    assert!(!text.contains("FAILED"));

    // What it leaves in the folder.
    let bytes = std::fs::read(&outcome.journal).unwrap();
    let scanned = scan(&bytes, None).expect("the journal verifies");
    assert_eq!(scanned.records.len(), outcome.events);
    assert_eq!(scanned.end.unwrap().hash, outcome.head_hash);
    let proof: serde_json::Value = serde_json::from_slice(&std::fs::read(&outcome.proof).unwrap()).unwrap();
    assert_eq!(proof["format"], "consentgate-proof");
    assert_eq!(proof["history"].as_array().unwrap().len(), outcome.events);
    assert!(proof["history"].as_array().unwrap().iter().any(|e| e["actor"] == "guardian"));
}

#[test]
fn walkthrough_fails_loudly_when_the_core_answers_otherwise() {
    // The story says "blocked for 48 h"; with a 1-hour cooldown the core disagrees, and
    // the walkthrough must stop with an error instead of printing a wrong transcript.
    let policy = walkthrough::POLICY.replace("\"denial_cooldown_hours\": 48", "\"denial_cooldown_hours\": 1");
    assert_ne!(policy, walkthrough::POLICY);
    let dir = tempfile::tempdir().unwrap();
    let (result, text) = transcript(&policy, dir.path());
    let err = result.expect_err("a different cooldown must fail the walkthrough");
    assert!(err.contains("chapter 4") && err.contains("2024-05-22 09:10 UTC"), "{err}");
    assert!(!text.contains("10. Verifying the journal"), "stopped at the first wrong claim");
}

#[test]
fn walkthrough_refuses_a_folder_that_already_holds_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    transcript(walkthrough::POLICY, dir.path()).0.unwrap();
    let (result, _) = transcript(walkthrough::POLICY, dir.path());
    assert!(result.unwrap_err().contains("already holds a consent journal"));
}

//! Shared fixtures for the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use consentgate::{
    Actor, BlockReason, ConsentReason, Context, Decision, Engine, JournalOptions, ManualClock, OsResult, Policy,
    Surface,
};

pub const HOUR_MS: i64 = 3_600_000;
pub const T0: i64 = 1_700_000_000_000;

// Android's names of the permissions the tests' policies declare, as the app passes them.
pub const CAMERA: &str = "android.permission.CAMERA";
pub const RECORD_AUDIO: &str = "android.permission.RECORD_AUDIO";
pub const COARSE: &str = "android.permission.ACCESS_COARSE_LOCATION";
pub const FINE: &str = "android.permission.ACCESS_FINE_LOCATION";
pub const BACKGROUND: &str = "android.permission.ACCESS_BACKGROUND_LOCATION";
pub const IMAGES: &str = "android.permission.READ_MEDIA_IMAGES";
pub const SELECTED: &str = "android.permission.READ_MEDIA_VISUAL_USER_SELECTED";
pub const READ_STORAGE: &str = "android.permission.READ_EXTERNAL_STORAGE";
pub const READ_CONTACTS: &str = "android.permission.READ_CONTACTS";
pub const POST_NOTIFICATIONS: &str = "android.permission.POST_NOTIFICATIONS";

pub fn phone_backup_policy() -> Policy {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/phone-backup/policy.json"))
        .expect("examples/phone-backup/policy.json");
    Policy::parse(&text).expect("the example policy is valid")
}

pub fn small_policy() -> Policy {
    Policy::parse(SMALL_POLICY).expect("valid")
}

/// The integration tests' policy: three purposes, two of them on the camera, 48 hours of
/// cooldown. It is the policy the committed journal fixtures were written for, so it is
/// never edited: tests name its lines and its fingerprints are in those journals.
pub const SMALL_POLICY: &str = include_str!("../fixtures/journals/policy.json");

/// The privacy policy (this version of it) is not accepted: every purpose is blocked.
pub const BLOCKED_POLICY: Decision = Decision::Blocked { reason: BlockReason::PolicyNotAccepted };
/// Fails closed: the journal cannot be read or written, so nothing is allowed.
pub const BLOCKED_STORAGE: Decision = Decision::Blocked { reason: BlockReason::Storage };
/// A minor without a guardian's consent.
pub const BLOCKED_GUARDIAN: Decision = Decision::Blocked { reason: BlockReason::GuardianRequired };
pub const NEVER_ASKED: Decision = Decision::NeedsConsent { reason: ConsentReason::NeverAsked };
/// A refusal's cooldown is over (or the settings screen asks): the user may be asked again.
pub const ASK_AGAIN: Decision = Decision::NeedsConsent { reason: ConsentReason::AskAgain };
/// The purpose changed since the user agreed to it.
pub const STALE: Decision = Decision::NeedsConsent { reason: ConsentReason::Stale };

/// A refusal: feature requests are blocked until `until_ms`.
pub const fn cooldown_until(until_ms: i64) -> Decision {
    Decision::Blocked { reason: BlockReason::Cooldown { until_ms } }
}

pub fn user(surface: Surface) -> Context {
    Context::new(surface, "zh-CN", Actor::User)
}

/// The privacy policy accepted, then each of `purposes` agreed to in the rationale dialog, as a user does.
pub fn accept_and_grant(e: &mut Engine, purposes: &[&str]) {
    e.accept_policy(&user(Surface::App)).unwrap();
    for purpose in purposes {
        e.grant(purpose, &user(Surface::RationaleDialog)).unwrap();
    }
}

/// The system permission dialog's answer for `permission`, recorded for `purpose`.
pub fn os_answer(e: &mut Engine, purpose: &str, permission: &str, result: OsResult) {
    e.record_os_result(purpose, permission, result, &user(Surface::SystemDialog)).unwrap();
}

pub fn open(policy: Policy, dir: &Path, clock: &Arc<ManualClock>) -> Engine {
    Engine::open(policy, dir, clock.clone(), JournalOptions::default()).expect("engine opens")
}

/// An engine over `policy` on a fresh folder, its clock at `T0`.
pub fn temp_engine(policy: Policy) -> (tempfile::TempDir, Arc<ManualClock>, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let engine = open(policy, dir.path(), &clock);
    (dir, clock, engine)
}

/// Every issue `Policy::parse` reports for a policy it must reject.
pub fn errors(source: &str) -> consentgate::PolicyError {
    Policy::parse(source).expect_err("policy should be rejected")
}

/// The one issue whose path is `path`, with its message and line.
pub fn issue_at(source: &str, path: &str) -> (String, Option<usize>) {
    let err = errors(source);
    let issue = err
        .issues
        .iter()
        .find(|i| i.path == path)
        .unwrap_or_else(|| panic!("no issue at {path}; got {:#?}", err.issues));
    (issue.message.clone(), issue.line)
}

/// Asserts that `source` is refused with an issue at `path` that says `says` (a part of its
/// message) and points at line `line`.
#[track_caller]
pub fn assert_issue(source: &str, path: &str, says: &str, line: usize) {
    let (message, at) = issue_at(source, path);
    assert!(message.contains(says), "{path}: expected \"{says}\" in: {message}");
    assert_eq!(at, Some(line), "{path}: the line of \"{message}\"");
}

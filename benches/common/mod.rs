//! Fixtures shared by the benchmarks: policies, journals built through the real engine
//! API, and temporary folders on the build disk (never tmpfs, so fsync costs what it costs).
// Each bench uses some of these: the rest would warn (dead code, unused re-exports).
#![allow(dead_code, unused_imports)]

use std::path::Path;
use std::sync::Arc;

use consentgate::{Engine, JournalOptions, Policy, SystemClock};

mod events;
pub use events::{fill_journal, user};

pub const PHONE_BACKUP_POLICY: &str = include_str!("../../examples/phone-backup/policy.json");

pub fn phone_backup_policy() -> Policy {
    Policy::parse(PHONE_BACKUP_POLICY).expect("examples/phone-backup/policy.json is valid")
}

/// A temporary folder under cargo's per-target temp dir (on the same disk as `target/`).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("cg-bench-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary folder for a benchmark")
}

pub fn open(policy: Policy, dir: &Path, fsync: bool) -> Engine {
    Engine::open(policy, dir, Arc::new(SystemClock), JournalOptions { fsync, compact_after: usize::MAX })
        .expect("engine opens")
}

/// A valid schema-1 policy with `n` purposes, shaped like the seed examples: one or two
/// permissions, descriptions in zh-CN and en, a recipient on every third purpose.
pub fn generated_policy_json(n: usize) -> String {
    const PERMISSIONS: &[&[&str]] = &[
        &["android.permission.CAMERA"],
        &["android.permission.READ_CONTACTS"],
        &["android.permission.RECORD_AUDIO"],
        &["android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION"],
        &["android.permission.READ_CALENDAR", "android.permission.WRITE_CALENDAR"],
        &["android.permission.READ_SMS"],
        &["android.permission.READ_CALL_LOG"],
    ];
    let mut purposes = Vec::with_capacity(n);
    for i in 0..n {
        let recipients = if i % 3 == 0 {
            serde_json::json!([{ "name": format!("Partner {i} (合作方)"), "data": "approximate location" }])
        } else {
            serde_json::json!([])
        };
        purposes.push(serde_json::json!({
            "id": format!("purpose_{i:03}"),
            "permissions": PERMISSIONS[i % PERMISSIONS.len()],
            "description": {
                "zh-CN": format!("第{i}项功能：用户问题反馈拍照上传照片"),
                "en": format!("Feature {i}: take a photo to attach to your feedback"),
            },
            "recipients": recipients,
        }));
    }
    let policy = serde_json::json!({
        "schema": 1,
        "policy_version": "2024-01-01",
        "default_locale": "zh-CN",
        "denial_cooldown_hours": 48,
        "purposes": purposes,
    });
    serde_json::to_string_pretty(&policy).expect("json")
}

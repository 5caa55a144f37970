//! Fixtures shared by the benchmarks: policies, journals built through the real engine
//! API, and temporary folders on the build disk (never tmpfs, so fsync costs what it costs).
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use consentgate::{Actor, Context, Engine, JournalOptions, OsResult, Policy, Surface, SystemClock};

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

pub fn user() -> Context {
    Context::new(Surface::RationaleDialog, "zh-CN", Actor::User)
}

pub fn open(policy: Policy, dir: &Path, fsync: bool) -> Engine {
    Engine::open(policy, dir, Arc::new(SystemClock), JournalOptions { fsync, compact_after: usize::MAX })
        .expect("engine opens")
}

/// Writes exactly `events` events through the engine's public API: the privacy policy
/// accepted, then grant / OS result / withdraw / deny cycling over every purpose.
pub fn fill_journal(engine: &mut Engine, events: usize) {
    let ctx = user();
    // A consent-only purpose (no permission) gets a grant where others get an OS result.
    let purposes: Vec<(String, Option<String>)> = engine
        .policy()
        .purposes
        .iter()
        .map(|p| (p.id.clone(), p.permissions.first().map(|perm| perm.name().to_string())))
        .collect();
    if events == 0 {
        return;
    }
    engine.accept_policy(&ctx).expect("accept");
    for i in 1..events {
        let (id, permission) = &purposes[i % purposes.len()];
        match (i / purposes.len()) % 4 {
            0 => engine.grant(id, &ctx).expect("grant"),
            1 => match permission {
                Some(permission) => {
                    engine.record_os_result(id, permission, OsResult::Granted, &ctx).expect("os result")
                }
                None => engine.grant(id, &ctx).expect("grant"),
            },
            2 => engine.withdraw(id, &ctx).map(drop).expect("withdraw"),
            _ => engine.deny(id, &ctx).expect("deny"),
        }
    }
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

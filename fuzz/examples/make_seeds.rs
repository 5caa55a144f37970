//! Writes the hand-made seed inputs (files named `seed-*`) into seeds/<target>/.
//! Run from fuzz/: `cargo run --example make_seeds`. The fuzzer's own finds are in
//! corpus/<target>/, under their SHA-1 names.

use std::path::Path;
use std::sync::Arc;

use consentgate::{Actor, AgeBracket, Context, Engine, JournalOptions, ManualClock, OsResult, Policy, Surface};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let phone = std::fs::read_to_string(root.join("examples/phone-backup/policy.json")).unwrap();
    let assistant = std::fs::read_to_string(root.join("examples/assistant/policy.json")).unwrap();
    write("policy_parse", "phone-backup.json", phone.as_bytes());
    write("policy_parse", "assistant.json", assistant.as_bytes());
    write(
        "policy_parse",
        "invalid-many.json",
        br#"{"schema":2,"policy_version":"","default_locale":"zh_CN","denial_cooldown_hours":0,"extra":1,
"purposes":[{"id":"Bad","permissions":["android.permission.INTERNET","android.permission.CAMERA","android.permission.CAMERA"],
"description":{"en":""},"recipients":[{"name":"x"}]},{"id":"loc","permissions":["android.permission.ACCESS_BACKGROUND_LOCATION"],
"description":{"zh-CN":"x"}}]}"#,
    );

    // Manifests, alone (checked against the phone-backup policy) or with a policy after a NUL.
    let phone_manifest = std::fs::read(root.join("examples/phone-backup/AndroidManifest.xml")).unwrap();
    let assistant_manifest = std::fs::read(root.join("examples/assistant/AndroidManifest.xml")).unwrap();
    write("manifest_lint", "phone-backup.xml", &phone_manifest);
    write(
        "manifest_lint",
        "assistant-own-policy.xml",
        &[&assistant_manifest[..], b"\0", assistant.as_bytes()].concat(),
    );
    write("manifest_lint", "assistant-vs-phone-policy.xml", &assistant_manifest);
    write(
        "manifest_lint",
        "invalid-policy.xml",
        &[&phone_manifest[..], b"\0", br#"{"schema":1,"purposes":[{"id":"x","permissions":["android.permission.ACCESS_BACKGROUND_LOCATION","android.permission.INTERNET"]}]}"#].concat(),
    );
    write("manifest_lint", "not-xml.xml", b"<manifest><uses-permission android:name=");

    // A real journal with every event kind, written by the engine.
    let dir = std::env::temp_dir().join(format!("cg-seeds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let policy = Policy::parse(&phone).unwrap();
    let ids: Vec<String> = policy.purposes.iter().map(|p| p.id.clone()).collect();
    let perm = policy.purposes[0].permissions[0].name().to_string();
    let mut e = Engine::open(policy, &dir, clock.clone(), JournalOptions { fsync: false, ..JournalOptions::default() })
        .unwrap();
    let user = |s| Context::new(s, "zh-CN", Actor::User);
    e.accept_policy(&user(Surface::App)).unwrap();
    e.set_age_bracket(AgeBracket::Age14To17, &user(Surface::App)).unwrap();
    e.set_guardian_consent(true, &Context::new(Surface::App, "en", Actor::Guardian)).unwrap();
    e.grant(&ids[0], &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result(&ids[0], &perm, OsResult::Granted, &user(Surface::SystemDialog)).unwrap();
    clock.advance(3_600_000);
    e.deny(&ids[1], &user(Surface::RationaleDialog)).unwrap();
    e.withdraw(&ids[0], &user(Surface::SettingsScreen)).unwrap();
    let plain = std::fs::read(dir.join("consent.journal")).unwrap();
    e.compact().unwrap();
    e.grant(&ids[1], &user(Surface::QaHook)).unwrap();
    let compacted = std::fs::read(dir.join("consent.journal")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    write("journal_scan", "journal.jsonl", &plain);
    write("journal_scan", "compacted.jsonl", &compacted);
    write("journal_scan", "torn.jsonl", &plain[..plain.len() - 40]);
    let mut swapped: Vec<&[u8]> = plain.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    swapped.swap(1, 2);
    write("journal_scan", "reordered.jsonl", &[swapped.join(&b'\n'), b"\n".to_vec()].concat());

    // The same journals as bodies for journal_resigned: the sum field removed.
    let reordered = [swapped.join(&b'\n'), b"\n".to_vec()].concat();
    for (name, bytes) in [("journal", &plain), ("compacted", &compacted), ("reordered", &reordered)] {
        for flags in [0u8, 3, 7] {
            let mut out = vec![flags];
            for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let cut = line.len() - ",\"sum\":\"0123456789abcdef\"}".len();
                out.extend_from_slice(&line[..cut]);
                out.extend_from_slice(b"}\n");
            }
            write("journal_resigned", &format!("{name}-{flags}.txt"), &out);
        }
    }
    println!("seeds written");
}

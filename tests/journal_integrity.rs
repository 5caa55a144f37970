//! The journal against damage: truncation at every byte offset loads the acknowledged
//! prefix; every single-byte change is detected; replay equals the live state.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use consentgate::journal::scan::scan;
use consentgate::*;
use proptest::prelude::*;

/// A journal with a spread of event kinds; returns its bytes.
fn sample_journal(dir: &Path) -> Vec<u8> {
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), dir, &clock);
    let ctx = user(Surface::RationaleDialog);
    e.accept_policy(&user(Surface::App)).unwrap();
    e.set_age_bracket(AgeBracket::Adult, &user(Surface::App)).unwrap();
    e.grant("feedback_photo", &ctx).unwrap();
    e.record_os_result("feedback_photo", CAMERA, OsResult::Granted, &user(Surface::SystemDialog)).unwrap();
    clock.advance(HOUR_MS);
    e.deny("nearby_stores", &ctx).unwrap();
    e.grant("scan_receipt", &Context::new(Surface::SettingsScreen, "en", Actor::User)).unwrap();
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    std::fs::read(dir.join("consent.journal")).unwrap()
}

#[test]
fn truncation_at_every_offset_loads_exactly_the_complete_lines() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample_journal(dir.path());
    let newline_ends: Vec<usize> = bytes.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1).collect();
    let work = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0 + 2 * HOUR_MS));
    for cut in 0..=bytes.len() {
        let prefix = &bytes[..cut];
        let complete = newline_ends.iter().filter(|&&end| end <= cut).count();
        let scanned = scan(prefix, None).unwrap_or_else(|c| panic!("cut at {cut}: {c:?}"));
        assert_eq!(scanned.records.len(), complete, "cut at {cut}");

        // And through the engine: loads, is healthy, and can append after the torn tail.
        std::fs::write(work.path().join("consent.journal"), prefix).unwrap();
        let mut e = open(small_policy(), work.path(), &clock);
        assert_eq!(e.storage_problem(), None, "cut at {cut}");
        if cut % 37 == 0 {
            e.accept_policy(&user(Surface::App)).unwrap();
            let after = std::fs::read(work.path().join("consent.journal")).unwrap();
            let rescanned = scan(&after, None).unwrap();
            assert_eq!(rescanned.records.len(), complete + 1, "cut at {cut}: append after a torn tail");
            assert_eq!(rescanned.torn_tail, 0);
        }
    }
}

#[test]
fn every_single_byte_change_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample_journal(dir.path());
    let original = scan(&bytes, None).unwrap();
    let mut checked = 0;
    for i in 0..bytes.len() {
        for replacement in [bytes[i] ^ 0x01, bytes[i] ^ 0x20, b'\n', b'0', b'}', b' '] {
            if replacement == bytes[i] {
                continue;
            }
            let mut edited = bytes.clone();
            edited[i] = replacement;
            checked += 1;
            match scan(&edited, None) {
                Err(_) => {}
                Ok(s) => panic!(
                    "change at byte {i} ({:?} -> {:?}) went unnoticed: {} records (originally {}), torn tail {}",
                    bytes[i] as char,
                    replacement as char,
                    s.records.len(),
                    original.records.len(),
                    s.torn_tail
                ),
            }
        }
    }
    assert!(checked > bytes.len() * 4);
}

#[test]
fn removed_or_swapped_lines_break_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample_journal(dir.path());
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();

    let mut removed = lines.clone();
    removed.remove(3);
    assert_eq!(scan(join(&removed).as_bytes(), None).unwrap_err().line, 4);

    let mut swapped = lines.clone();
    swapped.swap(2, 3);
    assert_eq!(scan(join(&swapped).as_bytes(), None).unwrap_err().line, 3);

    let first_removed = &lines[1..];
    let err = scan(join(first_removed).as_bytes(), None).unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.reason.contains("missing"), "{}", err.reason);
}

#[derive(Debug, Clone)]
enum Op {
    Accept,
    Grant(usize),
    Deny(usize),
    Withdraw(usize),
    Age(u8),
    Guardian(bool),
    Advance(i64),
    Reopen,
    Compact,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Accept),
        4 => (0..3usize).prop_map(Op::Grant),
        2 => (0..3usize).prop_map(Op::Deny),
        2 => (0..3usize).prop_map(Op::Withdraw),
        1 => (0..4u8).prop_map(Op::Age),
        1 => any::<bool>().prop_map(Op::Guardian),
        2 => (0..100i64).prop_map(|h| Op::Advance(h * HOUR_MS)),
        1 => Just(Op::Reopen),
        1 => Just(Op::Compact),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever happens, reading the journal back (after reopen or compaction, in a second
    /// engine on the same folder) gives the same decisions as the engine that wrote it.
    #[test]
    fn replay_and_compaction_preserve_every_decision(ops in proptest::collection::vec(op(), 1..40)) {
        let (dir, clock, mut e) = temp_engine(small_policy());
        let mut observer = open(small_policy(), dir.path(), &clock);
        let ids = ["feedback_photo", "nearby_stores", "scan_receipt"];
        let ctx = user(Surface::RationaleDialog);
        for op in ops {
            match op {
                Op::Accept => e.accept_policy(&ctx).unwrap(),
                Op::Grant(i) => e.grant(ids[i], &ctx).unwrap(),
                Op::Deny(i) => e.deny(ids[i], &ctx).unwrap(),
                Op::Withdraw(i) => { e.withdraw(ids[i], &ctx).unwrap(); }
                Op::Age(a) => e.set_age_bracket([AgeBracket::Under14, AgeBracket::Age14To17, AgeBracket::Adult, AgeBracket::Unknown][a as usize], &ctx).unwrap(),
                Op::Guardian(g) => e.set_guardian_consent(g, &ctx).unwrap(),
                Op::Advance(ms) => clock.advance(ms),
                Op::Reopen => e = open(small_policy(), dir.path(), &clock),
                Op::Compact => e.compact().unwrap(),
            }
            for id in ids {
                for source in [Source::Feature, Source::Settings] {
                    prop_assert_eq!(e.decide(id, source).unwrap(), observer.decide(id, source).unwrap(), "{} {:?}", id, source);
                }
            }
        }
        let mut fresh = open(small_policy(), dir.path(), &clock);
        prop_assert_eq!(fresh.state(), e.state());
        prop_assert_eq!(fresh.export_proof().unwrap()["history"].clone(), e.export_proof().unwrap()["history"].clone());
    }
}

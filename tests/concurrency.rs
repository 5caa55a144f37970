//! Several processes and threads on one journal: nothing lost, nothing interleaved, and a
//! write in one process is seen by the next decision in another.
//!
//! Child processes are this test binary re-run with `CG_APPEND_CHILD` set.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use std::sync::Arc;

use common::*;
use consentgate::*;

const THREADS: usize = 4;
const EVENTS_PER_THREAD: usize = 40;
const PROCESSES: usize = 2;

/// Appends from `THREADS` threads: half share one `SharedEngine` (as an app does), half
/// open their own engine on the same folder (as a second component might).
fn append_from_threads(dir: &Path, process: usize) {
    let clock = Arc::new(ManualClock::new(T0));
    let shared = Arc::new(SharedEngine::new(open(small_policy(), dir, &clock)));
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let shared = shared.clone();
            let clock = clock.clone();
            s.spawn(move || {
                let mut own = (t % 2 == 1).then(|| open(small_policy(), dir, &clock));
                for i in 0..EVENTS_PER_THREAD {
                    // The locale field carries a unique tag so the parent can find each event.
                    let ctx = Context::new(Surface::RationaleDialog, format!("en-p{process}t{t}i{i}"), Actor::User);
                    let id = ["feedback_photo", "nearby_stores", "scan_receipt"][i % 3];
                    match own.as_mut() {
                        Some(e) => e.grant(id, &ctx).unwrap(),
                        None => shared.with(|e| e.deny(id, &ctx)).unwrap(),
                    }
                }
            });
        }
    });
}

#[test]
fn append_child() {
    if let (Ok(dir), Ok(p)) = (std::env::var("CG_APPEND_CHILD_DIR"), std::env::var("CG_APPEND_CHILD")) {
        append_from_threads(Path::new(&dir), p.parse().unwrap());
    }
}

#[test]
fn processes_and_threads_appending_at_once_lose_and_mix_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            Command::new(&exe)
                .args(["append_child", "--exact", "--test-threads=1"])
                .env("CG_APPEND_CHILD_DIR", dir.path())
                .env("CG_APPEND_CHILD", p.to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // This process writes at the same time, too.
    append_from_threads(dir.path(), PROCESSES);
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a writer process failed");
    }

    let text = std::fs::read_to_string(dir.path().join("consent.journal")).unwrap();
    let scanned = consentgate::journal::scan::scan(text.as_bytes(), None).expect("journal verifies");
    assert_eq!(scanned.torn_tail, 0);
    // The whole history: past `compact_after` events the journal compacts itself, so the
    // earlier events are in archives. The proof export reads them all, checks the chain
    // across files and each snapshot, and lists the events without the snapshot lines.
    let clock = Arc::new(ManualClock::new(T0));
    let proof = open(small_policy(), dir.path(), &clock).export_proof().expect("the history verifies");
    let history = proof["history"].as_array().unwrap();
    let total = (PROCESSES + 1) * THREADS * EVENTS_PER_THREAD;
    assert_eq!(history.len(), total, "events lost or duplicated");
    let tags: HashSet<&str> = history.iter().map(|r| r["locale"].as_str().unwrap()).collect();
    assert_eq!(tags.len(), total, "every event exactly once");
    let seqs: Vec<u64> = history.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "the history is in order");
}

#[test]
fn a_write_in_one_process_is_seen_by_the_next_decision_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let reader = SharedEngine::new(open(small_policy(), dir.path(), &clock));
    let index = small_policy().index_of("feedback_photo").unwrap();
    assert!(!reader.is_allowed(index));

    let exe = std::env::current_exe().unwrap();
    let run = |action: &str| {
        let ok = Command::new(&exe)
            .args(["grant_or_withdraw_child", "--exact", "--test-threads=1"])
            .env("CG_GW_DIR", dir.path())
            .env("CG_GW_ACTION", action)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "child {action} failed");
    };
    run("grant");
    assert!(reader.is_allowed(index), "hot path saw the other process's grant");
    run("withdraw");
    assert!(!reader.is_allowed(index), "hot path saw the other process's withdrawal");
    run("grant");
    let decision = reader.with(|e| e.decide("feedback_photo", Source::Feature)).unwrap();
    assert_eq!(decision, Decision::Allowed, "slow path too");
}

#[test]
fn grant_or_withdraw_child() {
    let (Ok(dir), Ok(action)) = (std::env::var("CG_GW_DIR"), std::env::var("CG_GW_ACTION")) else {
        return;
    };
    // Far in the future, so a withdrawal's cooldown never blocks the next grant here.
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), Path::new(&dir), &clock);
    let ctx = user(Surface::SettingsScreen);
    if e.state().accepted.is_none() {
        e.accept_policy(&ctx).unwrap();
    }
    match action.as_str() {
        "grant" => e.grant("feedback_photo", &ctx).unwrap(),
        _ => {
            e.withdraw("feedback_photo", &ctx).unwrap();
        }
    }
}

#[test]
fn many_threads_reading_while_others_write_never_see_an_impossible_answer() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let shared = Arc::new(SharedEngine::new(open(small_policy(), dir.path(), &clock)));
    shared.with(|e| e.accept_policy(&user(Surface::App))).unwrap();
    let index = small_policy().index_of("feedback_photo").unwrap();
    // `withdrawn_for_good` is set only after the final withdraw returned: from then on no
    // reader may see "allowed".
    let withdrawn_for_good = Arc::new(AtomicBool::new(false));
    std::thread::scope(|s| {
        for _ in 0..6 {
            let shared = shared.clone();
            let flag = withdrawn_for_good.clone();
            s.spawn(move || {
                for _ in 0..200_000 {
                    let done = flag.load(Ordering::SeqCst);
                    let allowed = shared.is_allowed(index);
                    assert!(!(done && allowed), "allowed after the final withdrawal returned");
                }
            });
        }
        let writer = shared.clone();
        let flag = withdrawn_for_good.clone();
        s.spawn(move || {
            let ctx = user(Surface::SettingsScreen);
            for _ in 0..30 {
                writer.with(|e| e.grant("feedback_photo", &ctx)).unwrap();
                writer.with(|e| e.withdraw("feedback_photo", &ctx)).unwrap();
            }
            flag.store(true, Ordering::SeqCst);
        });
    });
    assert!(!shared.is_allowed(index));
}

//! In-memory costs: the hot path, decisions, policy parsing. Each group carries its own
//! floor (the least the machine can do for that answer) and the alternative an app team
//! would write instead, so `scripts/bench-rust.sh` reports ratios from one run.
//!
//! Run: `cargo bench --bench core` (or `scripts/bench-rust.sh` for the table).

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use consentgate::{Clock, Engine, Policy, SharedEngine, Source, SystemClock};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

/// Every purpose of the example policy in a map, the first one allowed: what an app keeps
/// instead of an SDK.
fn app_map() -> HashMap<String, bool> {
    let policy = common::phone_backup_policy();
    policy.purposes.iter().enumerate().map(|(i, p)| (p.id.clone(), i == 0)).collect()
}

/// An engine on a fresh journal (fsync on, as in an app) with the privacy policy accepted
/// and the first purpose granted.
fn granted_engine(policy: Policy) -> (tempfile::TempDir, Engine) {
    let dir = common::tempdir();
    let mut engine = common::open(policy, dir.path(), true);
    let ctx = common::user();
    engine.accept_policy(&ctx).expect("accept");
    let first = engine.policy().purposes[0].id.clone();
    engine.grant(&first, &ctx).expect("grant");
    (dir, engine)
}

/// `SharedEngine::is_allowed(index)`: what the JNI hot call runs.
mod hot {
    use super::*;

    /// The floor: one flag load through a pointer the compiler cannot see through.
    #[divan::bench]
    fn floor_atomic_load(b: Bencher) {
        let flag = Box::new(AtomicBool::new(true));
        let flag: &AtomicBool = &flag;
        b.bench_local(|| black_box(flag).load(Ordering::Relaxed));
    }

    #[divan::bench]
    fn shared_is_allowed(b: Bencher) {
        let (_dir, engine) = granted_engine(common::phone_backup_policy());
        let shared = SharedEngine::new(engine);
        assert!(shared.is_allowed(0), "fixture: purpose 0 is granted");
        b.bench_local(|| shared.is_allowed(black_box(0)));
    }

    /// What an app team writes instead: a map of purpose -> allowed behind a lock.
    #[divan::bench]
    fn alt_mutex_hashmap(b: Bencher) {
        let map = Mutex::new(app_map());
        b.bench_local(|| {
            map.lock().map(|m| m.get(black_box("feedback_photo")).copied().unwrap_or(false)).unwrap_or(false)
        });
    }

    #[divan::bench]
    fn alt_rwlock_hashmap(b: Bencher) {
        let map = RwLock::new(app_map());
        b.bench_local(|| {
            map.read().map(|m| m.get(black_box("feedback_photo")).copied().unwrap_or(false)).unwrap_or(false)
        });
    }
}

/// `Engine::decide`: catches up with the journal's shared change counter, then decides.
/// Floor and alternative are the `hot` group's.
mod decide {
    use super::*;

    /// By purpose id, a granted purpose (answer: allowed).
    #[divan::bench]
    fn engine_decide_allowed(b: Bencher) {
        let (_dir, mut engine) = granted_engine(common::phone_backup_policy());
        assert!(engine.decide("feedback_photo", Source::Feature).unwrap().is_allowed());
        b.bench_local(|| engine.decide(black_box("feedback_photo"), Source::Feature));
    }

    /// By purpose id, a purpose never asked (answer: needs consent).
    #[divan::bench]
    fn engine_decide_never_asked(b: Bencher) {
        let (_dir, mut engine) = granted_engine(common::phone_backup_policy());
        let last = engine.policy().purposes.last().unwrap().id.clone();
        assert!(!engine.decide(&last, Source::Feature).unwrap().is_allowed());
        b.bench_local(|| engine.decide(black_box(&last), Source::Feature));
    }

    /// Reference: one `lstat` of the folder's change-counter file, which every `decide`
    /// makes to notice a replaced counter (`Generation::check`).
    #[divan::bench]
    fn ref_lstat_counter_file(b: Bencher) {
        let (dir, _engine) = granted_engine(common::phone_backup_policy());
        let path = dir.path().join("consent.gen");
        b.bench_local(|| std::fs::symlink_metadata(black_box(&path)).map(|m| m.len()));
    }

    /// Reference: one read of the device clock (`decide` reads it for cooldowns).
    #[divan::bench]
    fn ref_system_clock_now_ms(b: Bencher) {
        let clock: Box<dyn Clock> = Box::new(SystemClock);
        b.bench_local(|| black_box(&clock).now_ms());
    }

    /// By index, as the JNI call resolves ids once.
    #[divan::bench]
    fn engine_decide_index(b: Bencher) {
        let (_dir, mut engine) = granted_engine(common::phone_backup_policy());
        b.bench_local(|| engine.decide_index(black_box(0), Source::Feature));
    }

    /// By id, the last of 200 purposes: the id lookup is a linear scan.
    #[divan::bench]
    fn engine_decide_200th_of_200(b: Bencher) {
        let policy = Policy::parse(&common::generated_policy_json(200)).expect("valid");
        let (_dir, mut engine) = granted_engine(policy);
        let last = engine.policy().purposes.last().unwrap().id.clone();
        b.bench_local(|| engine.decide(black_box(&last), Source::Feature));
    }
}

/// `Policy::parse` (JSON, validation, fingerprints) against parsing the same text into a
/// `serde_json::Value` (the floor: no policy without reading the JSON).
mod policy {
    use super::*;

    #[divan::bench(args = [20, 200])]
    fn parse(b: Bencher, purposes: usize) {
        let text = common::generated_policy_json(purposes);
        assert_eq!(Policy::parse(&text).expect("valid").purposes.len(), purposes);
        b.bench_local(|| Policy::parse(black_box(&text)));
    }

    #[divan::bench(args = [20, 200])]
    fn floor_json_value(b: Bencher, purposes: usize) {
        let text = common::generated_policy_json(purposes);
        b.bench_local(|| serde_json::from_str::<serde_json::Value>(black_box(&text)));
    }
}

//! Soak: several processes of one app, each with several threads, granting, withdrawing
//! and deciding on the same purposes at once for a bounded time (20 s; set
//! `CG_SOAK_SECS` for longer), with a compaction now and then.
//!
//! Checked afterwards, from the journal and every operation's start and end time (one
//! machine-wide monotonic clock):
//! - no event lost: every grant or withdrawal that returned is in the journal exactly once,
//!   and the whole history (archives included) verifies;
//! - every decision is one the journal allows: a decision sees all events that returned
//!   before it started and none that started after it ended, so its answer must be the
//!   one some journal prefix in that window gives. In particular, after a withdrawal
//!   returns in process A, a decision started later in process B is not "allowed" unless
//!   a grant written after that withdrawal had started before the decision ended.
//!
//! Children are this test binary re-run with `CG_SOAK_CHILD` set.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::*;
use consentgate::*;

const PROCESSES: usize = 3;
/// Per process: two threads on the shared engine, one with its own engine (a second
/// component of the app), one reading the hot path only.
const THREADS: usize = 4;
const PURPOSES: [&str; 3] = ["feedback_photo", "nearby_stores", "scan_receipt"];
/// Hot-path calls logged for the check: one in this many (all are counted).
const HOT_SAMPLE: u64 = 256;
const MAX_LOGGED_PER_THREAD: usize = 300_000;

fn soak_secs() -> u64 {
    std::env::var("CG_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(20)
}

/// Nanoseconds on CLOCK_MONOTONIC: one clock for every process on the machine.
fn mono_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// One logged operation: `G|W <purpose> <start> <end> <tag>` or `D <purpose> <start> <end> <0|1>`.
fn log_line(out: &mut Vec<u8>, kind: char, purpose: usize, start: u64, end: u64, rest: &str) {
    writeln!(out, "{kind} {purpose} {start} {end} {rest}").unwrap();
}

/// Runs `f` on the thread's own engine if it has one, else on the process's shared engine.
fn on_engine<R>(
    own: &mut Option<Engine>,
    shared: &SharedEngine,
    f: impl FnOnce(&mut Engine) -> consentgate::Result<R>,
) -> consentgate::Result<R> {
    match own {
        Some(e) => f(e),
        None => shared.with(f),
    }
}

#[test]
fn soak_child() {
    let (Ok(p), Ok(dir), Ok(log)) =
        (std::env::var("CG_SOAK_CHILD"), std::env::var("CG_SOAK_DIR"), std::env::var("CG_SOAK_LOG"))
    else {
        return;
    };
    let p: usize = p.parse().unwrap();
    let dir = PathBuf::from(dir);
    let deadline = mono_ns() + soak_secs() * 1_000_000_000;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let open_engine = || Engine::open(small_policy(), &dir, clock.clone(), JournalOptions::default()).unwrap();
    let shared = Arc::new(SharedEngine::new(open_engine()));
    let counters: Arc<[AtomicU64; 4]> = Arc::new(Default::default()); // grants, withdrawals, decisions, hot
    let logs: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let shared = shared.clone();
                let counters = counters.clone();
                let open_engine = &open_engine;
                s.spawn(move || {
                    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (((p as u64) << 32) | (t as u64 + 1)));
                    let mut out = Vec::new();
                    let mut logged = 0;
                    let mut own = (t == 2).then(open_engine);
                    let mut n = 0u64;
                    while mono_ns() < deadline {
                        n += 1;
                        let purpose = (rng.next() % 3) as usize;
                        let id = PURPOSES[purpose];
                        if t == 3 {
                            // The hot path, as apps call it at every point of use.
                            let sample = rng.next().is_multiple_of(HOT_SAMPLE) && logged < MAX_LOGGED_PER_THREAD;
                            let start = if sample { mono_ns() } else { 0 };
                            let allowed = shared.is_allowed(purpose);
                            counters[3].fetch_add(1, Ordering::Relaxed);
                            if sample {
                                log_line(&mut out, 'D', purpose, start, mono_ns(), if allowed { "1" } else { "0" });
                                logged += 1;
                            }
                            continue;
                        }
                        let ctx = Context::new(Surface::SettingsScreen, format!("en-p{p}-t{t}-n{n}"), Actor::User);
                        let roll = rng.next() % 100;
                        let start = mono_ns();
                        if roll < 35 {
                            on_engine(&mut own, &shared, |e| e.grant(id, &ctx))
                                .unwrap_or_else(|e| panic!("grant failed: {e}"));
                            log_line(&mut out, 'G', purpose, start, mono_ns(), &ctx.locale);
                            counters[0].fetch_add(1, Ordering::Relaxed);
                        } else if roll < 70 {
                            on_engine(&mut own, &shared, |e| e.withdraw(id, &ctx))
                                .unwrap_or_else(|e| panic!("withdraw failed: {e}"));
                            log_line(&mut out, 'W', purpose, start, mono_ns(), &ctx.locale);
                            counters[1].fetch_add(1, Ordering::Relaxed);
                        } else if p == 0 && t == 0 && roll == 99 {
                            // Now and then, compaction under everyone's feet.
                            shared.with(|e| e.compact()).unwrap_or_else(|e| panic!("compaction failed: {e}"));
                        } else {
                            let d = on_engine(&mut own, &shared, |e| e.decide(id, Source::Feature)).unwrap();
                            assert_ne!(d, BLOCKED_STORAGE, "storage trouble during the soak");
                            log_line(&mut out, 'D', purpose, start, mono_ns(), if d.is_allowed() { "1" } else { "0" });
                            counters[2].fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut f = std::fs::File::create(&log).unwrap();
    for l in logs {
        f.write_all(&l).unwrap();
    }
    let c: Vec<u64> = counters.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    println!("soak-counts {} {} {} {}", c[0], c[1], c[2], c[3]);
}

#[derive(Debug, Clone)]
struct Op {
    kind: char,
    purpose: usize,
    start: u64,
    end: u64,
    /// Tag for G/W; "1"/"0" for D.
    rest: String,
}

fn parse_log(path: &Path) -> Vec<Op> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            Op {
                kind: f[0].chars().next().unwrap(),
                purpose: f[1].parse().unwrap(),
                start: f[2].parse().unwrap(),
                end: f[3].parse().unwrap(),
                rest: f[4].to_string(),
            }
        })
        .collect()
}

/// For one purpose: its grants and withdrawals in journal order, with times.
struct Timeline {
    /// (is_grant, start, end), in sequence order.
    events: Vec<(bool, u64, u64)>,
    /// (end, max index among events ending at or before it), sorted by end.
    by_end: Vec<(u64, usize)>,
    /// (start, min index among events starting at or after it), sorted by start.
    by_start: Vec<(u64, usize)>,
}

impl Timeline {
    fn new(events: Vec<(bool, u64, u64)>) -> Timeline {
        let mut by_end: Vec<(u64, usize)> = events.iter().enumerate().map(|(i, e)| (e.2, i)).collect();
        by_end.sort();
        let mut max = 0;
        for x in by_end.iter_mut() {
            max = max.max(x.1);
            x.1 = max;
        }
        let mut by_start: Vec<(u64, usize)> = events.iter().enumerate().map(|(i, e)| (e.1, i)).collect();
        by_start.sort();
        let mut min = usize::MAX;
        for x in by_start.iter_mut().rev() {
            min = min.min(x.1);
            x.1 = min;
        }
        Timeline { events, by_end, by_start }
    }

    /// The answers a decision running from `start` to `end` may give: the state after
    /// some prefix that holds every event that ended before `start` and none that
    /// started after `end`.
    fn possible(&self, start: u64, end: u64) -> (bool, bool) {
        // Lowest prefix length: one past the highest index that ended before `start`.
        let i = self.by_end.partition_point(|x| x.0 < start);
        let lo = if i == 0 { 0 } else { self.by_end[i - 1].1 + 1 };
        // Highest prefix length: up to the lowest index that started after `end`.
        let j = self.by_start.partition_point(|x| x.0 <= end);
        let hi = if j == self.by_start.len() { self.events.len() } else { self.by_start[j].1 };
        assert!(lo <= hi, "the journal orders an event before one that ended before it started");
        let (mut can_allow, mut can_deny) = (false, false);
        for len in lo..=hi {
            let allowed = len > 0 && self.events[len - 1].0;
            if allowed {
                can_allow = true;
            } else {
                can_deny = true;
            }
            if can_allow && can_deny {
                break;
            }
        }
        (can_allow, can_deny)
    }
}

#[test]
fn processes_and_threads_granting_withdrawing_and_deciding_at_once() {
    let secs = soak_secs();
    let dir = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    {
        let clock = Arc::new(ManualClock::new(T0));
        let mut e = open(small_policy(), dir.path(), &clock);
        e.accept_policy(&user(Surface::App)).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            Command::new(&exe)
                .args(["soak_child", "--exact", "--nocapture", "--test-threads=1"])
                .env("CG_SOAK_CHILD", p.to_string())
                .env("CG_SOAK_DIR", dir.path())
                .env("CG_SOAK_SECS", secs.to_string())
                .env("CG_SOAK_LOG", logs.path().join(format!("{p}.log")))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut totals = [0u64; 4];
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "a soak process failed:\n{stdout}");
        let counts = stdout.lines().find_map(|l| l.split_once("soak-counts ")).expect("counts").1;
        for (t, n) in totals.iter_mut().zip(counts.split(' ')) {
            *t += n.trim().parse::<u64>().unwrap();
        }
    }
    let ops: Vec<Op> = (0..PROCESSES).flat_map(|p| parse_log(&logs.path().join(format!("{p}.log")))).collect();

    // No event lost: the whole history verifies, and every acknowledged event is there once.
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), dir.path(), &clock);
    assert_eq!(e.storage_problem(), None);
    let proof = e.export_proof().expect("the whole history, archives included, verifies");
    let history = proof["history"].as_array().unwrap();
    let mut seq_of: HashMap<&str, (u64, usize)> = HashMap::new();
    for r in history {
        let tag = r["locale"].as_str().unwrap();
        if tag.starts_with("en-p") {
            let prev = seq_of.insert(tag, (r["seq"].as_u64().unwrap(), seq_of.len()));
            assert!(prev.is_none(), "event {tag} recorded twice");
        }
    }
    let writes: Vec<&Op> = ops.iter().filter(|o| o.kind != 'D').collect();
    let lost: Vec<&str> =
        writes.iter().filter(|o| !seq_of.contains_key(o.rest.as_str())).map(|o| o.rest.as_str()).collect();
    assert!(lost.is_empty(), "{} acknowledged events lost, e.g. {:?}", lost.len(), &lost[..lost.len().min(5)]);
    assert_eq!(seq_of.len(), writes.len(), "events in the journal that no thread acknowledged");

    // Every decision is one the journal order allows.
    let mut timelines = Vec::new();
    for purpose in 0..PURPOSES.len() {
        let mut events: Vec<(u64, bool, u64, u64)> = writes
            .iter()
            .filter(|o| o.purpose == purpose)
            .map(|o| (seq_of[o.rest.as_str()].0, o.kind == 'G', o.start, o.end))
            .collect();
        events.sort();
        timelines.push(Timeline::new(events.into_iter().map(|(_, g, s, e)| (g, s, e)).collect()));
    }
    let decisions: Vec<&Op> = ops.iter().filter(|o| o.kind == 'D').collect();
    let mut violations = Vec::new();
    let mut after_withdrawal_checked = 0;
    for d in &decisions {
        let allowed = d.rest == "1";
        let (can_allow, can_deny) = timelines[d.purpose].possible(d.start, d.end);
        if !can_allow {
            after_withdrawal_checked += 1;
        }
        if (allowed && !can_allow) || (!allowed && !can_deny) {
            violations.push(format!("{} decided {} during [{}, {}]", PURPOSES[d.purpose], allowed, d.start, d.end));
        }
    }
    assert!(
        violations.is_empty(),
        "{} decisions no journal order allows, e.g. {:?}",
        violations.len(),
        &violations[..violations.len().min(5)]
    );

    let [grants, withdrawals, decided, hot] = totals;
    println!(
        "soak: {PROCESSES} processes x {THREADS} threads for {secs} s: {grants} grants, {withdrawals} withdrawals, \
         {decided} slow-path and {hot} hot-path decisions; {} decisions checked against the journal order \
         ({after_withdrawal_checked} where only \"not allowed\" was right); {} events in the history; events lost: 0",
        decisions.len(),
        history.len()
    );
    assert!(grants > 100 && withdrawals > 100, "too little happened to mean anything");
    assert!(after_withdrawal_checked > 100, "too few decisions fell where a withdrawal had to be honoured");
    let archives = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".archive"))
        .count();
    assert!(archives > 0, "the soak compacted at least once");
}

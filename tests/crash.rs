//! Crash safety: a writer process is SIGKILLed at random moments, over and over, on the
//! same journal. After every kill the journal loads cleanly and holds every event the
//! writer had acknowledged (an append returned), in order.
//!
//! The writer is this test binary re-run with `CG_CRASH_WRITER_DIR` set (see
//! `crash_writer_child`), so no extra binary is needed.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use consentgate::*;

const ROUNDS: u64 = 200;
/// On a loaded machine many kills land before the writer's second append; the test then goes
/// on (up to this many rounds) until half of ROUNDS kills landed mid-stream, instead of failing
/// on the machine's speed.
const MAX_ROUNDS: u64 = 1_000;

/// The child side: appends events forever, printing each one's timestamp once the
/// append returned (i.e. once it is acknowledged as durable).
#[test]
fn crash_writer_child() {
    let Ok(dir) = std::env::var("CG_CRASH_WRITER_DIR") else {
        return; // Only does something when run as the child.
    };
    let base: i64 = std::env::var("CG_CRASH_WRITER_BASE").unwrap().parse().unwrap();
    let clock = Arc::new(ManualClock::new(base));
    let mut e = open(small_policy(), std::path::Path::new(&dir), &clock);
    let ids = ["feedback_photo", "nearby_stores", "scan_receipt"];
    let ctx = user(Surface::RationaleDialog);
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    for i in 0.. {
        clock.set(base + i);
        let id = ids[(i % 3) as usize];
        if i % 2 == 0 { e.grant(id, &ctx) } else { e.deny(id, &ctx) }.expect("append");
        writeln!(out, "ack {}", base + i).unwrap();
        out.flush().unwrap();
    }
}

/// Deterministic pseudo-random delays, so a failing round can be replayed.
fn delay_for(round: u64) -> Duration {
    let mut x = round.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    x ^= x >> 33;
    Duration::from_micros(x % 15_000)
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged: Vec<i64> = Vec::new();
    let mut kills_mid_stream = 0;
    let mut round = 0;
    while round < ROUNDS || (kills_mid_stream < ROUNDS / 2 && round < MAX_ROUNDS) {
        let base = T0 + (round as i64) * 1_000_000;
        let mut child = Command::new(&exe)
            .args(["crash_writer_child", "--exact", "--nocapture", "--test-threads=1"])
            .env("CG_CRASH_WRITER_DIR", dir.path())
            .env("CG_CRASH_WRITER_BASE", base.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            // The harness prints "test crash_writer_child ... " before the first ack.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(ts) = line.rsplit_once("ack ").and_then(|(_, t)| t.parse::<i64>().ok()) {
                    let _ = tx.send(ts);
                }
            }
        });
        // Kill at a random moment after the writer is under way, so the kill lands mid-append.
        let first = rx.recv_timeout(Duration::from_secs(30)).expect("writer started");
        std::thread::sleep(delay_for(round));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        let acks: Vec<i64> = std::iter::once(first).chain(rx.try_iter()).collect();
        if acks.len() > 1 {
            kills_mid_stream += 1;
        }
        acknowledged.extend(acks);

        // After every kill: loads cleanly, and every acknowledged event is there in order.
        let clock = Arc::new(ManualClock::new(base));
        let mut e = open(small_policy(), dir.path(), &clock);
        assert_eq!(e.storage_problem(), None, "round {round}: journal does not load");
        let history = e.export_proof().unwrap()["history"].as_array().unwrap().clone();
        let stored: Vec<i64> = history.iter().map(|r| r["ts"].as_i64().unwrap()).collect();
        let mut it = stored.iter();
        for ts in &acknowledged {
            assert!(it.any(|s| s == ts), "round {round}: acknowledged event ts={ts} lost or out of order");
        }
        // At most one unacknowledged event per kill may have reached the disk.
        assert!(stored.len() <= acknowledged.len() + round as usize + 1, "round {round}: unexpected extra events");
        round += 1;
    }
    assert!(
        kills_mid_stream >= ROUNDS / 2,
        "only {kills_mid_stream} of {round} kills landed while the writer was appending"
    );
    assert!(acknowledged.len() > 200, "too few events written to mean anything: {}", acknowledged.len());
}

//! Journal load per event in CPU time (this thread's), for A/B comparisons on a busy machine
//! where divan's wall-clock medians swing with other processes (BENCHMARKS.md, "Journal load").
//!
//!     cargo run --profile bench --example journal_load_cpu -- DIR MODE [ROUNDS] [EVENTS]
//!
//! DIR gets a journal of EVENTS events (1,000 unless given) written through the engine by the benches' own
//! `fill_journal` (benches/common/events.rs: the phone-backup policy, grant / OS result /
//! withdraw / deny cycling) unless it holds one; with `COMPACT=1` set, compacted once written (the
//! live file is then one snapshot line, and `open` also reads and folds the archive).
//! MODE: `decode` (`Record::decode` of every line), `scan` (verify the file in memory),
//! `open` (`Engine::open`: read, verify, fold), `alt` (the app's JSON-lines alternative of
//! `benches/journal.rs`: read, parse each line into a small struct, fold into a map),
//! `policy` (`Policy::parse` of the policy alone: the part of `open` that is not the journal),
//! `digest` (the SHA-256 each line needs, alone: what a cheaper digest could save at most).
//! Build the same file on two trees and run them interleaved: the ratio is what counts.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use consentgate::journal::record::Record;
use consentgate::journal::scan::scan;
use consentgate::{Engine, JournalOptions, Policy, SystemClock};

#[path = "../benches/common/events.rs"]
mod bench_events;
#[path = "../benches/common/cpu_time.rs"]
mod cpu_time;
use cpu_time::thread_cpu_ns;

const POLICY: &str = include_str!("phone-backup/policy.json");

fn open(dir: &Path) -> Engine {
    let options = JournalOptions { fsync: false, compact_after: usize::MAX };
    Engine::open(Policy::parse(POLICY).expect("valid policy"), dir, Arc::new(SystemClock), options).expect("opens")
}

/// What an app team writes instead of a journal (as in `benches/journal.rs`).
#[derive(serde::Deserialize)]
struct PlainEvent {
    ts: i64,
    event: String,
    #[serde(default)]
    purpose: Option<String>,
}

/// The digest a line is checked and chained with: SHA-256 of the line without its
/// `,"sum":"<16 hex>"` (the event JSON as written), as `Record::decode` computes it.
fn line_digest(line: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let body = &line[..line.len() - ",\"sum\":\"0123456789abcdef\"}".len()];
    Sha256::new().chain_update(body).chain_update(b"}").finalize().into()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: journal_load_cpu DIR decode|scan|open|alt|policy|digest [ROUNDS] [EVENTS]");
        std::process::exit(2);
    }
    let dir = Path::new(&args[1]);
    let mode = args[2].as_str();
    let rounds: usize = args.get(3).map_or(300, |r| r.parse().expect("ROUNDS is a number"));
    let path = dir.join("consent.journal");
    if !path.exists() {
        std::fs::create_dir_all(dir).expect("folder");
        let events = args.get(4).map_or(1_000, |n| n.parse().expect("EVENTS is a number"));
        bench_events::fill_journal(&mut open(dir), events);
        if std::env::var_os("COMPACT").is_some() {
            open(dir).compact().expect("compacts");
        }
    }
    let bytes = std::fs::read(&path).expect("journal");
    let lines: Vec<&[u8]> = bytes.split(|&c| c == b'\n').filter(|l| !l.is_empty()).collect();
    let start = thread_cpu_ns() as f64;
    let mut seen = 0;
    for _ in 0..rounds {
        seen += match mode {
            "decode" => lines.iter().filter(|l| Record::decode(l).is_ok()).count(),
            "scan" => scan(&bytes, None).expect("verifies").records.len(),
            "open" => open(dir).state().purposes.len(),
            "policy" => Policy::parse(POLICY).expect("valid policy").purposes.len(),
            "digest" => lines.iter().filter(|l| line_digest(l)[0] != 0xff).count(),
            "alt" => {
                let bytes = std::fs::read(&path).expect("journal");
                let mut allowed: HashMap<String, bool> = HashMap::new();
                let mut latest = 0;
                for line in bytes.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                    let event: PlainEvent = serde_json::from_slice(line).expect("a JSON line");
                    latest = latest.max(event.ts);
                    if let Some(purpose) = event.purpose {
                        allowed.insert(purpose, event.event == "consent_granted");
                    }
                }
                allowed.len() + usize::from(latest > 0)
            }
            other => panic!("unknown mode {other}"),
        };
    }
    let per_line = (thread_cpu_ns() as f64 - start) / (rounds * lines.len()) as f64;
    println!("{mode}: {per_line:.0} ns CPU per line ({} lines x {rounds} rounds; {seen})", lines.len());
}

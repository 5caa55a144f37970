//! The core's part of a cold start, in a fresh process, in this thread's CPU time and wall time
//! (BENCHMARKS.md, "Cold start"): what `Native.open` does, without the JVM around it, so that a
//! profiler or `strace` sees only the core.
//!
//!     cargo build --profile bench --example cold_open
//!     target/release/examples/cold_open POLICY JOURNAL_TEMPLATE WORK [MODE]
//!
//! POLICY: a policy file (the JVM bench's `fixtures/policy.json`, 20 purposes). JOURNAL_TEMPLATE:
//! a journal folder (the JVM bench's `fixtures/journal`, or `fixtures-empty/journal`), copied to
//! the fresh folder WORK/j (which must not exist) before the clock starts, as the JVM bench does.
//! MODE `open` (default): one line `parse=wall/cpu open=wall/cpu first=wall/cpu` in microseconds:
//! `Policy::parse`, `Engine::open` (default options: fsync on, compaction past 250), the first
//! `SharedEngine::is_allowed`. MODE `again`: the same, then a second open of another copy in the
//! same process (`open2=`): what of the first open is once per process.
//! Run it many times, alternating two builds: the medians' ratio is what counts.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use consentgate::{Engine, JournalOptions, Policy, SharedEngine, SystemClock};

#[path = "../benches/common/cpu_time.rs"]
mod cpu_time;
use cpu_time::thread_cpu_ns;

struct Stamp(Instant, u64);

impl Stamp {
    fn now() -> Stamp {
        Stamp(Instant::now(), thread_cpu_ns())
    }

    /// "name=wall_us/cpu_us" since this stamp.
    fn step(&self, name: &str) -> String {
        let (wall, cpu) = (self.0.elapsed().as_micros(), (thread_cpu_ns() - self.1) / 1000);
        format!("{name}={wall}/{cpu}")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir(to).expect("a fresh folder");
    for entry in std::fs::read_dir(from).expect("the template folder") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copied");
    }
}

fn open(source: &str, dir: &Path) -> (SharedEngine, [String; 3]) {
    let t = Stamp::now();
    let policy = Policy::parse(source).expect("a valid policy");
    let parse = t.step("parse");
    let t = Stamp::now();
    let engine = Engine::open(policy, dir, Arc::new(SystemClock), JournalOptions::default()).expect("opens");
    assert!(engine.storage_problem().is_none(), "the journal is usable");
    let shared = SharedEngine::new(engine);
    let open = t.step("open");
    let t = Stamp::now();
    let allowed = shared.is_allowed(7);
    let first = t.step("first");
    std::hint::black_box(allowed);
    (shared, [parse, open, first])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: cold_open POLICY JOURNAL_TEMPLATE WORK [open|again]");
        std::process::exit(2);
    }
    let source = std::fs::read_to_string(&args[1]).expect("the policy file");
    let (template, work) = (Path::new(&args[2]), Path::new(&args[3]));
    let mode = args.get(4).map_or("open", String::as_str);
    let first_dir = work.join("j");
    copy_dir(template, &first_dir);
    let second_dir = work.join("k");
    if mode == "again" {
        copy_dir(template, &second_dir);
    }
    let (_engine, steps) = open(&source, &first_dir);
    let mut line = steps.join(" ");
    if mode == "again" {
        let (_again, steps) = open(&source, &second_dir);
        line.push_str(&format!(" {}", steps[1].replacen("open=", "open2=", 1)));
    }
    println!("{line}");
}

//! One journal append (`Engine::grant`) in this thread's CPU time, for A/B comparisons on a busy
//! machine (BENCHMARKS.md, "Journal append"): the shape of `benches/journal.rs`'s
//! `engine_grant_nofsync` (phone-backup policy, policy accepted, one purpose granted again and
//! again, compaction off), with a fresh folder per run.
//!
//!     cargo build --profile bench --example append_cpu
//!     target/release/examples/append_cpu DIR [APPENDS] [fsync] [COMPACT_AFTER]
//!
//! DIR must not exist (it is made and left behind). Prints the CPU and wall time per append in
//! microseconds. `fsync` turns fsync on (then wall time is what counts); COMPACT_AFTER (default:
//! never) lets the engine compact as an app's does, to see what compaction adds per decision.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use consentgate::{Actor, Context, Engine, JournalOptions, Policy, Surface, SystemClock};

const POLICY: &str = include_str!("phone-backup/policy.json");

#[path = "../benches/common/cpu_time.rs"]
mod cpu_time;
use cpu_time::thread_cpu_ns;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 {
        eprintln!("usage: append_cpu DIR [APPENDS] [fsync|nofsync] [COMPACT_AFTER]");
        std::process::exit(2);
    }
    let dir = Path::new(&args[1]);
    let appends: usize = args.get(2).map_or(2_000, |n| n.parse().expect("APPENDS is a number"));
    let fsync = args.get(3).is_some_and(|f| f == "fsync");
    let compact_after = args.get(4).map_or(usize::MAX, |n| n.parse().expect("COMPACT_AFTER is a number"));
    std::fs::create_dir(dir).expect("a fresh folder");
    let policy = Policy::parse(POLICY).expect("a valid policy");
    let options = JournalOptions { fsync, compact_after };
    let mut engine = Engine::open(policy, dir, Arc::new(SystemClock), options).expect("opens");
    let ctx = Context::new(Surface::RationaleDialog, "zh-CN", Actor::User);
    engine.accept_policy(&ctx).expect("accepted");
    let (wall, cpu) = (Instant::now(), thread_cpu_ns());
    for _ in 0..appends {
        engine.grant(std::hint::black_box("feedback_photo"), &ctx).expect("stored");
    }
    let cpu_us = (thread_cpu_ns() - cpu) as f64 / 1e3 / appends as f64;
    let wall_us = wall.elapsed().as_secs_f64() * 1e6 / appends as f64;
    println!("append: {cpu_us:.2} us CPU, {wall_us:.2} us wall per append ({appends} appends, fsync {fsync})");
}

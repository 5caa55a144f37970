//! Journal costs: append (with and without fsync), load and replay at 1k / 10k / 40k
//! events, compaction. Each group carries its floor (the raw file operation the journal
//! cannot avoid) and the alternative an app team would write instead (plain JSON lines,
//! no lock, checksum or hash chain), so `scripts/bench-rust.sh` reports ratios from one run.
//!
//! Journals are written through the real engine API (fsync off to build them fast) into
//! folders under cargo's target temp dir, on the build disk.
//!
//! Run: `cargo bench --bench journal` (or `scripts/bench-rust.sh` for the table).

mod common;

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use consentgate::engine::state::ConsentState;
use consentgate::journal::scan::scan;
use consentgate::journal::JOURNAL_FILE;
use consentgate::Engine;
use divan::{black_box, Bencher};

/// Journal folders with exactly N events, built once per process.
static BUILT: OnceLock<Mutex<HashMap<usize, tempfile::TempDir>>> = OnceLock::new();

fn main() {
    divan::main();
    // Statics are never dropped: remove the built journals (up to ~40 MB) here.
    if let Some(built) = BUILT.get() {
        built.lock().unwrap().clear();
    }
}

fn journal_with(events: usize) -> PathBuf {
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap();
    let dir = built.entry(events).or_insert_with(|| {
        let dir = common::tempdir();
        let mut engine = common::open(common::phone_backup_policy(), dir.path(), false);
        common::fill_journal(&mut engine, events);
        dir
    });
    dir.path().to_path_buf()
}

fn open_engine(dir: &Path) -> Engine {
    common::open(common::phone_backup_policy(), dir, false)
}

/// A line as long as a real `consent_granted` journal line.
fn line_like_journal() -> Vec<u8> {
    let dir = common::tempdir();
    let mut engine = common::open(common::phone_backup_policy(), dir.path(), false);
    common::fill_journal(&mut engine, 2);
    let text = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap();
    let mut line = text.lines().nth(1).unwrap().as_bytes().to_vec();
    line.push(b'\n');
    line
}

/// What an app team writes instead of a journal: one JSON line per event.
#[derive(serde::Serialize, serde::Deserialize)]
struct PlainEvent {
    ts: i64,
    event: String,
    #[serde(default)]
    purpose: Option<String>,
}

/// `Engine::grant`: read other writers' lines, encode, checksum, chain, write.
mod append {
    use super::*;

    /// Registers `$run(b, fsync)` twice under the names `scripts/bench-rust.sh` reads:
    /// without fsync, and with it (fewer samples of one write each: an fsync takes ms).
    macro_rules! without_and_with_fsync {
        ($run:ident => $nofsync:ident, $fsync:ident) => {
            #[divan::bench]
            fn $nofsync(b: Bencher) {
                $run(b, false);
            }

            #[divan::bench(sample_count = 100, sample_size = 1)]
            fn $fsync(b: Bencher) {
                $run(b, true);
            }
        };
    }

    fn engine_grant(b: Bencher, fsync: bool) {
        let dir = common::tempdir();
        let mut engine = common::open(common::phone_backup_policy(), dir.path(), fsync);
        let ctx = common::user();
        engine.accept_policy(&ctx).unwrap();
        b.bench_local(|| engine.grant(black_box("feedback_photo"), &ctx).unwrap());
    }

    without_and_with_fsync!(engine_grant => engine_grant_nofsync, engine_grant_fsync);

    /// The floor: one `write` of a journal-sized line to a file kept open in append mode.
    fn floor_write(b: Bencher, fsync: bool) {
        let dir = common::tempdir();
        let line = line_like_journal();
        let mut file = OpenOptions::new().create(true).append(true).open(dir.path().join("floor")).unwrap();
        b.bench_local(|| {
            file.write_all(black_box(&line)).unwrap();
            if fsync {
                file.sync_data().unwrap();
            }
        });
    }

    without_and_with_fsync!(floor_write => floor_write_nofsync, floor_write_fsync);

    /// The alternative: open in append mode, serialize a small event, write, close.
    fn alt_jsonl(b: Bencher, fsync: bool) {
        let dir = common::tempdir();
        let path = dir.path().join("events.jsonl");
        b.bench_local(|| {
            let event = PlainEvent {
                ts: 1_700_000_000_000,
                event: "consent_granted".into(),
                purpose: Some("feedback_photo".into()),
            };
            let mut line = serde_json::to_vec(&event).unwrap();
            line.push(b'\n');
            let mut file = OpenOptions::new().create(true).append(true).open(&path).unwrap();
            file.write_all(&line).unwrap();
            if fsync {
                file.sync_data().unwrap();
            }
        });
    }

    without_and_with_fsync!(alt_jsonl => alt_jsonl_nofsync, alt_jsonl_fsync);
}

/// 40k is about the most one live file holds: the journal refuses files past 16 MiB
/// (~330 bytes a line), so a longer history exists only as compaction's archives.
const SIZES: [usize; 3] = [1_000, 10_000, 40_000];

/// Opening an engine on an existing journal: read, verify every checksum and the hash
/// chain, replay into the state.
mod load {
    use super::*;

    #[divan::bench(args = SIZES, sample_count = 25)]
    fn engine_open(b: Bencher, events: usize) {
        let dir = journal_with(events);
        let engine = open_engine(&dir);
        assert!(engine.storage_problem().is_none());
        assert!(!engine.state().purposes.is_empty());
        drop(engine);
        b.bench_local(|| open_engine(black_box(&dir)));
    }

    /// Verification alone, on bytes already in memory (no I/O, no replay).
    #[divan::bench(args = SIZES, sample_count = 25)]
    fn scan_only(b: Bencher, events: usize) {
        let bytes = fs::read(journal_with(events).join(JOURNAL_FILE)).unwrap();
        assert_eq!(scan(&bytes, None).unwrap().records.len(), events);
        b.bench_local(|| scan(black_box(&bytes), None).map(|s| s.records.len()));
    }

    /// The floor: reading the file's bytes.
    #[divan::bench(args = SIZES, sample_count = 25)]
    fn floor_read(b: Bencher, events: usize) {
        let path = journal_with(events).join(JOURNAL_FILE);
        b.bench_local(|| fs::read(black_box(&path)).unwrap());
    }

    /// The alternative: read, parse each JSON line into a small struct, fold into a map.
    #[divan::bench(args = SIZES, sample_count = 25)]
    fn alt_jsonl(b: Bencher, events: usize) {
        let path = journal_with(events).join(JOURNAL_FILE);
        b.bench_local(|| {
            let bytes = fs::read(black_box(&path)).unwrap();
            let mut allowed: HashMap<String, bool> = HashMap::new();
            for line in bytes.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                let event: PlainEvent = serde_json::from_slice(line).unwrap();
                if let Some(purpose) = event.purpose {
                    allowed.insert(purpose, event.event == "consent_granted");
                }
            }
            allowed
        });
    }

    /// A prototype of a streaming load (public API only): verify and fold 1,000 lines at
    /// a time, dropping each batch's records, so memory stays bounded whatever N is.
    /// Today's load collects all N records first. Same checks, same state.
    #[divan::bench(args = SIZES, sample_count = 25)]
    fn prototype_streaming_fold(b: Bencher, events: usize) {
        let path = journal_with(events).join(JOURNAL_FILE);
        let fold = |path: &Path| {
            let bytes = fs::read(path).unwrap();
            let mut state = ConsentState::default();
            let (mut pos, mut at) = (0, None);
            while pos < bytes.len() {
                let end = bytes[pos..]
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c == b'\n')
                    .nth(999)
                    .map_or(bytes.len(), |(i, _)| pos + i + 1);
                let scanned = scan(&bytes[pos..end], at.as_ref()).unwrap();
                for record in &scanned.records {
                    state.apply(record);
                }
                at = scanned.end;
                pos = end;
            }
            state
        };
        let expected = open_engine(&journal_with(events)).state().clone();
        assert_eq!(fold(&path), expected, "the prototype folds to the engine's state");
        b.bench_local(|| fold(black_box(&path)));
    }

    /// After compaction the live file is one snapshot line; the load also reads the archive
    /// that compaction made (N events) and checks the snapshot against its fold. With the
    /// default threshold (500) that archive holds at most ~500 events: the 1,000 case bounds
    /// a real start-up; 40,000 is one compaction of a history never compacted before.
    #[divan::bench(args = [1_000, 40_000], sample_count = 25)]
    fn engine_open_compacted(b: Bencher, events: usize) {
        let src = journal_with(events).join(JOURNAL_FILE);
        let dir = common::tempdir();
        fs::copy(&src, dir.path().join(JOURNAL_FILE)).unwrap();
        open_engine(dir.path()).compact().unwrap();
        let dir_path = dir.path().to_path_buf();
        b.bench_local(|| open_engine(black_box(&dir_path)));
    }
}

/// Where one event's load time goes: each part run over every line of the 1k journal
/// (divide by 1000 for per event). Diagnostics for the load budget, not budgets.
mod load_parts {
    use super::*;
    use consentgate::journal::record::{line_hash, Record};
    use std::borrow::Cow;

    fn lines() -> Vec<Vec<u8>> {
        let bytes = fs::read(journal_with(1_000).join(JOURNAL_FILE)).unwrap();
        bytes.split(|&c| c == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
    }

    /// `Record::decode`: checksum (one SHA-256 of the line) and the typed serde parse.
    #[divan::bench(sample_count = 30)]
    fn record_decode_x1000(b: Bencher) {
        let lines = lines();
        b.bench_local(|| lines.iter().map(|l| Record::decode(black_box(l)).is_ok() as usize).sum::<usize>());
    }

    /// The chain hash: one SHA-256 of the line, as hex.
    #[divan::bench(sample_count = 30)]
    fn line_hash_x1000(b: Bencher) {
        let lines = lines();
        b.bench_local(|| lines.iter().map(|l| line_hash(black_box(l)).len()).sum::<usize>());
    }

    /// The typed parse alone (the `sum` field is ignored), owned strings as today.
    #[divan::bench(sample_count = 30)]
    fn serde_owned_record_x1000(b: Bencher) {
        let lines = lines();
        b.bench_local(|| {
            lines.iter().map(|l| serde_json::from_slice::<Record>(black_box(l)).is_ok() as usize).sum::<usize>()
        });
    }

    /// A prototype of a borrowing record (no allocation per string field): what a
    /// zero-copy load path could save. Same fields as `Record`.
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct BorrowedRecord<'a> {
        v: u32,
        seq: u64,
        ts: i64,
        #[serde(borrow)]
        event: Cow<'a, str>,
        #[serde(borrow, default)]
        purpose: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        fp: Option<Cow<'a, str>>,
        #[serde(borrow)]
        policy_version: Cow<'a, str>,
        #[serde(borrow)]
        surface: Cow<'a, str>,
        #[serde(borrow)]
        locale: Cow<'a, str>,
        #[serde(borrow)]
        actor: Cow<'a, str>,
        #[serde(borrow, default)]
        permission: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        os_result: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        age: Option<Cow<'a, str>>,
        #[serde(default)]
        guardian: Option<bool>,
        #[serde(borrow)]
        prev: Cow<'a, str>,
    }

    #[divan::bench(sample_count = 30)]
    fn serde_borrowed_record_x1000(b: Bencher) {
        let lines = lines();
        b.bench_local(|| {
            lines.iter().map(|l| serde_json::from_slice::<BorrowedRecord>(black_box(l)).is_ok() as usize).sum::<usize>()
        });
    }
}

/// `Engine::compact`: archive the history, write a snapshot line, swap files, fsync.
mod compact {
    use super::*;

    /// A fresh copy of an N-event journal in `dir`, with an engine open on it.
    fn fresh(dir: &Path, events: usize) -> Engine {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_str().unwrap().starts_with(JOURNAL_FILE) {
                fs::remove_file(path).unwrap();
            }
        }
        fs::copy(journal_with(events).join(JOURNAL_FILE), dir.join(JOURNAL_FILE)).unwrap();
        open_engine(dir)
    }

    #[divan::bench(args = [1_000, 10_000], sample_count = 40, sample_size = 1)]
    fn engine_compact(b: Bencher, events: usize) {
        let dir = common::tempdir();
        b.with_inputs(|| fresh(dir.path(), events)).bench_local_values(|mut engine| {
            engine.compact().unwrap();
            engine
        });
    }

    /// The floor: an atomic file replace (write a snapshot-sized file, fsync, rename,
    /// fsync the folder).
    #[divan::bench(sample_count = 40, sample_size = 1)]
    fn floor_atomic_replace(b: Bencher) {
        let dir = common::tempdir();
        let snapshot = {
            let mut engine = fresh(dir.path(), 1_000);
            engine.compact().unwrap();
            fs::read(dir.path().join(JOURNAL_FILE)).unwrap()
        };
        let (tmp, live) = (dir.path().join("replace.tmp"), dir.path().join("replace"));
        b.bench_local(|| {
            let mut f = File::create(&tmp).unwrap();
            f.write_all(black_box(&snapshot)).unwrap();
            f.sync_all().unwrap();
            fs::rename(&tmp, &live).unwrap();
            File::open(dir.path()).unwrap().sync_all().unwrap();
        });
    }
}

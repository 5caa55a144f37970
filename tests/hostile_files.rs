//! The journal folder against hostile or damaged files (issue 11): what a crashing device
//! or code running as the app can leave there. Each case must fail closed with a clear
//! storage or corruption error, never hang, never crash, and never write through a link.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use consentgate::journal::scan::scan;
use consentgate::journal::MAX_JOURNAL_BYTES;
use consentgate::*;
use sha2::{Digest, Sha256};

const FP: usize = 0;

fn journal(dir: &Path) -> PathBuf {
    dir.join("consent.journal")
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

/// Runs `f` on another thread and fails the test if it does not return within 20 s
/// (a blocking open on a FIFO never returns).
fn within_time<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20)).unwrap_or_else(|_| panic!("{what} hung (still blocked after 20 s)"))
}

/// Signs an event body the way the journal does (the chain is not secret: anyone with
/// the file can compute one, which is why a snapshot must not be taken on its word).
fn signed_line(body: &serde_json::Value) -> String {
    signed_text(&serde_json::to_string(body).unwrap())
}

/// The same for an event body already written out (its fields in the order given).
fn signed_text(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let sum: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{},\"sum\":\"{sum}\"}}", &body[..body.len() - 1])
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

/// Defect 1: the live journal replaced by one forged snapshot line, chained on the real
/// head of the archived history, whose state says "granted" where the history ends in a
/// withdrawal. The archive it claims to summarise is present: the folder is corrupt.
#[test]
fn a_forged_snapshot_chained_on_the_real_history_fails_closed() {
    let (dir, clock, mut e) = temp_engine(small_policy());
    accept_and_grant(&mut e, &["feedback_photo"]);
    e.compact().unwrap();
    let granted_snapshot: serde_json::Value = serde_json::from_str(&lines(&journal(dir.path()))[0]).unwrap();
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    e.compact().unwrap();
    assert_ne!(e.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);

    // An honest compacted folder loads, and its proof accounts for every line.
    let mut fresh = open(small_policy(), dir.path(), &clock);
    assert_eq!(fresh.storage_problem(), None);
    let proof = fresh.export_proof().unwrap();
    let j = &proof["journal"];
    assert_eq!(j["events"], 3, "accept, grant, withdraw: {j}");
    assert_eq!(j["snapshots"].as_array().unwrap().len(), 2, "{j}");
    assert_eq!(j["lines"], 5, "every line behind head_hash is accounted for: {j}");
    assert_eq!(j["snapshots"][1]["seq"], 5);

    // The forgery: the real snapshot's seq and prev, the old "granted" state.
    let real: serde_json::Value = serde_json::from_str(&lines(&journal(dir.path()))[0]).unwrap();
    let mut forged = granted_snapshot.clone();
    let map = forged.as_object_mut().unwrap();
    map.remove("sum");
    map.insert("seq".into(), real["seq"].clone());
    map.insert("prev".into(), real["prev"].clone());
    std::fs::write(journal(dir.path()), format!("{}\n", signed_line(&forged))).unwrap();
    assert!(scan(&std::fs::read(journal(dir.path())).unwrap(), None).is_ok(), "the line itself verifies");

    let mut victim = open(small_policy(), dir.path(), &clock);
    let problem = victim.storage_problem().expect("a forged snapshot is not loaded").to_string();
    assert!(problem.contains("snapshot") && problem.contains("archive"), "{problem}");
    assert_eq!(victim.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
    assert!(victim.export_proof().is_err(), "no proof export of a forged history");
    let shared = SharedEngine::new(open(small_policy(), dir.path(), &clock));
    assert!(!shared.is_allowed(FP), "the withdrawn purpose stays withdrawn");
}

/// Defect 2: the last few hundred bytes of the journal zeroed, size kept: two acknowledged
/// events gone, the last a withdrawal. That is damage, not a torn write: the engine fails
/// closed and an append does not cut the evidence away.
#[test]
fn a_zeroed_tail_is_corruption_not_a_torn_write() {
    let (dir, clock, mut e) = temp_engine(small_policy());
    accept_and_grant(&mut e, &["feedback_photo", "scan_receipt"]);
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    let path = journal(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let last_two: usize = lines(&path).iter().rev().take(2).map(|l| l.len() + 1).sum();
    let n = bytes.len();
    for b in &mut bytes[n - last_two - 20..] {
        *b = 0;
    }
    std::fs::write(&path, &bytes).unwrap();

    let err = scan(&bytes, None).expect_err("zeroed bytes are not a torn write");
    assert!(err.reason.contains("0x00"), "{err:?}");
    let mut reopened = open(small_policy(), dir.path(), &clock);
    let problem = reopened.storage_problem().expect("fails closed").to_string();
    assert!(problem.contains("corrupt"), "{problem}");
    assert_eq!(reopened.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
    assert!(reopened.grant("nearby_stores", &user(Surface::RationaleDialog)).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the damaged file is left as it was");

    // Other bytes the encoder never writes are damage too; a cut-short line is not.
    let intact = {
        let d = tempfile::tempdir().unwrap();
        let mut w = open(small_policy(), d.path(), &clock);
        accept_and_grant(&mut w, &["feedback_photo"]);
        std::fs::read(journal(d.path())).unwrap()
    };
    let cut = intact.len() - 40;
    let first_line_end = intact.iter().position(|&b| b == b'\n').unwrap() + 1;
    assert_eq!(scan(&intact[..cut], None).unwrap().torn_tail, cut - first_line_end);
    for garbage in [&b"\xff\xfe"[..], b"garbage", b"\"seq\":2}", b"{\"v\":1\t"] {
        let mut damaged = intact[..first_line_end].to_vec();
        damaged.extend_from_slice(garbage);
        assert!(scan(&damaged, None).is_err(), "{:?} after the last newline", String::from_utf8_lossy(garbage));
    }
}

/// A symbolic link at `link` to a file outside the journal folder holding `contents`: the
/// folder holding it (kept for the test's length) and the file.
fn link_to_a_victim(link: &Path, contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, contents).unwrap();
    std::os::unix::fs::symlink(&victim, link).unwrap();
    (outside, victim)
}

/// Defect 5: compaction's temporary file is a symbolic link to another file. Nothing is
/// written through it, and no link ends up as the journal.
#[test]
fn compaction_does_not_write_through_a_link_at_its_temporary_name() {
    let (dir, clock, mut e) = temp_engine(small_policy());
    accept_and_grant(&mut e, &["feedback_photo"]);
    let (_outside, victim) = link_to_a_victim(&dir.path().join("consent.journal.tmp"), b"someone else's data\n");

    e.compact().unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"someone else's data\n", "nothing written through the link");
    let meta = std::fs::symlink_metadata(journal(dir.path())).unwrap();
    assert!(meta.file_type().is_file(), "the journal is a regular file, not the link");
    let mut fresh = open(small_policy(), dir.path(), &clock);
    assert_eq!(fresh.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
}

/// Defect 6: a FIFO in place of the journal (or the lock file). Opening must not block
/// (on the main thread that is an ANR): the engine fails closed naming the file type.
#[test]
fn a_fifo_in_place_of_a_journal_file_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&journal(dir.path()));
    let d = dir.path().to_path_buf();
    let (problem, decision) = within_time("opening an engine on a FIFO journal", move || {
        let clock = Arc::new(ManualClock::new(T0));
        let mut e = open(small_policy(), &d, &clock);
        let problem = e.storage_problem().map(str::to_string);
        (problem, e.decide("feedback_photo", Source::Feature).unwrap())
    });
    let problem = problem.expect("fails closed");
    assert!(problem.contains("not a regular file"), "{problem}");
    assert_eq!(decision, BLOCKED_STORAGE);

    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("consent.lock"));
    let d = dir.path().to_path_buf();
    let opened = within_time("opening an engine on a FIFO lock file", move || {
        let clock = Arc::new(ManualClock::new(T0));
        Engine::open(small_policy(), &d, clock, JournalOptions::default()).err().map(|e| e.to_string())
    });
    let err = opened.expect("the engine does not open on a FIFO lock");
    assert!(err.contains("consent.lock") && err.contains("not a regular file"), "{err}");
}

/// Defect 7: a journal file larger than the cap is not read into memory: a clear storage
/// error, decisions fail closed.
#[test]
fn a_journal_above_the_size_cap_fails_closed_without_being_read() {
    let (dir, clock, mut e) = temp_engine(small_policy());
    accept_and_grant(&mut e, &["feedback_photo"]);
    let shared = SharedEngine::new(open(small_policy(), dir.path(), &clock));
    assert!(shared.is_allowed(FP));
    // Sparse: no disk space used, but the length says 16 MiB + 1.
    std::fs::OpenOptions::new().write(true).open(journal(dir.path())).unwrap().set_len(MAX_JOURNAL_BYTES + 1).unwrap();

    let mut big = open(small_policy(), dir.path(), &clock);
    let problem = big.storage_problem().expect("fails closed").to_string();
    assert!(problem.contains("larger than 16777216 bytes"), "{problem}");
    assert_eq!(big.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
    let err = e.grant("scan_receipt", &user(Surface::RationaleDialog)).unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}

/// The export refused on a journal that cannot be trusted says what is wrong once
/// ("consent storage failed at" appeared twice).
#[test]
fn a_refused_export_names_the_problem_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    std::fs::create_dir_all(journal(dir.path())).unwrap();
    let mut e = open(small_policy(), dir.path(), &clock);
    let err = e.export_proof().unwrap_err().to_string();
    assert_eq!(err.matches("consent storage failed at").count(), 1, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    let err = e.accept_policy(&user(Surface::App)).unwrap_err().to_string();
    assert_eq!(err.matches("consent storage failed at").count(), 1, "{err}");
}

/// Counter-file cases run a second process: this test binary again, running only
/// `hostile_child` with `CG_HOSTILE_DIR` set.
#[test]
fn hostile_child() {
    let Ok(dir) = std::env::var("CG_HOSTILE_DIR") else {
        return; // Only does something when run as a child.
    };
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), Path::new(&dir), &clock);
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    println!("child withdrew");
}

fn withdraw_in_another_process(dir: &Path) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["hostile_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("CG_HOSTILE_DIR", dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("child withdrew"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A folder where feedback_photo and scan_receipt were granted, and an engine shared (as
/// through JNI) that was opened on it after those writes and answers `true` for both.
fn granted_shared_engine() -> (tempfile::TempDir, SharedEngine) {
    let clock = Arc::new(ManualClock::new(T0));
    let dir = tempfile::tempdir().unwrap();
    let mut e = open(small_policy(), dir.path(), &clock);
    accept_and_grant(&mut e, &["feedback_photo", "scan_receipt"]);
    drop(e);
    let shared = SharedEngine::new(open(small_policy(), dir.path(), &clock));
    assert!(shared.is_allowed(FP));
    (dir, shared)
}

/// Defect 3: the mapped change counter truncated under an open engine. The hot path must
/// not die of SIGBUS (without the fix this test process is killed); it re-syncs and
/// answers from the journal, and other processes' writes are seen again.
#[test]
fn a_truncated_change_counter_does_not_kill_the_process() {
    let (dir, shared) = granted_shared_engine();
    let gen = dir.path().join("consent.gen");
    std::fs::OpenOptions::new().write(true).open(&gen).unwrap().set_len(0).unwrap();

    assert!(shared.is_allowed(FP), "re-synced with the journal, which still grants it");
    assert_eq!(std::fs::metadata(&gen).unwrap().len(), 8, "the counter file was made whole again");
    withdraw_in_another_process(dir.path());
    assert!(!shared.is_allowed(FP), "another process's withdrawal is seen through the new mapping");
    assert!(shared.is_allowed(2), "scan_receipt still granted");
}

/// Defect 4: the counter file deleted and created again by another process. The first
/// process's slow path checks the counter's identity (as the lock file's) and maps the
/// new one, so it sees the other process's withdrawal, and its hot path follows.
#[test]
fn a_replaced_change_counter_does_not_split_processes() {
    let (dir, shared) = granted_shared_engine();
    std::fs::remove_file(dir.path().join("consent.gen")).unwrap();
    withdraw_in_another_process(dir.path());

    let decided = shared.with(|e| e.decide("feedback_photo", Source::Feature)).unwrap();
    assert_ne!(decided, Decision::Allowed, "the slow path sees the withdrawal");
    assert!(!shared.is_allowed(FP), "and so does the hot path");
    withdraw_in_another_process(dir.path());
    assert!(!shared.is_allowed(FP));
    assert!(shared.is_allowed(2));
}

/// Defect 5: the counter file is a symbolic link to another file. It is not followed
/// (every append would otherwise increment the first 8 bytes of that file).
#[test]
fn a_symlinked_change_counter_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_outside, victim) = link_to_a_victim(&dir.path().join("consent.gen"), b"12345678 other data");
    let clock = Arc::new(ManualClock::new(T0));
    let err = match Engine::open(small_policy(), dir.path(), clock, JournalOptions::default()) {
        Ok(mut e) => {
            let _ = e.accept_policy(&user(Surface::App));
            panic!("opened on a symlinked counter")
        }
        Err(e) => e.to_string(),
    };
    assert!(err.contains("consent.gen") && err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"12345678 other data");
}

/// Defect 8: closing the last engine of a folder unmaps its counter, so opening and
/// closing engines in many folders does not leak one mapping each.
#[test]
fn closing_engines_releases_their_counter_mappings() {
    let root = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let mapped_here = || {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        maps.lines().filter(|l| l.contains(root.path().to_str().unwrap())).count()
    };
    for i in 0..300 {
        let shared = SharedEngine::new(open(small_policy(), &root.path().join(i.to_string()), &clock));
        let second = open(small_policy(), &root.path().join(i.to_string()), &clock);
        assert_eq!(mapped_here(), 1, "one mapping per open folder, shared by its engines");
        shared.close();
        assert_eq!(mapped_here(), 1, "still used by the second engine");
        drop(second);
        assert_eq!(mapped_here(), 0, "released with the folder's last engine");
        assert!(!shared.is_allowed(FP), "a closed engine answers no");
    }
}

/// The live journal replaced behind an engine's back (a new file renamed in, the change
/// counter untouched: code running as the app, or a swap between the engine's check and its
/// write lock) by a compacted history whose archive was then damaged. The read that the
/// write makes under the lock finds the snapshot unproven: the write is refused and the
/// engine fails closed, instead of carrying on with the consent it held before.
#[test]
fn a_write_onto_a_replaced_journal_whose_snapshot_fails_its_check_fails_closed() {
    let (dir, clock, mut a) = temp_engine(small_policy());
    accept_and_grant(&mut a, &["feedback_photo"]);
    assert_eq!(a.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);

    // The same history in another folder, withdrawn there and compacted.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::copy(journal(dir.path()), journal(elsewhere.path())).unwrap();
    let mut b = open(small_policy(), elsewhere.path(), &clock);
    b.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    b.compact().unwrap();
    drop(b);
    let archive = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".archive"))
        .expect("compaction leaves an archive");
    // One byte of the archive changed: the snapshot no longer has a history that proves it.
    let mut bytes = std::fs::read(&archive).unwrap();
    let at = bytes.iter().position(|&b| b == b'z').expect("the archive names a locale");
    bytes[at] = b'y';
    std::fs::write(dir.path().join(archive.file_name().unwrap()), bytes).unwrap();
    let staged = dir.path().join("staged");
    std::fs::copy(journal(elsewhere.path()), &staged).unwrap();
    std::fs::rename(&staged, journal(dir.path())).unwrap();

    let written = a.accept_policy(&user(Surface::App));
    assert!(written.is_err(), "a write onto an unproven journal is refused: {written:?}");
    assert!(a.storage_problem().is_some(), "the engine says what is wrong");
    assert_eq!(a.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
    // A fresh engine sees the same folder the same way.
    let fresh = open(small_policy(), dir.path(), &clock);
    assert!(fresh.storage_problem().is_some());
}

/// A correctly signed snapshot line at the largest sequence number, another line after it:
/// reading the file reports the chain as broken instead of overflowing (a panic in a debug
/// build, a silent wrap to 0 in a release one), and an engine on it fails closed.
#[test]
fn a_sequence_number_at_its_largest_is_corruption_not_an_overflow() {
    let (dir, clock, mut e) = temp_engine(small_policy());
    accept_and_grant(&mut e, &["feedback_photo"]);
    e.compact().unwrap();
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    let live = lines(&journal(dir.path()));
    assert_eq!(live.len(), 2, "a snapshot and the withdrawal: {live:?}");

    let mut snapshot: serde_json::Value = serde_json::from_str(&live[0]).unwrap();
    let map = snapshot.as_object_mut().unwrap();
    map.remove("sum");
    map.insert("seq".into(), u64::MAX.into());
    let text = format!("{}\n{}\n", signed_line(&snapshot), live[1]);
    let refused = scan(text.as_bytes(), None).expect_err("nothing follows the largest sequence number");
    assert!(refused.reason.contains("largest"), "{refused:?}");

    std::fs::write(journal(dir.path()), text).unwrap();
    let mut victim = open(small_policy(), dir.path(), &clock);
    assert!(victim.storage_problem().is_some());
    assert_eq!(victim.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE);
}

/// Adds one to the folder's change counter in place (same file, same size), as any other
/// process's write does: engines on the folder read the journal again at their next sync.
fn bump_change_counter(dir: &Path) {
    use std::os::unix::fs::FileExt;
    let counter = std::fs::OpenOptions::new().read(true).write(true).open(dir.join("consent.gen")).unwrap();
    let mut value = [0u8; 8];
    counter.read_exact_at(&mut value, 0).unwrap();
    counter.write_all_at(&(u64::from_ne_bytes(value) + 1).to_ne_bytes(), 0).unwrap();
}

/// A read of the whole journal that finds no complete line (an empty file, or only the torn
/// start of one) left the reader without a chain position; when the same file then grew in
/// place, the next read was incremental, and a snapshot as its first line was folded without
/// the check against its archive that a whole read makes. Here a forged "granted" snapshot,
/// chained on the real end of a history that ends in a withdrawal, grows the file: both the
/// read a write makes under its lock and the read a sync makes must refuse it.
#[test]
fn a_snapshot_appearing_in_a_journal_read_empty_is_checked_against_its_archive() {
    for torn in [0, 10] {
        let (dir, clock, mut e) = temp_engine(small_policy());
        accept_and_grant(&mut e, &["feedback_photo"]);
        e.compact().unwrap();
        let granted_snapshot = lines(&journal(dir.path())).remove(0);
        e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
        e.compact().unwrap();
        drop(e);
        let real: serde_json::Value = serde_json::from_str(&lines(&journal(dir.path()))[0]).unwrap();
        // The granted snapshot's line as the encoder wrote it (so a torn start of it begins
        // like any line), moved onto the real snapshot's seq and prev and signed again.
        let old: serde_json::Value = serde_json::from_str(&granted_snapshot).unwrap();
        let body = granted_snapshot[..granted_snapshot.rfind(",\"sum\":").unwrap()]
            .replacen(&format!(",\"seq\":{},", old["seq"]), &format!(",\"seq\":{},", real["seq"]), 1)
            .replacen(old["prev"].as_str().unwrap(), real["prev"].as_str().unwrap(), 1);
        let forged = format!("{}\n", signed_text(&format!("{body}}}")));
        assert!(forged.starts_with("{\"v\":") && forged.contains(real["prev"].as_str().unwrap()));
        assert!(scan(forged.as_bytes(), None).is_ok(), "the forged line itself verifies");

        // The live file holds no complete line while two engines open it (the archives stay).
        std::fs::write(journal(dir.path()), &forged[..torn]).unwrap();
        let mut writer = open(small_policy(), dir.path(), &clock);
        let mut reader = open(small_policy(), dir.path(), &clock);
        assert_eq!(writer.storage_problem(), None, "torn {torn}: nothing wrong yet");
        assert_eq!(reader.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);

        // The same file grows in place to the forged snapshot.
        use std::io::Write;
        let mut live = std::fs::OpenOptions::new().append(true).open(journal(dir.path())).unwrap();
        live.write_all(&forged.as_bytes()[torn..]).unwrap();
        drop(live);

        let written = writer.accept_policy(&user(Surface::App));
        assert!(written.is_err(), "torn {torn}: a write onto an unproven snapshot is refused: {written:?}");
        assert_eq!(writer.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE, "torn {torn}");

        bump_change_counter(dir.path());
        assert_eq!(reader.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_STORAGE, "torn {torn}");
        let problem = reader.storage_problem().expect("the reader says what is wrong").to_string();
        assert!(problem.contains("snapshot"), "torn {torn}: {problem}");
        let shared = SharedEngine::new(open(small_policy(), dir.path(), &clock));
        assert!(!shared.is_allowed(FP), "torn {torn}: the withdrawn purpose stays withdrawn");
    }
}

/// A valid locale tag of exactly `len` characters (2..=64): "en" and subtags of "a"s.
fn locale_of_length(len: u64) -> String {
    let mut tag = String::from("en");
    let mut left = len as usize - 2;
    while left > 0 {
        // Subtags are 2..=8 letters after their '-': never leave a remainder of 1 or 2.
        let take = if left > 9 && left - 9 < 3 { 7 } else { left.min(9) };
        assert!(take >= 3, "no tag of length {len}");
        tag.push('-');
        tag.push_str(&"a".repeat(take - 1));
        left -= take;
    }
    tag
}

fn room_left(dir: &Path) -> u64 {
    MAX_JOURNAL_BYTES - std::fs::metadata(journal(dir)).unwrap().len()
}

/// A write refused at the size cap dropped what the read made under its lock had just found
/// (here another process's withdrawal that this engine's sync had not seen: that process
/// stopped between its fsync and its change-counter bump), and the engine's next read went on
/// after it: the engine kept allowing the withdrawn purpose until restarted, and a compaction
/// it then made wrote a snapshot without the withdrawal (every other engine refused it).
#[test]
fn a_write_refused_at_the_size_cap_keeps_what_its_read_found() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    // No compaction (it is what would relieve the cap) and no fsync (40,000 writes).
    let options = JournalOptions { fsync: false, compact_after: usize::MAX };
    let open = || Engine::open(small_policy(), dir.path(), clock.clone(), options).unwrap();
    let (mut a, mut b) = (open(), open());
    let ctx = |locale: &str| Context::new(Surface::RationaleDialog, locale, Actor::User);
    accept_and_grant(&mut a, &["feedback_photo"]);
    // Five-digit sequence numbers from here on, so that a line's length is its locale's.
    for _ in 0..10_000 {
        a.accept_policy(&ctx("en")).unwrap();
    }
    let measure = |e: &mut Engine, write: &dyn Fn(&mut Engine)| {
        let before = room_left(dir.path());
        write(e);
        before - room_left(dir.path())
    };
    let accept_line = measure(&mut a, &|e| e.accept_policy(&ctx("en")).unwrap());
    let withdrawal = measure(&mut b, &|e| drop(e.withdraw("feedback_photo", &ctx("en")).unwrap()));
    let long_grant = measure(&mut a, &|e| e.grant("scan_receipt", &ctx(&locale_of_length(64))).unwrap());
    a.withdraw("scan_receipt", &ctx("en")).unwrap();
    a.grant("feedback_photo", &ctx("en")).unwrap();
    assert!(withdrawal + 4 < long_grant, "{withdrawal} vs {long_grant}");

    // Fill to a room where the withdrawal still fits and the long grant does not.
    let target = withdrawal + (long_grant - withdrawal) / 2;
    let longest = accept_line + 62;
    while room_left(dir.path()) - target > 12 * longest {
        a.accept_policy(&ctx(&locale_of_length(64))).unwrap();
    }
    // The last lines, with locales of lengths that add up to the target exactly.
    let over = room_left(dir.path()) - target;
    let lines = over.div_ceil(longest);
    assert!(lines * accept_line <= over, "{lines} lines of {accept_line}..={longest} bytes for {over}");
    let mut extra = over - lines * accept_line;
    for _ in 0..lines {
        let add = extra.min(62);
        extra -= add;
        a.accept_policy(&ctx(&locale_of_length(2 + add))).unwrap();
    }
    let room = room_left(dir.path());
    assert!(withdrawal <= room && room < long_grant, "room {room}");
    assert_eq!(a.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);

    // B withdraws; its counter bump is undone, so A's next sync sees no change.
    let counter = dir.path().join("consent.gen");
    let unchanged = std::fs::read(&counter).unwrap();
    b.withdraw("feedback_photo", &ctx("en")).unwrap();
    use std::os::unix::fs::FileExt;
    std::fs::OpenOptions::new().write(true).open(&counter).unwrap().write_all_at(&unchanged, 0).unwrap();

    let refused = a.grant("scan_receipt", &ctx(&locale_of_length(64))).unwrap_err().to_string();
    assert!(refused.contains("would grow past"), "{refused}");
    assert_ne!(
        a.decide("feedback_photo", Source::Feature).unwrap(),
        Decision::Allowed,
        "the withdrawal the refused write's read found is kept"
    );
    a.compact().unwrap();
    let mut fresh = open();
    assert_eq!(fresh.storage_problem(), None, "the compaction's snapshot holds the withdrawal");
    assert_ne!(fresh.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
}

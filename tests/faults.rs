//! Fault injection with real OS mechanisms: a disk that fills up mid-append (RLIMIT_FSIZE,
//! and a small tmpfs), fsync and rename failures (an LD_PRELOAD shim in a child process;
//! the library has no hook), a journal folder that turns read-only (a read-only bind
//! mount in a private mount namespace; chmod when not root) or disappears, names squatted
//! during compaction, a journal replaced by a symbolic link, and a clock that jumps back.
//!
//! Every case checks: a clear `CoreError::Storage` naming the path; decisions fail closed
//! (a refusal that could not be stored is still honoured, and nothing becomes allowed);
//! no acknowledged event is lost (reopened and checked: every acknowledged event exactly
//! once, the chain verifies, no failed event present); and the engine works again once
//! the fault is gone.
//!
//! Faults that need their own process (resource limits, mount namespaces, the shim) run
//! in a child: this test binary re-run with `CG_FAULT` set (see `fault_child`). The child
//! prints `ack <tag>` for each acknowledged event and `failed <tag>` for each refused one;
//! every event carries a unique tag in its locale field (`en-t<n>`).

mod common;

use std::collections::HashMap;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::*;
use consentgate::journal::scan::scan;
use consentgate::*;

const FP: usize = 0; // feedback_photo
const NEARBY: usize = 1; // nearby_stores
const RECEIPT: usize = 2; // scan_receipt

fn tag(n: u32) -> Context {
    Context::new(Surface::SettingsScreen, format!("en-t{n}"), Actor::User)
}

fn journal_path(dir: &Path) -> PathBuf {
    dir.join("consent.journal")
}

/// The journal every scenario starts from: policy accepted, two purposes granted.
fn prepare(dir: &Path) -> Vec<String> {
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), dir, &clock);
    e.accept_policy(&tag(1)).unwrap();
    e.grant("feedback_photo", &tag(2)).unwrap();
    e.grant("nearby_stores", &tag(3)).unwrap();
    vec!["en-t1".into(), "en-t2".into(), "en-t3".into()]
}

/// Asserts a storage error that names `path` and says `what`.
fn assert_storage(err: &CoreError, path: &Path, what: &str) {
    match err {
        CoreError::Storage { path: p, message } => {
            assert_eq!(p, path, "the error names the file: {err}");
            assert!(message.contains(what), "expected \"{what}\" in: {err}");
            assert!(err.to_string().contains(&path.display().to_string()), "the message names the path: {err}");
        }
        other => panic!("expected a storage error naming {}, got: {other}", path.display()),
    }
}

/// Reopens the journal in `dir` in a fresh engine and checks that every acknowledged tag
/// is there exactly once, in order, that no failed tag is, and that the chain verifies.
fn assert_no_acknowledged_event_lost(dir: &Path, acked: &[String], failed: &[String]) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), dir, &clock);
    assert_eq!(e.storage_problem(), None, "the journal loads after the fault");
    let proof = e.export_proof().expect("the whole history verifies");
    let tags: Vec<String> =
        proof["history"].as_array().unwrap().iter().map(|r| r["locale"].as_str().unwrap().to_string()).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in &tags {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    for t in acked {
        assert_eq!(counts.get(t.as_str()), Some(&1), "acknowledged event {t} lost or duplicated; history: {tags:?}");
    }
    for t in failed {
        assert_eq!(counts.get(t.as_str()), None, "event {t} was refused with an error but is in the journal");
    }
    let positions: Vec<usize> = acked.iter().map(|t| tags.iter().position(|x| x == t).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "acknowledged events out of order: {tags:?}");
    let bytes = std::fs::read(journal_path(dir)).unwrap();
    let scanned = scan(&bytes, None).expect("the live journal verifies");
    assert_eq!(scanned.torn_tail, 0, "no partial line left behind");
}

/// Lines `ack <tag>` / `failed <tag>` printed by a child.
fn child_tags(stdout: &str, kind: &str) -> Vec<String> {
    stdout.lines().filter_map(|l| l.split_once(&format!("{kind} ")).map(|(_, t)| t.trim().to_string())).collect()
}

/// Runs `fault_child` with `CG_FAULT=scenario` on `dir`; returns its stdout.
fn run_child(scenario: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["fault_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("CG_FAULT", scenario)
        .env("CG_FAULT_DIR", dir)
        .env("RUST_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child {scenario} failed ({})\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    assert!(stdout.contains(&format!("child {scenario} done")), "child {scenario} did not run:\n{stdout}\n{stderr}");
    stdout
}

fn cstr(p: &Path) -> CString {
    CString::new(p.as_os_str().as_encoded_bytes()).unwrap()
}

fn set_file_size_limit(bytes: u64) {
    let lim = libc::rlimit { rlim_cur: bytes as libc::rlim_t, rlim_max: libc::RLIM_INFINITY };
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_FSIZE, &lim) }, 0, "setrlimit");
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// A private mount namespace for this (child) process, so its mounts vanish with it.
fn private_mount_namespace() -> std::io::Result<()> {
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let root = CString::new("/").unwrap();
        if libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn mount(
    source: &str,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> std::io::Result<()> {
    let source = CString::new(source).unwrap();
    let fstype = fstype.map(|f| CString::new(f).unwrap());
    let data = data.map(|d| CString::new(d).unwrap());
    let rc = unsafe {
        libc::mount(
            source.as_ptr(),
            cstr(target).as_ptr(),
            fstype.as_ref().map_or(std::ptr::null(), |f| f.as_ptr()),
            flags,
            data.as_ref().map_or(std::ptr::null(), |d| d.as_ptr() as *const libc::c_void),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

// ---- the child side -------------------------------------------------------------------

/// The fault gone: the withdrawal of feedback_photo and the grant of scan_receipt that it
/// refused are made again (events `en-t<withdraw>` and `en-t<grant>`), stored and counted.
fn the_refused_writes_succeed_again(shared: &SharedEngine, withdraw: u32, grant: u32) {
    shared.with(|e| e.withdraw("feedback_photo", &tag(withdraw))).unwrap();
    println!("ack en-t{withdraw}");
    shared.with(|e| e.grant("scan_receipt", &tag(grant))).unwrap();
    println!("ack en-t{grant}");
    assert!(!shared.is_allowed(FP) && shared.is_allowed(RECEIPT));
}

#[test]
fn fault_child() {
    let (Ok(scenario), Ok(dir)) = (std::env::var("CG_FAULT"), std::env::var("CG_FAULT_DIR")) else {
        return; // Only does something when run as a child.
    };
    let dir = PathBuf::from(dir);
    match scenario.as_str() {
        "file_size_limit" => child_file_size_limit(&dir),
        "tmpfs_full" => child_tmpfs_full(&dir),
        "fsync_fails" => child_fsync_fails(&dir),
        "rename_fails" => child_rename_fails(&dir),
        "read_only" => child_read_only(&dir),
        other => panic!("unknown scenario {other}"),
    }
    println!("child {scenario} done");
}

/// RLIMIT_FSIZE: writes past the limit fail with EFBIG (SIGXFSZ ignored), as on a full disk.
fn child_file_size_limit(dir: &Path) {
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    let path = journal_path(dir);
    let clock = Arc::new(ManualClock::new(T0));
    let shared = SharedEngine::new(open(small_policy(), dir, &clock));
    assert!(shared.is_allowed(FP) && shared.is_allowed(NEARBY));
    let len = file_len(&path);

    // Room for 10 more bytes: the withdrawal's line is cut off mid-write.
    set_file_size_limit(len + 10);
    let err = shared.with(|e| e.withdraw("feedback_photo", &tag(10))).unwrap_err();
    println!("failed en-t10");
    assert_storage(&err, &path, "File too large");
    assert_eq!(file_len(&path), len, "the partial line was taken back");
    // Fail closed: the user's "no" is honoured in this process although it is not stored.
    assert!(!shared.is_allowed(FP), "hot path: a withdrawal that failed to save still counts");
    assert_eq!(shared.with(|e| e.decide("feedback_photo", Source::Feature)).unwrap(), BLOCKED_STORAGE);
    // A grant that cannot be stored grants nothing.
    let err = shared.with(|e| e.grant("scan_receipt", &tag(11))).unwrap_err();
    println!("failed en-t11");
    assert_storage(&err, &path, "File too large");
    assert!(!shared.is_allowed(RECEIPT));
    assert!(shared.is_allowed(NEARBY), "consents already on disk still stand");

    // Space again: the same actions succeed, and a new grant counts again.
    set_file_size_limit(libc::RLIM_INFINITY);
    shared.with(|e| e.withdraw("feedback_photo", &tag(12))).unwrap();
    println!("ack en-t12");
    assert!(!shared.is_allowed(FP));
    shared.with(|e| e.grant("feedback_photo", &tag(13))).unwrap();
    println!("ack en-t13");
    assert!(shared.is_allowed(FP), "a new grant after the fault counts");
    println!("injected 2");
}

/// A 16 KiB tmpfs fills up for real (ENOSPC), three times, growing in between.
fn child_tmpfs_full(dir: &Path) {
    if let Err(e) = private_mount_namespace() {
        assert!(!is_root(), "root but no mount namespace: {e}");
        println!("unsupported: {e}");
        return;
    }
    let mnt = dir.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    mount("tmpfs", &mnt, Some("tmpfs"), 0, Some("size=16k,mode=0700")).unwrap();
    let path = journal_path(&mnt);
    let clock = Arc::new(ManualClock::new(T0));
    let shared = SharedEngine::new(open(small_policy(), &mnt, &clock));
    shared.with(|e| e.accept_policy(&tag(1))).unwrap();
    println!("ack en-t1");
    let mut n = 100;
    let mut injected = 0;
    for round in 1..=3u32 {
        n += 1;
        shared.with(|e| e.grant("nearby_stores", &tag(n))).unwrap();
        println!("ack en-t{n}");
        assert!(shared.is_allowed(NEARBY));
        loop {
            n += 1;
            assert!(n < 10_000, "the tmpfs never filled up");
            // Alternate grant and withdraw on one purpose until the disk is full.
            let grant = n % 2 == 0;
            let len = file_len(&path);
            let result = shared.with(|e| {
                if grant {
                    e.grant("feedback_photo", &tag(n))
                } else {
                    e.withdraw("feedback_photo", &tag(n)).map(|_| ())
                }
            });
            match result {
                Ok(()) => {
                    println!("ack en-t{n}");
                    assert_eq!(shared.is_allowed(FP), grant);
                }
                Err(err) => {
                    println!("failed en-t{n}");
                    assert_storage(&err, &path, "No space left on device");
                    assert_eq!(file_len(&path), len, "the partial line was taken back");
                    assert!(
                        !shared.is_allowed(FP),
                        "after a failed {} the purpose is not allowed",
                        if grant { "grant" } else { "withdrawal" }
                    );
                    injected += 1;
                    break;
                }
            }
        }
        // The disk is still full: withdrawing a granted purpose fails too (its line is
        // longer than the one that just failed), and the withdrawal is honoured anyway.
        n += 1;
        let len = file_len(&path);
        let probe = Context::new(Surface::SettingsScreen, format!("en-t{n}-withdraw-aaaaaaaa-bbbbbbbb"), Actor::User);
        let err = shared.with(|e| e.withdraw("nearby_stores", &probe)).unwrap_err();
        println!("failed {}", probe.locale);
        assert_storage(&err, &path, "No space left on device");
        assert_eq!(file_len(&path), len, "the partial line was taken back");
        assert!(!shared.is_allowed(NEARBY), "a withdrawal that did not fit on the disk still counts");
        assert_eq!(shared.with(|e| e.decide("nearby_stores", Source::Feature)).unwrap(), BLOCKED_STORAGE);
        injected += 1;
        // More room: the engine carries on, on the same journal.
        mount("tmpfs", &mnt, None, libc::MS_REMOUNT, Some(&format!("size={}k", 16 + 16 * round))).unwrap();
    }
    // The journal as it stands, its archives too (it compacts itself past 100 events),
    // copied out of the namespace for the parent to check.
    for entry in std::fs::read_dir(&mnt).unwrap() {
        let name = entry.unwrap().file_name();
        if name.to_string_lossy().starts_with("consent.journal") {
            std::fs::copy(mnt.join(&name), dir.join(&name)).unwrap();
        }
    }
    println!("injected {injected}");
}

/// fsync and fdatasync fail with EIO (the shim): nothing is acknowledged, nothing stays.
fn child_fsync_fails(dir: &Path) {
    let flags = PathBuf::from(std::env::var("CG_SHIM_FLAG_DIR").unwrap());
    let arm = || std::fs::write(flags.join("fail-fsync"), b"").unwrap();
    let disarm = || std::fs::remove_file(flags.join("fail-fsync")).unwrap();
    let path = journal_path(dir);
    let clock = Arc::new(ManualClock::new(T0));
    let shared = SharedEngine::new(open(small_policy(), dir, &clock));
    let len = file_len(&path);

    arm();
    let err = shared.with(|e| e.withdraw("feedback_photo", &tag(20))).unwrap_err();
    println!("failed en-t20");
    assert_storage(&err, &path, "Input/output error");
    assert_eq!(file_len(&path), len, "the unsynced line was taken back");
    assert!(!shared.is_allowed(FP), "a withdrawal that failed to sync still counts");
    let err = shared.with(|e| e.grant("scan_receipt", &tag(21))).unwrap_err();
    println!("failed en-t21");
    assert_storage(&err, &path, "Input/output error");
    assert!(!shared.is_allowed(RECEIPT));
    assert!(shared.is_allowed(NEARBY));

    // A new journal whose first sync fails: no file content is acknowledged.
    let fresh = dir.join("fresh");
    let mut e = open(small_policy(), &fresh, &clock);
    let err = e.accept_policy(&tag(22)).unwrap_err();
    println!("failed-fresh en-t22");
    assert_storage(&err, &journal_path(&fresh), "Input/output error");
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);

    disarm();
    the_refused_writes_succeed_again(&shared, 23, 24);
    e.accept_policy(&tag(25)).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), NEVER_ASKED);
    let injected = std::fs::read(flags.join("injected")).unwrap().len();
    assert!(injected >= 3, "the shim injected {injected} failures");
    println!("injected {injected}");
}

/// rename fails with EIO during compaction (the shim): the live journal stays as it was.
fn child_rename_fails(dir: &Path) {
    let flags = PathBuf::from(std::env::var("CG_SHIM_FLAG_DIR").unwrap());
    let path = journal_path(dir);
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), dir, &clock);
    e.withdraw("nearby_stores", &tag(30)).unwrap();
    println!("ack en-t30");
    let before = std::fs::read(&path).unwrap();

    std::fs::write(flags.join("fail-rename"), b"").unwrap();
    let err = e.compact().unwrap_err();
    assert_storage(&err, &path, "Input/output error");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the live journal is untouched");
    assert!(!dir.join("consent.journal.tmp").exists(), "the temporary file is cleaned up");
    assert_eq!(e.storage_problem(), None);
    assert_eq!(
        e.decide("feedback_photo", Source::Feature).unwrap(),
        Decision::Allowed,
        "a failed compaction changes no decision"
    );
    assert_ne!(e.decide("nearby_stores", Source::Feature).unwrap(), Decision::Allowed);
    // Appends go on after a failed compaction.
    e.grant("scan_receipt", &tag(31)).unwrap();
    println!("ack en-t31");

    std::fs::remove_file(flags.join("fail-rename")).unwrap();
    e.compact().unwrap();
    e.withdraw("feedback_photo", &tag(32)).unwrap();
    println!("ack en-t32");
    assert_ne!(e.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
    assert_eq!(e.decide("scan_receipt", Source::Feature).unwrap(), Decision::Allowed);
    let injected = std::fs::read(flags.join("injected")).unwrap().len();
    assert_eq!(injected, 1, "the shim failed exactly the one rename");
    println!("injected {injected}");
}

/// The folder turns read-only under a live engine: a read-only bind mount (EROFS) when
/// root, else permissions (EACCES).
fn child_read_only(dir: &Path) {
    let path = journal_path(dir);
    let clock = Arc::new(ManualClock::new(T0));
    let shared = SharedEngine::new(open(small_policy(), dir, &clock));
    let (expected, make_writable): (&str, Box<dyn Fn()>) = if is_root() {
        private_mount_namespace().expect("root can make a mount namespace");
        mount(dir.to_str().unwrap(), dir, None, libc::MS_BIND, None).unwrap();
        mount("none", dir, None, libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY, None).unwrap();
        let d = dir.to_path_buf();
        (
            "Read-only file system",
            Box::new(move || mount("none", &d, None, libc::MS_REMOUNT | libc::MS_BIND, None).unwrap()),
        )
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let (d, p) = (dir.to_path_buf(), path.clone());
        (
            "Permission denied",
            Box::new(move || {
                std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            }),
        )
    };
    let err = shared.with(|e| e.withdraw("feedback_photo", &tag(40))).unwrap_err();
    println!("failed en-t40");
    assert_storage(&err, &path, expected);
    assert!(!shared.is_allowed(FP), "a withdrawal that could not be saved still counts");
    let err = shared.with(|e| e.grant("scan_receipt", &tag(41))).unwrap_err();
    println!("failed en-t41");
    assert_storage(&err, &path, expected);
    assert!(!shared.is_allowed(RECEIPT));
    assert!(shared.is_allowed(NEARBY), "reading still works: stored consents stand");
    // A new engine cannot take the folder's lock for writing: a clear error at open (the
    // wrapper then answers "not allowed" for everything).
    let err = Engine::open(small_policy(), dir, clock.clone(), JournalOptions::default()).err().expect("open fails");
    assert_storage(&err, &dir.join("consent.lock"), expected);

    make_writable();
    the_refused_writes_succeed_again(&shared, 42, 43);
    println!("injected 2");
}

// ---- the parent side ------------------------------------------------------------------

/// What a child scenario did: its folder, the events acknowledged (those prepared before
/// included) and those reported failed, and its output.
struct Scenario {
    dir: tempfile::TempDir,
    acked: Vec<String>,
    failed: Vec<String>,
    stdout: String,
}

impl Scenario {
    /// Runs the child `scenario` on `dir`, whose journal already holds the events `acked`.
    fn run(dir: tempfile::TempDir, mut acked: Vec<String>, scenario: &str, env: &[(&str, &str)]) -> Scenario {
        let stdout = run_child(scenario, dir.path(), env);
        acked.extend(child_tags(&stdout, "ack"));
        let failed = child_tags(&stdout, "failed");
        Scenario { dir, acked, failed, stdout }
    }

    /// Every acknowledged event is on disk and no failed one is; prints how many faults were survived.
    fn assert_nothing_acknowledged_lost(&self) {
        assert_no_acknowledged_event_lost(self.dir.path(), &self.acked, &self.failed);
        println!("faults injected and survived: {}", injected(&self.stdout));
    }

    /// The writes reported failed are exactly `failed` (by tag), and nothing acknowledged is lost.
    fn assert_failed_exactly(&self, failed: &[&str]) {
        assert_eq!(self.failed, failed);
        self.assert_nothing_acknowledged_lost();
    }
}

/// `scenario` run on a folder `prepare`d first.
fn run_scenario(scenario: &str, env: &[(&str, &str)]) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let prepared = prepare(dir.path());
    Scenario::run(dir, prepared, scenario, env)
}

/// `scenario` run with the fault shim preloaded (its flags in a folder of its own).
fn run_scenario_with_shim(scenario: &str) -> Scenario {
    let tools = tempfile::tempdir().unwrap();
    let shim = build_shim(tools.path());
    let flags = tools.path().join("flags");
    std::fs::create_dir(&flags).unwrap();
    run_scenario(scenario, &[("LD_PRELOAD", shim.to_str().unwrap()), ("CG_SHIM_FLAG_DIR", flags.to_str().unwrap())])
}

fn injected(stdout: &str) -> usize {
    stdout.lines().find_map(|l| l.strip_prefix("injected ")).map(|n| n.trim().parse().unwrap()).unwrap_or(0)
}

#[test]
fn disk_full_mid_append_via_file_size_limit() {
    run_scenario("file_size_limit", &[]).assert_failed_exactly(&["en-t10", "en-t11"]);
}

#[test]
fn disk_full_mid_append_on_a_small_tmpfs() {
    // Nothing prepared: the child starts its journal inside the tmpfs and copies it out at the end.
    let run = Scenario::run(tempfile::tempdir().unwrap(), Vec::new(), "tmpfs_full", &[]);
    if run.stdout.contains("unsupported:") {
        println!("skipped: no mount namespace for a non-root user; the file-size-limit test covers a full disk");
        return;
    }
    assert_eq!(run.failed.len(), 6, "three fills, two failed writes each: {}", run.stdout);
    assert!(run.acked.len() > 20, "the tmpfs held some events first: {}", run.acked.len());
    run.assert_nothing_acknowledged_lost();
}

/// Builds the LD_PRELOAD shim with the system C compiler.
fn build_shim(out: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fault_shim.c");
    let lib = out.join("libcg_fault_shim.so");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&src)
        .arg("-ldl")
        .status()
        .expect("a C compiler (cc) is needed to build the fault shim");
    assert!(status.success(), "building the fault shim failed");
    lib
}

#[test]
fn fsync_failures_acknowledge_nothing_and_keep_everything_acknowledged() {
    run_scenario_with_shim("fsync_fails").assert_failed_exactly(&["en-t20", "en-t21"]);
}

#[test]
fn a_rename_failure_during_compaction_leaves_the_journal_as_it_was() {
    run_scenario_with_shim("rename_fails").assert_nothing_acknowledged_lost();
}

#[test]
fn a_journal_folder_that_turns_read_only() {
    run_scenario("read_only", &[]).assert_failed_exactly(&["en-t40", "en-t41"]);
}

/// A directory squats on the name compaction needs (the archive, the temporary file):
/// compaction fails with an error naming it and the history stays whole.
#[test]
fn names_squatted_during_compaction_fail_it_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let acked = prepare(dir.path());
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), dir.path(), &clock);
    let before = std::fs::read(journal_path(dir.path())).unwrap();

    // The archive name compaction will use (last seq = 3) is taken by a directory.
    let archive = dir.path().join("consent.journal.3.archive");
    std::fs::create_dir(&archive).unwrap();
    let err = e.compact().unwrap_err();
    assert_storage(&err, &archive, "exists");
    assert_eq!(std::fs::read(journal_path(dir.path())).unwrap(), before, "the live journal is untouched");
    std::fs::remove_dir(&archive).unwrap();

    // The temporary file's name is taken by a directory.
    let tmp = dir.path().join("consent.journal.tmp");
    std::fs::create_dir(&tmp).unwrap();
    let err = e.compact().unwrap_err();
    assert!(matches!(err, CoreError::Storage { .. }), "{err}");
    assert!(err.to_string().contains("consent.journal"), "{err}");
    assert_eq!(std::fs::read(journal_path(dir.path())).unwrap(), before);
    std::fs::remove_dir(&tmp).unwrap();

    // A regular file of someone else's under the archive name is not taken for ours either.
    std::fs::write(&archive, b"not the journal\n").unwrap();
    let err = e.compact().unwrap_err();
    assert_storage(&err, &archive, "exists");
    std::fs::remove_file(&archive).unwrap();

    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
    e.compact().unwrap();
    e.grant("scan_receipt", &tag(50)).unwrap();
    let mut all = acked;
    all.push("en-t50".into());
    assert_no_acknowledged_event_lost(dir.path(), &all, &[]);
    println!("faults injected and survived: 3");
}

/// The journal folder is deleted under a live engine. The next write fails with an error
/// naming the journal, and from then on this engine decides "blocked" for everything
/// (its lock and change counter belong to the deleted folder). A new engine starts over.
#[test]
fn a_journal_folder_that_disappears() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("consentgate");
    prepare(&dir);
    let clock = Arc::new(ManualClock::new(T0));
    let shared = SharedEngine::new(open(small_policy(), &dir, &clock));
    assert!(shared.is_allowed(FP));

    std::fs::remove_dir_all(&dir).unwrap();
    let err = shared.with(|e| e.grant("scan_receipt", &tag(60))).unwrap_err();
    assert!(matches!(err, CoreError::Storage { .. }), "{err}");
    assert!(err.to_string().contains(&dir.display().to_string()), "names the folder: {err}");
    for i in [FP, NEARBY, RECEIPT] {
        assert!(!shared.is_allowed(i), "purpose {i} still allowed after its journal vanished");
    }
    let d = shared.with(|e| e.decide("feedback_photo", Source::Feature)).unwrap();
    assert_eq!(d, BLOCKED_STORAGE);

    // A new engine (the app restarted) recreates the folder and starts from nothing; the
    // old one stays closed rather than write beside it without the shared lock.
    let mut fresh = open(small_policy(), &dir, &clock);
    assert_eq!(fresh.decide("feedback_photo", Source::Feature).unwrap(), BLOCKED_POLICY);
    fresh.accept_policy(&tag(61)).unwrap();
    fresh.grant("feedback_photo", &tag(62)).unwrap();
    let err = shared.with(|e| e.withdraw("feedback_photo", &tag(63))).unwrap_err();
    assert!(err.to_string().contains("open the engine again"), "{err}");
    assert!(!shared.is_allowed(FP));
    assert_no_acknowledged_event_lost(&dir, &["en-t61".into(), "en-t62".into()], &["en-t60".into(), "en-t63".into()]);
    println!("faults injected and survived: 1");
}

/// The journal is replaced by a symbolic link, here to a forged journal that grants every
/// purpose (chains are not secret: anyone can compute one). The SDK does not follow it.
#[test]
fn a_journal_replaced_by_a_symlink_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let acked = prepare(dir.path());
    let path = journal_path(dir.path());
    let clock = Arc::new(ManualClock::new(T0));
    let shared = SharedEngine::new(open(small_policy(), dir.path(), &clock));

    // A forged journal elsewhere: accepted, every purpose granted, valid chain.
    let elsewhere = tempfile::tempdir().unwrap();
    {
        let mut forger = open(small_policy(), elsewhere.path(), &clock);
        forger.accept_policy(&tag(70)).unwrap();
        for id in ["feedback_photo", "nearby_stores", "scan_receipt"] {
            forger.grant(id, &tag(71)).unwrap();
        }
    }
    let forged = journal_path(elsewhere.path());
    let forged_bytes = std::fs::read(&forged).unwrap();
    let real = dir.path().join("kept-aside");
    std::fs::rename(&path, &real).unwrap();
    std::os::unix::fs::symlink(&forged, &path).unwrap();

    // A new engine (app start) opens in the fail-closed state.
    let mut e = open(small_policy(), dir.path(), &clock);
    let problem = e.storage_problem().expect("a symlinked journal is not loaded").to_string();
    assert!(problem.contains("symbolic link"), "{problem}");
    for id in ["feedback_photo", "nearby_stores", "scan_receipt"] {
        assert_eq!(e.decide(id, Source::Feature).unwrap(), BLOCKED_STORAGE);
    }
    let err = e.grant("scan_receipt", &tag(72)).unwrap_err();
    assert_storage(&err, &path, "symbolic link");
    // The live engine's next write is refused too, and it fails closed from then on.
    let err = shared.with(|e| e.grant("scan_receipt", &tag(73))).unwrap_err();
    assert_storage(&err, &path, "symbolic link");
    for i in [FP, NEARBY, RECEIPT] {
        assert!(!shared.is_allowed(i), "purpose {i} allowed through a symlinked journal");
    }
    assert_eq!(std::fs::read(&forged).unwrap(), forged_bytes, "nothing written through the link");
    assert!(e.export_proof().is_err(), "no proof export through the link");

    // The real file back: both engines recover, with the real consents.
    std::fs::remove_file(&path).unwrap();
    std::fs::rename(&real, &path).unwrap();
    assert_eq!(e.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
    assert_ne!(e.decide("scan_receipt", Source::Feature).unwrap(), Decision::Allowed);
    shared.with(|e| e.withdraw("feedback_photo", &tag(74))).unwrap();
    assert!(!shared.is_allowed(FP) && shared.is_allowed(NEARBY) && !shared.is_allowed(RECEIPT));
    let mut all = acked;
    all.push("en-t74".into());
    assert_no_acknowledged_event_lost(dir.path(), &all, &["en-t72".into(), "en-t73".into()]);
    println!("faults injected and survived: 2");
}

/// The device clock jumps back (a year, and to before 1970) between a grant and a
/// withdrawal, and differs between processes: order comes from the journal's sequence,
/// never from timestamps, so the withdrawal wins everywhere and nothing is allowed.
#[test]
fn a_clock_that_jumps_backwards_never_resurrects_a_consent() {
    let dir = tempfile::tempdir().unwrap();
    let acked = prepare(dir.path());
    let year = 365 * 24 * HOUR_MS;
    for back_to in [T0 - year, -5 * year, i64::MIN + 1] {
        let clock = Arc::new(ManualClock::new(T0));
        let mut a = open(small_policy(), dir.path(), &clock);
        a.grant("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
        assert_eq!(a.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
        clock.set(back_to);
        a.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
        // Another process whose clock is right sees the withdrawal.
        let other_clock = Arc::new(ManualClock::new(T0 + HOUR_MS));
        let mut b = open(small_policy(), dir.path(), &other_clock);
        for e in [&mut a, &mut b] {
            for source in [Source::Feature, Source::Settings] {
                let d = e.decide("feedback_photo", source).unwrap();
                assert_ne!(
                    d,
                    Decision::Allowed,
                    "clock at {back_to}: a withdrawal with an older timestamp lost to the grant"
                );
            }
        }
        // When the clock comes back, the purpose may be asked again, not silently allowed.
        clock.set(T0 + 100 * year);
        assert_eq!(a.decide("feedback_photo", Source::Feature).unwrap(), ASK_AGAIN);
        assert_eq!(b.storage_problem(), None, "timestamps out of order are not corruption");
    }
    let mut e = open(small_policy(), dir.path(), &Arc::new(ManualClock::new(T0)));
    let history = e.export_proof().unwrap()["history"].as_array().unwrap().clone();
    assert_eq!(history.len(), acked.len() + 6, "every event kept, in sequence order");
    println!("faults injected and survived: 3");
}

/// Recovery from a corrupt journal while compaction archives exist: the new journal
/// restarts its sequence numbers, and its events must still be in the proof export.
#[test]
fn events_after_a_recovery_stay_in_the_proof_when_archives_exist() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let clock = Arc::new(ManualClock::new(T0));
    let mut e = open(small_policy(), dir.path(), &clock);
    e.compact().unwrap();
    e.grant("scan_receipt", &tag(80)).unwrap();
    drop(e);
    // Damage the live journal's last line.
    let path = journal_path(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 20] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let mut e = open(small_policy(), dir.path(), &clock);
    assert!(e.storage_problem().is_some());
    e.recover_from_corruption(&tag(81)).unwrap();
    e.accept_policy(&tag(82)).unwrap();
    e.grant("feedback_photo", &tag(83)).unwrap();
    let mut fresh = open(small_policy(), dir.path(), &clock);
    assert_eq!(fresh.decide("feedback_photo", Source::Feature).unwrap(), Decision::Allowed);
    let proof = fresh.export_proof().unwrap();
    let tags: Vec<&str> = proof["history"].as_array().unwrap().iter().map(|r| r["locale"].as_str().unwrap()).collect();
    // The export covers the journal since the reset; the old history is kept aside whole
    // (the corrupt file and its archive), named in the reset event.
    assert_eq!(tags, ["en-t81", "en-t82", "en-t83"], "every event since the recovery, in order");
    let note = proof["history"][0]["note"].as_str().unwrap().to_string();
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let aside: Vec<&String> = names.iter().filter(|n| n.contains(".corrupt-")).collect();
    assert_eq!(aside.len(), 2, "the corrupt journal and its archive kept aside: {names:?}");
    for name in &aside {
        assert!(note.contains(name.split('.').take(3).collect::<Vec<_>>().join(".").as_str()), "{note} names {name}");
    }
    let archived = aside.iter().find(|n| n.ends_with(".archive")).unwrap();
    let old = scan(&std::fs::read(dir.path().join(archived)).unwrap(), None).expect("the old archive still verifies");
    assert_eq!(old.records.len(), 3, "the old history is kept whole");

    // A second recovery at the same (frozen) millisecond keeps the first kept file.
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 20] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let mut e = open(small_policy(), dir.path(), &clock);
    let kept2 = e.recover_from_corruption(&tag(84)).unwrap();
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names.iter().filter(|n| n.contains(".corrupt-")).count(),
        3,
        "nothing kept aside was overwritten: {names:?} ({kept2})"
    );
}

//! The `consentgate` binary against inputs that are not plain files of sane size, and the
//! input-format details an outside review found (issue 11): every case ends promptly with a
//! clear message and exit 2, under a 1 GiB address-space limit (an unbounded read of
//! /dev/zero would hit it, then abort).
#![cfg(feature = "cli")]

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use consentgate::{Actor, Context, Engine, JournalOptions, ManualClock, Policy, Surface};
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_consentgate");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the CLI with at most 1 GiB of address space; kills it after 20 s (a hang).
fn cg(args: &[&str]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: only async-signal-safe setrlimit between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: 1 << 30, rlim_max: 1 << 30 };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("consentgate {args:?} hung (killed after 20 s)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "the CLI panicked:\n{}", run.stderr);
    run
}

fn example(file: &str) -> String {
    format!("{ROOT}/examples/phone-backup/{file}")
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// A folder with a FIFO named `fifo` and a sparse file `huge` (no disk space used) of `len`
/// bytes that starts with `head`; their paths.
fn fifo_and_huge(fifo: &str, huge: &str, head: &[u8], len: u64) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (fifo, huge) = (dir.path().join(fifo), dir.path().join(huge));
    mkfifo(&fifo);
    let mut file = std::fs::File::create(&huge).unwrap();
    std::io::Write::write_all(&mut file, head).unwrap();
    file.set_len(len).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_string();
    (dir, path(&fifo), path(&huge))
}

/// Defect 11: /dev/zero, a FIFO, or a file above the size cap as any input: refused at
/// once, exit 2, the message says what and where.
#[test]
fn devices_fifos_and_huge_files_are_refused_with_exit_2() {
    // One byte above the cap.
    let (_dir, fifo, huge) = fifo_and_huge("fifo", "huge.journal", b"", (16 << 20) + 1);
    let (fifo, huge) = (fifo.as_str(), huge.as_str());
    let (manifest, policy) = (example("AndroidManifest.xml"), example("policy.json"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["lint", "--manifest", "/dev/zero", "--policy", &policy], "not a regular file"),
        (vec!["lint", "--manifest", &manifest, "--policy", "/dev/zero"], "not a regular file"),
        (vec!["lint", "--manifest", fifo, "--policy", &policy], "not a regular file"),
        (vec!["lint", "--manifest", &manifest, "--policy", huge], "larger than 16777216 bytes"),
        (vec!["journal", "verify", "/dev/zero"], "not a regular file"),
        (vec!["journal", "show", fifo], "not a regular file"),
        (vec!["journal", "export", huge], "larger than 16777216 bytes"),
        (vec!["journal", "export", huge, "--policy", "/dev/zero"], "not a regular file"),
    ];
    for (args, needle) in cases {
        let run = cg(&args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

/// `consentgate scan` reads its artifacts as the other commands read their inputs: a FIFO
/// (it used to block forever), /dev/zero (read without end) or an archive above the cap is
/// refused at once, exit 2, on a CG309 line naming the artifact.
#[test]
fn scan_refuses_fifos_devices_and_huge_artifacts_with_exit_2() {
    // A zip's magic, one byte above the cap.
    let (_dir, fifo, huge) = fifo_and_huge("app.apk", "huge.apk", b"PK\x03\x04", (4 << 30) + 1);
    let (fifo, huge, policy) = (fifo.as_str(), huge.as_str(), example("policy.json"));
    let cases = [
        (fifo, "not a regular file (a FIFO, socket or device)"),
        ("/dev/zero", "not a regular file (a FIFO, socket or device)"),
        (huge, "is larger than 4294967296 bytes"),
    ];
    for (artifact, needle) in cases {
        let run = cg(&["scan", "--policy", &policy, artifact]);
        assert_eq!(run.code, Some(2), "{artifact}: {}{}", run.stdout, run.stderr);
        let line = format!("{artifact}: CG309: cannot scan: ");
        assert!(run.stdout.starts_with(&line) && run.stdout.contains(needle), "{artifact}: {}", run.stdout);
        assert!(run.stderr.contains("1 unreadable"), "{artifact}: {}", run.stderr);
    }
    // The policy input too.
    let run = cg(&["scan", "--policy", fifo, "/dev/null"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("the policy {fifo} is not a regular file")), "{}", run.stderr);
}

/// A policy key written twice is an error naming the key and its line (serde_json would
/// keep the last one silently); a byte-order mark is accepted, as in the manifest.
#[test]
fn duplicate_policy_keys_are_named_and_a_bom_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("policy.json")).unwrap();
    let bom = dir.path().join("bom.json");
    std::fs::write(&bom, format!("\u{feff}{text}")).unwrap();
    Policy::parse(&format!("\u{feff}{text}")).expect("a BOM is accepted");
    let run = cg(&["lint", "--manifest", &example("AndroidManifest.xml"), "--policy", bom.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);

    // The first purpose's "id" written a second time, on its own line.
    let at = text.find("\"id\"").unwrap();
    let twice = format!("{}\"id\": \"other\",\n{}", &text[..at], &text[at..]);
    let line = twice[..at].lines().count() + 1;
    let dup = dir.path().join("dup.json");
    std::fs::write(&dup, &twice).unwrap();
    let run = cg(&["lint", "--manifest", &example("AndroidManifest.xml"), "--policy", dup.to_str().unwrap()]);
    assert_eq!(run.code, Some(1));
    let expected = format!("{}:{line}: CG100: $.purposes[0].id: duplicate key \"id\"", dup.display());
    assert!(run.stdout.contains(&expected), "want {expected}\n{}", run.stdout);
    let err = Policy::parse(&twice).unwrap_err();
    assert!(err.to_string().contains("duplicate key \"id\""), "{err}");
}

/// Defect 10 and a minor one: `<uses-permission-sdk-m>` is a request like
/// `<uses-permission-sdk-23>` (no CG102 for the purpose that uses it), and NUL bytes are
/// not XML.
#[test]
fn uses_permission_sdk_m_counts_and_nul_bytes_are_not_xml() {
    let dir = tempfile::tempdir().unwrap();
    let policy = r#"{"schema": 1, "policy_version": "v1", "default_locale": "en", "purposes": [
        {"id": "contacts", "permissions": ["android.permission.READ_CONTACTS"], "description": {"en": "Back up contacts"}}]}"#;
    let p = dir.path().join("policy.json");
    std::fs::write(&p, policy).unwrap();
    let m = dir.path().join("AndroidManifest.xml");
    std::fs::write(
        &m,
        "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" package=\"x\">\n<uses-sdk android:minSdkVersion=\"24\" android:targetSdkVersion=\"34\"/>\n<uses-permission-sdk-m android:name=\"android.permission.READ_CONTACTS\"/>\n</manifest>\n",
    )
    .unwrap();
    let run = cg(&["lint", "--manifest", m.to_str().unwrap(), "--policy", p.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);

    std::fs::write(&m, "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n<uses-permission android:name=\"android.permission.READ_CONTACTS\"/>\0\n</manifest>\n").unwrap();
    let run = cg(&["lint", "--manifest", m.to_str().unwrap(), "--policy", p.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("line 2: not XML: control character U+0000"), "{}", run.stderr);
}

/// `journal show` escapes bidirectional-text controls as it escapes other control
/// characters: a crafted line cannot make the timeline read differently from its bytes.
#[test]
fn journal_show_escapes_bidi_controls() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::parse(&std::fs::read_to_string(example("policy.json")).unwrap()).unwrap();
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let mut e = Engine::open(policy, dir.path(), clock, JournalOptions::default()).unwrap();
    e.accept_policy(&Context::new(Surface::App, "en", Actor::User)).unwrap();
    drop(e);
    // Re-sign the line with a note-like field the SDK never wrote: a bidi override in the locale.
    let path = dir.path().join("consent.journal");
    let line = std::fs::read_to_string(&path).unwrap();
    let mut body: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    body.as_object_mut().unwrap().remove("sum");
    body["locale"] = serde_json::Value::String("en\u{202e}gnp.exe".into());
    let body = serde_json::to_string(&body).unwrap();
    let sum: String = Sha256::digest(body.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, format!("{},\"sum\":\"{sum}\"}}\n", &body[..body.len() - 1])).unwrap();

    let run = cg(&["journal", "show", path.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains('\u{202e}'), "{}", run.stdout);
    assert!(run.stdout.contains("en\\u{202e}gnp.exe"), "{}", run.stdout);
}

//! `consentgate scan` as a user runs it: every API family on class files and on dex (D8
//! from Maven Central), the same code packaged as a JAR, an AAR and an APK, exit codes and
//! JSON, hostile archives, and real third-party Android SDKs from Maven Central.
//!
//! Needs the `cli` feature, `javac`, `java` and `mvn` (artifacts resolve through ~/.m2; the
//! first run downloads D8 and the SDKs). Fixtures: tests/scan_fixtures/README.md.
#![cfg(feature = "cli")]

#[path = "common/cli.rs"]
mod cli_run;

use cli_run::{cg, Run};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use consentgate::scan::{scan_artifact, Coverage, Limits};
use consentgate::Policy;
use zip::write::SimpleFileOptions;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Covers camera, location and contacts; nothing else.
const POLICY: &str = r#"{
  "schema": 1, "policy_version": "1", "default_locale": "en",
  "purposes": [
    { "id": "feedback_photo", "permissions": ["android.permission.CAMERA"], "description": { "en": "Photo" } },
    { "id": "nearby_stores", "permissions": ["android.permission.ACCESS_FINE_LOCATION"], "description": { "en": "Stores" } },
    { "id": "invite_friends", "permissions": ["android.permission.READ_CONTACTS"], "description": { "en": "Invite" } }
  ]
}"#;

/// Every call site of the fixture code: (class.method, API, group, code under `POLICY`).
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("com.example.app.Feedback.openCamera2", "android.hardware.camera2.CameraManager.openCamera", "camera", "CG300"),
    ("com.example.app.Feedback.takePhoto", "android.hardware.Camera.open", "camera", "CG300"),
    ("com.example.app.Phone.imei", "android.telephony.TelephonyManager.getDeviceId", "phone", "CG301"),
    ("com.example.app.Phone.number", "android.telephony.TelephonyManager.getLine1Number", "phone", "CG301"),
    ("com.example.app.Providers.calls", "android.content.ContentResolver.query(android.provider.CallLog$Calls.CONTENT_URI)", "call_log", "CG301"),
    ("com.example.app.Providers.contacts", "android.content.ContentResolver.query(android.provider.ContactsContract$Contacts.CONTENT_URI)", "contacts", "CG300"),
    ("com.example.app.Providers.events", "android.provider.CalendarContract$Events.CONTENT_URI", "calendar", "CG301"),
    ("com.example.app.Providers.inbox", "android.content.ContentResolver.query(\"content://sms/inbox\")", "sms", "CG301"),
    ("com.example.app.Stores.lambda$follow$0", "android.location.LocationManager.requestLocationUpdates", "location", "CG300"),
    ("com.example.app.Stores.nearby", "android.location.LocationManager.getLastKnownLocation", "location", "CG300"),
    ("com.example.app.Voice.memo", "android.media.MediaRecorder.setAudioSource", "microphone", "CG301"),
    ("com.example.app.Voice.record", "android.media.AudioRecord.<init>", "microphone", "CG301"),
    ("com.example.app.Voice.record", "android.media.AudioRecord.startRecording", "microphone", "CG301"),
    ("com.example.sdk.Tracker.androidId", "android.provider.Settings$Secure.getString(ANDROID_ID)", "device_id", "CG302"),
    ("com.example.sdk.Tracker.apps", "android.content.pm.PackageManager.getInstalledPackages", "installed_apps", "CG302"),
    ("com.example.sdk.Tracker.apps", "android.content.pm.PackageManager.queryIntentActivities", "installed_apps", "CG302"),
    ("com.example.sdk.Tracker.clip", "android.content.ClipboardManager.getPrimaryClip", "clipboard", "CG302"),
    ("com.example.sdk.Tracker.macs", "android.bluetooth.BluetoothAdapter.getAddress", "hardware_address", "CG302"),
    ("com.example.sdk.Tracker.macs", "android.net.wifi.WifiInfo.getMacAddress", "hardware_address", "CG302"),
];

/// Built once per test process: the fixture code in every packaging.
struct Fixtures {
    _dir: tempfile::TempDir,
    policy: PathBuf,
    classes: PathBuf,
    jar: PathBuf,
    aar: PathBuf,
    dex: PathBuf,
    apk: PathBuf,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(build_fixtures)
}

fn java_sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(java_sources(&p));
        } else if p.extension().is_some_and(|x| x == "java" || x == "class") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Maven Central artifact's file in the local repository, fetched with `mvn` if missing.
fn maven(group: &str, artifact: &str, version: &str, packaging: &str) -> PathBuf {
    let repo = std::env::var_os("HOME").map(PathBuf::from).unwrap().join(".m2/repository");
    let path = repo
        .join(group.replace('.', "/"))
        .join(artifact)
        .join(version)
        .join(format!("{artifact}-{version}.{packaging}"));
    if !path.exists() {
        run_ok(Command::new("mvn").args([
            "-B",
            "-q",
            "dependency:get",
            "-Dtransitive=false",
            &format!("-Dartifact={group}:{artifact}:{version}:{packaging}"),
        ]));
    }
    assert!(path.exists(), "{} was not fetched", path.display());
    path
}

fn r8() -> PathBuf {
    maven("com.android.tools", "r8", "8.5.35", "jar")
}

/// Writes a zip with `entries` (name, bytes), deflated.
fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// The class files under `dir` as (relative name, bytes).
fn class_entries(dir: &Path, only: &str) -> Vec<(String, Vec<u8>)> {
    java_sources(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .filter(|(name, _)| name.starts_with(only))
        .collect()
}

fn zip_of(path: &Path, entries: &[(String, Vec<u8>)]) {
    let borrowed: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    write_zip(path, &borrowed);
}

fn build_fixtures() -> Fixtures {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(ROOT).join("tests/scan_fixtures");
    let stubs = dir.path().join("stubs");
    let classes = dir.path().join("classes");
    run_ok(Command::new("javac").arg("-d").arg(&stubs).args(java_sources(&src.join("stubs"))));
    run_ok(Command::new("javac").arg("-cp").arg(&stubs).arg("-d").arg(&classes).args(java_sources(&src.join("app"))));
    let all = class_entries(&classes, "");
    assert_eq!(all.len(), 7, "seven fixture classes");

    let jar = dir.path().join("app.jar");
    zip_of(&jar, &all);
    // An AAR: the app classes in classes.jar, the SDK in libs/, resources beside them.
    let aar = dir.path().join("app.aar");
    let libs_jar = dir.path().join("sdk.jar");
    zip_of(&libs_jar, &class_entries(&classes, "com/example/sdk"));
    let app_jar = dir.path().join("classes.jar");
    zip_of(&app_jar, &class_entries(&classes, "com/example/app"));
    write_zip(
        &aar,
        &[
            ("AndroidManifest.xml", b"<manifest package=\"com.example\"/>"),
            ("classes.jar", &std::fs::read(&app_jar).unwrap()),
            ("libs/sdk.jar", &std::fs::read(&libs_jar).unwrap()),
            ("res/values/values.xml", b"<resources/>"),
        ],
    );

    let dex_dir = dir.path().join("dex");
    std::fs::create_dir(&dex_dir).unwrap();
    run_ok(
        Command::new("java")
            .arg("-cp")
            .arg(r8())
            .args(["com.android.tools.r8.D8", "--min-api", "26", "--classpath"])
            .arg(&stubs)
            .arg("--output")
            .arg(&dex_dir)
            .args(java_sources(&classes)),
    );
    let dex = dex_dir.join("classes.dex");
    let apk = dir.path().join("app.apk");
    write_zip(
        &apk,
        &[
            ("AndroidManifest.xml", b"\x03\x00\x08\x00binary xml"),
            ("classes.dex", &std::fs::read(&dex).unwrap()),
            ("resources.arsc", b"\x02\x00\x0c\x00"),
            ("res/drawable/icon.png", b"\x89PNG"),
        ],
    );
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    Fixtures { policy, classes, jar, aar, dex, apk, _dir: dir }
}

fn scan(artifacts: &[&Path], extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["scan".into(), "--policy".into(), fixtures().policy.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(artifacts.iter().map(|a| a.display().to_string()));
    cg(&args)
}

/// The findings of a text run as (code, caller, API, group), in output order.
fn findings(run: &Run) -> Vec<(String, String, String, String)> {
    run.stdout
        .lines()
        .map(|line| {
            let (_, rest) = line.split_once(": CG").unwrap_or_else(|| panic!("not a finding: {line}"));
            let code = format!("CG{}", &rest[..3]);
            let rest = &rest[5..];
            let (caller, rest) = rest.split_once(" uses ").unwrap_or_else(|| panic!("no caller: {line}"));
            let (api, rest) = rest.split_once(" (").unwrap();
            let group = rest.split(',').next().unwrap();
            (code, caller.to_string(), api.to_string(), group.to_string())
        })
        .collect()
}

fn expected() -> Vec<(String, String, String, String)> {
    EXPECTED.iter().map(|(c, a, g, code)| (code.to_string(), c.to_string(), a.to_string(), g.to_string())).collect()
}

#[test]
fn every_api_family_is_found_in_class_files_with_its_group_and_verdict() {
    let run = scan(&[&fixtures().classes], &[]);
    assert_eq!(findings(&run), expected(), "{}", run.stdout);
    assert_eq!(run.code, 1, "uncovered sites exit 1");
    assert!(run.stderr.contains("19 call sites in 1 artifact: 5 covered, 14 not covered"), "{}", run.stderr);
    // Nothing from the class that reads no personal data (another setting, a mere string).
    assert!(!run.stdout.contains("Quiet"), "{}", run.stdout);
    assert!(!run.stdout.contains("content://media"), "{}", run.stdout);
    let line = run.stdout.lines().find(|l| l.contains("Stores.nearby")).unwrap();
    assert!(line.ends_with("(location, app): covered by purpose nearby_stores"), "{line}");
    let line = run.stdout.lines().find(|l| l.contains("Phone.imei")).unwrap();
    assert!(line.ends_with("not covered: no purpose declares a phone permission"), "{line}");
}

#[test]
fn dex_from_d8_gives_the_same_sites_as_the_class_files() {
    let run = scan(&[&fixtures().dex], &[]);
    assert_eq!(findings(&run), expected(), "{}", run.stdout);
    assert_eq!(run.code, 1);
    let f = fixtures();
    assert!(run.stdout.starts_with(&format!("{}: CG300: ", f.dex.display())), "lines start with the artifact");
}

#[test]
fn jar_aar_and_apk_packagings_give_the_same_sites() {
    let f = fixtures();
    for artifact in [&f.jar, &f.aar, &f.apk] {
        let run = scan(&[artifact], &[]);
        assert_eq!(findings(&run), expected(), "{}:\n{}", artifact.display(), run.stdout);
        assert_eq!(run.code, 1);
    }
    // Entries name where in the artifact a site is.
    let json = scan(&[&f.aar], &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let entries: Vec<&str> = doc["findings"].as_array().unwrap().iter().map(|x| x["entry"].as_str().unwrap()).collect();
    assert!(entries.contains(&"classes.jar!com/example/app/Feedback.class"), "{entries:?}");
    assert!(entries.contains(&"libs/sdk.jar!com/example/sdk/Tracker.class"), "{entries:?}");
}

#[test]
fn exit_0_when_every_site_is_covered() {
    let f = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let only = dir.path().join("com/example/app");
    std::fs::create_dir_all(&only).unwrap();
    std::fs::copy(f.classes.join("com/example/app/Feedback.class"), only.join("Feedback.class")).unwrap();
    std::fs::copy(f.classes.join("com/example/app/Stores.class"), only.join("Stores.class")).unwrap();
    std::fs::copy(f.classes.join("com/example/app/Quiet.class"), only.join("Quiet.class")).unwrap();
    let run = scan(&[dir.path()], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().count(), 4);
    assert!(run.stdout.lines().all(|l| l.contains(": CG300: ")), "{}", run.stdout);
    assert!(run.stderr.contains("4 call sites in 1 artifact: 4 covered, 0 not covered"), "{}", run.stderr);
}

#[test]
fn json_lists_artifacts_and_findings_for_tools() {
    let f = fixtures();
    let run = scan(&[&f.apk, &f.jar], &["--format", "json"]);
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let artifacts = doc["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 2);
    assert_eq!(artifacts[0]["dex_files"], 1);
    assert_eq!(artifacts[1]["class_files"], 7);
    assert_eq!(artifacts[0]["readable"], true);
    let all = doc["findings"].as_array().unwrap();
    assert_eq!(all.len(), 2 * EXPECTED.len());
    let imei = all.iter().find(|x| x["method"] == "imei").unwrap();
    assert_eq!(imei["code"], "CG301");
    assert_eq!(imei["class"], "com.example.app.Phone");
    assert_eq!(imei["api"], "android.telephony.TelephonyManager.getDeviceId");
    assert_eq!(imei["group"], "phone");
    assert_eq!(imei["owner"], "app");
    assert_eq!(imei["covered"], false);
    assert_eq!(imei["entry"], "classes.dex");
    let photo = all.iter().find(|x| x["method"] == "takePhoto").unwrap();
    assert_eq!(photo["purposes"], serde_json::json!(["feedback_photo"]));
}

#[test]
fn usage_and_policy_errors_exit_2() {
    let f = fixtures();
    let run = cg(&["scan", &f.jar.display().to_string()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("needs --policy FILE"), "{}", run.stderr);
    let run = cg(&["scan", "--policy", &f.policy.display().to_string()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("needs at least one ARTIFACT"), "{}", run.stderr);
    let run = scan(&[&f.jar], &["--format", "xml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--format expects text or json"), "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("policy.json");
    std::fs::write(&bad, r#"{"schema": 1, "purposes": []}"#).unwrap();
    let run = cg(&["scan", "--policy", &bad.display().to_string(), &f.jar.display().to_string()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("$.purposes"), "names what is wrong: {}", run.stderr);
    let help = cg(&["scan", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("CG302"));
}

#[test]
fn a_declared_sdk_owns_its_packages_and_counts_only_its_purposes() {
    let f = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    // Schema 2: the tracker SDK serves a consent-only purpose and the camera purpose.
    let text = POLICY.replace("\"schema\": 1", "\"schema\": 2").replace(
        "\n  ]\n}",
        r#",
    { "id": "usage_statistics", "permissions": [], "description": { "en": "Usage statistics" } }
  ],
  "sdks": [
    { "id": "tracker", "name": "Tracker", "company": "Tracker Ltd.", "data": "Android ID, installed apps",
      "purposes": ["usage_statistics", "feedback_photo"], "privacy_url": "https://tracker.example/privacy",
      "packages": ["com.example.sdk"] }
  ]
}"#,
    );
    std::fs::write(&policy, text).unwrap();
    let run = cg(&["scan", "--policy", &policy.display().to_string(), &f.apk.display().to_string()]);
    let tracker: Vec<&str> = run.stdout.lines().filter(|l| l.contains("com.example.sdk.Tracker")).collect();
    assert_eq!(tracker.len(), 6, "{}", run.stdout);
    for line in tracker {
        assert!(line.contains(", SDK tracker): covered by purpose usage_statistics, feedback_photo"), "{line}");
    }
    // The app's own code is judged as before.
    let imei = run.stdout.lines().find(|l| l.contains("Phone.imei")).unwrap();
    assert!(imei.contains("(phone, app): not covered"), "{imei}");

    // JSON names the owner.
    let json =
        cg(&["scan", "--policy", &policy.display().to_string(), "--format", "json", &f.jar.display().to_string()]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let id = doc["findings"].as_array().unwrap().iter().find(|x| x["method"] == "androidId").unwrap();
    assert_eq!(id["owner"], "sdk");
    assert_eq!(id["sdk"], "tracker");
    assert_eq!(id["code"], "CG300");
}

/// Scans `bytes` written as `name`; returns the run.
fn scan_bytes(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let run = scan(&[&path], &[]);
    (dir, run)
}

fn assert_unreadable(run: &Run, needle: &str) {
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let line =
        run.stdout.lines().find(|l| l.contains(": CG309: ")).unwrap_or_else(|| panic!("no CG309:\n{}", run.stdout));
    assert!(line.contains(needle), "{line}");
}

#[test]
fn unreadable_artifacts_exit_2_naming_what_is_wrong() {
    let f = fixtures();
    let missing = Path::new("/nonexistent/app.apk");
    let run = scan(&[missing, &f.jar], &[]);
    assert_unreadable(&run, "does not exist");
    let jar_lines = run.stdout.lines().filter(|l| l.starts_with(&f.jar.display().to_string())).count();
    assert_eq!(jar_lines, EXPECTED.len(), "the readable artifact is still reported");

    let (_d, run) = scan_bytes("notes.txt", b"hello");
    assert_unreadable(&run, "unknown magic number");
    let (_d, run) = scan_bytes("empty.dex", b"");
    assert_unreadable(&run, "unknown magic number");

    // A truncated APK.
    let apk = std::fs::read(&f.apk).unwrap();
    let (_d, run) = scan_bytes("cut.apk", &apk[..apk.len() / 2]);
    assert_unreadable(&run, "not a readable zip archive");

    // Malformed dex and class files inside archives: the entry is named.
    let dex = std::fs::read(&f.dex).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad_apk = dir.path().join("bad.apk");
    write_zip(&bad_apk, &[("classes.dex", &dex[..200])]);
    assert_unreadable(&scan(&[&bad_apk], &[]), "bad.apk: CG309: cannot scan: classes.dex: dex");
    let bad_jar = dir.path().join("bad.jar");
    write_zip(&bad_jar, &[("com/x/A.class", &[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0xff, 0xff])]);
    assert_unreadable(&scan(&[&bad_jar], &[]), "com/x/A.class: not a valid class file");

    // Archives nested deeper than an AAR's libs/*.jar.
    let inner = dir.path().join("inner.jar");
    write_zip(&inner, &[("a.jar", &std::fs::read(&f.jar).unwrap())]);
    let outer = dir.path().join("outer.aar");
    write_zip(&outer, &[("classes.jar", &std::fs::read(&inner).unwrap())]);
    assert_unreadable(&scan(&[&outer], &[]), "classes.jar!a.jar: an archive nested two levels deep");

    // A folder without class files.
    let empty = tempfile::tempdir().unwrap();
    assert_unreadable(&scan(&[empty.path()], &[]), "no .class file");
}

#[test]
fn a_zip_bomb_stops_at_the_entry_limit() {
    // 300 MiB of zeros deflate to about 300 KiB; the limit for one dex is 256 MiB.
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.apk");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    zip.start_file("classes.dex", SimpleFileOptions::default().large_file(true)).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..300 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 2 << 20);
    assert_unreadable(
        &scan(&[&bomb], &[]),
        "classes.dex: inflates to 314572800 bytes, more than the 268435456-byte limit",
    );
}

fn scan_with(path: &Path, limits: &Limits) -> consentgate::scan::ArtifactScan {
    let policy = Policy::parse(POLICY).unwrap();
    let coverage = Coverage::new(&policy);
    scan_artifact(path, &coverage, limits)
}

#[test]
fn total_inflation_is_bounded_across_entries() {
    // Many entries, each under its own limit, together over the artifact's.
    let f = fixtures();
    let class = std::fs::read(f.classes.join("com/example/app/Feedback.class")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join("many.jar");
    let names: Vec<String> = (0..50).map(|i| format!("c/C{i}.class")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), class.as_slice())).collect();
    write_zip(&many, &entries);
    let limits = Limits { class_bytes: 1 << 20, code_bytes: 1 << 20, total_bytes: 20 * class.len() as u64 };
    let scan = scan_with(&many, &limits);
    let error = scan.error.expect("stopped");
    assert!(error.contains("more than") && error.contains("altogether"), "{error}");
    assert!(scan.findings.is_empty(), "a partly read artifact reports nothing");
    // The same jar under the default limits is read whole.
    assert!(scan_with(&many, &Limits::default()).error.is_none());
}

/// Deterministic byte mutations (xorshift), no external fuzzing crate needed.
fn mutations(seed: u64, original: &[u8], count: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count).map(move |_| {
        let mut bytes = original.to_vec();
        for _ in 0..(1 + next() % 8) {
            let at = (next() as usize) % bytes.len();
            bytes[at] = match next() % 3 {
                0 => next() as u8,
                1 => 0xff,
                _ => 0,
            };
        }
        if next() % 5 == 0 {
            bytes.truncate((next() as usize) % bytes.len());
        }
        bytes
    })
}

#[test]
fn mutated_dex_and_class_files_never_crash_the_scan() {
    let f = fixtures();
    let dir = tempfile::tempdir().unwrap();
    for (name, original) in [
        ("m.dex", std::fs::read(&f.dex).unwrap()),
        ("m.class", std::fs::read(f.classes.join("com/example/app/Providers.class")).unwrap()),
        ("m.jar", std::fs::read(&f.jar).unwrap()),
    ] {
        let (mut ok, mut refused) = (0, 0);
        for bytes in mutations(0x9e37_79b9_7f4a_7c15, &original, 400) {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            match scan_with(&path, &Limits::default()).error {
                None => ok += 1,
                Some(e) => {
                    assert!(!e.is_empty());
                    refused += 1
                }
            }
        }
        assert!(ok > 0 && refused > 0, "{name}: mutations both read ({ok}) and refused ({refused})");
    }
}

// Real third-party Android SDKs from Maven Central (pinned versions; README lists them and
// what the scan reported).

#[test]
fn amap_location_sdk_reads_location_through_the_framework() {
    let jar = maven("com.amap.api", "location", "11.1.001", "jar");
    let run = scan(&[&jar], &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let all = doc["findings"].as_array().unwrap();
    let location: Vec<_> = all.iter().filter(|x| x["group"] == "location").collect();
    assert!(location.len() >= 10, "{}", run.stdout);
    // Amap's code lives in three package trees: an SDK declaration needs all of them.
    for x in &location {
        let class = x["class"].as_str().unwrap();
        assert!(["com.amap.", "com.autonavi.", "com.loc."].iter().any(|p| class.starts_with(p)), "{class}");
        assert_eq!(x["covered"], true, "{x}");
    }
    for api in [
        "android.location.LocationManager.requestLocationUpdates",
        "android.location.LocationManager.getLastKnownLocation",
        "android.telephony.TelephonyManager.getAllCellInfo",
    ] {
        assert!(location.iter().any(|x| x["api"] == api), "{api} not found");
    }
    // It also lists installed apps, which nothing in the policy can cover.
    assert!(all.iter().any(|x| x["group"] == "installed_apps" && x["code"] == "CG302"));
    assert_eq!(run.code, 1);
}

#[test]
fn umeng_analytics_sdk_reads_the_android_id() {
    let aar = maven("com.umeng.umsdk", "common", "9.8.9", "aar");
    let run = scan(&[&aar], &[]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("Settings$Secure.getString(ANDROID_ID)"))
        .unwrap_or_else(|| panic!("no ANDROID_ID read:\n{}", run.stdout));
    assert!(line.contains(": CG302: com.umeng.commonsdk."), "{line}");
    assert!(run.stdout.contains("PackageManager.queryIntentActivities"), "{}", run.stdout);
    assert_eq!(run.code, 1);
}

#[test]
fn sentry_android_core_reads_nothing_sensitive() {
    let aar = maven("io.sentry", "sentry-android-core", "7.14.0", "aar");
    let run = scan(&[&aar], &["--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(doc["artifacts"][0]["class_files"].as_u64().unwrap() > 100, "the AAR's classes.jar was read");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
}

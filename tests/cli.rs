//! The `consentgate` binary, run as a user runs it: every lint rule and exit code, and
//! `journal show|verify|export` on real journals written by the engine, intact and damaged.
//! Needs the `cli` feature: `cargo test --features cli` (or `--all-features`).
#![cfg(feature = "cli")]

#[path = "common/cli.rs"]
mod cli_run;

use cli_run::{cg, Run};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use consentgate::journal::record::Record;
use consentgate::{Actor, AgeBracket, Context, Engine, JournalOptions, ManualClock, OsResult, Policy, Surface};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const T0: i64 = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const MINUTE_MS: i64 = 60_000;

fn example(name: &str, file: &str) -> String {
    format!("{ROOT}/examples/{name}/{file}")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} not found")) + 1
}

/// An app's manifest and policy texts, edited before a lint.
#[derive(Clone)]
struct Texts {
    manifest: String,
    policy: String,
}

impl Texts {
    fn example(name: &str) -> Texts {
        Texts { manifest: read(&example(name, "AndroidManifest.xml")), policy: read(&example(name, "policy.json")) }
    }

    fn phone() -> Texts {
        Texts::example("phone-backup")
    }

    /// The manifest with `from` replaced by `to`; `from` must be there, so that an example
    /// that changed fails the test instead of leaving it linting the unedited file.
    fn edit_manifest(mut self, from: &str, to: &str) -> Texts {
        self.manifest = edited(&self.manifest, from, to);
        self
    }

    /// The policy with `from` replaced by `to` (which must be there).
    fn edit_policy(mut self, from: &str, to: &str) -> Texts {
        self.policy = edited(&self.policy, from, to);
        self
    }

    /// Writes both files into a fresh folder and lints them.
    fn lint(&self, extra: &[&str]) -> Linted {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("AndroidManifest.xml");
        let p = dir.path().join("policy.json");
        std::fs::write(&m, &self.manifest).unwrap();
        std::fs::write(&p, &self.policy).unwrap();
        let mut args: Vec<String> = vec![
            "lint".into(),
            "--manifest".into(),
            m.display().to_string(),
            "--policy".into(),
            p.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Linted { run: cg(&args), manifest: m, policy: p, texts: self.clone(), _dir: dir }
    }
}

fn edited(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the example no longer contains {from:?}");
    text.replace(from, to)
}

/// A lint of a manifest and a policy written into a fresh folder: the run, the two files
/// and their texts.
struct Linted {
    run: Run,
    manifest: PathBuf,
    policy: PathBuf,
    texts: Texts,
    _dir: tempfile::TempDir,
}

impl Linted {
    /// The one problem reported (exit 1, one line), for a test (`case`) that expects exactly one.
    fn only_problem(&self, case: &str) -> &str {
        assert_eq!(self.run.code, 1, "{case}: {}{}", self.run.stdout, self.run.stderr);
        let lines: Vec<&str> = self.run.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{case}: {}", self.run.stdout);
        lines[0]
    }

    /// `FILE:LINE` of the manifest's first line containing `needle`, as a finding names it.
    fn in_manifest(&self, needle: &str) -> String {
        format!("{}:{}", self.manifest.display(), line_of(&self.texts.manifest, needle))
    }

    /// `FILE:LINE` of the policy's first line containing `needle`.
    fn in_policy(&self, needle: &str) -> String {
        format!("{}:{}", self.policy.display(), line_of(&self.texts.policy, needle))
    }
}

// ---- lint: the examples ---------------------------------------------------------------

#[test]
fn both_examples_lint_clean_with_the_default_target_and_with_34() {
    for name in ["phone-backup", "assistant"] {
        let (m, p) = (example(name, "AndroidManifest.xml"), example(name, "policy.json"));
        for extra in [&[][..], &["--target-sdk", "34"][..], &["--target-sdk=33"][..]] {
            let mut args = vec!["lint", "--manifest", &m, "--policy", &p];
            args.extend_from_slice(extra);
            let run = cg(&args);
            assert_eq!(run.code, 0, "{name} {extra:?}:\n{}{}", run.stdout, run.stderr);
            assert_eq!(run.stdout, "", "no findings");
            assert!(run.stderr.contains("no problems"), "{}", run.stderr);
        }
    }
}

#[test]
fn without_uses_sdk_the_default_target_35_applies() {
    let mut texts = Texts::phone();
    assert!(texts.manifest.contains("<uses-sdk"));
    texts.manifest = texts.manifest.lines().filter(|l| !l.contains("<uses-sdk")).map(|l| format!("{l}\n")).collect();
    let run = texts.lint(&[]).run;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("target SDK 35 (the default"), "{}", run.stderr);
}

// ---- lint: one test per rule ----------------------------------------------------------

/// Which file of a lint a finding is in.
#[derive(Clone, Copy)]
enum In {
    Manifest,
    Policy,
}

/// What a finding says after its `FILE:LINE: `.
enum Says {
    Exactly(&'static str),
    StartsWith(&'static str),
}

/// One edit of the phone-backup example and the one problem the lint must report for it.
struct RuleCase {
    /// Named in a failure.
    name: &'static str,
    edit: In,
    from: &'static str,
    to: &'static str,
    /// The finding is in this file, on its first line (after the edit) that contains `at`.
    finding_in: In,
    at: &'static str,
    says: Says,
}

#[test]
fn each_rule_reports_one_problem_on_the_line_of_its_cause() {
    let cases = [
        RuleCase {
            name: "CG100: a policy validation error, with its JSON path",
            edit: In::Policy,
            from: "\"id\": \"after_call_sms\"",
            to: "\"id\": \"After-Call SMS\"",
            // The purpose's SEND_SMS is still declared (by the purpose as written): no CG101 noise.
            finding_in: In::Policy,
            at: "After-Call SMS",
            says: Says::StartsWith("CG100: $.purposes[6].id: "),
        },
        RuleCase {
            name: "CG101: a runtime permission in the manifest that no purpose declares",
            edit: In::Manifest,
            from: "    <!-- feedback_photo -->",
            to: "    <uses-permission android:name=\"android.permission.READ_SMS\" />\n    <!-- feedback_photo -->",
            finding_in: In::Manifest,
            at: "READ_SMS",
            says: Says::Exactly("CG101: android.permission.READ_SMS is a runtime permission, but no purpose declares it: add it to the purpose that uses it, or remove it from the manifest"),
        },
        RuleCase {
            // docs/seed-requirements.md 3.3: after-call SMS on API 31+ would need READ_PHONE_STATE.
            name: "CG102: a purpose permission missing from the manifest",
            edit: In::Policy,
            from: "\"android.permission.SEND_SMS\"",
            to: "\"android.permission.SEND_SMS\",\n        \"android.permission.READ_PHONE_STATE\"",
            finding_in: In::Policy,
            at: "READ_PHONE_STATE",
            says: Says::StartsWith("CG102: purpose \"after_call_sms\" declares android.permission.READ_PHONE_STATE, but the manifest does not request it"),
        },
        RuleCase {
            name: "CG102: android:maxSdkVersion below the minimum SDK honoured",
            edit: In::Manifest,
            from: "<uses-permission android:name=\"android.permission.CAMERA\" />",
            to: "<uses-permission android:name=\"android.permission.CAMERA\" android:maxSdkVersion=\"22\" />",
            finding_in: In::Policy,
            at: "android.permission.CAMERA",
            says: Says::StartsWith("CG102: purpose \"feedback_photo\" declares android.permission.CAMERA, but it is never requested at runtime: the manifest requests it only up to API 22"),
        },
        RuleCase {
            // One line: the core's own rejection of the same entry is not repeated as CG100.
            name: "CG103: a normal permission in a purpose keeps its own code and line",
            edit: In::Policy,
            from: "\"android.permission.CALL_PHONE\"",
            to: "\"android.permission.CALL_PHONE\",\n        \"android.permission.INTERNET\"",
            finding_in: In::Policy,
            at: "android.permission.INTERNET",
            says: Says::Exactly("CG103: purpose \"dial_imported_numbers\" lists android.permission.INTERNET, which is not a runtime permission (granted at install time): there is no runtime consent to ask for; remove it from the purpose"),
        },
        RuleCase {
            name: "CG106: a manifest entry the lint cannot read",
            edit: In::Manifest,
            from: "<uses-permission android:name=\"android.permission.INTERNET\" />",
            to: "<uses-permission android:name=\"android.permission.INTERNET\" />\n    <uses-permission />",
            finding_in: In::Manifest,
            at: "<uses-permission />",
            says: Says::Exactly("CG106: <uses-permission> without android:name"),
        },
    ];
    for case in cases {
        let name = case.name;
        let texts = match case.edit {
            In::Manifest => Texts::phone().edit_manifest(case.from, case.to),
            In::Policy => Texts::phone().edit_policy(case.from, case.to),
        };
        let lint = texts.lint(&[]);
        let problem = lint.only_problem(name);
        let at = match case.finding_in {
            In::Manifest => lint.in_manifest(case.at),
            In::Policy => lint.in_policy(case.at),
        };
        match case.says {
            Says::Exactly(says) => assert_eq!(problem, format!("{at}: {says}"), "{name}"),
            Says::StartsWith(says) => assert!(problem.starts_with(&format!("{at}: {says}")), "{name}: {problem}"),
        }
        assert!(lint.run.stderr.contains("1 problem ("), "{name}: {}", lint.run.stderr);
    }
}

#[test]
fn cg104_storage_read_on_33_plus_without_read_media() {
    // Drop the maxSdkVersion="29" that the example puts on READ_EXTERNAL_STORAGE.
    let texts = Texts::phone().edit_manifest(
        "<uses-permission android:name=\"android.permission.READ_EXTERNAL_STORAGE\"\n        android:maxSdkVersion=\"29\" />",
        "<uses-permission android:name=\"android.permission.READ_EXTERNAL_STORAGE\" />",
    );
    for target in [None, Some("33"), Some("34")] {
        let extra: Vec<&str> = target.map(|t| vec!["--target-sdk", t]).unwrap_or_default();
        let lint = texts.lint(&extra);
        let problem = lint.only_problem(&format!("CG104, {extra:?}"));
        let at = lint.in_manifest("READ_EXTERNAL_STORAGE\" />");
        assert!(
            problem.contains(&format!("{at}: CG104: READ_EXTERNAL_STORAGE is requested on Android 13+")),
            "{problem}"
        );
        assert!(problem.contains("purpose \"import_documents\""), "{problem}");
    }
    // Targeting 32, READ_EXTERNAL_STORAGE still works on Android 13.
    let run = texts.lint(&["--target-sdk", "32"]).run;
    assert_eq!(run.code, 0, "{}", run.stdout);
    // The same manifest's own targetSdkVersion decides when no flag is given.
    let run = texts.edit_manifest("targetSdkVersion=\"35\"", "targetSdkVersion=\"32\"").lint(&[]).run;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("target SDK 32 (from the manifest"), "{}", run.stderr);
}

#[test]
fn cg105_background_location_without_foreground() {
    let lint = Texts::example("assistant")
        .edit_manifest(
            "<uses-permission android:name=\"android.permission.WRITE_CALENDAR\" />",
            "<uses-permission android:name=\"android.permission.WRITE_CALENDAR\" />\n    <uses-permission android:name=\"android.permission.ACCESS_BACKGROUND_LOCATION\" />",
        )
        .edit_policy(
            "\"android.permission.WRITE_CALENDAR\"",
            "\"android.permission.WRITE_CALENDAR\",\n        \"android.permission.ACCESS_BACKGROUND_LOCATION\"",
        )
        .lint(&[]);
    let run = &lint.run;
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    let in_policy = format!("{}: CG105: purpose \"calendar_fortune\"", lint.in_policy("\"permissions\""));
    assert!(lines[0].contains(&in_policy), "{}", lines[0]);
    let in_manifest = format!("{}: CG105: ", lint.in_manifest("BACKGROUND"));
    assert!(lines[1].contains(&in_manifest), "{}", lines[1]);
}

#[test]
fn tools_node_remove_is_not_a_request() {
    let run = Texts::phone()
        .edit_manifest("package=\"com.example.phonebackup\"", "xmlns:tools=\"http://schemas.android.com/tools\"\n    package=\"com.example.phonebackup\"")
        .edit_manifest(
            "    <!-- feedback_photo -->",
            "    <uses-permission android:name=\"android.permission.READ_PHONE_STATE\" tools:node=\"remove\" />\n    <!-- feedback_photo -->",
        )
        .lint(&[])
        .run;
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn lint_help_lists_every_code_and_docs_describe_them() {
    let run = cg(&["lint", "--help"]);
    assert_eq!(run.code, 0);
    let docs = read(&format!("{ROOT}/docs/cli.md"));
    for (code, _) in consentgate::cli::lint_codes() {
        assert!(run.stdout.contains(&code), "lint --help lacks {code}");
        assert!(docs.contains(&format!("| {code} |")), "docs/cli.md lacks a row for {code}");
    }
}

// ---- lint: exit 2 ---------------------------------------------------------------------

#[test]
fn lint_inputs_missing_unreadable_or_not_xml_json_exit_2_and_say_which() {
    let dir = tempfile::tempdir().unwrap();
    let (m, p) = (example("phone-backup", "AndroidManifest.xml"), example("phone-backup", "policy.json"));
    let missing = dir.path().join("nope.xml").display().to_string();
    let binary = dir.path().join("binary.xml");
    std::fs::write(&binary, b"<manifest>\xff\xfe</manifest>").unwrap();
    let binary = binary.display().to_string();
    let folder = dir.path().display().to_string();
    for (args, needle) in [
        (vec!["lint", "--manifest", &missing, "--policy", &p], "the manifest file"),
        (vec!["lint", "--manifest", &m, "--policy", &missing], "the policy file"),
        (vec!["lint", "--manifest", &p, "--policy", &p], "the manifest"),
        (vec!["lint", "--manifest", &m, "--policy", &m], "the policy"),
        (vec!["lint", "--manifest", &binary, "--policy", &p], "not UTF-8"),
        (vec!["lint", "--manifest", &folder, "--policy", &p], "is a directory"),
    ] {
        let run = cg(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
    let run = cg(&["lint", "--manifest", &p, "--policy", &p]);
    assert!(run.stderr.contains("not XML"), "{}", run.stderr);
    let run = cg(&["lint", "--manifest", &m, "--policy", &m]);
    assert!(run.stderr.contains("is not JSON") && run.stderr.contains("line 1"), "{}", run.stderr);
    let root = dir.path().join("resources.xml");
    std::fs::write(&root, "<resources/>").unwrap();
    let run = cg(&["lint", "--manifest", root.to_str().unwrap(), "--policy", &p]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not <manifest>"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let (m, p) = (example("phone-backup", "AndroidManifest.xml"), example("phone-backup", "policy.json"));
    for (args, needle) in [
        (vec![], "no command given"),
        (vec!["frobnicate"], "unknown command 'frobnicate'"),
        (vec!["--frob"], "unknown option '--frob'"),
        (vec!["lint", "--manifest", &m], "needs both --manifest FILE and --policy FILE"),
        (vec!["lint", "--manifest", &m, "--policy", &p, "--strict"], "unknown option '--strict'"),
        (vec!["lint", "--manifest", &m, "--policy", &p, "--target-sdk", "latest"], "--target-sdk expects an API level"),
        (vec!["lint", "--manifest", &m, "--policy", &p, "--target-sdk"], "--target-sdk needs a value"),
        (vec!["lint", "--manifest", &m, "--manifest", &m, "--policy", &p], "--manifest given twice"),
        (vec!["lint", &m], "unexpected argument"),
        (vec!["journal"], "needs a subcommand"),
        (vec!["journal", "rewrite", "f"], "unknown subcommand 'rewrite'"),
        (vec!["journal", "verify"], "needs the journal FILE"),
        (vec!["journal", "verify", "a", "b"], "unexpected argument 'b'"),
        (vec!["journal", "show", "--policy", &p, "f"], "unknown option '--policy'"),
        (vec!["journal", "export", "f", "-x"], "unknown option '-x'"),
    ] {
        let run = cg(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("--help' for usage"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn help_for_every_command() {
    for (args, needle) in [
        (vec!["--help"], "consentgate lint --manifest FILE --policy FILE"),
        (vec!["-h"], "consentgate journal verify FILE"),
        (vec!["help"], "Exit codes"),
        (vec!["lint", "--help"], "--target-sdk N"),
        (vec!["lint", "-h", "--bogus"], "--target-sdk N"),
        (vec!["journal", "--help"], "consentgate journal show FILE"),
        (vec!["journal", "show", "--help"], "timeline"),
        (vec!["journal", "verify", "-h"], "hash chain"),
        (vec!["journal", "export", "--help"], "--policy FILE"),
    ] {
        let run = cg(&args);
        assert_eq!(run.code, 0, "{args:?}");
        assert!(run.stdout.contains(needle), "{args:?}: {}", run.stdout);
        assert!(run.stdout.contains("Usage:") || run.stdout.contains("usage"), "{args:?}");
    }
    let run = cg(&["--version"]);
    assert_eq!((run.code, run.stdout.trim()), (0, format!("consentgate {}", env!("CARGO_PKG_VERSION")).as_str()));
}

// ---- journals written by the real engine -----------------------------------------------

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    journal: PathBuf,
    policy_path: String,
    clock: Arc<ManualClock>,
}

fn user(surface: Surface) -> Context {
    Context::new(surface, "zh-CN", Actor::User)
}

fn engine(f: &Fixture) -> Engine {
    let policy = Policy::parse(&read(&f.policy_path)).unwrap();
    Engine::open(policy, &f.dir, f.clock.clone(), JournalOptions::default()).unwrap()
}

/// A journal of 9 events on the phone-backup policy, one minute apart from T0.
fn journal() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let f = Fixture {
        dir: dir.path().to_path_buf(),
        journal: dir.path().join("consent.journal"),
        _dir: dir,
        policy_path: example("phone-backup", "policy.json"),
        clock: Arc::new(ManualClock::new(T0)),
    };
    let mut e = engine(&f);
    let tick = || f.clock.advance(MINUTE_MS);
    e.accept_policy(&user(Surface::App)).unwrap();
    tick();
    e.grant("feedback_photo", &user(Surface::RationaleDialog)).unwrap();
    e.record_os_result("feedback_photo", "android.permission.CAMERA", OsResult::Granted, &user(Surface::SystemDialog))
        .unwrap();
    tick();
    e.deny("import_contacts_to_dial", &Context::new(Surface::RationaleDialog, "en", Actor::User)).unwrap();
    tick();
    e.set_age_bracket(AgeBracket::Age14To17, &user(Surface::App)).unwrap();
    e.set_guardian_consent(true, &Context::new(Surface::App, "zh-CN", Actor::Guardian)).unwrap();
    tick();
    e.grant("location_service", &Context::new(Surface::RationaleDialog, "zh-CN", Actor::Guardian)).unwrap();
    tick();
    e.withdraw("feedback_photo", &user(Surface::SettingsScreen)).unwrap();
    e.grant("after_call_sms", &Context::new(Surface::QaHook, "en", Actor::User)).unwrap();
    assert_eq!(lines(&f.journal).len(), 9);
    f
}

fn lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    bytes.split_inclusive(|&b| b == b'\n').map(|l| l.to_vec()).collect()
}

fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    std::fs::write(path, lines.concat()).unwrap();
}

/// `consentgate journal SUBCOMMAND FILE`.
fn journal_cli(subcommand: &str, path: &Path) -> Run {
    cg(&[std::ffi::OsStr::new("journal"), subcommand.as_ref(), path.as_os_str()])
}

fn verify(path: &Path) -> Run {
    journal_cli("verify", path)
}

#[test]
fn verify_intact_journal_exits_0() {
    let f = journal();
    let run = verify(&f.journal);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("intact: 9 events (seq 1-9), chain head "), "{}", run.stdout);
    let empty = f.dir.join("empty.journal");
    std::fs::write(&empty, b"").unwrap();
    let run = verify(&empty);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("empty journal"), "{}", run.stdout);
}

#[test]
fn verify_torn_last_line_exits_1_and_the_engine_agrees_nothing_is_lost() {
    let f = journal();
    let mut bytes = std::fs::read(&f.journal).unwrap();
    bytes.extend_from_slice(b"{\"v\":1,\"seq\":10,\"ts\":1700000300000,\"event\":\"consent_gra");
    std::fs::write(&f.journal, &bytes).unwrap();
    let run = verify(&f.journal);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("torn last line: 9 events intact (seq 1-9)"), "{}", run.stdout);
    assert!(run.stdout.contains("recoverable"), "{}", run.stdout);
    // The engine loads the same 9 events and keeps working on top of them.
    let mut e = engine(&f);
    assert!(e.storage_problem().is_none());
    e.grant("dial_imported_numbers", &user(Surface::RationaleDialog)).unwrap();
    assert_eq!(verify(&f.journal).code, 0, "the next append replaced the torn tail");
}

#[test]
fn verify_truncated_journals() {
    let f = journal();
    let original = std::fs::read(&f.journal).unwrap();
    let head_before = verify(&f.journal).stdout;
    // Cut inside the last line: indistinguishable from a crash mid-append -> torn.
    std::fs::write(&f.journal, &original[..original.len() - 20]).unwrap();
    let run = verify(&f.journal);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("8 events intact"), "{}", run.stdout);
    // Cut in the middle of the file (inside line 3): what is left is two events and an
    // unfinished line, the same as a crash there -> torn, and it says how many remain.
    let third: usize = original.split_inclusive(|&b| b == b'\n').take(2).map(<[u8]>::len).sum::<usize>() + 30;
    std::fs::write(&f.journal, &original[..third]).unwrap();
    let run = verify(&f.journal);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("2 events intact (seq 1-2)"), "{}", run.stdout);
    // Whole lines cut from the end leave a shorter valid journal: verify cannot know, but
    // the chain head changes, so a head recorded earlier (an export) exposes it.
    let kept: usize = original.split_inclusive(|&b| b == b'\n').take(7).map(<[u8]>::len).sum();
    std::fs::write(&f.journal, &original[..kept]).unwrap();
    let run = verify(&f.journal);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("7 events (seq 1-7)"), "{}", run.stdout);
    assert_ne!(run.stdout, head_before);
    // Lines cut from the start: the journal no longer begins at seq 1.
    let first = original.iter().position(|&b| b == b'\n').unwrap() + 1;
    std::fs::write(&f.journal, &original[first..]).unwrap();
    let run = verify(&f.journal);
    assert_eq!(run.code, 3);
    assert!(
        run.stdout.contains("consent.journal:1: corrupt: the journal starts at sequence number 2"),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_reordered_removed_duplicated_and_joined_lines_exit_3_naming_the_line() {
    let f = journal();
    let original = lines(&f.journal);
    let damaged: Vec<(&str, Vec<Vec<u8>>, usize)> = vec![
        (
            "lines 4 and 5 swapped",
            {
                let mut l = original.clone();
                l.swap(3, 4);
                l
            },
            4,
        ),
        (
            "line 6 removed",
            {
                let mut l = original.clone();
                l.remove(5);
                l
            },
            6,
        ),
        (
            "line 3 repeated",
            {
                let mut l = original.clone();
                l.insert(3, original[2].clone());
                l
            },
            4,
        ),
        (
            "lines 2 and 3 joined",
            {
                let mut l = original.clone();
                let second = l.remove(1);
                l[1] = [&second[..second.len() - 1], &l[1][..]].concat();
                l
            },
            2,
        ),
    ];
    for (what, l, bad_line) in damaged {
        write_lines(&f.journal, &l);
        let run = verify(&f.journal);
        assert_eq!(run.code, 3, "{what}: {}", run.stdout);
        assert!(run.stdout.contains(&format!("consent.journal:{bad_line}: corrupt: ")), "{what}: {}", run.stdout);
        assert!(run.stdout.contains("fails closed"), "{what}: {}", run.stdout);
        // And the engine refuses it too: every decision blocked.
        let mut e = engine(&f);
        assert!(e.storage_problem().is_some(), "{what}: the engine must fail closed");
        assert!(!e.decide("location_service", consentgate::Source::Feature).unwrap().is_allowed());
    }
}

#[test]
fn verify_edited_lines_exit_3_even_with_a_recomputed_checksum() {
    let f = journal();
    let original = lines(&f.journal);
    // A plain edit: "denied" -> "granted" on line 4 breaks its checksum.
    let mut l = original.clone();
    let text = String::from_utf8(l[3].clone()).unwrap();
    assert!(text.contains("consent_denied"));
    l[3] = text.replace("consent_denied", "consent_granted").into_bytes();
    write_lines(&f.journal, &l);
    let run = verify(&f.journal);
    assert_eq!(run.code, 3);
    assert!(run.stdout.contains("consent.journal:4: corrupt: checksum does not match"), "{}", run.stdout);
    // A careful forger re-encodes the line with a valid checksum: the next line's hash
    // link gives it away.
    let mut record = Record::decode(original[3].strip_suffix(b"\n").unwrap()).unwrap();
    let consentgate::journal::record::Event::ConsentDenied(purpose) = record.event else {
        panic!("line 4 is a denial")
    };
    record.event = consentgate::journal::record::Event::ConsentGranted(purpose);
    let mut l = original.clone();
    l[3] = format!("{}\n", record.encode()).into_bytes();
    write_lines(&f.journal, &l);
    let run = verify(&f.journal);
    assert_eq!(run.code, 3);
    assert!(run.stdout.contains("consent.journal:5: corrupt: hash chain broken"), "{}", run.stdout);
    assert!(run.stdout.contains("4 events before line 5 verify"), "{}", run.stdout);
}

#[test]
fn verify_never_panics_whatever_the_bytes() {
    let f = journal();
    let original = std::fs::read(&f.journal).unwrap();
    let garbage: Vec<Vec<u8>> = vec![
        vec![0xff, 0xfe, 0x00, b'\n', 0x80],
        vec![b'\n'; 5],
        b"{}\n".to_vec(),
        b"{\"sum\":\"0000000000000000\"}\n".to_vec(),
        [&original[..], b"\0\0\0\0"].concat(),
        vec![b'{'; 100_000],
        original.iter().map(|b| b ^ 0x20).collect(),
    ];
    for bytes in garbage {
        std::fs::write(&f.journal, &bytes).unwrap();
        let run = verify(&f.journal);
        assert!([0, 1, 3].contains(&run.code), "exit {}: {}{}", run.code, run.stdout, run.stderr);
    }
    // Many more in-process, through the same code path as the binary: every single-byte
    // change of a real journal, and every truncation.
    for i in 0..original.len() {
        for bytes in [
            {
                let mut b = original.clone();
                b[i] = b[i].wrapping_add(1 + (i % 7) as u8);
                b
            },
            original[..i].to_vec(),
        ] {
            std::fs::write(&f.journal, &bytes).unwrap();
            let out = consentgate::cli::run(["journal".into(), "verify".into(), f.journal.clone().into_os_string()]);
            assert!([0, 1, 3].contains(&out.code), "byte {i}: exit {}: {}", out.code, out.stdout);
            if bytes.len() == original.len() {
                assert_ne!(out.code, 0, "a changed byte at {i} went unnoticed: {}", out.stdout);
            }
        }
    }
}

#[test]
fn verify_missing_or_directory_exits_2() {
    let f = journal();
    let run = verify(&f.dir.join("no.journal"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    let run = verify(&f.dir);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is a directory"), "{}", run.stderr);
}

#[test]
fn compacted_journal_verifies_shows_and_exports() {
    let f = journal();
    let mut e = engine(&f);
    e.compact().unwrap();
    let run = verify(&f.journal);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("intact: 1 event (seq 10)") && run.stdout.contains("snapshot at seq 10"),
        "{}",
        run.stdout
    );
    let archive = f.dir.join("consent.journal.9.archive");
    assert_eq!(verify(&archive).code, 0);
    let run = journal_cli("export", &f.journal);
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["state"], serde_json::to_value(e.state()).unwrap(), "the snapshot folds to the engine's state");
}

#[test]
fn show_prints_a_utc_timeline() {
    let f = journal();
    let run = journal_cli("show", &f.journal);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Vec<&str> = run.stdout.lines().collect();
    assert!(out[0].ends_with("consent.journal: 9 events (seq 1-9), intact"), "{}", out[0]);
    let header: Vec<&str> = out[2].split_whitespace().collect();
    assert_eq!(header, ["UTC", "time", "seq", "purpose", "event", "surface", "actor", "locale", "details"]);
    let rows: Vec<Vec<&str>> = out[3..].iter().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0][..7], ["2023-11-14T22:13:20.000Z", "1", "-", "policy_accepted", "app", "user", "zh-CN"]);
    assert_eq!(rows[0][7..], ["privacy", "policy", "2021-11-17"]);
    assert_eq!(
        rows[2][..7],
        ["2023-11-14T22:14:20.000Z", "3", "feedback_photo", "os_result", "system_dialog", "user", "zh-CN"]
    );
    assert_eq!(rows[2][7..], ["CAMERA", "granted"]);
    assert_eq!(
        rows[3][..7],
        [
            "2023-11-14T22:15:20.000Z",
            "4",
            "import_contacts_to_dial",
            "consent_denied",
            "rationale_dialog",
            "user",
            "en"
        ]
    );
    assert_eq!(rows[5][..7], ["2023-11-14T22:16:20.000Z", "6", "-", "guardian_consent", "app", "guardian", "zh-CN"]);
    assert_eq!(
        rows[8][..7],
        ["2023-11-14T22:18:20.000Z", "9", "after_call_sms", "consent_granted", "qa_hook", "user", "en"]
    );
}

#[test]
fn show_torn_and_corrupt_journals() {
    let f = journal();
    let original = lines(&f.journal);
    let torn = [original.concat(), b"{\"v\":1,\"se".to_vec()].concat();
    let mut line_7_removed = original.clone();
    line_7_removed.remove(6);
    for (what, bytes, code, summary, events_shown) in [
        ("torn", torn, 1, "9 events (seq 1-9), torn last line (10 bytes never acknowledged, not shown)", 9),
        (
            "line 7 removed",
            line_7_removed.concat(),
            3,
            "6 events (seq 1-6), CORRUPT at line 7: sequence number 8 where 7 was expected",
            6,
        ),
    ] {
        std::fs::write(&f.journal, bytes).unwrap();
        let run = journal_cli("show", &f.journal);
        assert_eq!(run.code, code, "{what}");
        assert!(run.stdout.contains(summary), "{what}: {}", run.stdout);
        // Three lines of heading, then only the events before the damage.
        assert_eq!(run.stdout.lines().count(), 3 + events_shown, "{what}:\n{}", run.stdout);
    }
}

fn export(f: &Fixture, policy: bool) -> Run {
    let mut args = vec!["journal".to_string(), "export".into(), f.journal.display().to_string()];
    if policy {
        args.extend(["--policy".to_string(), f.policy_path.clone()]);
    }
    cg(&args)
}

#[test]
fn export_matches_the_engines_own_proof() {
    let f = journal();
    let run = export(&f, true);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut cli: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut app = engine(&f).export_proof().unwrap();
    cli["generated_at_ms"] = 0.into();
    app["generated_at_ms"] = 0.into();
    assert_eq!(cli, app, "the CLI's export is the document the app exports");
    assert_eq!(cli["journal"]["events"], 9);
    let state = |id: &str| {
        cli["policy"]["purposes"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["state"].clone()
    };
    assert_eq!(state("feedback_photo"), "withdrawn");
    assert_eq!(state("import_contacts_to_dial"), "denied");
    assert_eq!(state("location_service"), "granted");

    // Without a policy: the same history and state, no policy section.
    let run = export(&f, false);
    assert_eq!(run.code, 0);
    let bare: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(bare["policy"], serde_json::Value::Null);
    assert_eq!(bare["history"], app["history"]);
    assert_eq!(bare["state"], app["state"]);
    assert_eq!(bare["state"]["purposes"]["location_service"]["actor"], "guardian");
}

#[test]
fn export_refuses_corrupt_and_notes_torn() {
    let f = journal();
    let original = lines(&f.journal);
    let mut l = original.clone();
    l.swap(1, 2);
    write_lines(&f.journal, &l);
    let run = export(&f, true);
    assert_eq!(run.code, 3);
    assert_eq!(run.stdout, "", "nothing exported");
    assert!(
        run.stderr.contains("consent.journal:2: corrupt") && run.stderr.contains("refusing to export"),
        "{}",
        run.stderr
    );

    let mut torn = original.concat();
    torn.extend_from_slice(b"{\"v\":1");
    std::fs::write(&f.journal, &torn).unwrap();
    let run = export(&f, false);
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["journal"]["events"], 9);
    assert!(run.stderr.contains("unfinished write"), "{}", run.stderr);
}

#[test]
fn export_with_a_bad_policy_exits_2() {
    let f = journal();
    let bad = f.dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"schema\": 3\n}").unwrap();
    let run = cg(&[
        std::ffi::OsStr::new("journal"),
        "export".as_ref(),
        f.journal.as_os_str(),
        "--policy".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.json:2: $.schema: unknown schema 3"), "{}", run.stderr);
    let run = cg(&[
        std::ffi::OsStr::new("journal"),
        "export".as_ref(),
        f.journal.as_os_str(),
        "--policy=/nonexistent.json".as_ref(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("the policy file /nonexistent.json does not exist"), "{}", run.stderr);
}

// ---- lists ----------------------------------------------------------------------------

fn lists(extra: &[&str]) -> Run {
    let policy = format!("{}/examples/phone-backup/policy.json", env!("CARGO_MANIFEST_DIR"));
    let mut args = vec!["lists", "--policy", policy.as_str()];
    args.extend_from_slice(extra);
    cg(&args)
}

#[test]
fn lists_markdown_has_both_lists_in_every_locale_of_the_policy() {
    let run = lists(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = run.stdout;
    let zh = md.find("## 个人信息收集清单 (zh-CN)").expect("the zh-CN collection list first");
    let en = md.find("## Personal information we collect (en)").expect("then English");
    assert!(zh < en);
    assert!(md.contains("## 第三方信息共享清单 (zh-CN)"), "{md}");
    // The SDK row: name, company, information, purpose, when, link.
    assert!(
        md.contains("| 高德地图定位 SDK | 高德软件有限公司 | GPS 信息（精确或大致位置） | 当您使用地理位置相关服务时"),
        "{md}"
    );
    assert!(md.contains("| 使用地理位置相关服务时 | https://lbs.amap.com/pages/privacy/ |"), "{md}");
    // A consent-only purpose: its data, no permission.
    assert!(md.contains("| 手机号码（个人敏感信息） | 使用“一键登录”时"), "{md}");
    assert!(md.contains("| 使用“一键登录”时 | 无 |"), "{md}");
    // A permission in words and by name.
    assert!(md.contains("拍摄照片和视频 (android.permission.CAMERA)"), "{md}");
    assert!(run.stderr.contains("2 locale(s)"), "{}", run.stderr);
}

#[test]
fn lists_json_for_tools() {
    let run = lists(&["--format", "json", "--locale", "en-GB"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["format"], "consentgate-lists");
    assert_eq!(doc["lists"].as_array().unwrap().len(), 1);
    let l = &doc["lists"][0];
    assert_eq!(l["locale"], "en-GB");
    let sdk = l["sharing"].as_array().unwrap().iter().find(|r| r["kind"] == "sdk").unwrap();
    assert_eq!(sdk["recipient"], "Amap Location SDK", "English texts for en-GB");
    assert_eq!(sdk["company"], "AutoNavi Software Co., Ltd.");
    assert_eq!(sdk["purpose_id"], "location_service");
    let marketing = l["sharing"].as_array().unwrap().iter().find(|r| r["kind"] == "recipient").unwrap();
    assert_eq!(marketing["information"], "name, postal address, contact details, bank account");
    assert_eq!(marketing["link"], serde_json::Value::Null);
    let rows = l["collection"].as_array().unwrap();
    assert_eq!(rows.len(), 13, "one row per purpose");
    let login = rows.iter().find(|r| r["purpose_id"] == "one_key_login").unwrap();
    assert_eq!(login["permissions"], serde_json::json!([]));
}

#[test]
fn lists_html_is_a_standalone_escaped_page() {
    let dir = tempfile::tempdir().unwrap();
    let src = read(&format!("{}/examples/phone-backup/policy.json", env!("CARGO_MANIFEST_DIR")))
        .replace("导出任务Excel数据报表", "导出 <b>Excel</b> & \\\"报表\\\"");
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, src).unwrap();
    let run = cg(&[std::ffi::OsStr::new("lists"), "--policy".as_ref(), policy.as_os_str(), "--format=html".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = run.stdout;
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"), "{html:.200}");
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(
        html.contains("<h2>第三方信息共享清单</h2>")
            && html.contains("<h2>Personal information shared with third parties</h2>")
    );
    assert!(html.contains("<td>导出 &lt;b&gt;Excel&lt;/b&gt; &amp; &quot;报表&quot;</td>"), "escaped");
    assert!(html.contains("<a href=\"https://lbs.amap.com/pages/privacy/\">"));
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn lists_errors_exit_2() {
    assert_eq!(cg(&["lists"]).code, 2);
    let run = lists(&["--format", "pdf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--format expects md, html or json (got 'pdf')"), "{}", run.stderr);
    let run = lists(&["--locale", "zh_CN"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--locale expects a language tag"), "{}", run.stderr);
    let run = cg(&["lists", "--policy", "/nonexistent/policy.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"schema\": 2,\n  \"purposes\": []\n}").unwrap();
    let run = cg(&[std::ffi::OsStr::new("lists"), "--policy".as_ref(), bad.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.json:3: $.purposes: declare at least one purpose"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

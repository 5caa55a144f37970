//! The CLI's output is a contract (docs/cli.md, docs/compatibility.md): scripts parse its lines
//! and branch on its exit codes. Every command runs here on fixed inputs (the examples, the
//! committed journal fixtures, and the inputs under tests/golden/cli/inputs), and its exit
//! code, standard output and standard error must equal the committed transcript in
//! tests/golden/cli/<case>.txt byte for byte. Only `generated_at_ms` (the host's clock, in
//! `journal export`) is replaced by a placeholder. After an intended change:
//!
//!     scripts/update-api.sh        (or CONSENTGATE_BLESS=1 cargo test --features cli --test cli_golden)
#![cfg(feature = "cli")]

#[path = "common/cli.rs"]
mod cli_run;

use std::path::Path;

use cli_run::cg_in;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const EVERY_KIND: &str = "tests/fixtures/journals/every-kind/consent.journal";
const COMPACTED_LIVE: &str = "tests/fixtures/journals/compacted/consent.journal";
const COMPACTED_ARCHIVE: &str = "tests/fixtures/journals/compacted/consent.journal.9.archive";
const RESET: &str = "tests/fixtures/journals/reset/consent.journal";
const FIXTURE_POLICY: &str = "tests/fixtures/journals/policy.json";
const TORN: &str = "tests/golden/cli/inputs/torn.journal";
const EDITED: &str = "tests/golden/cli/inputs/edited.journal";
/// The every-kind fixture plus a line of a later format version (9) with a kind this SDK does not know.
const NEWER: &str = "tests/golden/cli/inputs/newer.journal";

/// Every case: its transcript's name and the arguments (paths relative to the repository root).
const CASES: &[(&str, &[&str])] = &[
    // help and version
    ("help", &["--help"]),
    ("help-short", &["-h"]),
    ("version", &["--version"]),
    ("no-arguments", &[]),
    ("lint-help", &["lint", "--help"]),
    ("journal-help", &["journal", "--help"]),
    ("journal-show-help", &["journal", "show", "--help"]),
    ("journal-verify-help", &["journal", "verify", "--help"]),
    ("journal-export-help", &["journal", "export", "--help"]),
    // lint: clean, findings of every code, exit 2 inputs
    (
        "lint-clean",
        &[
            "lint",
            "--manifest",
            "examples/phone-backup/AndroidManifest.xml",
            "--policy",
            "examples/phone-backup/policy.json",
        ],
    ),
    (
        "lint-clean-target-34",
        &[
            "lint",
            "--manifest=examples/assistant/AndroidManifest.xml",
            "--policy=examples/assistant/policy.json",
            "--target-sdk",
            "34",
        ],
    ),
    (
        "lint-findings",
        &[
            "lint",
            "--manifest",
            "tests/golden/cli/inputs/findings/AndroidManifest.xml",
            "--policy",
            "tests/golden/cli/inputs/findings/policy.json",
        ],
    ),
    (
        "lint-findings-target-32",
        &[
            "lint",
            "--manifest",
            "tests/golden/cli/inputs/findings/AndroidManifest.xml",
            "--policy",
            "tests/golden/cli/inputs/findings/policy.json",
            "--target-sdk",
            "32",
        ],
    ),
    (
        "lint-special-permission",
        &[
            "lint",
            "--manifest",
            "tests/golden/cli/inputs/special/AndroidManifest.xml",
            "--policy",
            "tests/golden/cli/inputs/special/policy.json",
        ],
    ),
    (
        "lint-background-location",
        &[
            "lint",
            "--manifest",
            "tests/golden/cli/inputs/background/AndroidManifest.xml",
            "--policy",
            "tests/golden/cli/inputs/background/policy.json",
        ],
    ),
    (
        "lint-invalid-policy",
        &[
            "lint",
            "--manifest",
            "examples/phone-backup/AndroidManifest.xml",
            "--policy",
            "tests/golden/cli/inputs/invalid-policy/policy.json",
        ],
    ),
    (
        "lint-policy-not-json",
        &[
            "lint",
            "--manifest",
            "examples/phone-backup/AndroidManifest.xml",
            "--policy",
            "tests/golden/cli/inputs/invalid-policy/not-json.json",
        ],
    ),
    (
        "lint-manifest-missing",
        &["lint", "--manifest", "tests/golden/cli/inputs/missing.xml", "--policy", "examples/phone-backup/policy.json"],
    ),
    (
        "lint-manifest-not-xml",
        &["lint", "--manifest", "examples/phone-backup/policy.json", "--policy", "examples/phone-backup/policy.json"],
    ),
    ("lint-no-policy", &["lint", "--manifest", "examples/phone-backup/AndroidManifest.xml"]),
    (
        "lint-target-not-a-number",
        &[
            "lint",
            "--manifest",
            "examples/phone-backup/AndroidManifest.xml",
            "--policy",
            "examples/phone-backup/policy.json",
            "--target-sdk",
            "T",
        ],
    ),
    // usage errors
    ("unknown-command", &["frobnicate"]),
    ("unknown-option", &["lint", "--frob"]),
    ("missing-option-value", &["lint", "--manifest"]),
    ("journal-no-subcommand", &["journal"]),
    ("journal-unknown-subcommand", &["journal", "frob", EVERY_KIND]),
    ("journal-verify-no-file", &["journal", "verify"]),
    ("journal-verify-two-files", &["journal", "verify", EVERY_KIND, RESET]),
    ("journal-verify-missing-file", &["journal", "verify", "tests/golden/cli/inputs/missing.journal"]),
    ("journal-verify-directory", &["journal", "verify", "tests/golden/cli/inputs"]),
    // journal: every command on every committed journal fixture, a torn one, an edited one
    ("journal-verify-every-kind", &["journal", "verify", EVERY_KIND]),
    ("journal-verify-compacted", &["journal", "verify", COMPACTED_LIVE]),
    ("journal-verify-archive", &["journal", "verify", COMPACTED_ARCHIVE]),
    ("journal-verify-reset", &["journal", "verify", RESET]),
    ("journal-verify-torn", &["journal", "verify", TORN]),
    ("journal-verify-edited", &["journal", "verify", EDITED]),
    ("journal-verify-newer", &["journal", "verify", NEWER]),
    ("journal-show-newer", &["journal", "show", NEWER]),
    ("journal-export-newer", &["journal", "export", NEWER]),
    ("journal-show-every-kind", &["journal", "show", EVERY_KIND]),
    ("journal-show-compacted", &["journal", "show", COMPACTED_LIVE]),
    ("journal-show-reset", &["journal", "show", RESET]),
    ("journal-show-torn", &["journal", "show", TORN]),
    ("journal-show-edited", &["journal", "show", EDITED]),
    ("journal-export-every-kind", &["journal", "export", EVERY_KIND]),
    ("journal-export-every-kind-policy", &["journal", "export", EVERY_KIND, "--policy", FIXTURE_POLICY]),
    ("journal-export-compacted", &["journal", "export", COMPACTED_LIVE, "--policy", FIXTURE_POLICY]),
    ("journal-export-torn", &["journal", "export", TORN]),
    ("journal-export-edited", &["journal", "export", EDITED]),
    (
        "journal-export-invalid-policy",
        &["journal", "export", EVERY_KIND, "--policy", "tests/golden/cli/inputs/invalid-policy/not-json.json"],
    ),
    // scan (fixtures compiled from Java live in tests/scan.rs; here the outputs that need none)
    ("scan-help", &["scan", "--help"]),
    ("scan-no-artifact", &["scan", "--policy", "examples/phone-backup/policy.json"]),
    (
        "scan-unreadable",
        &["scan", "--policy", "examples/phone-backup/policy.json", "examples/phone-backup/AndroidManifest.xml"],
    ),
    ("scan-invalid-policy", &["scan", "--policy", "tests/golden/cli/inputs/invalid-policy/policy.json", "examples"]),
];

/// The transcript of one run: the command, its exit code, then its two streams.
fn transcript(args: &[&str]) -> String {
    let run = cg_in(Path::new(ROOT), args);
    format!(
        "$ consentgate {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        run.code,
        mask_host_clock(&run.stdout),
        run.stderr
    )
}

/// `"generated_at_ms": <now>` is the only output that depends on when the command ran.
fn mask_host_clock(text: &str) -> String {
    let key = "\"generated_at_ms\":";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        let after = &rest[i + key.len()..];
        let spaces = after.len() - after.trim_start().len();
        let digits = after[spaces..].bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..i + key.len()]);
        out.push_str(&after[..spaces]);
        out.push_str("GENERATED_AT_MS");
        rest = &after[spaces + digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_command_prints_what_its_golden_transcript_says() {
    let dir = Path::new(ROOT).join("tests/golden/cli");
    let bless = std::env::var("CONSENTGATE_BLESS").as_deref() == Ok("1");
    let mut failures = Vec::new();
    for (name, args) in CASES {
        let actual = transcript(args);
        assert!(!actual.contains("panicked"), "{name}: the CLI panicked:\n{actual}");
        let path = dir.join(format!("{name}.txt"));
        if bless {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "CLI output differs from its golden transcript (a contract: docs/compatibility.md). If the change \
         is intended and compatible, run scripts/update-api.sh and commit the transcripts with a CHANGELOG \
         line.\n\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn every_golden_transcript_is_a_case() {
    // A stale transcript would look like coverage that no longer runs.
    let dir = Path::new(ROOT).join("tests/golden/cli");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(case) = name.strip_suffix(".txt") {
            assert!(CASES.iter().any(|(n, _)| *n == case), "tests/golden/cli/{name} has no case in CASES");
        }
    }
}

#[test]
fn the_goldens_cover_every_exit_code_and_every_lint_code() {
    let all: String = CASES.iter().map(|(_, args)| transcript(args)).collect();
    for code in 0..=3 {
        assert!(all.contains(&format!("\nexit {code}\n")), "no golden exits {code}");
    }
    for (code, _) in consentgate::cli::lint_codes() {
        assert!(all.contains(&format!(": {code}: ")), "no golden shows a finding {code}");
    }
}

#[test]
fn the_host_clock_mask_replaces_only_the_number() {
    assert_eq!(
        mask_host_clock("{\n  \"generated_at_ms\": 1700000000000,\n  \"x\": 1\n}"),
        "{\n  \"generated_at_ms\": GENERATED_AT_MS,\n  \"x\": 1\n}"
    );
}

//! Replays every committed fuzz input (fuzz/seeds/<target>/*, hand-made, and
//! fuzz/corpus/<target>/*, found by the fuzzer) through the same
//! checks the fuzz targets run (fuzz/src/lib.rs, included below), so the normal test run
//! covers every input the fuzzer found interesting: no panic, every documented invariant,
//! and the outcome class recorded in fuzz/expected/<target>.tsv.
//!
//! After a fuzz run adds inputs, or after an intended change of behaviour, rewrite the
//! expectations with `CG_FUZZ_BLESS=1 cargo test --all-features --test fuzz_corpus_replay`
//! and review the diff.
//!
//! Journal inputs also go through the real loader (`Engine::open` on a file), which must
//! agree with the pure scan: a corrupt journal opens failing closed.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_checks;

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use consentgate::*;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for kind in ["seeds", "corpus"] {
        let dir = fuzz_dir().join(kind).join(target);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((format!("{kind}/{name}"), std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// Runs `check` on every corpus file of `target` and compares the outcome classes with the
/// expectations file. Returns (file name, bytes, class) for further checks.
fn replay(target: &str, check: fn(&[u8]) -> String) -> Vec<(String, Vec<u8>, String)> {
    let files = corpus(target);
    assert!(!files.is_empty(), "no fuzz inputs for {target}");
    let mut results = Vec::new();
    for (name, bytes) in files {
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        match outcome {
            Ok(class) => results.push((name, bytes, class)),
            Err(_) => panic!("fuzz/{name} ({target}): the check panicked (see the message above)"),
        }
    }
    let expected_path = fuzz_dir().join("expected").join(format!("{target}.tsv"));
    let actual: BTreeMap<&str, &str> = results.iter().map(|(n, _, c)| (n.as_str(), c.as_str())).collect();
    if std::env::var_os("CG_FUZZ_BLESS").is_some() {
        let mut text =
            String::from("# file\toutcome class (written by CG_FUZZ_BLESS=1; see tests/fuzz_corpus_replay.rs)\n");
        for (n, c) in &actual {
            text.push_str(&format!("{n}\t{c}\n"));
        }
        std::fs::write(&expected_path, text).unwrap();
        return results;
    }
    let text = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|e| panic!("{}: {e} (write it with CG_FUZZ_BLESS=1)", expected_path.display()));
    let expected: BTreeMap<&str, &str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split_once('\t').expect("file<TAB>class"))
        .collect();
    let mut problems = Vec::new();
    for (name, class) in &actual {
        match expected.get(name) {
            Some(want) if want == class => {}
            Some(want) => problems.push(format!("{name}: expected \"{want}\", got \"{class}\"")),
            None => problems.push(format!("{name}: not in {} (new corpus file?)", expected_path.display())),
        }
    }
    for name in expected.keys() {
        if !actual.contains_key(name) {
            problems.push(format!("{name}: listed in expectations but missing from the corpus"));
        }
    }
    assert!(
        problems.is_empty(),
        "fuzz inputs of {target}: {} outcome(s) differ from fuzz/expected/{target}.tsv \
         (if intended, rerun with CG_FUZZ_BLESS=1 and review the diff):\n{}",
        problems.len(),
        problems.join("\n")
    );
    results
}

fn count(results: &[(String, Vec<u8>, String)], prefix: &str) -> usize {
    results.iter().filter(|(_, _, c)| c.starts_with(prefix)).count()
}

/// Prints how many inputs of `target` fell in each class (by prefix), and checks that the
/// corpus still holds at least as many as given of each: the seeds cover every class, and a
/// corpus that lost one is not testing much.
fn report(target: &str, results: &[(String, Vec<u8>, String)], at_least: &[(&str, usize)]) {
    let counts: Vec<String> = at_least.iter().map(|(class, _)| format!("{} {class}", count(results, class))).collect();
    println!("{target}: {} inputs, {}", results.len(), counts.join(", "));
    for (class, min) in at_least {
        assert!(count(results, class) >= *min, "{target}: fewer than {min} inputs of class {class}");
    }
}

#[cfg(feature = "cli")]
#[test]
fn manifest_lint_corpus_replays() {
    let results = replay("manifest_lint", fuzz_checks::manifest_lint);
    report("manifest_lint", &results, &[("report", 0), ("report CG", 2), ("not-xml", 1), ("policy-not-json", 0)]);
}

#[test]
fn policy_corpus_replays() {
    let results = replay("policy_parse", fuzz_checks::policy_parse);
    report("policy_parse", &results, &[("valid", 2), ("invalid", 1)]);
}

/// The engine's real loader agrees with the pure scan on `bytes`.
fn load_through_engine(name: &str, bytes: &[u8], class: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("consent.journal"), bytes).unwrap();
    let clock = Arc::new(ManualClock::new(common::T0));
    let mut engine = common::open(common::small_policy(), dir.path(), &clock);
    let fails_closed = class.starts_with("corrupt") || class.contains("bad-snapshot");
    assert_eq!(engine.storage_problem().is_some(), fails_closed, "{name} ({class}): {:?}", engine.storage_problem());
    for purpose in ["feedback_photo", "nearby_stores", "scan_receipt"] {
        let d = engine.decide(purpose, Source::Feature).unwrap();
        if fails_closed {
            assert_eq!(
                d,
                Decision::Blocked { reason: BlockReason::Storage },
                "{name}: corrupt journal must fail closed"
            );
        }
    }
    if fails_closed {
        let err = engine.accept_policy(&common::user(Surface::App)).unwrap_err();
        assert!(matches!(err, CoreError::Storage { .. }), "{name}: no write on top of a corrupt journal: {err}");
        assert_eq!(std::fs::read(dir.path().join("consent.journal")).unwrap(), bytes, "{name}: corrupt file untouched");
    }
}

#[test]
fn journal_corpus_replays_through_scan_and_the_engine_loader() {
    let results = replay("journal_scan", fuzz_checks::journal_scan);
    for (name, bytes, class) in &results {
        load_through_engine(name, bytes, class);
    }
    report("journal_scan", &results, &[("loaded", 2), ("corrupt", 1)]);
}

#[test]
fn resigned_journal_corpus_replays_through_scan_and_the_engine_loader() {
    let results = replay("journal_resigned", fuzz_checks::journal_resigned);
    for (name, bytes, class) in &results {
        load_through_engine(name, &fuzz_checks::resign(bytes), class);
    }
    report("journal_resigned", &results, &[("loaded", 2), ("corrupt", 1)]);
}

//! Schema 1 is a stable contract: every schema-1 file that loaded before schema 2 existed
//! loads with the same purposes and the same fingerprints (so every consent on record keeps
//! its decision), and every file that was refused is still refused.
//!
//! `tests/fixtures/schema1/fingerprints.tsv` was written by the schema-1-only code (main at
//! 6f28f0f) over the committed examples as they were then (copied to
//! tests/fixtures/schema1/), the wrapper's test policy, the integration-test policy and the
//! whole policy fuzz corpus. Never re-bless it to make a change pass: a difference here is a
//! broken promise to every app whose users already consented.
//! (`CG_SCHEMA1_BLESS=1` exists only to write it from a schema-1-only build.)

mod common;

use std::path::{Path, PathBuf};

use consentgate::Policy;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (name, text) of every schema-1 input: fixtures, then the fuzz seeds and corpus.
fn inputs() -> Vec<(String, String)> {
    let mut out = vec![("small_policy".to_string(), common::SMALL_POLICY.to_string())];
    for dir in ["tests/fixtures/schema1", "fuzz/seeds/policy_parse", "fuzz/corpus/policy_parse"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for path in files {
            if path.extension().is_some_and(|x| x == "tsv") {
                continue;
            }
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            out.push((name, String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()));
        }
    }
    out
}

/// One line per input: its name, then `invalid` or each purpose as `id=fingerprint`.
fn outcome(text: &str) -> String {
    match Policy::parse(text) {
        Ok(p) => p.purposes.iter().map(|p| format!("{}={}", p.id, p.fingerprint)).collect::<Vec<_>>().join(" "),
        Err(_) => "invalid".to_string(),
    }
}

fn declares_schema_2(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v["schema"] == 2)
}

#[test]
fn schema_1_files_load_with_the_same_fingerprints() {
    let golden_path = root().join("tests/fixtures/schema1/fingerprints.tsv");
    let actual: Vec<String> = inputs().iter().map(|(name, text)| format!("{name}\t{}", outcome(text))).collect();
    if std::env::var_os("CG_SCHEMA1_BLESS").is_some() {
        std::fs::write(&golden_path, actual.join("\n") + "\n").unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&golden_path).unwrap();
    let expected: Vec<&str> = golden.lines().collect();
    assert_eq!(expected.len(), actual.len(), "the set of schema-1 inputs changed");
    let valid = expected.iter().filter(|l| !l.ends_with("\tinvalid")).count();
    assert!(valid >= 10, "the golden file covers real policies ({valid} valid)");
    let texts = inputs();
    for ((e, a), (name, text)) in expected.iter().zip(&actual).zip(&texts) {
        if e.ends_with("\tinvalid") && declares_schema_2(text) {
            // Refused by the schema-1 reader; schema 2 may read it now.
            continue;
        }
        assert_eq!(*e, a.as_str(), "schema-1 outcome changed for {name}");
    }
}

#[test]
fn the_fixtures_are_the_examples_as_schema_1_left_them() {
    for name in ["phone-backup", "assistant"] {
        let text = std::fs::read_to_string(root().join(format!("tests/fixtures/schema1/{name}.json"))).unwrap();
        assert!(text.contains("\"schema\": 1"), "{name}");
        assert!(Path::new(&root().join(format!("examples/{name}/policy.json"))).exists());
    }
}

//! Purpose fingerprints are a stable contract: a consent is recorded against the whole
//! purpose's fingerprint and the fingerprint of the translation the user read, so a change to
//! how either is computed would ask every user again (or, worse, match a different text).
//!
//! `tests/fixtures/fingerprints/pinned.tsv` holds both kinds for every purpose of every valid
//! committed policy fixture (schema 1 and 2: texts per locale, data, when, SDKs, recipients,
//! needs, escapes), as written by the `serde_json::Value`-based computation (main at e50e869)
//! before the direct writer. Never re-bless it to make a change pass.
//! (`CG_FINGERPRINTS_BLESS=1` writes it.)

use std::path::PathBuf;

use consentgate::Policy;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every committed policy-like input, by path relative to the repository (sorted).
fn inputs() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = ["tests/fixtures", "fuzz/seeds/policy_parse", "fuzz/corpus/policy_parse"]
        .iter()
        .map(|d| root().join(d))
        .collect();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if !path.extension().is_some_and(|x| x == "tsv" || x == "jsonl") {
            out.push(path.strip_prefix(root()).unwrap().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

/// One line per purpose of a valid input: file, id, fingerprint, then `locale=seen` pairs.
fn lines(name: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(&std::fs::read(root().join(name)).unwrap()).into_owned();
    let Ok(policy) = Policy::parse(&text) else { return Vec::new() };
    policy
        .purposes
        .iter()
        .map(|p| {
            let seen: Vec<String> = p.seen_fingerprints.iter().map(|(tag, fp)| format!("{tag}={fp}")).collect();
            format!("{name}\t{}\t{}\t{}", p.id, p.fingerprint, seen.join(" "))
        })
        .collect()
}

#[test]
fn fingerprints_of_every_committed_policy_are_unchanged() {
    let golden_path = root().join("tests/fixtures/fingerprints/pinned.tsv");
    if std::env::var_os("CG_FINGERPRINTS_BLESS").is_some() {
        let all: Vec<String> = inputs().iter().flat_map(|name| lines(name)).collect();
        std::fs::write(&golden_path, all.join("\n") + "\n").unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&golden_path).unwrap();
    let mut checked_files = std::collections::BTreeSet::new();
    let mut schema_2_seen = 0;
    for expected in golden.lines() {
        let name = expected.split('\t').next().unwrap();
        if !checked_files.insert(name) {
            continue;
        }
        let wanted: Vec<&str> = golden.lines().filter(|l| l.split('\t').next() == Some(name)).collect();
        let actual = lines(name);
        assert_eq!(wanted, actual, "fingerprints changed for {name}");
        schema_2_seen += actual.iter().filter(|l| l.contains("schema2-")).count();
    }
    assert!(golden.lines().count() >= 100, "the golden file covers many purposes");
    assert!(schema_2_seen >= 20, "schema-2 purposes are pinned too ({schema_2_seen})");
}

//! The consent state: what the journal's events add up to. Folding is pure and
//! deterministic, so every process that reads the same journal holds the same state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::journal::record::{Actor, AgeBracket, EventView, OsResult, PurposeView, Record, RecordView};
use crate::json_fields::Fields;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Granted,
    Denied,
    Withdrawn,
}

/// The last consent decision for one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeRecord {
    pub status: ConsentStatus,
    /// Fingerprint of the purpose text the user decided on.
    pub fp: String,
    /// Fingerprint of the translation the user read (consents recorded since `seen_fp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_fp: Option<String>,
    pub ts: i64,
    pub actor: Actor,
    /// Withdrawn by switching a permission off in Android's settings (`permission_revoked`),
    /// not in the app. Only the wording depends on it: a reader that ignores it still sees a
    /// withdrawal, so it needs no new format version (like `seen_fp`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked_in_system_settings: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub policy_version: String,
    pub ts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsRecord {
    pub result: OsResult,
    pub ts: i64,
}

// A snapshot from a later SDK may hold state this one cannot represent: refusing it fails
// closed, where ignoring it would lose (or fail open on) what this version does not know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentState {
    /// The last privacy-policy version the user accepted.
    pub accepted: Option<Acceptance>,
    pub age: AgeBracket,
    pub guardian_consent: bool,
    pub purposes: BTreeMap<String, PurposeRecord>,
    /// Last OS answer per permission name.
    pub os: BTreeMap<String, OsRecord>,
}

impl ConsentState {
    /// Whether the privacy policy of `policy_version` is the one accepted last.
    pub(crate) fn accepted_version(&self, policy_version: &str) -> bool {
        self.accepted.as_ref().is_some_and(|a| a.policy_version == policy_version)
    }

    /// Applies one event. A snapshot replaces the state; a reset starts from nothing.
    /// Returns false for a snapshot whose state cannot be read (the caller fails closed).
    pub fn apply(&mut self, record: &Record) -> bool {
        self.apply_view(&record.view())
    }

    /// `apply` for a record as the load reads it, borrowing the line's text.
    pub(crate) fn apply_view(&mut self, record: &RecordView<'_>) -> bool {
        let ts = record.ts;
        match &record.event {
            EventView::PolicyAccepted => {
                self.accepted = Some(Acceptance { policy_version: record.policy_version.to_owned(), ts });
            }
            EventView::ConsentGranted(p) => self.decided(p, ConsentStatus::Granted, record),
            EventView::ConsentDenied(p) => self.decided(p, ConsentStatus::Denied, record),
            EventView::ConsentWithdrawn(p) => self.decided(p, ConsentStatus::Withdrawn, record),
            EventView::OsResult { permission, result, .. } => self.os_answer(permission, *result, ts),
            EventView::AgeBracketSet { age } => self.age = *age,
            EventView::GuardianConsent { given } => self.guardian_consent = *given,
            EventView::Snapshot { state } => match ConsentState::from_tree(state) {
                Ok(state) => *self = state,
                Err(_) => return false,
            },
            EventView::JournalReset { .. } => *self = ConsentState::default(),
            EventView::PolicyWithdrawn => {
                // Back to before acceptance. Every consent given ends as if withdrawn (the
                // user said no to all of it): accepting again later revives none of them.
                self.accepted = None;
                for r in self.purposes.values_mut() {
                    if r.status == ConsentStatus::Granted {
                        let fp = std::mem::take(&mut r.fp);
                        *r = PurposeRecord {
                            status: ConsentStatus::Withdrawn,
                            fp,
                            seen_fp: None,
                            ts,
                            actor: record.actor,
                            revoked_in_system_settings: false,
                        };
                    }
                }
            }
            EventView::PermissionRevoked { purpose, permission } => {
                // Switched off in Android's settings: the OS no longer grants it, and for the
                // purpose named (if any) a withdrawal.
                self.os_answer(permission, OsResult::Denied, ts);
                if let Some(p) = purpose {
                    self.decided(p, ConsentStatus::Withdrawn, record);
                    if let Some(r) = self.purposes.get_mut(p.purpose) {
                        r.revoked_in_system_settings = true;
                    }
                }
            }
        }
        true
    }

    // Both update an entry in place when the key is there (most events of a journal): the
    // strings are copied into the existing buffers instead of allocating new ones (a load
    // folds every event, and allocation was a fifth of it).
    fn decided(&mut self, p: &PurposeView<'_>, status: ConsentStatus, record: &RecordView<'_>) {
        let seen_fp = if status == ConsentStatus::Granted { p.seen_fp } else { None };
        match self.purposes.get_mut(p.purpose) {
            Some(entry) => {
                entry.status = status;
                overwrite(&mut entry.fp, p.fp);
                match (&mut entry.seen_fp, seen_fp) {
                    (Some(buffer), Some(seen)) => overwrite(buffer, seen),
                    (slot, seen) => *slot = seen.map(str::to_owned),
                }
                entry.ts = record.ts;
                entry.actor = record.actor;
                entry.revoked_in_system_settings = false;
            }
            None => {
                let entry = PurposeRecord {
                    status,
                    fp: p.fp.to_owned(),
                    seen_fp: seen_fp.map(str::to_owned),
                    ts: record.ts,
                    actor: record.actor,
                    revoked_in_system_settings: false,
                };
                self.purposes.insert(p.purpose.to_owned(), entry);
            }
        }
    }

    fn os_answer(&mut self, permission: &str, result: OsResult, ts: i64) {
        match self.os.get_mut(permission) {
            Some(entry) => *entry = OsRecord { result, ts },
            None => {
                self.os.insert(permission.to_string(), OsRecord { result, ts });
            }
        }
    }
}

/// Overwrites `into` with `text`, in its own buffer when it is large enough.
fn overwrite(into: &mut String, text: &str) {
    into.clear();
    into.push_str(text);
}

impl ConsentState {
    /// The state a snapshot line holds, read as the derived `Deserialize` reads it (no
    /// unknown field at any level, the same required fields and types) without its code
    /// (see `json_fields`); the derive stays for the tests, which hold this to it.
    pub(crate) fn from_tree(state: &Value) -> Result<ConsentState, String> {
        let f = Fields::of(state, "the consent state")?;
        f.only(&["accepted", "age", "guardian_consent", "purposes", "os"])?;
        let accepted = match f.opt_object("accepted")? {
            Some(a) => {
                a.only(&["policy_version", "ts"])?;
                Some(Acceptance { policy_version: a.str("policy_version")?.to_owned(), ts: a.i64("ts")? })
            }
            None => None,
        };
        let mut purposes = BTreeMap::new();
        for (id, record) in f.object("purposes")?.0 {
            let r = Fields::of(record, "a purpose record")?;
            r.only(&["status", "fp", "seen_fp", "ts", "actor", "revoked_in_system_settings"])?;
            let record = PurposeRecord {
                status: r.variant("status")?,
                fp: r.str("fp")?.to_owned(),
                seen_fp: r.opt_str("seen_fp")?.map(str::to_owned),
                ts: r.i64("ts")?,
                actor: r.variant("actor")?,
                revoked_in_system_settings: r.bool_or("revoked_in_system_settings", false)?,
            };
            purposes.insert(id.clone(), record);
        }
        let mut os = BTreeMap::new();
        for (permission, record) in f.object("os")?.0 {
            let r = Fields::of(record, "an OS record")?;
            r.only(&["result", "ts"])?;
            os.insert(permission.clone(), OsRecord { result: r.variant("result")?, ts: r.i64("ts")? });
        }
        Ok(ConsentState {
            accepted,
            age: f.variant("age")?,
            guardian_consent: f.bool("guardian_consent")?,
            purposes,
            os,
        })
    }
}

impl PurposeRecord {
    /// Consent on record for the purpose as declared now (see `Purpose::consent_is_current`).
    pub(crate) fn is_current_grant(&self, purpose: &crate::policy::Purpose) -> bool {
        self.status == ConsentStatus::Granted && purpose.consent_is_current(&self.fp, self.seen_fp.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// What the derive reads (`None`: it refuses the state).
    fn derived(state: &Value) -> Option<ConsentState> {
        ConsentState::deserialize(state).ok()
    }

    #[test]
    fn snapshot_states_are_read_or_refused_as_the_derive_does() {
        let record = json!({ "status": "granted", "fp": "f1", "ts": 5, "actor": "guardian" });
        let full = json!({
            "accepted": { "policy_version": "2024-01", "ts": -3 },
            "age": "age_14_to_17",
            "guardian_consent": true,
            "purposes": {
                "photos": record,
                "voice": { "status": "withdrawn", "fp": "f2", "seen_fp": "s2", "ts": 6, "actor": "user",
                           "revoked_in_system_settings": true },
                "maps": { "status": "denied", "fp": "f3", "seen_fp": null, "ts": 7, "actor": "system",
                          "revoked_in_system_settings": false },
            },
            "os": { "android.permission.CAMERA": { "result": "denied_permanently", "ts": 9 } },
        });
        assert!(derived(&full).is_some());
        let mut cases = vec![full.clone()];
        let mut edit = |f: &dyn Fn(&mut Value)| {
            let mut state = full.clone();
            f(&mut state);
            cases.push(state);
        };
        // Accepted: optional fields absent or null.
        edit(&|s| s["accepted"] = Value::Null);
        edit(&|s| drop(s.as_object_mut().unwrap().remove("accepted")));
        // Refused: unknown fields at every level, required fields missing, wrong types and names.
        edit(&|s| s["extra"] = json!(1));
        edit(&|s| s["accepted"]["extra"] = json!(1));
        edit(&|s| s["purposes"]["photos"]["extra"] = json!(1));
        edit(&|s| s["os"]["android.permission.CAMERA"]["extra"] = json!(1));
        edit(&|s| drop(s.as_object_mut().unwrap().remove("age")));
        edit(&|s| drop(s.as_object_mut().unwrap().remove("guardian_consent")));
        edit(&|s| drop(s.as_object_mut().unwrap().remove("purposes")));
        edit(&|s| drop(s.as_object_mut().unwrap().remove("os")));
        edit(&|s| drop(s["accepted"].as_object_mut().unwrap().remove("ts")));
        edit(&|s| drop(s["purposes"]["photos"].as_object_mut().unwrap().remove("fp")));
        edit(&|s| drop(s["purposes"]["photos"].as_object_mut().unwrap().remove("ts")));
        edit(&|s| s["age"] = json!("teen"));
        edit(&|s| s["age"] = Value::Null);
        edit(&|s| s["guardian_consent"] = json!(1));
        edit(&|s| s["purposes"]["photos"]["status"] = json!("maybe"));
        edit(&|s| s["purposes"]["photos"]["ts"] = json!(1.5));
        edit(&|s| s["purposes"]["photos"]["ts"] = json!(u64::MAX));
        edit(&|s| s["purposes"]["photos"]["revoked_in_system_settings"] = Value::Null);
        edit(&|s| s["purposes"]["photos"]["seen_fp"] = json!(3));
        edit(&|s| s["purposes"]["photos"] = json!("granted"));
        edit(&|s| s["os"]["android.permission.CAMERA"]["result"] = json!("yes"));
        edit(&|s| s["os"] = json!([]));
        edit(&|s| s["accepted"] = json!("2024-01"));
        cases.extend([json!(null), json!(3), json!("state"), json!({})]);
        for state in cases {
            assert_eq!(ConsentState::from_tree(&state).ok(), derived(&state), "{state}");
        }
    }

    #[test]
    fn a_folded_state_reads_back_from_its_snapshot() {
        let state = ConsentState {
            accepted: Some(Acceptance { policy_version: "p".into(), ts: 1 }),
            age: AgeBracket::Under14,
            guardian_consent: true,
            purposes: BTreeMap::from([(
                "a".to_string(),
                PurposeRecord {
                    status: ConsentStatus::Granted,
                    fp: "f".into(),
                    seen_fp: Some("s".into()),
                    ts: 2,
                    actor: Actor::Guardian,
                    revoked_in_system_settings: true,
                },
            )]),
            os: BTreeMap::from([(
                "android.permission.CAMERA".to_string(),
                OsRecord { result: OsResult::Granted, ts: 3 },
            )]),
        };
        assert_eq!(ConsentState::from_tree(&serde_json::to_value(&state).unwrap()), Ok(state));
    }
}

//! The consent state: what the journal's events add up to. Folding is pure and
//! deterministic, so every process that reads the same journal holds the same state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::journal::record::{Actor, AgeBracket, Event, OsResult, PurposeRef, Record};

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
        let ts = record.ts;
        match &record.event {
            Event::PolicyAccepted => {
                self.accepted = Some(Acceptance { policy_version: record.policy_version.clone(), ts });
            }
            Event::ConsentGranted(p) => self.decided(p, ConsentStatus::Granted, record),
            Event::ConsentDenied(p) => self.decided(p, ConsentStatus::Denied, record),
            Event::ConsentWithdrawn(p) => self.decided(p, ConsentStatus::Withdrawn, record),
            Event::OsResult { permission, result, .. } => self.os_answer(permission, *result, ts),
            Event::AgeBracketSet { age } => self.age = *age,
            Event::GuardianConsent { given } => self.guardian_consent = *given,
            Event::Snapshot { state } => match ConsentState::deserialize(state) {
                Ok(state) => *self = state,
                Err(_) => return false,
            },
            Event::JournalReset { .. } => *self = ConsentState::default(),
            Event::PolicyWithdrawn => {
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
            Event::PermissionRevoked { purpose, permission } => {
                // Switched off in Android's settings: the OS no longer grants it, and for the
                // purpose named (if any) a withdrawal.
                self.os_answer(permission, OsResult::Denied, ts);
                if let Some(p) = purpose {
                    self.decided(p, ConsentStatus::Withdrawn, record);
                    if let Some(r) = self.purposes.get_mut(&p.purpose) {
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
    fn decided(&mut self, p: &PurposeRef, status: ConsentStatus, record: &Record) {
        let seen_fp = if status == ConsentStatus::Granted { &p.seen_fp } else { &None };
        match self.purposes.get_mut(&p.purpose) {
            Some(entry) => {
                entry.status = status;
                entry.fp.clone_from(&p.fp);
                // Option's clone_from reuses the buffer when both hold a string.
                entry.seen_fp.clone_from(seen_fp);
                entry.ts = record.ts;
                entry.actor = record.actor;
                entry.revoked_in_system_settings = false;
            }
            None => {
                let entry = PurposeRecord {
                    status,
                    fp: p.fp.clone(),
                    seen_fp: seen_fp.clone(),
                    ts: record.ts,
                    actor: record.actor,
                    revoked_in_system_settings: false,
                };
                self.purposes.insert(p.purpose.clone(), entry);
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

impl PurposeRecord {
    /// Consent on record for the purpose as declared now (see `Purpose::consent_is_current`).
    pub(crate) fn is_current_grant(&self, purpose: &crate::policy::Purpose) -> bool {
        self.status == ConsentStatus::Granted && purpose.consent_is_current(&self.fp, self.seen_fp.as_deref())
    }
}

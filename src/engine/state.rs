//! The consent state: what the journal's events add up to. Folding is pure and
//! deterministic, so every process that reads the same journal holds the same state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::journal::record::{Actor, AgeBracket, EventView, OsResult, PurposeView, Record, RecordView};

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
            EventView::Snapshot { state } => match ConsentState::deserialize(*state) {
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

impl PurposeRecord {
    /// Consent on record for the purpose as declared now (see `Purpose::consent_is_current`).
    pub(crate) fn is_current_grant(&self, purpose: &crate::policy::Purpose) -> bool {
        self.status == ConsentStatus::Granted && purpose.consent_is_current(&self.fp, self.seen_fp.as_deref())
    }
}

//! The consent state: what the journal's events add up to. Folding is pure and
//! deterministic, so every process that reads the same journal holds the same state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::journal::record::{Actor, AgeBracket, EventKind, OsResult, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Granted,
    Denied,
    Withdrawn,
}

/// The last consent decision for one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeRecord {
    pub status: ConsentStatus,
    /// Fingerprint of the purpose text the user decided on.
    pub fp: String,
    pub ts: i64,
    pub actor: Actor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub policy_version: String,
    pub ts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRecord {
    pub result: OsResult,
    pub ts: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Applies one event. A snapshot replaces the state; a reset starts from nothing.
    /// Returns false for a snapshot whose state cannot be read (the caller fails closed).
    pub fn apply(&mut self, record: &Record) -> bool {
        match record.event {
            EventKind::PolicyAccepted => {
                self.accepted = Some(Acceptance { policy_version: record.policy_version.clone(), ts: record.ts });
            }
            EventKind::ConsentGranted | EventKind::ConsentDenied | EventKind::ConsentWithdrawn => {
                if let (Some(purpose), Some(fp)) = (&record.purpose, &record.fp) {
                    let status = match record.event {
                        EventKind::ConsentGranted => ConsentStatus::Granted,
                        EventKind::ConsentDenied => ConsentStatus::Denied,
                        _ => ConsentStatus::Withdrawn,
                    };
                    self.purposes.insert(
                        purpose.clone(),
                        PurposeRecord { status, fp: fp.clone(), ts: record.ts, actor: record.actor },
                    );
                }
            }
            EventKind::OsResult => {
                if let (Some(permission), Some(result)) = (&record.permission, record.os_result) {
                    self.os.insert(permission.clone(), OsRecord { result, ts: record.ts });
                }
            }
            EventKind::AgeBracketSet => {
                if let Some(age) = record.age {
                    self.age = age;
                }
            }
            EventKind::GuardianConsent => {
                if let Some(given) = record.guardian {
                    self.guardian_consent = given;
                }
            }
            EventKind::Snapshot => {
                match record.state.as_ref().map(|s| serde_json::from_value::<ConsentState>(s.clone())) {
                    Some(Ok(state)) => *self = state,
                    _ => return false,
                }
            }
            EventKind::JournalReset => *self = ConsentState::default(),
        }
        true
    }
}

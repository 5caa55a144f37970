//! What the engine shows people: the rationale before a request, the settings list, and
//! the proof-of-consent export. Plain serializable structs; the wrapper renders them.

use serde::Serialize;

use super::decision::{BlockReason, Decision, Source};
use super::snapshots::CheckedSnapshot;
use super::state::{ConsentState, ConsentStatus};
use super::Engine;
use crate::error::{CoreError, Result};
use crate::journal::record::Record;
use crate::permission::Permission;
use crate::policy::{Policy, Purpose, Sdk};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionView {
    pub name: &'static str,
    /// In plain words, in the requested language.
    pub label: &'static str,
}

fn permission_views(permissions: &[Permission], locale: &str) -> Vec<PermissionView> {
    permissions.iter().map(|p| PermissionView { name: p.name(), label: p.label(locale) }).collect()
}

/// A recipient in the requested language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientView {
    pub name: String,
    pub data: String,
}

/// A third-party SDK in the requested language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkView {
    pub id: String,
    pub name: String,
    pub company: String,
    pub data: String,
    pub privacy_url: String,
}

impl SdkView {
    pub fn of(sdk: &Sdk, locale: &str, default_locale: &str) -> SdkView {
        SdkView {
            id: sdk.id.clone(),
            name: sdk.name.for_locale(locale, default_locale).to_string(),
            company: sdk.company.for_locale(locale, default_locale).to_string(),
            data: sdk.data.for_locale(locale, default_locale).to_string(),
            privacy_url: sdk.privacy_url.for_locale(locale, default_locale).to_string(),
        }
    }
}

fn recipient_views(policy: &Policy, purpose: &Purpose, locale: &str) -> Vec<RecipientView> {
    let d = &policy.default_locale;
    purpose
        .recipients
        .iter()
        .map(|r| RecipientView {
            name: r.name.for_locale(locale, d).to_string(),
            data: r.data.for_locale(locale, d).to_string(),
        })
        .collect()
}

fn sdk_views(policy: &Policy, purpose: &Purpose, locale: &str) -> Vec<SdkView> {
    policy.sdks_of(purpose).map(|s| SdkView::of(s, locale, &policy.default_locale)).collect()
}

/// Everything the rationale dialog shows for one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rationale {
    pub purpose: String,
    pub description: String,
    pub permissions: Vec<PermissionView>,
    pub recipients: Vec<RecipientView>,
    /// Third-party SDKs that receive data for it (schema 2).
    pub sdks: Vec<SdkView>,
    pub policy_version: String,
}

/// How the settings screen shows one purpose's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingsState {
    NeverAsked,
    Granted,
    /// Granted for an older wording: the user will be asked again.
    Stale,
    Denied,
    Withdrawn,
}

/// One row of the settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurposeView {
    pub id: String,
    pub state: SettingsState,
    /// Whether the app may use the purpose now (the switch's position).
    pub allowed: bool,
    pub description: String,
    pub permissions: Vec<PermissionView>,
    pub recipients: Vec<RecipientView>,
    /// Third-party SDKs that receive data for it (schema 2).
    pub sdks: Vec<SdkView>,
    /// UTC ms of the last decision the user made on it.
    pub last_decision_ms: Option<i64>,
    /// While set, the app may not ask on its own before this time.
    pub cooldown_until_ms: Option<i64>,
}

fn settings_state(state: &ConsentState, purpose: &Purpose) -> SettingsState {
    match state.purposes.get(&purpose.id) {
        None => SettingsState::NeverAsked,
        Some(r) => match r.status {
            ConsentStatus::Granted if r.fp == purpose.fingerprint => SettingsState::Granted,
            ConsentStatus::Granted => SettingsState::Stale,
            ConsentStatus::Denied => SettingsState::Denied,
            ConsentStatus::Withdrawn => SettingsState::Withdrawn,
        },
    }
}

impl Engine {
    pub fn rationale(&self, purpose: &str, locale: &str) -> Result<Rationale> {
        let p = &self.policy().purposes[self.purpose_index(purpose)?];
        Ok(Rationale {
            purpose: p.id.clone(),
            description: p.description_for(locale, &self.policy().default_locale).to_string(),
            permissions: permission_views(&p.permissions, locale),
            recipients: recipient_views(self.policy(), p, locale),
            sdks: sdk_views(self.policy(), p, locale),
            policy_version: self.policy().policy_version.clone(),
        })
    }

    /// Every declared purpose, in policy order, as the settings screen lists them.
    pub fn settings(&mut self, locale: &str) -> Vec<PurposeView> {
        self.sync();
        let policy: &Policy = self.policy();
        policy
            .purposes
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let record = self.state().purposes.get(&p.id);
                let decision = self.decide_current(i, Source::Feature);
                let cooldown_until_ms = match decision {
                    Decision::Blocked { reason: BlockReason::Cooldown { until_ms } } => Some(until_ms),
                    _ => None,
                };
                PurposeView {
                    id: p.id.clone(),
                    state: settings_state(self.state(), p),
                    allowed: decision.is_allowed(),
                    description: p.description_for(locale, &policy.default_locale).to_string(),
                    permissions: permission_views(&p.permissions, locale),
                    recipients: recipient_views(policy, p, locale),
                    sdks: sdk_views(policy, p, locale),
                    last_decision_ms: record.map(|r| r.ts),
                    cooldown_until_ms,
                }
            })
            .collect()
    }

    /// The proof-of-consent document: the policy as declared now (with fingerprints), the
    /// current state, and every event ever recorded with its hash chain.
    pub fn export_proof(&mut self) -> Result<serde_json::Value> {
        self.sync();
        if let Some(e) = self.problem_error() {
            return Err(e);
        }
        let (lines, head) = self.journal.history()?;
        let (history, snapshots) = super::snapshots::audit(lines).map_err(|reason| CoreError::Corrupt {
            path: self.journal.path().to_path_buf(),
            line: 0,
            reason,
        })?;
        let mut document = proof_document(self.policy(), self.state(), &history, head.as_deref(), self.now_ms());
        account_for_snapshots(&mut document, &snapshots);
        Ok(document)
    }
}

/// Lists in the document the snapshot lines that were checked against the events they
/// summarise, so that every line behind `head_hash` is accounted for: `lines` is the
/// events plus these snapshots.
pub fn account_for_snapshots(document: &mut serde_json::Value, snapshots: &[CheckedSnapshot]) {
    let journal = &mut document["journal"];
    let events = journal["events"].as_u64().unwrap_or(0);
    journal["snapshots"] = serde_json::json!(snapshots);
    journal["lines"] = serde_json::json!(events + snapshots.len() as u64);
}

/// Builds the proof document from its parts (shared with the CLI's `journal export`).
pub fn proof_document(
    policy: &Policy,
    state: &ConsentState,
    history: &[Record],
    head_hash: Option<&str>,
    now_ms: i64,
) -> serde_json::Value {
    let purposes: Vec<_> = policy
        .purposes
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id,
                "fingerprint": p.fingerprint,
                "permissions": p.permissions.iter().map(|x| x.name()).collect::<Vec<_>>(),
                "description": p.description,
                "recipients": p.recipients,
                "state": settings_state(state, p),
            })
        })
        .collect();
    let mut declared = serde_json::json!({
        "policy_version": policy.policy_version,
        "default_locale": policy.default_locale,
        "denial_cooldown_hours": policy.denial_cooldown_hours,
        "purposes": purposes,
    });
    if policy.schema >= 2 {
        // Schema-1 proofs keep their exact shape; schema 2 adds what the user was told.
        let extra = declared.as_object_mut().expect("an object");
        extra.insert("schema".into(), policy.schema.into());
        extra.insert("sdks".into(), serde_json::json!(policy.sdks));
        extra.insert("privacy_policy".into(), serde_json::json!(policy.privacy_policy));
        for (view, purpose) in extra["purposes"].as_array_mut().expect("an array").iter_mut().zip(&policy.purposes) {
            let view = view.as_object_mut().expect("an object");
            view.insert("data".into(), serde_json::json!(purpose.data));
            view.insert("when".into(), serde_json::json!(purpose.when));
            view.insert("sdks".into(), policy.sdks_of(purpose).map(|s| s.id.as_str()).collect::<Vec<_>>().into());
        }
    }
    history_document(history, head_hash, now_ms, Some(declared), state)
}

/// The proof document without a policy (the CLI exports a pulled journal on its own).
pub fn history_document(
    history: &[Record],
    head_hash: Option<&str>,
    now_ms: i64,
    policy: Option<serde_json::Value>,
    state: &ConsentState,
) -> serde_json::Value {
    serde_json::json!({
        "format": "consentgate-proof",
        "version": 1,
        "generated_at_ms": now_ms,
        "policy": policy,
        "state": state,
        "journal": {
            "events": history.len(),
            "first_seq": history.first().map(|r| r.seq),
            "last_seq": history.last().map(|r| r.seq),
            "head_hash": head_hash,
            "lines": history.len(),
            "snapshots": [],
        },
        "history": history,
    })
}

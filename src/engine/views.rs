//! What the engine shows people: the rationale before a request, the settings list, and
//! the proof-of-consent export. Plain serializable structs; the wrapper renders them.

use serde::Serialize;

use super::decision::{BlockReason, Decision, Source};
use super::snapshots::CheckedSnapshot;
use super::state::{ConsentState, ConsentStatus};
use super::Engine;
use crate::error::{CoreError, Result};
use crate::journal::record::{Actor, Event, Record, Surface};
use crate::permission::Permission;
use crate::policy::{Policy, Purpose, Recipient, Sdk};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionView {
    pub name: &'static str,
    /// In plain words, in the requested language.
    pub label: &'static str,
}

/// The permissions in words, in `locale`.
pub(crate) fn permission_views(permissions: &[Permission], locale: &str) -> Vec<PermissionView> {
    permissions.iter().map(|p| PermissionView { name: p.name(), label: p.label(locale) }).collect()
}

/// A recipient in the requested language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientView {
    pub name: String,
    pub data: String,
}

impl RecipientView {
    pub(crate) fn of(recipient: &Recipient, locale: &str, default_locale: &str) -> RecipientView {
        RecipientView {
            name: recipient.name.for_locale(locale, default_locale).to_string(),
            data: recipient.data.for_locale(locale, default_locale).to_string(),
        }
    }
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
    pub(crate) fn of(sdk: &Sdk, locale: &str, default_locale: &str) -> SdkView {
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
    purpose.recipients.iter().map(|r| RecipientView::of(r, locale, &policy.default_locale)).collect()
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
    /// The user is a minor: a parent or guardian must be the one who agrees (and the
    /// consent is recorded with actor guardian).
    pub guardian_required: bool,
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
    /// `Withdrawn` because the user switched a permission off in Android's settings (the
    /// row says so, instead of the refusal's wording).
    pub revoked_in_system_settings: bool,
}

fn settings_state(state: &ConsentState, purpose: &Purpose) -> SettingsState {
    match state.purposes.get(&purpose.id) {
        None => SettingsState::NeverAsked,
        Some(r) => match r.status {
            ConsentStatus::Granted if r.is_current_grant(purpose) => SettingsState::Granted,
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
            guardian_required: self.state().age.is_minor(),
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
                    revoked_in_system_settings: record.is_some_and(|r| r.revoked_in_system_settings),
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
pub(crate) fn account_for_snapshots(document: &mut serde_json::Value, snapshots: &[CheckedSnapshot]) {
    let journal = &mut document["journal"];
    let events = journal["events"].as_u64().unwrap_or(0);
    journal["snapshots"] = serde_json::json!(snapshots);
    journal["lines"] = serde_json::json!(events + snapshots.len() as u64);
}

/// One line of the user's own consent history (the history screen), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub ts_ms: i64,
    /// `policy_accepted`, `policy_withdrawn`, `consent_granted`, `consent_denied`,
    /// `consent_withdrawn`, `permission_revoked` (switched off in Android's settings),
    /// `guardian_consent_given` or `guardian_consent_withdrawn`.
    pub event: &'static str,
    pub purpose_id: Option<String>,
    /// The purpose's description in the requested language (as declared now; `None` for a
    /// purpose the policy no longer declares).
    pub purpose: Option<String>,
    pub policy_version: String,
    pub surface: Surface,
    pub actor: Actor,
}

/// Where the privacy policy's text is, in the requested language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyTextView {
    pub url: Option<String>,
    pub asset: Option<String>,
}

impl Engine {
    /// The user's decisions from the journal (archives included), newest first: what they
    /// agreed to, refused or withdrew, and when. OS answers and bookkeeping are left out.
    pub fn consent_history(&mut self, locale: &str) -> Result<Vec<HistoryEntry>> {
        self.sync();
        if let Some(problem) = self.storage_problem() {
            return Err(CoreError::Storage { path: self.journal.path().to_path_buf(), message: problem.to_string() });
        }
        let (history, _) = self.journal.history()?;
        let policy = self.policy();
        let mut out: Vec<HistoryEntry> = history
            .iter()
            .filter_map(|r| {
                let (event, purpose) = match &r.event {
                    Event::PolicyAccepted => ("policy_accepted", None),
                    Event::PolicyWithdrawn => ("policy_withdrawn", None),
                    Event::ConsentGranted(p) => ("consent_granted", Some(&p.purpose)),
                    Event::ConsentDenied(p) => ("consent_denied", Some(&p.purpose)),
                    Event::ConsentWithdrawn(p) => ("consent_withdrawn", Some(&p.purpose)),
                    // Switched off in Android's settings: a withdrawal the user made there.
                    Event::PermissionRevoked { purpose: Some(p), .. } => ("permission_revoked", Some(&p.purpose)),
                    Event::GuardianConsent { given: true } => ("guardian_consent_given", None),
                    Event::GuardianConsent { given: false } => ("guardian_consent_withdrawn", None),
                    _ => return None,
                };
                Some(HistoryEntry {
                    ts_ms: r.ts,
                    event,
                    purpose_id: purpose.cloned(),
                    purpose: purpose
                        .and_then(|id| policy.purpose(id))
                        .map(|p| p.description_for(locale, &policy.default_locale).to_string()),
                    policy_version: r.policy_version.clone(),
                    surface: r.surface,
                    actor: r.actor,
                })
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    /// The collection and sharing lists in `locale`.
    pub fn lists(&self, locale: &str) -> crate::lists::Lists {
        crate::lists::lists(self.policy(), locale)
    }

    /// The privacy policy's text for `locale` (`None` when the policy file names none).
    pub fn policy_text(&self, locale: &str) -> Option<PolicyTextView> {
        let policy = self.policy();
        let text = policy.privacy_policy.as_ref()?;
        let pick = |t: &Option<crate::policy::Text>| {
            t.as_ref().map(|t| t.for_locale(locale, &policy.default_locale).to_string())
        };
        Some(PolicyTextView { url: pick(&text.url), asset: pick(&text.asset) })
    }

    /// Whether a third-party SDK may run now: one of the purposes it serves is allowed
    /// (privacy policy accepted, guardian if needed, consent on record for the current
    /// wording). The OS grants are the SDK's own business.
    pub fn sdk_allowed(&mut self, id: &str) -> Result<bool> {
        let sdk = self
            .policy()
            .sdk(id)
            .ok_or_else(|| CoreError::InvalidArgument(format!("no SDK \"{id}\" is declared in the policy")))?;
        let indexes: Vec<usize> = sdk.purposes.iter().filter_map(|p| self.policy().index_of(p)).collect();
        self.sync();
        Ok(indexes.into_iter().any(|i| self.decide_current(i, Source::Feature).is_allowed()))
    }
}

/// Builds the proof document from its parts (shared with the CLI's `journal export`).
pub(crate) fn proof_document(
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

/// The state as the proof shows it: without `revoked_in_system_settings`, which only words the
/// settings row (the history carries the `permission_revoked` line it comes from), so that a
/// journal exports the same as before the field existed (tests/fixtures/journals/format-3).
fn proof_state(state: &ConsentState) -> serde_json::Value {
    let mut value = serde_json::json!(state);
    if let Some(purposes) = value.get_mut("purposes").and_then(serde_json::Value::as_object_mut) {
        for record in purposes.values_mut().filter_map(serde_json::Value::as_object_mut) {
            record.remove("revoked_in_system_settings");
        }
    }
    value
}

/// The proof document without a policy (the CLI exports a pulled journal on its own).
pub(crate) fn history_document(
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
        "state": proof_state(state),
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

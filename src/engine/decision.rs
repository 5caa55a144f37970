//! The decision function: policy + state + clock -> Decision. Pure, so the whole table
//! in docs/ARCHITECTURE.md ("The decisions table") is tested without any disk.
//!
//! Precedence, first match wins: storage trouble (checked by the engine before this),
//! privacy policy not accepted, minor without guardian, then the purpose's own record.
//! An undeclared purpose is an error, raised before any of these.

use serde::Serialize;

use super::state::{ConsentState, ConsentStatus};
use crate::clock::Clock;
use crate::policy::Policy;

/// Why the decision is being asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// App code, because the user started a feature.
    Feature,
    /// The user flipped a switch on the consent settings screen.
    Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentReason {
    NeverAsked,
    /// Consent was given for an older text or permission set of this purpose.
    Stale,
    /// Denied or withdrawn before; the cooldown is over or the user came from settings.
    AskAgain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum BlockReason {
    PolicyNotAccepted,
    GuardianRequired,
    /// Refused recently; the app may not ask again before `until_ms` (UTC ms).
    Cooldown {
        until_ms: i64,
    },
    /// The journal cannot be read or is corrupt: fail closed.
    Storage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// Consent on record for the current purpose text (the wrapper still checks the OS grant).
    Allowed,
    /// Show the rationale and ask.
    NeedsConsent { reason: ConsentReason },
    /// Do not ask, do not use.
    Blocked { reason: BlockReason },
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allowed
    }
}

/// Decides for the purpose at `index` of `policy` (the caller has checked the index).
/// The clock is read only when a refusal's cooldown must be checked: a clock read costs
/// more than the rest of the decision.
pub fn decide(policy: &Policy, state: &ConsentState, index: usize, source: Source, clock: &dyn Clock) -> Decision {
    let blocked = |reason| Decision::Blocked { reason };
    if !state.accepted_version(&policy.policy_version) {
        return blocked(BlockReason::PolicyNotAccepted);
    }
    if state.age.is_minor() && !state.guardian_consent {
        // Every purpose here touches sensitive personal information (PIPL art. 28, 31).
        return blocked(BlockReason::GuardianRequired);
    }
    let purpose = &policy.purposes[index];
    let Some(record) = state.purposes.get(&purpose.id) else {
        return Decision::NeedsConsent { reason: ConsentReason::NeverAsked };
    };
    match record.status {
        ConsentStatus::Granted if record.is_current_grant(purpose) => Decision::Allowed,
        ConsentStatus::Granted => Decision::NeedsConsent { reason: ConsentReason::Stale },
        ConsentStatus::Denied | ConsentStatus::Withdrawn => {
            // The cooldown holds even if the purpose text changed since: a new wording
            // must not become a way around the user's "no". A clock that went backwards
            // keeps the cooldown closed.
            let until_ms = record.ts.saturating_add(policy.cooldown_ms());
            if source == Source::Feature && clock.now_ms() < until_ms {
                blocked(BlockReason::Cooldown { until_ms })
            } else {
                Decision::NeedsConsent { reason: ConsentReason::AskAgain }
            }
        }
    }
}

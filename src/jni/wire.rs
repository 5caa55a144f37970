//! Primitive encodings shared with `io.consentgate` (Kotlin): enum codes and the packed
//! decision. Changing a number here breaks the Kotlin side: both sides' tests pin them.

use crate::engine::decision::{BlockReason, ConsentReason, Decision, Source};
use crate::error::CoreError;
use crate::journal::record::{Actor, AgeBracket, OsResult, Surface};

fn unknown(what: &str, code: i32) -> CoreError {
    CoreError::InvalidArgument(format!("unknown {what} code {code}"))
}

/// `Source.wire`: 0 feature, 1 settings.
pub(crate) fn source(code: i32) -> Result<Source, CoreError> {
    match code {
        0 => Ok(Source::Feature),
        1 => Ok(Source::Settings),
        _ => Err(unknown("source", code)),
    }
}

/// `Surface.wire`: 0 rationale_dialog, 1 settings_screen, 2 system_dialog, 3 app, 4 qa_hook, 5 sdk,
/// 6 system_settings.
pub(crate) fn surface(code: i32) -> Result<Surface, CoreError> {
    match code {
        0 => Ok(Surface::RationaleDialog),
        1 => Ok(Surface::SettingsScreen),
        2 => Ok(Surface::SystemDialog),
        3 => Ok(Surface::App),
        4 => Ok(Surface::QaHook),
        5 => Ok(Surface::Sdk),
        6 => Ok(Surface::SystemSettings),
        _ => Err(unknown("surface", code)),
    }
}

/// `Actor.wire`: 0 user, 1 guardian, 2 system.
pub(crate) fn actor(code: i32) -> Result<Actor, CoreError> {
    match code {
        0 => Ok(Actor::User),
        1 => Ok(Actor::Guardian),
        2 => Ok(Actor::System),
        _ => Err(unknown("actor", code)),
    }
}

/// `OsResult.wire`: 0 granted, 1 denied, 2 denied_permanently.
pub(crate) fn os_result(code: i32) -> Result<OsResult, CoreError> {
    match code {
        0 => Ok(OsResult::Granted),
        1 => Ok(OsResult::Denied),
        2 => Ok(OsResult::DeniedPermanently),
        _ => Err(unknown("OS result", code)),
    }
}

/// The `OsResult.wire` code of `result` (the inverse of [`os_result`]).
pub(crate) fn os_result_code(result: OsResult) -> i32 {
    match result {
        OsResult::Granted => 0,
        OsResult::Denied => 1,
        OsResult::DeniedPermanently => 2,
    }
}

/// `AgeBracket.wire`: 0 under_14, 1 age_14_to_17, 2 adult, 3 unknown.
pub(crate) fn age_bracket(code: i32) -> Result<AgeBracket, CoreError> {
    match code {
        0 => Ok(AgeBracket::Under14),
        1 => Ok(AgeBracket::Age14To17),
        2 => Ok(AgeBracket::Adult),
        3 => Ok(AgeBracket::Unknown),
        _ => Err(unknown("age bracket", code)),
    }
}

/// Bits of the packed decision that carry the cooldown end.
const UNTIL_BITS: u32 = 56;
const UNTIL_MAX: i64 = (1 << (UNTIL_BITS - 1)) - 1;
const UNTIL_MIN: i64 = -(1 << (UNTIL_BITS - 1));

/// The decision codes (Kotlin's `Decision.fromWire` mirrors them), and the cooldown end or 0.
fn decision_code(decision: Decision) -> (i32, i64) {
    match decision {
        Decision::Allowed => (0, 0),
        Decision::NeedsConsent { reason: ConsentReason::NeverAsked } => (1, 0),
        Decision::NeedsConsent { reason: ConsentReason::Stale } => (2, 0),
        Decision::NeedsConsent { reason: ConsentReason::AskAgain } => (3, 0),
        Decision::Blocked { reason: BlockReason::PolicyNotAccepted } => (10, 0),
        Decision::Blocked { reason: BlockReason::GuardianRequired } => (11, 0),
        Decision::Blocked { reason: BlockReason::Cooldown { until_ms } } => (12, until_ms),
        Decision::Blocked { reason: BlockReason::Storage } => (13, 0),
    }
}

/// A decision as one `long`, so deciding allocates nothing on either side:
/// bits 56..63 hold the code of [`decision_code`], bits 0..55 the cooldown end in UTC ms as a
/// signed 56-bit number (0 unless code 12).
/// Kotlin: `code = (v ushr 56).toInt()`, `untilMs = (v shl 8) shr 8`.
///
/// ±2^55 ms is ±1.1 million years: a cooldown end beyond that (a clock set absurdly far
/// away) is clamped, which still reads as "blocked, for longer than anyone will wait".
pub(crate) fn pack_decision(decision: Decision) -> i64 {
    let (code, until_ms) = decision_code(decision);
    debug_assert!((0..=255).contains(&code));
    let until = until_ms.clamp(UNTIL_MIN, UNTIL_MAX);
    ((code as i64) << UNTIL_BITS) | (until & ((1 << UNTIL_BITS) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unpack(v: i64) -> (i32, i64) {
        (((v as u64) >> 56) as i32, (v << 8) >> 8)
    }

    #[test]
    fn every_decision_round_trips_through_the_packed_long() {
        let decisions = [
            Decision::Allowed,
            Decision::NeedsConsent { reason: ConsentReason::NeverAsked },
            Decision::NeedsConsent { reason: ConsentReason::Stale },
            Decision::NeedsConsent { reason: ConsentReason::AskAgain },
            Decision::Blocked { reason: BlockReason::PolicyNotAccepted },
            Decision::Blocked { reason: BlockReason::GuardianRequired },
            Decision::Blocked { reason: BlockReason::Cooldown { until_ms: 1_700_172_800_000 } },
            Decision::Blocked { reason: BlockReason::Cooldown { until_ms: -5 } },
            Decision::Blocked { reason: BlockReason::Storage },
        ];
        for d in decisions {
            assert_eq!(unpack(pack_decision(d)), decision_code(d), "{d:?}");
        }
        assert_eq!(pack_decision(Decision::Allowed), 0);
        assert_eq!(pack_decision(Decision::Blocked { reason: BlockReason::Storage }), 13 << 56);
    }

    #[test]
    fn cooldown_ends_out_of_range_are_clamped_not_wrapped() {
        let far = Decision::Blocked { reason: BlockReason::Cooldown { until_ms: i64::MAX } };
        assert_eq!(unpack(pack_decision(far)), (12, UNTIL_MAX));
        let past = Decision::Blocked { reason: BlockReason::Cooldown { until_ms: i64::MIN } };
        assert_eq!(unpack(pack_decision(past)), (12, UNTIL_MIN));
    }

    #[test]
    fn enum_codes_are_pinned_and_unknown_codes_are_invalid_arguments() {
        assert_eq!(source(1).unwrap(), Source::Settings);
        assert_eq!(surface(4).unwrap(), Surface::QaHook);
        assert_eq!(actor(1).unwrap(), Actor::Guardian);
        assert_eq!(os_result(2).unwrap(), OsResult::DeniedPermanently);
        assert_eq!(age_bracket(1).unwrap(), AgeBracket::Age14To17);
        for bad in [-1, 7, i32::MAX, i32::MIN] {
            let err = surface(bad).unwrap_err();
            assert!(matches!(err, CoreError::InvalidArgument(_)), "{err}");
            assert!(err.to_string().contains(&bad.to_string()));
        }
        assert!(source(2).is_err() && actor(3).is_err() && os_result(3).is_err() && age_bracket(4).is_err());
    }
}

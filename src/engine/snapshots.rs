//! A snapshot line is a claim: "the events before me fold to this state". It is trusted
//! only where that history is not at hand. Where it is (the archive compaction left
//! beside the live file), the claim is checked, so a forged snapshot chained on the real
//! history cannot bring back a withdrawn consent: the folder fails closed as corrupt.

use serde::Serialize;

use super::state::ConsentState;
use crate::journal::record::{EventKind, Record};

/// Whether `snapshot` states exactly `folded`, the fold of the history it summarises.
pub(crate) fn claims(snapshot: &Record, folded: &ConsentState) -> bool {
    let mut claimed = ConsentState::default();
    claimed.apply(snapshot) && claimed == *folded
}

/// A snapshot line of the history that was checked against the events it summarises
/// (and is therefore not listed as an event of its own in the proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedSnapshot {
    pub seq: u64,
    pub ts: i64,
    /// The sequence numbers of the events whose fold it equals.
    pub equals_fold_of_seq: (u64, u64),
}

/// Splits every line of a history (`Journal::history`) into the events and the snapshot
/// lines that only summarise the events before them. Each such snapshot must equal the
/// fold of those events: the error names the first that does not. A snapshot with no
/// history before it (archives removed) stays in the events: it is all there is.
pub(crate) fn audit(lines: Vec<Record>) -> Result<(Vec<Record>, Vec<CheckedSnapshot>), String> {
    let mut events = Vec::with_capacity(lines.len());
    let mut checked = Vec::new();
    let mut state = ConsentState::default();
    // Sequence numbers of the history folded into `state` so far.
    let mut span: Option<(u64, u64)> = None;
    for line in lines {
        let continues = span.is_some_and(|(_, last)| line.seq == last + 1);
        if line.event.kind() == EventKind::Snapshot && continues {
            let mut claimed = ConsentState::default();
            if !(claimed.apply(&line) && claimed == state) {
                return Err(format!(
                    "the snapshot at seq {} does not equal the events before it (a forged or damaged snapshot)",
                    line.seq
                ));
            }
            let (first, last) = span.unwrap_or_default();
            checked.push(CheckedSnapshot { seq: line.seq, ts: line.ts, equals_fold_of_seq: (first, last) });
        } else {
            if !continues {
                // A new segment: what follows stands on this line alone.
                state = ConsentState::default();
                span = Some((line.seq, line.seq));
            }
            if !state.apply(&line) {
                return Err(format!("snapshot event {} cannot be read", line.seq));
            }
            events.push(line.clone());
        }
        span = span.map(|(first, _)| (first, line.seq));
    }
    Ok((events, checked))
}

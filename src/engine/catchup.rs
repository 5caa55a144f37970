//! What a read of the journal brings the engine, applied only once the whole read verified.
//! A read of the whole file (the load at start-up) is folded as its lines are decoded, into a
//! new state, so no record is copied out of the decoder's buffer; an incremental read keeps
//! its few records and folds them onto the current state afterwards.

use super::state::ConsentState;
use super::UnsavedRefusal;
use crate::journal::record::{EventView, Record, RecordView};
use crate::journal::{Change, Incoming};

pub(super) enum Catchup {
    /// New events at the end of the file read before, in order.
    Appended(Vec<Record>),
    /// The file's complete content, folded from nothing (boxed: a state is large).
    Replaced(Box<Fold>),
}

/// The engine's state as the records of a whole read leave it.
pub(super) struct Fold {
    pub(super) state: ConsentState,
    /// The engine's refusals not stored, less those a record supersedes.
    pub(super) unsaved: Vec<UnsavedRefusal>,
    pub(super) last_seq: u64,
    /// The sequence number of the read's last record, once there is one.
    pub(super) end: Option<u64>,
    /// The first record, when it is a snapshot (to be checked against its archive).
    pub(super) first_snapshot: Option<Record>,
    /// A snapshot whose state cannot be read: the fold stopped at its sequence number.
    pub(super) unreadable: Option<u64>,
}

impl Catchup {
    /// A read to come, for an engine whose refusals not stored are `unsaved`.
    pub(super) fn new(unsaved: &[UnsavedRefusal]) -> Catchup {
        let fold = Fold {
            state: ConsentState::default(),
            unsaved: unsaved.to_vec(),
            last_seq: 0,
            end: None,
            first_snapshot: None,
            unreadable: None,
        };
        Catchup::Replaced(Box::new(fold))
    }

    /// The same for a read already made into a `Change`.
    pub(super) fn of(change: Change, unsaved: &[UnsavedRefusal]) -> Catchup {
        match change {
            Change::Appended(records) => Catchup::Appended(records),
            Change::Replaced(records) => {
                let mut read = Catchup::new(unsaved);
                for record in &records {
                    read.record(&record.view());
                }
                read
            }
        }
    }
}

impl Incoming for Catchup {
    fn start(&mut self, whole: bool) {
        if !whole {
            *self = Catchup::Appended(Vec::new());
        }
    }

    fn record(&mut self, record: &RecordView<'_>) {
        match self {
            Catchup::Appended(records) => records.push(record.to_record()),
            Catchup::Replaced(fold) => {
                if fold.end.is_none() && matches!(record.event, EventView::Snapshot { .. }) {
                    fold.first_snapshot = Some(record.to_record());
                }
                fold.end = Some(record.seq);
                if fold.unreadable.is_none() && !step(&mut fold.state, &mut fold.unsaved, &mut fold.last_seq, record) {
                    fold.unreadable = Some(record.seq);
                }
            }
        }
    }
}

/// One record's effect on the engine: its position, the refusals not stored that it
/// supersedes, and the fold. False for a snapshot whose state cannot be read.
pub(super) fn step(
    state: &mut ConsentState,
    unsaved: &mut Vec<UnsavedRefusal>,
    last_seq: &mut u64,
    record: &RecordView<'_>,
) -> bool {
    *last_seq = record.seq;
    if !unsaved.is_empty() {
        unsaved.retain(|u| !u.superseded_by(record));
    }
    state.apply_view(record)
}

//! One journal event and its line encoding.
//!
//! A line is the event's JSON with a checksum field appended last:
//! `{"v":1,"seq":7,...,"prev":"<64 hex>","sum":"<16 hex>"}` followed by `\n`.
//! The line's digest is SHA-256 over the event JSON as serialized, i.e. the line without
//! its `,"sum":"..."` part. `sum` is the digest's first 8 bytes (it catches damage to the
//! last line, which has no successor); the next line's `prev` is the whole digest. Since
//! each event JSON contains its own `prev`, the digests form a hash chain: any edit,
//! removal or reordering breaks it. One SHA-256 per line serves both checks.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use hex::encode as hex;

/// A digest as 64 lowercase hex digits (the chain hash); `hex::encode` builds its string a
/// character at a time, which was 15% of decoding a line.
pub(crate) fn hex_digest(digest: &[u8; 32]) -> String {
    let mut text = [0u8; 64];
    hex_into(digest, &mut text);
    // Cannot fail: hex digits are ASCII.
    std::str::from_utf8(&text).map(str::to_owned).unwrap_or_default()
}

/// Both lowercase hex digits of every byte value, in order.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = [DIGITS[b >> 4], DIGITS[b & 0xf]];
        b += 1;
    }
    pairs
};

/// Writes the lowercase hex of `bytes` to the start of `out` (twice as long): one table
/// look-up a byte (`hex::encode_to_slice` steps two index iterators with a bounds check a
/// digit, which was half of the per-line chain bookkeeping).
pub(crate) fn hex_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
}

mod fast;
mod tree;

/// The newest journal format version this SDK reads. Each line is written with the version
/// of its kind (`EventKind::since_version`): kinds of version 1 are byte for byte what
/// version-1 SDKs wrote, and an older SDK meeting a newer kind stops with a clear
/// "newer than this SDK reads" instead of misreading it.
///
/// - 2: `policy_withdrawn`.
/// - 3: `permission_revoked` and the `system_settings` surface (a permission found switched
///   off in Android's settings); a line with that surface is version 3 whatever its kind.
///
/// Consent lines may also carry `seen_fp` (the fingerprint of the translation the user
/// read) without a new version: a reader that does not know the field skips it and judges
/// the consent by `fp` alone, as before (asking again after any change to the purpose).
pub const FORMAT_VERSION: u32 = 3;
/// `prev` of the first line of a journal.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const SUM_PREFIX: &[u8] = b",\"sum\":\"";
const SUM_HEX_LEN: usize = 16;
/// `,"sum":"` + 16 hex + `"}`
const SUM_SUFFIX_LEN: usize = SUM_PREFIX.len() + SUM_HEX_LEN + 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    PolicyAccepted,
    ConsentGranted,
    ConsentDenied,
    ConsentWithdrawn,
    OsResult,
    AgeBracketSet,
    GuardianConsent,
    /// First line of a compacted journal: the folded state of everything before it.
    Snapshot,
    /// First line of a journal started after the previous one was found corrupt.
    JournalReset,
    /// Format 2: the user withdrew their acceptance of the privacy policy.
    PolicyWithdrawn,
    /// Format 3: a permission Android had granted found switched off (see `Event`).
    PermissionRevoked,
}

impl EventKind {
    /// The journal format version that introduced this kind (written as the line's `v`).
    pub(crate) fn since_version(self) -> u32 {
        match self {
            EventKind::PolicyWithdrawn => 2,
            EventKind::PermissionRevoked => 3,
            _ => 1,
        }
    }
}

/// Where the decision was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// The SDK's rationale dialog before a permission request.
    RationaleDialog,
    /// The SDK's consent settings screen.
    SettingsScreen,
    /// The Android system permission dialog (OS results).
    SystemDialog,
    /// The app's own UI (e.g. its privacy-policy screen) through the API.
    App,
    /// The adb QA receiver in a debuggable build.
    QaHook,
    /// The SDK itself (compaction, recovery).
    Sdk,
    /// Format 3. Android's settings page for the app (seen by the SDK when it refreshed).
    SystemSettings,
}

impl Surface {
    /// The journal format version that introduced this surface.
    pub(crate) fn since_version(self) -> u32 {
        match self {
            Surface::SystemSettings => 3,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    User,
    Guardian,
    System,
}

/// What the OS answered for one permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsResult {
    Granted,
    Denied,
    /// Denied with "don't ask again": only the system settings page can change it.
    DeniedPermanently,
}

/// Age bracket of the user, as the app determined it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBracket {
    #[serde(rename = "under_14")]
    Under14,
    #[serde(rename = "age_14_to_17")]
    Age14To17,
    Adult,
    /// The app has no age gate: treated as not a minor.
    #[default]
    Unknown,
}

impl AgeBracket {
    /// Seed 004: under-18s need a guardian's consent for sensitive information.
    pub(crate) fn is_minor(self) -> bool {
        matches!(self, AgeBracket::Under14 | AgeBracket::Age14To17)
    }
}

/// One journal event: the header every line carries, and the event with its own fields.
///
/// On disk a line is one flat JSON object (see [`Line`]); the header's field names are
/// the on-disk format: never rename them.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Format version of the line (`FORMAT_VERSION` when written).
    pub v: u32,
    pub seq: u64,
    /// UTC milliseconds (informational: order comes from `seq`).
    pub ts: i64,
    pub policy_version: String,
    pub surface: Surface,
    /// The language the user read (a BCP 47 tag).
    pub locale: String,
    pub actor: Actor,
    /// Chain hash of the previous line ([`GENESIS_HASH`] for the first).
    pub prev: String,
    pub event: Event,
}

/// What happened, with the fields that kind of event requires.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The privacy policy of the header's `policy_version` was accepted.
    PolicyAccepted,
    ConsentGranted(PurposeRef),
    ConsentDenied(PurposeRef),
    ConsentWithdrawn(PurposeRef),
    /// What the OS answered for one permission requested for a purpose.
    OsResult {
        purpose: PurposeRef,
        permission: String,
        result: OsResult,
    },
    AgeBracketSet {
        age: AgeBracket,
    },
    /// A guardian gave (`true`) or withdrew (`false`) consent for a minor.
    GuardianConsent {
        given: bool,
    },
    /// First line of a compacted journal: the folded state of everything before it.
    Snapshot {
        state: serde_json::Value,
    },
    /// First line of a journal started after the previous one was found corrupt; the note
    /// says where the corrupt file was kept.
    JournalReset {
        note: String,
    },
    /// The user withdrew their acceptance of the privacy policy (of the header's
    /// `policy_version`): back to the state before acceptance, every consent ended.
    PolicyWithdrawn,
    /// Format 3. The SDK found `permission`, which the journal last saw Android grant, no
    /// longer granted (switched off in Android's settings). With a purpose: that purpose had
    /// consent on record and needed it, and this is the user's "no" to it, like a
    /// withdrawal. Without: no consented purpose was using it.
    PermissionRevoked {
        purpose: Option<PurposeRef>,
        permission: String,
    },
}

/// The purpose a decision was made for, and the fingerprint of its wording at the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeRef {
    pub purpose: String,
    pub fp: String,
    /// On consents: the fingerprint of the translation the user read (see
    /// `Purpose::seen_fingerprints`); absent on lines written before it existed.
    pub seen_fp: Option<String>,
}

impl PurposeRef {
    pub fn new(purpose: impl Into<String>, fp: impl Into<String>) -> PurposeRef {
        PurposeRef { purpose: purpose.into(), fp: fp.into(), seen_fp: None }
    }
}

/// A decoded line, borrowing its text: from the line itself when the load reads it (so a
/// file is folded without copying each line into an owned `Record`), or from a `Record`
/// (`Record::view`). The same shape as `Record` and `Event`, so the fold is written once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RecordView<'a> {
    pub v: u32,
    pub seq: u64,
    pub ts: i64,
    pub policy_version: &'a str,
    pub surface: Surface,
    pub locale: &'a str,
    pub actor: Actor,
    pub prev: &'a str,
    pub event: EventView<'a>,
}

/// A `RecordView` of `$record`'s common fields and `$event`: the same field list for a decoded
/// `Line` and an owned `Record`, written once.
macro_rules! view_with_head {
    ($record:expr, $event:expr) => {
        RecordView {
            v: $record.v,
            seq: $record.seq,
            ts: $record.ts,
            policy_version: &$record.policy_version,
            surface: $record.surface,
            locale: &$record.locale,
            actor: $record.actor,
            prev: &$record.prev,
            event: $event,
        }
    };
}

/// `Event`, borrowed (see `RecordView`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum EventView<'a> {
    PolicyAccepted,
    ConsentGranted(PurposeView<'a>),
    ConsentDenied(PurposeView<'a>),
    ConsentWithdrawn(PurposeView<'a>),
    OsResult { purpose: PurposeView<'a>, permission: &'a str, result: OsResult },
    AgeBracketSet { age: AgeBracket },
    GuardianConsent { given: bool },
    Snapshot { state: &'a serde_json::Value },
    JournalReset { note: &'a str },
    PolicyWithdrawn,
    PermissionRevoked { purpose: Option<PurposeView<'a>>, permission: &'a str },
}

/// `PurposeRef`, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PurposeView<'a> {
    pub purpose: &'a str,
    pub fp: &'a str,
    pub seen_fp: Option<&'a str>,
}

impl PurposeView<'_> {
    fn to_owned(self) -> PurposeRef {
        PurposeRef {
            purpose: self.purpose.to_owned(),
            fp: self.fp.to_owned(),
            seen_fp: self.seen_fp.map(str::to_owned),
        }
    }
}

impl PurposeRef {
    fn view(&self) -> PurposeView<'_> {
        PurposeView { purpose: &self.purpose, fp: &self.fp, seen_fp: self.seen_fp.as_deref() }
    }
}

impl EventView<'_> {
    /// The purpose of a consent decision (granted, denied, withdrawn).
    pub(crate) fn consent(&self) -> Option<&PurposeView<'_>> {
        match self {
            EventView::ConsentGranted(p) | EventView::ConsentDenied(p) | EventView::ConsentWithdrawn(p) => Some(p),
            _ => None,
        }
    }

    fn to_owned(self) -> Event {
        match self {
            EventView::PolicyAccepted => Event::PolicyAccepted,
            EventView::ConsentGranted(p) => Event::ConsentGranted(p.to_owned()),
            EventView::ConsentDenied(p) => Event::ConsentDenied(p.to_owned()),
            EventView::ConsentWithdrawn(p) => Event::ConsentWithdrawn(p.to_owned()),
            EventView::OsResult { purpose, permission, result } => {
                Event::OsResult { purpose: purpose.to_owned(), permission: permission.to_owned(), result }
            }
            EventView::AgeBracketSet { age } => Event::AgeBracketSet { age },
            EventView::GuardianConsent { given } => Event::GuardianConsent { given },
            EventView::Snapshot { state } => Event::Snapshot { state: state.clone() },
            EventView::JournalReset { note } => Event::JournalReset { note: note.to_owned() },
            EventView::PolicyWithdrawn => Event::PolicyWithdrawn,
            EventView::PermissionRevoked { purpose, permission } => Event::PermissionRevoked {
                purpose: purpose.map(PurposeView::to_owned),
                permission: permission.to_owned(),
            },
        }
    }
}

impl RecordView<'_> {
    /// An owned copy, for the readers that keep records.
    pub(crate) fn to_record(self) -> Record {
        Record {
            v: self.v,
            seq: self.seq,
            ts: self.ts,
            policy_version: self.policy_version.to_owned(),
            surface: self.surface,
            locale: self.locale.to_owned(),
            actor: self.actor,
            prev: self.prev.to_owned(),
            event: self.event.to_owned(),
        }
    }
}

impl Event {
    fn view(&self) -> EventView<'_> {
        match self {
            Event::PolicyAccepted => EventView::PolicyAccepted,
            Event::ConsentGranted(p) => EventView::ConsentGranted(p.view()),
            Event::ConsentDenied(p) => EventView::ConsentDenied(p.view()),
            Event::ConsentWithdrawn(p) => EventView::ConsentWithdrawn(p.view()),
            Event::OsResult { purpose, permission, result } => {
                EventView::OsResult { purpose: purpose.view(), permission, result: *result }
            }
            Event::AgeBracketSet { age } => EventView::AgeBracketSet { age: *age },
            Event::GuardianConsent { given } => EventView::GuardianConsent { given: *given },
            Event::Snapshot { state } => EventView::Snapshot { state },
            Event::JournalReset { note } => EventView::JournalReset { note },
            Event::PolicyWithdrawn => EventView::PolicyWithdrawn,
            Event::PermissionRevoked { purpose, permission } => {
                EventView::PermissionRevoked { purpose: purpose.as_ref().map(PurposeRef::view), permission }
            }
        }
    }

    pub(crate) fn kind(&self) -> EventKind {
        match self {
            Event::PolicyAccepted => EventKind::PolicyAccepted,
            Event::ConsentGranted(_) => EventKind::ConsentGranted,
            Event::ConsentDenied(_) => EventKind::ConsentDenied,
            Event::ConsentWithdrawn(_) => EventKind::ConsentWithdrawn,
            Event::OsResult { .. } => EventKind::OsResult,
            Event::AgeBracketSet { .. } => EventKind::AgeBracketSet,
            Event::GuardianConsent { .. } => EventKind::GuardianConsent,
            Event::Snapshot { .. } => EventKind::Snapshot,
            Event::JournalReset { .. } => EventKind::JournalReset,
            Event::PolicyWithdrawn => EventKind::PolicyWithdrawn,
            Event::PermissionRevoked { .. } => EventKind::PermissionRevoked,
        }
    }

    /// The purpose of a consent decision (granted, denied, withdrawn).
    pub(crate) fn consent(&self) -> Option<&PurposeRef> {
        match self {
            Event::ConsentGranted(p) | Event::ConsentDenied(p) | Event::ConsentWithdrawn(p) => Some(p),
            _ => None,
        }
    }

    /// The purpose the event is about, if any.
    pub fn purpose(&self) -> Option<&PurposeRef> {
        match self {
            Event::OsResult { purpose, .. } => Some(purpose),
            Event::PermissionRevoked { purpose, .. } => purpose.as_ref(),
            other => other.consent(),
        }
    }
}

/// A line as it is on disk: one flat object, fields in this order (the order is part of
/// the hashed bytes). Payload fields are optional here; [`Line::into_record`] requires
/// the ones the event kind needs, so a line missing one is corrupt, never half-read.
#[derive(Serialize, Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct Line<'a> {
    v: u32,
    seq: u64,
    ts: i64,
    event: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    purpose: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fp: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seen_fp: Option<Cow<'a, str>>,
    policy_version: Cow<'a, str>,
    surface: Surface,
    locale: Cow<'a, str>,
    actor: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    permission: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    os_result: Option<OsResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    age: Option<AgeBracket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    guardian: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<Cow<'a, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<Cow<'a, str>>,
    prev: Cow<'a, str>,
}

impl<'a> Line<'a> {
    fn of(r: &'a Record) -> Line<'a> {
        let mut line = Line {
            v: r.v,
            seq: r.seq,
            ts: r.ts,
            event: r.event.kind(),
            purpose: None,
            fp: None,
            seen_fp: None,
            policy_version: Cow::Borrowed(&r.policy_version),
            surface: r.surface,
            locale: Cow::Borrowed(&r.locale),
            actor: r.actor,
            permission: None,
            os_result: None,
            age: None,
            guardian: None,
            state: None,
            note: None,
            prev: Cow::Borrowed(&r.prev),
        };
        if let Some(p) = r.event.purpose() {
            line.purpose = Some(Cow::Borrowed(&p.purpose));
            line.fp = Some(Cow::Borrowed(&p.fp));
            line.seen_fp = p.seen_fp.as_deref().map(Cow::Borrowed);
        }
        match &r.event {
            Event::OsResult { permission, result, .. } => {
                line.permission = Some(Cow::Borrowed(permission));
                line.os_result = Some(*result);
            }
            Event::AgeBracketSet { age } => line.age = Some(*age),
            Event::GuardianConsent { given } => line.guardian = Some(*given),
            Event::Snapshot { state } => line.state = Some(Cow::Borrowed(state)),
            Event::JournalReset { note } => line.note = Some(Cow::Borrowed(note)),
            Event::PermissionRevoked { permission, .. } => line.permission = Some(Cow::Borrowed(permission)),
            _ => {}
        }
        line
    }

    /// The record, if the line has every field its kind requires. Fields a kind does not
    /// use are ignored (no version of the SDK wrote any).
    fn into_record(self) -> Result<Record, LineError> {
        Ok(self.view()?.to_record())
    }

    /// The line, if it is of a version this SDK reads. The version first: a newer version
    /// may require other fields.
    fn checked(self) -> Result<Line<'a>, LineError> {
        if self.v > FORMAT_VERSION || self.v == 0 {
            return Err(LineError::UnsupportedVersion(self.v));
        }
        Ok(self)
    }

    /// The line as a record borrowing its text from the line, if it has every field its
    /// kind requires (see `into_record`).
    fn view(&self) -> Result<RecordView<'_>, LineError> {
        let kind = self.event;
        let need = |field: &'static str| LineError::MissingField { kind, field };
        let event = match kind {
            EventKind::PolicyAccepted => EventView::PolicyAccepted,
            EventKind::ConsentGranted => EventView::ConsentGranted(self.purpose_view()?),
            EventKind::ConsentDenied => EventView::ConsentDenied(self.purpose_view()?),
            EventKind::ConsentWithdrawn => EventView::ConsentWithdrawn(self.purpose_view()?),
            EventKind::OsResult => EventView::OsResult {
                purpose: self.purpose_view()?,
                permission: self.permission.as_deref().ok_or_else(|| need("permission"))?,
                result: self.os_result.ok_or_else(|| need("os_result"))?,
            },
            EventKind::AgeBracketSet => EventView::AgeBracketSet { age: self.age.ok_or_else(|| need("age"))? },
            EventKind::GuardianConsent => {
                EventView::GuardianConsent { given: self.guardian.ok_or_else(|| need("guardian"))? }
            }
            EventKind::Snapshot => EventView::Snapshot { state: self.state.as_deref().ok_or_else(|| need("state"))? },
            EventKind::JournalReset => {
                EventView::JournalReset { note: self.note.as_deref().ok_or_else(|| need("note"))? }
            }
            EventKind::PolicyWithdrawn => EventView::PolicyWithdrawn,
            EventKind::PermissionRevoked => EventView::PermissionRevoked {
                // Without a purpose only when neither purpose field is there.
                purpose: match (&self.purpose, &self.fp) {
                    (None, None) => None,
                    _ => Some(self.purpose_view()?),
                },
                permission: self.permission.as_deref().ok_or_else(|| need("permission"))?,
            },
        };
        Ok(view_with_head!(self, event))
    }

    /// The purpose fields, which the consent kinds require.
    fn purpose_view(&self) -> Result<PurposeView<'_>, LineError> {
        let need = |field: &'static str| LineError::MissingField { kind: self.event, field };
        Ok(PurposeView {
            purpose: self.purpose.as_deref().ok_or_else(|| need("purpose"))?,
            fp: self.fp.as_deref().ok_or_else(|| need("fp"))?,
            seen_fp: self.seen_fp.as_deref(),
        })
    }
}

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Line::of(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Line::deserialize(deserializer)?.into_record().map_err(serde::de::Error::custom)
    }
}

/// Why one line is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("no checksum field at the end of the line")]
    NoChecksum,
    #[error("checksum does not match the line (edited or damaged)")]
    BadChecksum,
    #[error("not a journal event: {0}")]
    NotJson(String),
    #[error("journal format version {0} is newer than this SDK reads ({FORMAT_VERSION})")]
    UnsupportedVersion(u32),
    /// A kind without a field it requires: never written by the SDK, so not guessed at.
    #[error("{} event without its \"{field}\" field", wire_name(.kind))]
    MissingField { kind: EventKind, field: &'static str },
}

/// The on-disk name of an event kind (`consent_granted`, ...).
pub(crate) fn wire_name(kind: &EventKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{kind:?}"),
    }
}

/// SHA-256 of the event JSON that `line` carries (the line without its checksum field).
fn digest_of_body(line_without_sum: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(line_without_sum);
    hasher.update(b"}");
    hasher.finalize().into()
}

/// The chain hash of a complete line (without newline), as 64 hex digits: the next line's
/// `prev`. For bytes that are not a complete line, the hash of all of them.
pub fn line_hash(line: &[u8]) -> String {
    if Record::looks_complete(line) {
        hex_digest(&digest_of_body(&line[..line.len() - SUM_SUFFIX_LEN]))
    } else {
        hex_digest(&Sha256::digest(line).into())
    }
}

impl Record {
    /// The format version this line is written with: the newest of its kind's and its
    /// surface's, so every line an older SDK can read stays readable by it.
    pub(crate) fn needed_version(&self) -> u32 {
        self.event.kind().since_version().max(self.surface.since_version())
    }

    /// The line for this record, without the trailing newline.
    pub fn encode(&self) -> String {
        self.encode_hashed().0
    }

    /// The line for this record and its chain hash (the next line's `prev`).
    pub(crate) fn encode_hashed(&self) -> (String, String) {
        let mut line = serde_json::to_string(self).expect("a record always serializes");
        let digest: [u8; 32] = Sha256::digest(line.as_bytes()).into();
        line.pop(); // the closing brace
        line.push_str(",\"sum\":\"");
        line.push_str(&hex(&digest[..SUM_HEX_LEN / 2]));
        line.push_str("\"}");
        (line, hex_digest(&digest))
    }

    /// Parses and checks one line (without its newline).
    pub fn decode(line: &[u8]) -> Result<Record, LineError> {
        Record::decode_with(line, |record| record.to_record()).map(|(record, _)| record)
    }

    /// Parses and checks one line, hands it to `read` as a view borrowing the line's text
    /// (no copy into an owned `Record`), and returns what `read` made of it with the line's
    /// digest: the chain hash, one SHA-256 for both.
    pub(crate) fn decode_with<T>(
        line: &[u8],
        read: impl FnOnce(&RecordView<'_>) -> T,
    ) -> Result<(T, [u8; 32]), LineError> {
        if !Record::looks_complete(line) {
            return Err(LineError::NoChecksum);
        }
        let split = line.len() - SUM_SUFFIX_LEN;
        let digest = digest_of_body(&line[..split]);
        let sum = &line[split + SUM_PREFIX.len()..line.len() - 2];
        if !hex_matches(sum, &digest[..SUM_HEX_LEN / 2]) {
            return Err(LineError::BadChecksum);
        }
        // The whole line is valid JSON; its `sum` field is not part of `Line` and is skipped.
        // The encoder's own layout is read by the fast decoder; anything else from its tree.
        let Some(parsed) = fast::parse(line) else {
            let record = Record::decode_tree(line)?;
            return Ok((read(&record.view()), digest));
        };
        Ok((read(&parsed.checked()?.view()?), digest))
    }

    /// The record of a line the fast decoder declines (a snapshot, escaped text, ...): out
    /// of line and owned (one copy), as it is rare.
    #[cold]
    #[inline(never)]
    fn decode_tree(line: &[u8]) -> Result<Record, LineError> {
        let mut tree = tree::parse(line).map_err(LineError::NotJson)?;
        // A line this version cannot read may be a later version's (a kind or field added
        // since): then say so, rather than "not a journal event".
        let v = tree.get("v").and_then(serde_json::Value::as_u64).and_then(|v| u32::try_from(v).ok());
        let newer = v.filter(|&v| v > FORMAT_VERSION);
        Line::from_tree(line, &mut tree)
            .map_err(|e| newer.map_or(LineError::NotJson(e), LineError::UnsupportedVersion))?
            .checked()?
            .into_record()
    }

    /// The record as a view (what the fold reads).
    pub(crate) fn view(&self) -> RecordView<'_> {
        view_with_head!(self, self.event.view())
    }

    /// Whether `line` ends like a complete record (whatever its checksum says).
    pub(crate) fn looks_complete(line: &[u8]) -> bool {
        line.len() >= SUM_SUFFIX_LEN + 2
            && line.ends_with(b"\"}")
            && &line[line.len() - SUM_SUFFIX_LEN..line.len() - SUM_SUFFIX_LEN + SUM_PREFIX.len()] == SUM_PREFIX
    }

    /// Whether `tail` (bytes after the last newline) contains a checksum suffix in
    /// its middle, which no torn write of a single line can produce.
    pub(crate) fn has_inner_checksum(tail: &[u8]) -> bool {
        tail.windows(SUM_PREFIX.len()).enumerate().any(|(i, w)| w == SUM_PREFIX && i + SUM_SUFFIX_LEN < tail.len())
    }
}

/// Whether `text` is the lowercase hex of the checksum `bytes` (exactly as the encoder
/// writes it: uppercase digits are not the same line).
fn hex_matches(text: &[u8], bytes: &[u8]) -> bool {
    let mut expected = [0u8; SUM_HEX_LEN];
    hex_into(bytes, &mut expected);
    bytes.len() * 2 == SUM_HEX_LEN && text == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        Record {
            v: FORMAT_VERSION,
            seq: 1,
            ts: 1_700_000_000_000,
            policy_version: "2021-11-17".into(),
            surface: Surface::RationaleDialog,
            locale: "zh-CN".into(),
            actor: Actor::User,
            prev: GENESIS_HASH.into(),
            event: Event::ConsentGranted(PurposeRef::new("feedback_photo", "00ff")),
        }
    }

    /// Signs `body` (an event JSON) the way the journal does.
    fn signed(body: &str) -> String {
        let digest: [u8; 32] = Sha256::digest(body.as_bytes()).into();
        format!("{},\"sum\":\"{}\"}}", &body[..body.len() - 1], hex(&digest[..SUM_HEX_LEN / 2]))
    }

    #[test]
    fn a_kind_without_its_required_field_is_refused_not_skipped() {
        let header = r#""policy_version":"p","surface":"app","locale":"en","actor":"user","prev":"00""#;
        let cases = [
            ("consent_granted", r#""fp":"00ff","#, "purpose"),
            ("consent_withdrawn", r#""purpose":"feedback_photo","#, "fp"),
            ("os_result", r#""purpose":"a","fp":"00","permission":"android.permission.CAMERA","#, "os_result"),
            ("age_bracket_set", "", "age"),
            ("guardian_consent", "", "guardian"),
            ("snapshot", "", "state"),
            ("journal_reset", "", "note"),
        ];
        for (kind, fields, missing) in cases {
            let body = format!(r#"{{"v":1,"seq":1,"ts":0,"event":"{kind}",{fields}{header}}}"#);
            assert_eq!(
                Record::decode(signed(&body).as_bytes()),
                Err(LineError::MissingField { kind: serde_json::from_value(kind.into()).unwrap(), field: missing }),
                "{body}"
            );
            let message = Record::decode(signed(&body).as_bytes()).unwrap_err().to_string();
            assert_eq!(message, format!("{kind} event without its \"{missing}\" field"));
        }
        let accepted = format!(r#"{{"v":1,"seq":1,"ts":0,"event":"policy_accepted",{header}}}"#);
        assert_eq!(Record::decode(signed(&accepted).as_bytes()).unwrap().event, Event::PolicyAccepted);
    }

    #[test]
    fn hex_digits_are_those_of_the_hex_crate() {
        let every_byte: Vec<u8> = (0..=255).collect();
        let mut out = vec![0u8; 512];
        hex_into(&every_byte, &mut out);
        assert_eq!(out, hex(&every_byte).into_bytes());
        let digest: [u8; 32] = Sha256::digest(b"journal").into();
        assert_eq!(hex_digest(&digest), hex(digest));
    }

    #[test]
    fn encode_decode_round_trip() {
        let line = sample().encode();
        assert!(line.ends_with("\"}"));
        assert!(line.contains("\"sum\":\""));
        assert_eq!(Record::decode(line.as_bytes()).unwrap(), sample());
    }

    #[test]
    fn any_edit_breaks_the_checksum() {
        let line = sample().encode().into_bytes();
        for i in 0..line.len() {
            let mut edited = line.clone();
            edited[i] ^= 0x01;
            assert!(Record::decode(&edited).is_err(), "edit at byte {i} went unnoticed");
        }
    }

    #[test]
    fn the_checksum_is_lowercase_hex_only() {
        let line = sample().encode();
        let at = line.rfind("\"sum\":\"").unwrap() + 7;
        let upper = format!("{}{}", &line[..at], line[at..].to_uppercase());
        if upper != line {
            assert_eq!(Record::decode(upper.as_bytes()), Err(LineError::BadChecksum));
        }
        assert!(Record::decode(line.as_bytes()).is_ok());
    }

    #[test]
    fn newer_format_is_refused_not_guessed() {
        let mut r = sample();
        r.v = FORMAT_VERSION + 1;
        assert_eq!(Record::decode(r.encode().as_bytes()), Err(LineError::UnsupportedVersion(FORMAT_VERSION + 1)));
    }
}

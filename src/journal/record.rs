//! One journal event and its line encoding.
//!
//! A line is the event's JSON with a checksum field appended last:
//! `{"v":1,"seq":7,...,"prev":"<64 hex>","sum":"<16 hex>"}` followed by `\n`.
//! The line's digest is SHA-256 over the event JSON as serialized, i.e. the line without
//! its `,"sum":"..."` part. `sum` is the digest's first 8 bytes (it catches damage to the
//! last line, which has no successor); the next line's `prev` is the whole digest. Since
//! each event JSON contains its own `prev`, the digests form a hash chain: any edit,
//! removal or reordering breaks it. One SHA-256 per line serves both checks.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::policy::hex;

/// Current journal format version, written into every line as `v`.
pub const FORMAT_VERSION: u32 = 1;
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
    pub fn is_minor(self) -> bool {
        matches!(self, AgeBracket::Under14 | AgeBracket::Age14To17)
    }
}

/// One journal event. Field names are the on-disk format: never rename them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    pub seq: u64,
    /// UTC milliseconds.
    pub ts: i64,
    pub event: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Fingerprint of the purpose the decision was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp: Option<String>,
    pub policy_version: String,
    pub surface: Surface,
    pub locale: String,
    pub actor: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_result: Option<OsResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<AgeBracket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian: Option<bool>,
    /// Folded state, on `snapshot` lines only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<serde_json::Value>,
    /// Free-form note on `journal_reset` lines (e.g. where the corrupt file was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub prev: String,
}

/// Why one line is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    NoChecksum,
    BadChecksum,
    NotJson(String),
    UnsupportedVersion(u32),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::NoChecksum => f.write_str("no checksum field at the end of the line"),
            LineError::BadChecksum => f.write_str("checksum does not match the line (edited or damaged)"),
            LineError::NotJson(e) => write!(f, "not a journal event: {e}"),
            LineError::UnsupportedVersion(v) => {
                write!(f, "journal format version {v} is newer than this SDK reads ({FORMAT_VERSION})")
            }
        }
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
        hex(&digest_of_body(&line[..line.len() - SUM_SUFFIX_LEN]))
    } else {
        hex(&Sha256::digest(line))
    }
}

impl Record {
    /// The line for this record, without the trailing newline.
    pub fn encode(&self) -> String {
        self.encode_hashed().0
    }

    /// The line for this record and its chain hash (the next line's `prev`).
    pub fn encode_hashed(&self) -> (String, String) {
        let mut line = serde_json::to_string(self).expect("a record always serializes");
        let digest: [u8; 32] = Sha256::digest(line.as_bytes()).into();
        line.pop(); // the closing brace
        line.push_str(",\"sum\":\"");
        line.push_str(&hex(&digest[..SUM_HEX_LEN / 2]));
        line.push_str("\"}");
        (line, hex(&digest))
    }

    /// Parses and checks one line (without its newline).
    pub fn decode(line: &[u8]) -> Result<Record, LineError> {
        Record::decode_hashed(line).map(|(record, _)| record)
    }

    /// Parses and checks one line, and returns its chain hash too (one SHA-256 for both).
    pub fn decode_hashed(line: &[u8]) -> Result<(Record, String), LineError> {
        if !Record::looks_complete(line) {
            return Err(LineError::NoChecksum);
        }
        let split = line.len() - SUM_SUFFIX_LEN;
        let digest = digest_of_body(&line[..split]);
        let sum = &line[split + SUM_PREFIX.len()..line.len() - 2];
        if !hex_matches(sum, &digest[..SUM_HEX_LEN / 2]) {
            return Err(LineError::BadChecksum);
        }
        // The whole line is valid JSON; its `sum` field is not part of `Record` and is skipped.
        let record: Record = serde_json::from_slice(line).map_err(|e| LineError::NotJson(e.to_string()))?;
        if record.v > FORMAT_VERSION || record.v == 0 {
            return Err(LineError::UnsupportedVersion(record.v));
        }
        Ok((record, hex(&digest)))
    }

    /// Whether `line` ends like a complete record (whatever its checksum says).
    pub fn looks_complete(line: &[u8]) -> bool {
        line.len() >= SUM_SUFFIX_LEN + 2
            && line.ends_with(b"\"}")
            && &line[line.len() - SUM_SUFFIX_LEN..line.len() - SUM_SUFFIX_LEN + SUM_PREFIX.len()] == SUM_PREFIX
    }

    /// Whether `tail` (bytes after the last newline) contains a checksum suffix in
    /// its middle, which no torn write of a single line can produce.
    pub fn has_inner_checksum(tail: &[u8]) -> bool {
        tail.windows(SUM_PREFIX.len()).enumerate().any(|(i, w)| w == SUM_PREFIX && i + SUM_SUFFIX_LEN < tail.len())
    }
}

/// Whether `text` is the lowercase hex of `bytes`.
fn hex_matches(text: &[u8], bytes: &[u8]) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    text.len() == bytes.len() * 2
        && bytes
            .iter()
            .zip(text.chunks_exact(2))
            .all(|(b, pair)| pair[0] == DIGITS[(b >> 4) as usize] && pair[1] == DIGITS[(b & 0xf) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        Record {
            v: FORMAT_VERSION,
            seq: 1,
            ts: 1_700_000_000_000,
            event: EventKind::ConsentGranted,
            purpose: Some("feedback_photo".into()),
            fp: Some("00ff".into()),
            policy_version: "2021-11-17".into(),
            surface: Surface::RationaleDialog,
            locale: "zh-CN".into(),
            actor: Actor::User,
            permission: None,
            os_result: None,
            age: None,
            guardian: None,
            state: None,
            note: None,
            prev: GENESIS_HASH.into(),
        }
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
    fn newer_format_is_refused_not_guessed() {
        let mut r = sample();
        r.v = FORMAT_VERSION + 1;
        assert_eq!(Record::decode(r.encode().as_bytes()), Err(LineError::UnsupportedVersion(2)));
    }
}

//! Reads journal bytes into verified records: checksums, sequence numbers, the hash
//! chain, and the line between a torn tail (dropped) and corruption (fail closed).
//! Pure: no I/O, so the loader, the CLI's `journal verify` and the fuzzers share it.

use super::record::{Event, Record, GENESIS_HASH};

/// Where the chain stands before the scanned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPoint {
    pub seq: u64,
    pub hash: String,
    /// Lines before the scanned bytes (for 1-based line numbers in errors).
    pub lines: usize,
}

/// A verified prefix of a journal.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub records: Vec<Record>,
    /// Bytes consumed: everything up to and including the last acknowledged newline.
    pub consumed: usize,
    /// Bytes after the last newline that form an unfinished (never acknowledged) write.
    pub torn_tail: usize,
    /// Chain position after the last record, if any record was read.
    pub end: Option<ChainPoint>,
}

/// The first bad line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corruption {
    /// 1-based line number in the file.
    pub line: usize,
    pub reason: String,
}

/// Scans `bytes`. With `start = None` the bytes are a whole journal: its first line must
/// be seq 1 on the genesis hash, or a snapshot / reset line that opens a new segment.
pub fn scan(bytes: &[u8], start: Option<&ChainPoint>) -> Result<Scan, Corruption> {
    // One record a line: sized once instead of growing (each growth moved every record).
    let mut out = Scan { records: Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count()), ..Scan::default() };
    let (mut seq, mut hash, mut line_no) = match start {
        Some(p) => (Some(p.seq), Some(p.hash.clone()), p.lines),
        None => (None, None, 0),
    };
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(nl) = memchr::memchr(b'\n', &bytes[pos..]) else {
            break;
        };
        let line = &bytes[pos..pos + nl];
        line_no += 1;
        let (record, h) =
            Record::decode_hashed(line).map_err(|e| Corruption { line: line_no, reason: e.to_string() })?;
        check_chain(&record, seq, hash.as_deref()).map_err(|reason| Corruption { line: line_no, reason })?;
        seq = Some(record.seq);
        hash = Some(h);
        out.records.push(record);
        pos += nl + 1;
    }
    out.consumed = pos;
    let tail = &bytes[pos..];
    if !tail.is_empty() {
        classify_tail(tail, seq, hash.as_deref()).map_err(|reason| Corruption { line: line_no + 1, reason })?;
        out.torn_tail = tail.len();
    }
    if let (Some(seq), Some(hash)) = (seq, hash) {
        out.end = Some(ChainPoint { seq, hash, lines: line_no });
    }
    Ok(out)
}

fn check_chain(record: &Record, seq: Option<u64>, hash: Option<&str>) -> Result<(), String> {
    match (seq, hash) {
        (Some(seq), Some(hash)) => {
            if record.seq != seq + 1 {
                return Err(format!(
                    "sequence number {} where {} was expected (events removed or reordered)",
                    record.seq,
                    seq + 1
                ));
            }
            if record.prev != hash {
                return Err("hash chain broken: the previous line was changed, removed or reordered".into());
            }
            if matches!(record.event, Event::Snapshot { .. } | Event::JournalReset { .. }) {
                return Err("a snapshot or reset event may only open a journal".into());
            }
            Ok(())
        }
        _ => match record.event {
            Event::Snapshot { .. } => Ok(()),
            _ if record.seq == 1 && record.prev == GENESIS_HASH => Ok(()),
            _ => Err(format!("the journal starts at sequence number {} (events before it are missing)", record.seq)),
        },
    }
}

/// How every line the encoder writes begins.
const LINE_START: &[u8] = b"{\"v\":";

/// Bytes after the last newline are a torn write only if they could be the start of
/// one line as the encoder writes it: they begin like a line, hold only bytes the encoder
/// emits (UTF-8 text without control characters: JSON escapes those), contain no complete
/// checksum, and if complete, are a valid next event. Anything else (zeroed blocks,
/// binary garbage, a line's middle) is damage, not a crash: it fails closed as corrupt,
/// so an append cannot truncate it away as if it were an unfinished write.
fn classify_tail(tail: &[u8], seq: Option<u64>, hash: Option<&str>) -> Result<(), String> {
    let start = &tail[..tail.len().min(LINE_START.len())];
    if start != &LINE_START[..start.len()] {
        return Err("the last line neither is a complete event nor begins like one (damaged, not a torn write)".into());
    }
    if let Some(at) = tail.iter().position(|&b| b < 0x20) {
        return Err(format!(
            "byte 0x{:02x} at offset {at} of the last line, which the journal never writes (damaged, not a torn write)",
            tail[at]
        ));
    }
    if let Err(e) = std::str::from_utf8(tail) {
        // A write cut short may end in the middle of a character; invalid bytes elsewhere are damage.
        if e.error_len().is_some() {
            return Err(format!(
                "invalid UTF-8 at offset {} of the last line (damaged, not a torn write)",
                e.valid_up_to()
            ));
        }
    }
    if Record::has_inner_checksum(tail) {
        return Err("a complete event is followed by stray bytes (a line break was removed or changed)".into());
    }
    if Record::looks_complete(tail) {
        let record = Record::decode(tail).map_err(|e| format!("last line: {e}"))?;
        check_chain(&record, seq, hash)?;
    }
    Ok(())
}

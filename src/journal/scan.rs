//! Reads journal bytes into verified records: checksums, sequence numbers, the hash
//! chain, and the line between a torn tail (dropped) and corruption (fail closed).
//! Pure: no I/O, so the loader, the CLI's `journal verify` and the fuzzers share it.

use super::record::{hex_into, EventView, Record, RecordView, GENESIS_HASH};

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
    let mut records = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count());
    let scanned = scan_each(bytes, start, &mut |record| records.push(record.to_record()))?;
    Ok(Scan { records, ..scanned })
}

/// As `scan`, but hands each verified record to `each` instead of collecting them (a view
/// of the line's text: copy what you keep). A record reaches `each` before
/// the lines after it are verified: on an error, discard what it received. (`dyn`: one copy of
/// the decoder in the `.so` for every reader.)
pub(crate) fn scan_each(
    bytes: &[u8],
    start: Option<&ChainPoint>,
    each: &mut dyn FnMut(&RecordView<'_>),
) -> Result<Scan, Corruption> {
    let mut out = Scan::default();
    let mut seq = start.map(|p| p.seq);
    let mut line_no = start.map_or(0, |p| p.lines);
    // The chain hash of the last line read, as hex; before the first, the start's.
    let mut last: Option<[u8; 64]> = None;
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(nl) = memchr::memchr(b'\n', &bytes[pos..]) else {
            break;
        };
        let line = &bytes[pos..pos + nl];
        line_no += 1;
        let hash = match &last {
            Some(hex) => Some(&hex[..]),
            None => start.map(|p| p.hash.as_bytes()),
        };
        let (read, digest) = Record::decode_with(line, |record| {
            check_chain(record, seq, hash)?;
            each(record);
            Ok(record.seq)
        })
        .map_err(|e| Corruption { line: line_no, reason: e.to_string() })?;
        seq = Some(read.map_err(|reason| Corruption { line: line_no, reason })?);
        let mut hex = [0u8; 64];
        hex_into(&digest, &mut hex);
        last = Some(hex);
        pos += nl + 1;
    }
    out.consumed = pos;
    let hash: Option<String> = match last {
        // Hex digits: ASCII, so nothing is lost.
        Some(hex) => Some(String::from_utf8_lossy(&hex).into_owned()),
        None => start.map(|p| p.hash.clone()),
    };
    let tail = &bytes[pos..];
    if !tail.is_empty() {
        classify_tail(tail, seq, hash.as_deref().map(str::as_bytes))
            .map_err(|reason| Corruption { line: line_no + 1, reason })?;
        out.torn_tail = tail.len();
    }
    if let (Some(seq), Some(hash)) = (seq, hash) {
        out.end = Some(ChainPoint { seq, hash, lines: line_no });
    }
    Ok(out)
}

/// `hash`: the chain hash of the line before, as hex.
fn check_chain(record: &RecordView<'_>, seq: Option<u64>, hash: Option<&[u8]>) -> Result<(), String> {
    match (seq, hash) {
        (Some(seq), Some(hash)) => {
            // A hostile file can end a line at the largest number: nothing may follow it.
            let Some(next) = seq.checked_add(1) else {
                return Err(format!("sequence number {} after {seq}, the largest there is", record.seq));
            };
            if record.seq != next {
                return Err(format!(
                    "sequence number {} where {next} was expected (events removed or reordered)",
                    record.seq
                ));
            }
            if !same_hash(record.prev.as_bytes(), hash) {
                return Err("hash chain broken: the previous line was changed, removed or reordered".into());
            }
            if matches!(record.event, EventView::Snapshot { .. } | EventView::JournalReset { .. }) {
                return Err("a snapshot or reset event may only open a journal".into());
            }
            Ok(())
        }
        _ => match record.event {
            EventView::Snapshot { .. } => Ok(()),
            _ if record.seq == 1 && record.prev == GENESIS_HASH => Ok(()),
            _ => Err(format!("the journal starts at sequence number {} (events before it are missing)", record.seq)),
        },
    }
}

/// Whether two chain hashes (hex) are the same; a chain hash is 64 digits, compared as one
/// fixed-size array (inline, rather than a call to `memcmp` per line).
fn same_hash(a: &[u8], b: &[u8]) -> bool {
    match (<&[u8; 64]>::try_from(a), <&[u8; 64]>::try_from(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
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
fn classify_tail(tail: &[u8], seq: Option<u64>, hash: Option<&[u8]>) -> Result<(), String> {
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
        let (chained, _) = Record::decode_with(tail, |record| check_chain(record, seq, hash))
            .map_err(|e| format!("last line: {e}"))?;
        chained?;
    }
    Ok(())
}

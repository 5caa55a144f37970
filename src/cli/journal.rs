//! `consentgate journal show|verify|export FILE`: a pulled journal file read with the
//! same scanner and state fold the engine loads with (`journal::scan::scan`,
//! `ConsentState::apply`), so the CLI can never call "intact" what the app would refuse.

use std::path::Path;

use serde::Serialize;

use super::utc::rfc3339_utc as utc;
use super::{read_bytes, Output, EXIT_CORRUPT, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use crate::clock::{Clock, SystemClock};
use crate::engine::state::ConsentState;
use crate::engine::views::{history_document, proof_document};
use crate::journal::record::{Event, Record};
use crate::journal::scan::scan;

/// A journal's verified records and what follows them.
struct Verified {
    records: Vec<Record>,
    state: ConsentState,
    head: Option<String>,
    /// Bytes of an unfinished last write (0 when none).
    torn_tail: usize,
}

enum Verdict {
    Intact(Verified),
    /// Only the last line is an unfinished write: recoverable, nothing acknowledged lost.
    Torn(Verified),
    /// `line` is the first bad line; `prefix` holds the events before it.
    Corrupt {
        line: usize,
        reason: String,
        prefix: Verified,
    },
}

/// Folds the scanned records into the state, exactly as the engine does on load: a
/// snapshot whose state cannot be read makes the journal corrupt there.
fn fold(records: Vec<Record>, head: Option<String>, torn_tail: usize) -> Verdict {
    let mut state = ConsentState::default();
    for (i, record) in records.iter().enumerate() {
        if !state.apply(record) {
            let reason = format!("snapshot event {} carries a state that cannot be read", record.seq);
            let mut records = records;
            records.truncate(i);
            let prefix = match fold(records, None, 0) {
                Verdict::Intact(v) | Verdict::Torn(v) | Verdict::Corrupt { prefix: v, .. } => v,
            };
            return Verdict::Corrupt { line: i + 1, reason, prefix };
        }
    }
    let verified = Verified { records, state, head, torn_tail };
    if torn_tail > 0 {
        Verdict::Torn(verified)
    } else {
        Verdict::Intact(verified)
    }
}

fn verify_bytes(bytes: &[u8]) -> Verdict {
    match scan(bytes, None) {
        Ok(s) => fold(s.records, s.end.map(|p| p.hash), s.torn_tail),
        Err(c) => {
            // The lines before the bad one passed the same scan: read them again for `show`.
            let prefix = match scan(&bytes[..line_start(bytes, c.line)], None) {
                Ok(s) => match fold(s.records, None, 0) {
                    Verdict::Intact(v) | Verdict::Torn(v) | Verdict::Corrupt { prefix: v, .. } => v,
                },
                Err(_) => Verified { records: Vec::new(), state: ConsentState::default(), head: None, torn_tail: 0 },
            };
            Verdict::Corrupt { line: c.line, reason: c.reason, prefix }
        }
    }
}

/// Byte offset where 1-based `line` starts (the end of the bytes if there are fewer lines).
fn line_start(bytes: &[u8], line: usize) -> usize {
    crate::line_index::LineIndex::new(bytes).start_of(line).unwrap_or(bytes.len())
}

fn load(path: &Path, command: &str) -> Result<Verdict, Output> {
    let bytes =
        read_bytes(path, "journal").map_err(|message| Output::error(EXIT_USAGE, format!("{command}: {message}")))?;
    Ok(verify_bytes(&bytes))
}

fn span(records: &[Record]) -> String {
    match (records.first(), records.last()) {
        (Some(first), Some(last)) if first.seq == last.seq => format!("seq {}", first.seq),
        (Some(first), Some(last)) => format!("seq {}-{}", first.seq, last.seq),
        _ => "no events".into(),
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 event".into()
    } else {
        format!("{n} events")
    }
}

fn compacted_note(records: &[Record]) -> Option<String> {
    let first = records.first()?;
    matches!(first.event, Event::Snapshot { .. }).then(|| {
        format!(
            "it starts with a snapshot at seq {} (compacted: the events before it are in consent.journal.{}.archive)",
            first.seq,
            first.seq.saturating_sub(1)
        )
    })
}

/// `journal verify`. Each journal command's `Err` is the output it stops with early (the
/// file unreadable, or an export refused), so that any step can end the command with `?`.
pub(super) fn verify(path: &Path) -> Result<Output, Output> {
    let shown = path.display();
    let verdict = load(path, "consentgate journal verify")?;
    let mut out = Output::default();
    match verdict {
        Verdict::Intact(v) => {
            if v.records.is_empty() {
                out.line(format!("{shown}: intact: empty journal (no events)"));
            } else {
                out.line(format!(
                    "{shown}: intact: {} ({}), chain head {}",
                    count(v.records.len()),
                    span(&v.records),
                    v.head.as_deref().unwrap_or("-")
                ));
            }
            if let Some(note) = compacted_note(&v.records) {
                out.line(format!("{shown}: {note}"));
            }
            out.code = EXIT_OK;
        }
        Verdict::Torn(v) => {
            out.line(format!(
                "{shown}: torn last line: {} intact ({}), followed by an unfinished write of {} bytes that was never acknowledged",
                count(v.records.len()),
                span(&v.records),
                v.torn_tail
            ));
            out.line(format!(
                "{shown}: recoverable: an append cut short by a crash is never acknowledged to the app, and the engine drops it on load"
            ));
            out.code = EXIT_PROBLEMS;
        }
        Verdict::Corrupt { line, reason, prefix } => {
            out.line(format!("{shown}:{line}: corrupt: {reason}"));
            out.line(format!(
                "{shown}: {} before line {line} verify; the engine fails closed on this journal (every decision blocked) until the app recovers",
                count(prefix.records.len())
            ));
            out.code = EXIT_CORRUPT;
        }
    }
    Ok(out)
}

/// A journal string made safe for a terminal: control characters are escaped, so a
/// crafted journal cannot move the cursor or recolour the screen, and so are the
/// bidirectional-text controls, so it cannot make a row read differently from its bytes
/// (reorder a purpose id, hide a cell behind another).
fn clean(text: &str) -> String {
    text.chars()
        .flat_map(
            |c| if c.is_control() || is_bidi_control(c) { c.escape_default().collect::<Vec<_>>() } else { vec![c] },
        )
        .collect()
}

/// Unicode's explicit directional formatting characters (UAX #9) and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The wire name of a journal enum (`consent_granted`, `rationale_dialog`, ...).
fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".into(),
    }
}

fn details(r: &Record) -> String {
    let short = |p: &str| p.strip_prefix("android.permission.").unwrap_or(p).to_string();
    let text = match &r.event {
        Event::PolicyAccepted => format!("privacy policy {}", r.policy_version),
        Event::ConsentGranted(p) | Event::ConsentDenied(p) | Event::ConsentWithdrawn(p) => {
            format!("purpose text {}", p.fp.get(..12).unwrap_or(&p.fp))
        }
        Event::OsResult { permission, result, .. } => format!("{} {}", short(permission), wire(result)),
        Event::AgeBracketSet { age } => format!("age {}", wire(age)),
        Event::GuardianConsent { given: true } => "guardian consent given".into(),
        Event::GuardianConsent { given: false } => "guardian consent withdrawn".into(),
        Event::Snapshot { .. } => "state of the events before it (they are in the archive file)".into(),
        Event::JournalReset { note } => note.clone(),
        Event::PolicyWithdrawn => format!("privacy policy {} acceptance withdrawn", r.policy_version),
        Event::PermissionRevoked { permission, .. } => {
            format!("{} switched off in Android's settings", short(permission))
        }
    };
    clean(&text)
}

fn table(records: &[Record]) -> Vec<String> {
    const HEADER: [&str; 8] = ["UTC time", "seq", "purpose", "event", "surface", "actor", "locale", "details"];
    let rows: Vec<[String; 8]> = records
        .iter()
        .map(|r| {
            [
                utc(r.ts),
                r.seq.to_string(),
                clean(r.event.purpose().map_or("-", |p| &p.purpose)),
                wire(&r.event.kind()),
                wire(&r.surface),
                wire(&r.actor),
                clean(&r.locale),
                details(r),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let render = |cells: [&str; 8]| {
        let mut line = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i == 7 {
                line.push_str(cell);
            } else if i == 1 {
                line.push_str(&format!("{cell:>w$}  "));
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        line.trim_end().to_string()
    };
    let mut out = vec![render(HEADER)];
    for row in &rows {
        out.push(render([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6], &row[7]]));
    }
    out
}

/// `journal show`.
pub(super) fn show(path: &Path) -> Result<Output, Output> {
    let shown = path.display();
    let verdict = load(path, "consentgate journal show")?;
    let mut out = Output::default();
    let (verified, status, code) = match verdict {
        Verdict::Intact(v) => (v, "intact".to_string(), EXIT_OK),
        Verdict::Torn(v) => {
            let status = format!("torn last line ({} bytes never acknowledged, not shown)", v.torn_tail);
            (v, status, EXIT_PROBLEMS)
        }
        Verdict::Corrupt { line, reason, prefix } => {
            (prefix, format!("CORRUPT at line {line}: {reason}; only the events before it are shown"), EXIT_CORRUPT)
        }
    };
    out.line(format!("{shown}: {} ({}), {status}", count(verified.records.len()), span(&verified.records)));
    if let Some(note) = compacted_note(&verified.records) {
        out.line(format!("{shown}: {note}"));
    }
    if !verified.records.is_empty() {
        out.line(String::new());
        for line in table(&verified.records) {
            out.line(line);
        }
    }
    out.code = code;
    Ok(out)
}

/// `journal export`.
pub(super) fn export(path: &Path, policy_path: Option<&Path>) -> Result<Output, Output> {
    const COMMAND: &str = "consentgate journal export";
    let policy = policy_path.map(|p| super::load_policy(p, COMMAND)).transpose()?;
    let verdict = load(path, COMMAND)?;
    let (verified, code) = match verdict {
        Verdict::Intact(v) => (v, EXIT_OK),
        Verdict::Torn(v) => (v, EXIT_PROBLEMS),
        Verdict::Corrupt { line, reason, .. } => {
            return Err(Output::error(
                EXIT_CORRUPT,
                format!(
                    "{COMMAND}: {}:{line}: corrupt: {reason}\n{COMMAND}: refusing to export a journal that does not verify (it proves nothing)",
                    path.display()
                ),
            ));
        }
    };
    let now = SystemClock.now_ms();
    let document = match &policy {
        Some(policy) => proof_document(policy, &verified.state, &verified.records, verified.head.as_deref(), now),
        None => history_document(&verified.records, verified.head.as_deref(), now, None, &verified.state),
    };
    let mut out = Output::default();
    match serde_json::to_string_pretty(&document) {
        Ok(text) => out.line(text),
        Err(e) => return Err(Output::error(EXIT_CORRUPT, format!("{COMMAND}: cannot write the proof document: {e}"))),
    }
    if code == EXIT_PROBLEMS {
        out.err_line(format!(
            "{COMMAND}: {}: the last line is an unfinished write ({} bytes, never acknowledged): exported the {} before it",
            path.display(),
            verified.torn_tail,
            count(verified.records.len())
        ));
    }
    out.code = code;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_start_finds_offsets() {
        let bytes = b"a\nbb\nccc";
        assert_eq!(line_start(bytes, 1), 0);
        assert_eq!(line_start(bytes, 2), 2);
        assert_eq!(line_start(bytes, 3), 5);
        assert_eq!(line_start(bytes, 9), bytes.len());
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(clean("用户"), "用户");
        assert_eq!(clean("a\u{202e}b\u{2066}c\u{200f}"), "a\\u{202e}b\\u{2066}c\\u{200f}");
        assert_eq!(clean("مرحبا"), "مرحبا", "right-to-left text itself is kept");
    }
}

//! The append-only consent journal on disk: durable appends under a file lock shared by
//! every process of the app, incremental reads of other processes' appends, compaction
//! into a snapshot (history kept in archives), erase, and recovery after corruption.
//!
//! Files in the journal folder:
//! - `consent.journal`: the live journal, one event a line.
//! - `consent.journal.<seq>.archive`: history moved out by compaction (kept for proof).
//! - `consent.journal.corrupt-<ms>`: a journal found corrupt, kept aside untouched.
//! - `consent.lock`, `consent.gen`: the writers' lock and the change counter (no personal data).

pub(crate) mod generation;
pub mod record;
pub mod scan;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::error::{CoreError, Result};
use generation::{CounterLease, Generation};
use record::{Record, RecordView, GENESIS_HASH};
use scan::{scan, scan_each, ChainPoint};

pub const JOURNAL_FILE: &str = "consent.journal";
const LOCK_FILE: &str = "consent.lock";
const TMP_FILE: &str = "consent.journal.tmp";
const ARCHIVE_PREFIX: &str = "consent.journal.";
const ARCHIVE_SUFFIX: &str = ".archive";

#[derive(Debug, Clone, Copy)]
pub struct JournalOptions {
    /// fsync every append before returning. Only benchmarks turn this off.
    pub fsync: bool,
    /// A write that leaves more events than this in the live file compacts it (the history
    /// moves to an archive), so loading at start-up stays bounded however long the history.
    pub compact_after: usize,
}

/// The largest journal file (live or archive) the SDK reads or writes: 16 MiB. A line is
/// a few hundred bytes and the live file is compacted past `DEFAULT_COMPACT_AFTER` (100)
/// events, so a healthy live file stays well under 1 MiB (a snapshot of the largest
/// policy, 1024 purposes, is about 200 KB). The cap leaves 16x headroom over that (about
/// 40,000 ordinary events if compaction kept failing), and anything larger is refused as
/// a storage error (fail closed) instead of being read into memory.
pub const MAX_JOURNAL_BYTES: u64 = 16 << 20;

/// Default `compact_after`. Opening a compacted journal reads the live lines and the last
/// archive (to check the snapshot against it: up to twice this many lines), at about 1-1.5 µs
/// a line on the benchmark machine; 100 bounds that to ~200 lines, 0.4 ms less at every app
/// start than 250 (BENCHMARKS.md, cold start). A compaction (three fsyncs, 6-8 ms) then
/// happens once every 100 consent decisions: under 2% of a decision's own fsync, amortised.
pub(crate) const DEFAULT_COMPACT_AFTER: usize = 100;

impl Default for JournalOptions {
    fn default() -> Self {
        JournalOptions { fsync: true, compact_after: DEFAULT_COMPACT_AFTER }
    }
}

/// What reading the file brought in since the last read.
#[derive(Debug)]
pub(crate) enum Change {
    /// New events at the end, in order.
    Appended(Vec<Record>),
    /// The file was replaced (compaction, erase, recovery): the complete new content.
    Replaced(Vec<Record>),
}

/// Receives a read of the live file record by record, so a reader that folds them needs no
/// copy of each (`Change` is the one that keeps them).
pub(crate) trait Incoming {
    /// First, once: whether the read is the file's complete content (it replaces all read
    /// before, as `Change::Replaced`) or only what was appended.
    fn start(&mut self, whole: bool);
    /// Each verified record in order, as a view of the line read: copy what you keep.
    /// Records arrive before the rest of the read is verified: when the read then fails,
    /// discard everything received.
    fn record(&mut self, record: &RecordView<'_>);
}

impl Incoming for Change {
    fn start(&mut self, whole: bool) {
        *self = if whole { Change::Replaced(Vec::new()) } else { Change::Appended(Vec::new()) };
    }

    fn record(&mut self, record: &RecordView<'_>) {
        match self {
            Change::Appended(records) | Change::Replaced(records) => records.push(record.to_record()),
        }
    }
}

/// The reader's position in the live file.
#[derive(Debug, Clone, Default)]
struct Cursor {
    /// (device, inode) of the file the cursor belongs to; `None` when no file exists.
    file_id: Option<(u64, u64)>,
    offset: u64,
    end: Option<ChainPoint>,
}

pub(crate) struct Journal {
    dir: PathBuf,
    path: PathBuf,
    lock: File,
    /// (device, inode) of `lock`, the file this journal holds (see `check_folder`).
    lock_id: (u64, u64),
    counter: CounterLease,
    cursor: Cursor,
    /// Set after a failed write: the next read starts from scratch.
    reload: bool,
    /// The change counter right after this journal's last write (see `written_generation`).
    written_generation: u64,
    options: JournalOptions,
}

/// Holds the folder's lock, taken on the journal's own lock file descriptor (a raw one, so
/// the journal stays free to change while it is held); released on drop.
struct LockGuard(std::os::fd::RawFd);

impl Drop for LockGuard {
    fn drop(&mut self) {
        // SAFETY: a plain system call on the journal's lock descriptor, which outlives the
        // guard (both live in the journal's methods); nothing is read or written through it.
        unsafe { libc::flock(self.0, libc::LOCK_UN) };
    }
}

/// The live file as a read under the exclusive lock found it, kept open for the write that
/// follows under the same lock: the write goes to the file just verified, and needs no
/// second open.
struct LiveFile {
    file: File,
    /// (device, inode).
    id: (u64, u64),
    len: u64,
}

impl LiveFile {
    fn new(file: File, meta: &fs::Metadata) -> LiveFile {
        LiveFile { file, id: (meta.dev(), meta.ino()), len: meta.len() }
    }
}

impl Journal {
    /// Opens (creating if needed) the journal folder. Reads nothing yet: call `refresh`.
    pub(crate) fn open(dir: &Path, options: JournalOptions) -> Result<Journal> {
        fs::create_dir_all(dir).map_err(|e| CoreError::storage(dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let (lock, lock_meta) =
            open_regular_meta(&lock_path, OpenOptions::new().read(true).write(true).create(true).truncate(false))
                .map_err(|e| CoreError::storage(&lock_path, e))?;
        let counter =
            generation::for_dir(dir).map_err(|e| CoreError::storage(dir.join(generation::COUNTER_FILE), e))?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            path: dir.join(JOURNAL_FILE),
            lock,
            lock_id: (lock_meta.dev(), lock_meta.ino()),
            counter,
            cursor: Cursor::default(),
            reload: false,
            written_generation: 0,
            options,
        })
    }

    pub(crate) fn options(&self) -> JournalOptions {
        self.options
    }

    /// Events in the live file as last read (a snapshot line counts as one).
    pub(crate) fn live_events(&self) -> usize {
        self.cursor.end.as_ref().map_or(0, |p| p.lines)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's change counter; differs from an earlier value once anyone wrote.
    pub(crate) fn generation(&self) -> &'static Generation {
        self.counter.generation()
    }

    /// Maps the folder's change counter again if its file was replaced or truncated since
    /// (see `generation`): a slow path's first step.
    pub(crate) fn check_counter(&self) -> Result<()> {
        self.generation()
            .check(&self.dir)
            .map(|_| ())
            .map_err(|e| CoreError::storage(self.dir.join(generation::COUNTER_FILE), e))
    }

    /// The change counter as this journal's last write (append, compaction, erase) left
    /// it, taken under the exclusive lock: it names exactly the content this journal has
    /// read and written. Loading the counter after the write instead could pick up another
    /// process's write that has not been read yet, and a reader would then take stale
    /// state for current. 0 before the first write.
    pub(crate) fn written_generation(&self) -> u64 {
        self.written_generation
    }

    /// Takes the folder's lock: shared for reading, exclusive for writing.
    /// (A `flock` belongs to the open file, so the journal's own handle serves every lock:
    /// a duplicate of it, as before, shared the same lock.)
    fn lock(&self, exclusive: bool) -> Result<LockGuard> {
        use std::os::fd::AsRawFd;
        let err = |e| CoreError::storage(self.dir.join(LOCK_FILE), e);
        if exclusive { self.lock.lock() } else { self.lock.lock_shared() }.map_err(err)?;
        let guard = LockGuard(self.lock.as_raw_fd());
        self.check_folder()?;
        self.check_counter()?;
        Ok(guard)
    }

    /// The lock this journal holds belongs to the folder as it was opened. If the folder
    /// was deleted or replaced since, a write there would bypass the lock other processes
    /// use (and their change counter): refuse until the engine is opened again.
    fn check_folder(&self) -> Result<()> {
        let lock_path = self.dir.join(LOCK_FILE);
        match fs::symlink_metadata(&lock_path) {
            Ok(m) if (m.dev(), m.ino()) == self.lock_id => Ok(()),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CoreError::storage(&lock_path, e)),
            _ => Err(CoreError::storage(
                &self.dir,
                "the journal folder was removed or replaced while the engine was open; open the engine again",
            )),
        }
    }

    /// The next read starts from the top of the file: what was read so far did not check
    /// out, so nothing may be folded on top of it.
    pub(crate) fn read_whole_next_time(&mut self) {
        self.reload = true;
    }

    /// Reads whatever other writers added since the last read, into `into`.
    pub(crate) fn refresh(&mut self, into: &mut dyn Incoming) -> Result<()> {
        let _guard = self.lock(false)?;
        self.read_changes(into, false).map(|_| ())
    }

    /// The read as a `Change`; the caller holds the lock (shared or exclusive).
    fn read_change(&mut self) -> Result<Change> {
        let mut change = Change::Appended(Vec::new());
        self.read_changes(&mut change, false)?;
        Ok(change)
    }

    /// The read itself; the caller holds the lock (shared or exclusive; exclusive when
    /// `for_write`: the file is then opened for writing too, and returned, if it exists).
    /// (`dyn`: one copy in the `.so` for every reader.)
    fn read_changes(&mut self, into: &mut dyn Incoming, for_write: bool) -> Result<Option<LiveFile>> {
        let (mut file, meta) = match open_regular_meta(&self.path, OpenOptions::new().read(true).write(for_write)) {
            Ok(opened) => opened,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let had_file = self.cursor.file_id.is_some() || self.reload;
                self.cursor = Cursor::default();
                self.reload = false;
                into.start(had_file);
                return Ok(None);
            }
            Err(e) => return Err(CoreError::storage(&self.path, e)),
        };
        check_size(&self.path, meta.len())?;
        let id = Some((meta.dev(), meta.ino()));
        // Incremental only from a chain position: after a whole read that found no complete
        // line (empty file, torn tail) the next read is whole again, so a snapshot opening the
        // file is checked against its archive like any other (`Change::Replaced`).
        let whole =
            self.reload || id != self.cursor.file_id || meta.len() < self.cursor.offset || self.cursor.end.is_none();
        let (start, from) = if whole { (None, 0) } else { (self.cursor.end.clone(), self.cursor.offset) };
        into.start(whole);
        if !whole && meta.len() == from {
            return Ok(Some(LiveFile::new(file, &meta)));
        }
        file.seek(SeekFrom::Start(from)).map_err(|e| CoreError::storage(&self.path, e))?;
        let mut bytes = Vec::with_capacity((meta.len() - from) as usize);
        // Bounded even if the file grows while it is read.
        (&mut file)
            .take(MAX_JOURNAL_BYTES + 1 - from)
            .read_to_end(&mut bytes)
            .map_err(|e| CoreError::storage(&self.path, e))?;
        check_size(&self.path, from + bytes.len() as u64)?;
        let scanned = scan_each(&bytes, start.as_ref(), &mut |record| into.record(record))
            .map_err(|c| CoreError::Corrupt { path: self.path.clone(), line: c.line, reason: c.reason })?;
        if scanned.torn_tail > 0 {
            log::warn!("consent journal: dropping an unfinished last write of {} bytes", scanned.torn_tail);
        }
        self.cursor.file_id = id;
        self.cursor.offset = from + scanned.consumed as u64;
        if scanned.end.is_some() {
            self.cursor.end = scanned.end;
        } else if whole {
            self.cursor.end = None;
        }
        self.reload = false;
        Ok(Some(LiveFile::new(file, &meta)))
    }

    /// Appends events durably. Returns first what other processes appended since the last
    /// read (to be applied before), then the stored events with their sequence numbers.
    pub(crate) fn append(&mut self, drafts: Vec<Record>) -> Result<(Change, Vec<Record>)> {
        let _guard = self.lock(true)?;
        let mut change = Change::Appended(Vec::new());
        let live = self.read_changes(&mut change, true)?;
        // A refused write drops `change` with its error, so the cursor must not stay past it:
        // the next read is whole and brings back what this one found.
        let stored = self.write_locked(drafts, live).inspect_err(|_| self.read_whole_next_time())?;
        Ok((change, stored))
    }

    /// The sequence number after `seq`; none after the largest (a hostile file can end there).
    fn next_seq(&self, seq: u64) -> Result<u64> {
        seq.checked_add(1).ok_or_else(|| CoreError::Corrupt {
            path: self.path.clone(),
            line: 0,
            reason: format!("the last event's sequence number {seq} is the largest there is: no event can follow"),
        })
    }

    /// Writes `drafts` after the last line read; the caller holds the exclusive lock. `live`:
    /// the live file as the read just made under that lock opened it (`None`: there was none).
    fn write_locked(&mut self, drafts: Vec<Record>, live: Option<LiveFile>) -> Result<Vec<Record>> {
        let (mut seq, mut prev) = match &self.cursor.end {
            Some(p) => (p.seq, p.hash.clone()),
            None => (0, GENESIS_HASH.to_string()),
        };
        let mut text = String::new();
        let mut stored = Vec::with_capacity(drafts.len());
        for mut record in drafts {
            seq = self.next_seq(seq)?;
            record.v = record.needed_version();
            record.seq = seq;
            record.prev = prev;
            let (line, hash) = record.encode_hashed();
            prev = hash;
            text.push_str(&line);
            text.push('\n');
            stored.push(record);
        }
        let created = self.cursor.file_id.is_none();
        if self.cursor.offset + text.len() as u64 > MAX_JOURNAL_BYTES {
            return Err(CoreError::storage(
                &self.path,
                format!(
                    "the journal would grow past {MAX_JOURNAL_BYTES} bytes, the limit; nothing was written (compaction keeps failing: see the earlier warnings)"
                ),
            ));
        }
        let LiveFile { file, id, len } = match live {
            Some(live) => live,
            None => {
                let (file, meta) = open_regular_meta(
                    &self.path,
                    OpenOptions::new().read(true).write(true).create(true).truncate(false),
                )
                .map_err(|e| CoreError::storage(&self.path, e))?;
                LiveFile::new(file, &meta)
            }
        };
        let result = (|| -> std::io::Result<()> {
            // Drop an unfinished write left by a crash (bytes after the last line read), so
            // the new line starts on its own.
            if len != self.cursor.offset {
                file.set_len(self.cursor.offset)?;
            }
            file.write_all_at(text.as_bytes(), self.cursor.offset)?;
            if self.options.fsync {
                file.sync_data()?;
                if created {
                    // The new file's name, and the folder's own name in its parent (the
                    // folder may be new too): durable before the first event is acknowledged.
                    sync_dir(&self.dir)?;
                    if let Some(parent) = self.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                        sync_dir(parent)?;
                    }
                }
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                let lines = self.cursor.end.as_ref().map_or(0, |p| p.lines) + stored.len();
                self.cursor = Cursor {
                    file_id: Some(id),
                    offset: self.cursor.offset + text.len() as u64,
                    end: Some(ChainPoint { seq, hash: prev, lines }),
                };
                self.written_generation = self.generation().bump();
                Ok(stored)
            }
            Err(e) => {
                // Not acknowledged: take back what may have reached the file, and read
                // from scratch next time in case even that failed.
                let _ = file.set_len(self.cursor.offset);
                self.reload = true;
                Err(CoreError::storage(&self.path, e))
            }
        }
    }

    /// Moves the history into an archive and starts a new live file with one snapshot
    /// event carrying `state`. Loading then costs only the events since.
    /// Does nothing unless the live file, read under the lock, holds more than
    /// `more_than` events: another process may have compacted it since the caller looked.
    pub(crate) fn compact(&mut self, more_than: usize, snapshot: impl FnOnce(&[Record]) -> Record) -> Result<Change> {
        let _guard = self.lock(true)?;
        let change = self.read_change()?;
        let pending: Vec<Record> = match &change {
            Change::Appended(r) | Change::Replaced(r) => r.clone(),
        };
        let Some(end) = self.cursor.end.clone() else {
            return Ok(change);
        };
        if end.lines <= more_than {
            return Ok(change);
        }
        let mut record = snapshot(&pending);
        record.v = record.needed_version();
        record.seq = self.next_seq(end.seq)?;
        record.prev = end.hash.clone();
        let (line, line_digest) = record.encode_hashed();
        let tmp = self.dir.join(TMP_FILE);
        let archive = self.dir.join(format!("{ARCHIVE_PREFIX}{}{ARCHIVE_SUFFIX}", end.seq));
        let io = (|| -> Result<()> {
            let at = |path: &Path| {
                let path = path.to_path_buf();
                move |e: std::io::Error| CoreError::storage(path, e)
            };
            let mut f = create_new(&tmp).map_err(at(&tmp))?;
            f.write_all(line.as_bytes()).map_err(at(&tmp))?;
            f.write_all(b"\n").map_err(at(&tmp))?;
            f.sync_all().map_err(at(&tmp))?;
            // Drop a torn tail before archiving, so the archive verifies cleanly.
            let live = open_regular(&self.path, OpenOptions::new().write(true)).map_err(at(&self.path))?;
            live.set_len(self.cursor.offset).map_err(at(&self.path))?;
            live.sync_all().map_err(at(&self.path))?;
            match fs::hard_link(&self.path, &archive) {
                // Left by an earlier interrupted compaction of this very file: fine. Anything
                // else under that name is not our history.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let same = match (fs::symlink_metadata(&archive), live.metadata()) {
                        (Ok(a), Ok(l)) => a.is_file() && a.dev() == l.dev() && a.ino() == l.ino(),
                        _ => false,
                    };
                    if !same {
                        return Err(CoreError::storage(
                            &archive,
                            "exists and is not this journal's archive; move it away",
                        ));
                    }
                }
                other => other.map_err(at(&archive))?,
            }
            fs::rename(&tmp, &self.path).map_err(at(&self.path))?;
            sync_dir(&self.dir).map_err(at(&self.dir))
        })();
        if let Err(e) = io {
            let _ = fs::remove_file(&tmp);
            self.reload = true;
            return Err(e);
        }
        self.written_generation = self.generation().bump();
        let meta = fs::metadata(&self.path).map_err(|e| CoreError::storage(&self.path, e))?;
        self.cursor = Cursor {
            file_id: Some((meta.dev(), meta.ino())),
            offset: meta.len(),
            end: Some(ChainPoint { seq: record.seq, hash: line_digest, lines: 1 }),
        };
        Ok(change)
    }

    /// Removes the journal, its archives and any file kept aside: nothing personal remains.
    /// The lock and change-counter files stay (they hold no data and other processes
    /// may have them open).
    pub(crate) fn erase(&mut self) -> Result<()> {
        let _guard = self.lock(true)?;
        for path in self.data_files()? {
            fs::remove_file(&path).or_else(ignore_not_found).map_err(|e| CoreError::storage(&path, e))?;
        }
        sync_dir(&self.dir).map_err(|e| CoreError::storage(&self.dir, e))?;
        self.cursor = Cursor::default();
        self.reload = false;
        self.written_generation = self.generation().bump();
        Ok(())
    }

    /// After corruption: keeps the bad file aside untouched and starts a new journal whose
    /// first event records the reset. Returns the name the bad file was kept under.
    pub(crate) fn reset_after_corruption(&mut self, reset: Record, now_ms: i64) -> Result<String> {
        let _guard = self.lock(true)?;
        // A name not taken yet: a frozen clock (tests, the QA hook) repeats a millisecond,
        // and a rename onto an earlier kept file would destroy it.
        let mut kept = format!("{JOURNAL_FILE}.corrupt-{now_ms}");
        for n in 1.. {
            if fs::symlink_metadata(self.dir.join(&kept)).is_err() {
                break;
            }
            kept = format!("{JOURNAL_FILE}.corrupt-{now_ms}-{n}");
        }
        // The old journal's archives belong to its history, not the new journal's (whose
        // sequence numbers start again at 1): kept aside beside it, out of the new history.
        let mut archives = 0;
        for path in self.data_files()? {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let seq = name.strip_prefix(ARCHIVE_PREFIX).and_then(|r| r.strip_suffix(ARCHIVE_SUFFIX));
            if let Some(seq) = seq.filter(|s| s.parse::<u64>().is_ok()) {
                let aside = self.dir.join(format!("{kept}.{seq}{ARCHIVE_SUFFIX}"));
                fs::rename(&path, &aside).map_err(|e| CoreError::storage(&path, e))?;
                archives += 1;
            }
        }
        let kept_path = self.dir.join(&kept);
        match fs::rename(&self.path, &kept_path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CoreError::storage(&self.path, e)),
        }
        self.cursor = Cursor::default();
        self.reload = false;
        let mut reset = reset;
        let note = match archives {
            0 => format!("previous journal kept aside as {kept}"),
            n => format!("previous journal kept aside as {kept}, its {n} archive(s) as {kept}.<seq>{ARCHIVE_SUFFIX}"),
        };
        reset.event = record::Event::JournalReset { note };
        self.write_locked(vec![reset], None)?;
        Ok(kept)
    }

    /// Every line ever recorded, oldest first, each sequence number once: archives, then
    /// the live file, snapshot lines included (the caller checks them against the events
    /// they summarise). Where one file continues another, its first new line must be
    /// chained on the last line read so far. Also returns the hash of the live file's last
    /// line (the chain head). For proof export.
    pub(crate) fn history(&self) -> Result<(Vec<Record>, Option<String>)> {
        let _guard = self.lock(false)?;
        let mut files: Vec<(u64, PathBuf)> = Vec::new();
        for path in self.data_files()? {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(seq) = name.strip_prefix(ARCHIVE_PREFIX).and_then(|r| r.strip_suffix(ARCHIVE_SUFFIX)) {
                if let Ok(seq) = seq.parse() {
                    files.push((seq, path));
                }
            }
        }
        // Unstable: no two entries are equal, and the .so carries one sort algorithm less.
        files.sort_unstable();
        files.push((u64::MAX, self.path.clone()));
        let mut out: Vec<Record> = Vec::new();
        let mut head = None;
        // The last line read so far: its sequence number and hash.
        let (mut seen, mut seen_hash) = (0, String::new());
        for (_, path) in files {
            let Some(bytes) = read_whole(&path)? else { continue };
            let scanned = scan(&bytes, None).map_err(|c| CoreError::Corrupt {
                path: path.clone(),
                line: c.line,
                reason: c.reason,
            })?;
            let end = scanned.end.clone();
            head = scanned.end.map(|p| p.hash);
            let mut first_new = true;
            for (i, record) in scanned.records.into_iter().enumerate() {
                // Archives overlap only if a compaction was interrupted: skip repeats.
                if record.seq <= seen {
                    continue;
                }
                if first_new && seen > 0 && record.seq == seen + 1 && record.prev != seen_hash {
                    return Err(CoreError::Corrupt {
                        path: path.clone(),
                        line: i + 1,
                        reason: format!(
                            "event {} does not continue the history before it (its hash chain points elsewhere)",
                            record.seq
                        ),
                    });
                }
                first_new = false;
                seen = record.seq;
                out.push(record);
            }
            if let Some(end) = end.filter(|e| e.seq == seen) {
                seen_hash = end.hash;
            }
        }
        Ok((out, head))
    }

    /// The archived history a snapshot at the head of the live file summarises (the
    /// archive compaction made from the events before it), handed to `each` record by record
    /// (see `scan_each`), and checked to end exactly where the snapshot's chain begins.
    /// False when that archive is not in the folder.
    pub(crate) fn summarised_by(&self, snapshot: &Record, each: &mut dyn FnMut(&RecordView<'_>)) -> Result<bool> {
        let _guard = self.lock(false)?;
        let before = snapshot.seq.saturating_sub(1);
        let path = self.dir.join(format!("{ARCHIVE_PREFIX}{before}{ARCHIVE_SUFFIX}"));
        let Some(bytes) = read_whole(&path)? else { return Ok(false) };
        let scanned = scan_each(&bytes, None, each).map_err(|c| CoreError::Corrupt {
            path: path.clone(),
            line: c.line,
            reason: c.reason,
        })?;
        match scanned.end {
            Some(end) if end.seq == before && end.hash == snapshot.prev => Ok(true),
            _ => Err(CoreError::Corrupt {
                path: self.path.clone(),
                line: 1,
                reason: format!(
                    "the snapshot at seq {} is not chained on the end of its archive {}",
                    snapshot.seq,
                    path.display()
                ),
            }),
        }
    }

    fn data_files(&self) -> Result<Vec<PathBuf>> {
        let entries = fs::read_dir(&self.dir).map_err(|e| CoreError::storage(&self.dir, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| CoreError::storage(&self.dir, e))?;
            let name = entry.file_name();
            if name.to_str().is_some_and(|n| n.starts_with(JOURNAL_FILE)) {
                out.push(entry.path());
            }
        }
        Ok(out)
    }
}

fn ignore_not_found(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// Opens a file of the journal folder only if it is a regular file. A symbolic link is
/// not followed (`O_NOFOLLOW`: it could point the SDK at a forged journal or another
/// app's data), and the open never blocks (`O_NONBLOCK`: a FIFO in a file's place would
/// otherwise hang the caller, the app's main thread); anything but a regular file is
/// refused before a byte is read or written.
pub(crate) fn open_regular(path: &Path, options: &mut OpenOptions) -> std::io::Result<File> {
    open_regular_meta(path, options).map(|(file, _)| file)
}

/// `open_regular`, with the metadata it checked (one `fstat` for both).
pub(crate) fn open_regular_meta(path: &Path, options: &mut OpenOptions) -> std::io::Result<(File, fs::Metadata)> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).map_err(|e| {
        match e.raw_os_error() {
            Some(libc::ELOOP) => std::io::Error::other(
                "is a symbolic link; the consent journal's files must be regular files (links are not followed)",
            ),
            // Opening a FIFO for writing without a reader, or a device without its driver.
            Some(libc::ENXIO) => not_regular(),
            _ => e,
        }
    })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(not_regular());
    }
    Ok((file, meta))
}

fn not_regular() -> std::io::Error {
    std::io::Error::other("is not a regular file (a FIFO, socket, device or directory is never read or written)")
}

/// Creates a file that must be new (`O_EXCL`, so nothing existing, link or not, is
/// written through). A leftover of an interrupted run is removed first (the name itself,
/// never what a link there points to).
fn create_new(path: &Path) -> std::io::Result<File> {
    let open = || open_regular(path, OpenOptions::new().write(true).create_new(true));
    match open() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            open()
        }
        other => other,
    }
}

/// Refuses a journal file above the size cap (see `MAX_JOURNAL_BYTES`).
fn check_size(path: &Path, len: u64) -> Result<()> {
    if len > MAX_JOURNAL_BYTES {
        return Err(CoreError::storage(
            path,
            format!(
                "is larger than {MAX_JOURNAL_BYTES} bytes, the limit for a consent journal file (a compacted journal stays far below it); not read, decisions fail closed"
            ),
        ));
    }
    Ok(())
}

/// A whole journal file (live or archive), or `None` if it does not exist.
fn read_whole(path: &Path) -> Result<Option<Vec<u8>>> {
    let mut file = match open_regular(path, OpenOptions::new().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CoreError::storage(path, e)),
    };
    let mut bytes = Vec::new();
    (&mut file).take(MAX_JOURNAL_BYTES + 1).read_to_end(&mut bytes).map_err(|e| CoreError::storage(path, e))?;
    check_size(path, bytes.len() as u64)?;
    Ok(Some(bytes))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

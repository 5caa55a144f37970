//! The consent engine: one policy, one journal folder, one clock. Every record is
//! journaled durably before it changes the state; every decision first catches up with
//! what other processes wrote, and fails closed when the journal cannot be trusted.

mod catchup;
pub mod decision;
pub mod shared;
pub(crate) mod snapshots;
pub mod state;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::journal::record::{
    Actor, AgeBracket, Event, EventView, OsResult, PurposeRef, Record, RecordView, Surface, FORMAT_VERSION,
};
use crate::journal::{Change, Journal, JournalOptions};
use crate::permission::{Permission, RequestPlan};
use crate::policy::{Policy, Purpose};
use catchup::Catchup;
use decision::{decide, Decision, Source};
use state::ConsentState;

/// Longest locale tag a record accepts (BCP 47 asks implementations to handle 35).
const MAX_LOCALE_LEN: usize = 64;

/// Whether a record accepts `locale`: a language tag ("zh-CN", "en", "und") of at most
/// `MAX_LOCALE_LEN` characters.
fn is_recordable_locale(locale: &str) -> bool {
    locale.len() <= MAX_LOCALE_LEN && crate::policy::is_valid_locale(locale)
}

/// The locale to record for a user reading in `tag` (a BCP 47 tag as the platform writes it,
/// e.g. Java's `Locale.toLanguageTag()`): the tag when a record accepts it, else its
/// `language` (lowercased), else "und" (undetermined). The wrapper asks this (JNI
/// `localeTag`) rather than keeping a copy of the grammar.
pub(crate) fn recordable_locale(tag: &str, language: &str) -> String {
    let language = language.to_ascii_lowercase();
    if is_recordable_locale(tag) {
        tag.to_string()
    } else if is_recordable_locale(&language) {
        language
    } else {
        "und".to_string()
    }
}

/// A record's locale must be a language tag ("zh-CN", "en", "und"): it is proof of the
/// language the user read, and it goes into the journal verbatim.
fn check_locale(locale: &str) -> Result<()> {
    if is_recordable_locale(locale) {
        return Ok(());
    }
    let shown: String = locale.chars().take(40).collect();
    let more = if shown.len() < locale.len() { "..." } else { "" };
    Err(CoreError::InvalidArgument(format!(
        "locale \"{shown}{more}\" is not a language tag like \"zh-CN\" or \"en\" (BCP 47, at most {MAX_LOCALE_LEN} characters)"
    )))
}

/// Who decided, where, and in which language: stored with every event as proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub surface: Surface,
    pub locale: String,
    pub actor: Actor,
}

impl Context {
    pub fn new(surface: Surface, locale: impl Into<String>, actor: Actor) -> Context {
        Context { surface, locale: locale.into(), actor }
    }
}

/// Whether the journal can be trusted right now.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Health {
    Ok,
    /// Corrupt: sticky until another process changes the folder or the app recovers.
    Corrupt(Problem),
    /// Could not be read: retried at every decision.
    Unreadable(Problem),
}

/// What is wrong with the journal: the file and the message, and both as one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    path: PathBuf,
    message: String,
    shown: String,
}

impl Problem {
    fn of(e: &CoreError, journal: &Path) -> Problem {
        let (path, message) = match e {
            CoreError::Storage { path, message } => (path.clone(), message.clone()),
            CoreError::Corrupt { path, line, reason } => (path.clone(), format!("corrupt at line {line}: {reason}")),
            other => (journal.to_path_buf(), other.to_string()),
        };
        Problem { path, message, shown: e.to_string() }
    }

    fn not_read_yet(journal: &Path) -> Problem {
        let message = "not read yet".to_string();
        Problem { path: journal.to_path_buf(), shown: message.clone(), message }
    }

    /// The error a write or an export meets while the journal cannot be trusted.
    fn error(&self) -> CoreError {
        CoreError::Storage { path: self.path.clone(), message: self.message.clone() }
    }
}

pub struct Engine {
    policy: Policy,
    journal: Journal,
    state: ConsentState,
    health: Health,
    clock: Arc<dyn Clock>,
    /// The folder's change counter as of the last read.
    seen_generation: u64,
    /// Refusals that could not be stored (see `UnsavedRefusal`).
    unsaved_refusals: Vec<UnsavedRefusal>,
    /// Sequence number of the last event applied (0: none).
    last_seq: u64,
    /// The permissions the app's manifest requests on this device, once the wrapper said so
    /// (`None`: every permission counts as requestable).
    manifest: Option<Vec<Permission>>,
}

/// How far the OS grants go for one purpose on one device (see `Engine::os_grant`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OsGrant {
    /// Every need of the purpose is granted (or cannot be requested here).
    pub satisfied: bool,
    /// Declared permissions that can be requested here and are not granted: optional ones,
    /// alternatives not chosen (approximate instead of precise location), or needed ones.
    pub not_granted: Vec<Permission>,
    /// API 34+: only the photos and videos the user selected are granted, and a new request
    /// must show Android's photo picker again (ask the OS, not answer "granted").
    pub ask_os_again: bool,
}

impl OsGrant {
    /// Satisfied, but not everything the purpose declares is granted.
    pub fn is_partial(&self) -> bool {
        self.satisfied && !self.not_granted.is_empty()
    }
}

/// A refusal the user made that the journal could not store (disk full, read-only, I/O
/// error). It is honoured in this process anyway, so that a failed write never leaves a
/// purpose allowed against the user's "no". A later event on the same subject, from any
/// process, supersedes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnsavedRefusal {
    /// The purpose withdrawn or denied; `None` for every purpose (a guardian's consent
    /// withdrawn, or a minor's age that could not be stored).
    purpose: Option<String>,
    /// The last sequence number applied when the write failed.
    after_seq: u64,
}

impl UnsavedRefusal {
    fn of(record: &Record, after_seq: u64) -> Option<UnsavedRefusal> {
        let purpose = match &record.event {
            Event::ConsentDenied(p) | Event::ConsentWithdrawn(p) => Some(p.purpose.clone()),
            Event::PermissionRevoked { purpose: Some(p), .. } => Some(p.purpose.clone()),
            Event::GuardianConsent { given: false } => None,
            Event::AgeBracketSet { age } if age.is_minor() => None,
            Event::PolicyWithdrawn => None,
            _ => return None,
        };
        Some(UnsavedRefusal { purpose, after_seq })
    }

    /// Whether the stored event `record` is a later decision on the same subject.
    fn superseded_by(&self, record: &RecordView<'_>) -> bool {
        if matches!(record.event, EventView::JournalReset { .. }) {
            return true;
        }
        record.seq > self.after_seq
            && match &self.purpose {
                Some(p) => {
                    record.event.consent().is_some_and(|c| c.purpose == p.as_str())
                        || matches!(&record.event, EventView::PermissionRevoked { purpose: Some(c), .. } if c.purpose == p.as_str())
                }
                None => matches!(
                    record.event,
                    EventView::GuardianConsent { .. } | EventView::AgeBracketSet { .. } | EventView::PolicyAccepted
                ),
            }
    }
}

impl Engine {
    /// Opens the journal in `dir` for `policy`. Fails only when the folder cannot be
    /// created or locked; a corrupt or unreadable journal opens in the fail-closed state.
    pub fn open(policy: Policy, dir: &Path, clock: Arc<dyn Clock>, options: JournalOptions) -> Result<Engine> {
        let journal = Journal::open(dir, options)?;
        let health = Health::Unreadable(Problem::not_read_yet(journal.path()));
        let mut engine = Engine {
            policy,
            journal,
            state: ConsentState::default(),
            health,
            clock,
            seen_generation: 0,
            unsaved_refusals: Vec::new(),
            last_seq: 0,
            manifest: None,
        };
        engine.sync();
        Ok(engine)
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn state(&self) -> &ConsentState {
        &self.state
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The error that makes decisions fail closed, if any.
    pub fn storage_problem(&self) -> Option<&str> {
        match &self.health {
            Health::Ok => None,
            Health::Corrupt(p) | Health::Unreadable(p) => Some(&p.shown),
        }
    }

    /// The storage error to refuse a write or an export with, if the journal cannot be
    /// trusted right now.
    pub(crate) fn problem_error(&self) -> Option<CoreError> {
        match &self.health {
            Health::Ok => None,
            Health::Corrupt(p) | Health::Unreadable(p) => Some(p.error()),
        }
    }

    pub(crate) fn seen_generation(&self) -> u64 {
        self.seen_generation
    }

    /// Catches up with the journal if anyone wrote since the last read.
    pub fn sync(&mut self) {
        // A replaced or truncated counter file would hide other processes' writes.
        if let Err(e) = self.journal.check_counter() {
            self.fail(&e);
            return;
        }
        let generation = self.journal.generation().load_seen();
        let unchanged = generation == self.seen_generation;
        match self.health {
            Health::Ok | Health::Corrupt(_) if unchanged => return,
            _ => {}
        }
        let mut read = Catchup::new(&self.unsaved_refusals);
        match self.journal.refresh(&mut read) {
            Ok(()) => {
                self.seen_generation = generation;
                self.catch_up(read);
            }
            Err(e) => {
                self.seen_generation = generation;
                self.fail(&e);
            }
        }
    }

    fn fail(&mut self, e: &CoreError) {
        log::error!("consent journal unusable, failing closed: {e}");
        // Only a whole read can make the journal trusted again: lines appended later must not
        // be folded onto a history that failed its check.
        self.journal.read_whole_next_time();
        let problem = Problem::of(e, self.journal.path());
        self.health = match e {
            CoreError::Corrupt { .. } => Health::Corrupt(problem),
            _ => Health::Unreadable(problem),
        };
    }

    fn apply(&mut self, change: Change) {
        self.catch_up(Catchup::of(change, &self.unsaved_refusals));
    }

    /// Applies a verified read: a whole file's fold replaces the state (once its snapshot,
    /// if it opens with one, matches the archive it summarises); appended records fold onto it.
    fn catch_up(&mut self, read: Catchup) {
        match read {
            Catchup::Appended(records) => {
                for record in &records {
                    if !catchup::step(&mut self.state, &mut self.unsaved_refusals, &mut self.last_seq, &record.view()) {
                        self.snapshot_unreadable(record.seq);
                        return;
                    }
                }
            }
            Catchup::Replaced(fold) => {
                if let Err(e) = self.check_first_snapshot(fold.first_snapshot.as_ref()) {
                    self.fail(&e);
                    return;
                }
                let fold = *fold;
                self.state = fold.state;
                self.last_seq = fold.last_seq;
                self.unsaved_refusals = fold.unsaved;
                // A journal that restarted below a refusal's position (erased, reset) has
                // nothing left for that refusal to guard.
                let end = fold.end.unwrap_or(0);
                self.unsaved_refusals.retain(|u| u.after_seq <= end);
                if let Some(seq) = fold.unreadable {
                    self.snapshot_unreadable(seq);
                    return;
                }
            }
        }
        self.health = Health::Ok;
    }

    fn snapshot_unreadable(&mut self, seq: u64) {
        self.fail(&CoreError::Corrupt {
            path: self.journal.path().to_path_buf(),
            line: 0,
            reason: format!("snapshot event {seq} cannot be read"),
        });
    }

    /// A live file that starts with a snapshot (compacted) is checked against the archive
    /// it summarises, when that archive is in the folder.
    fn check_first_snapshot(&self, snapshot: Option<&Record>) -> Result<()> {
        let Some(first) = snapshot else {
            return Ok(());
        };
        let mut folded = ConsentState::default();
        let mut readable = true;
        let archived = self.journal.summarised_by(first, &mut |r| readable = readable && folded.apply_view(r))?;
        if archived && !(readable && snapshots::claims(first, &folded)) {
            return Err(CoreError::Corrupt {
                path: self.journal.path().to_path_buf(),
                line: 1,
                reason: format!(
                    "the snapshot at seq {} does not equal the fold of the archived events it summarises (a forged or damaged snapshot)",
                    first.seq
                ),
            });
        }
        Ok(())
    }

    fn purpose_index(&self, id: &str) -> Result<usize> {
        self.policy.index_of(id).ok_or_else(|| CoreError::UndeclaredPurpose { id: id.to_string() })
    }

    fn declared_permission(&self, purpose: &Purpose, name: &str) -> Result<Permission> {
        let permission = Permission::parse(name).map_err(|e| CoreError::InvalidArgument(e.to_string()))?;
        if !purpose.declares(permission) {
            return Err(CoreError::UndeclaredPermission { purpose: purpose.id.clone(), permission: name.to_string() });
        }
        Ok(permission)
    }

    // ---- decisions ------------------------------------------------------------------

    /// The decision for a purpose. Undeclared purposes are an error; everything else is
    /// an answer, and storage trouble answers "blocked".
    pub fn decide(&mut self, purpose: &str, source: Source) -> Result<Decision> {
        let index = self.purpose_index(purpose)?;
        Ok(self.decide_index(index, source))
    }

    /// As `decide`, but also checks that `permission` is one the purpose declares.
    pub fn decide_permission(&mut self, purpose: &str, permission: &str, source: Source) -> Result<Decision> {
        let index = self.purpose_index(purpose)?;
        self.declared_permission(&self.policy.purposes[index], permission)?;
        Ok(self.decide_index(index, source))
    }

    /// Whether the privacy policy of the current version is accepted, as far as a journal
    /// that can be trusted says: false while storage fails (fail closed).
    pub fn policy_accepted(&mut self) -> bool {
        self.sync();
        self.health == Health::Ok && self.state.accepted_version(&self.policy.policy_version)
    }

    /// The decision for the purpose at `index` in the policy (out of range: blocked).
    pub fn decide_index(&mut self, index: usize, source: Source) -> Decision {
        self.sync();
        self.decide_current(index, source)
    }

    /// Decides on the state as last read, without touching the disk.
    pub(crate) fn decide_current(&self, index: usize, source: Source) -> Decision {
        if self.health != Health::Ok || index >= self.policy.purposes.len() {
            return Decision::Blocked { reason: decision::BlockReason::Storage };
        }
        let id = &self.policy.purposes[index].id;
        if self.unsaved_refusals.iter().any(|u| u.purpose.as_ref().is_none_or(|p| p == id)) {
            return Decision::Blocked { reason: decision::BlockReason::Storage };
        }
        decide(&self.policy, &self.state, index, source, self.clock.as_ref())
    }

    // ---- records --------------------------------------------------------------------

    /// A record of `event` now; the journal sets its sequence number and chain link.
    fn draft(&self, event: Event, ctx: &Context) -> Record {
        Record {
            v: FORMAT_VERSION,
            seq: 0,
            ts: self.clock.now_ms(),
            policy_version: self.policy.policy_version.clone(),
            surface: ctx.surface,
            locale: ctx.locale.clone(),
            actor: ctx.actor,
            prev: String::new(),
            event,
        }
    }

    /// The purpose at `index` with the fingerprint of its current wording.
    fn purpose_ref(&self, index: usize) -> PurposeRef {
        let purpose = &self.policy.purposes[index];
        PurposeRef::new(purpose.id.clone(), purpose.fingerprint.clone())
    }

    /// Journals `records` durably, then applies them (after anything other processes
    /// wrote first). Refuses to write on top of a journal that cannot be trusted.
    fn record(&mut self, records: Vec<Record>) -> Result<()> {
        for r in &records {
            check_locale(&r.locale)?;
        }
        self.sync();
        if let Some(e) = self.problem_error() {
            return Err(e);
        }
        let refusals: Vec<UnsavedRefusal> =
            records.iter().filter_map(|r| UnsavedRefusal::of(r, self.last_seq)).collect();
        match self.journal.append(records) {
            Ok((change, stored)) => {
                self.apply(change);
                if let Some(e) = self.problem_error() {
                    // The read made under the write lock found the file unproven (a replaced
                    // journal whose snapshot fails its archive): what was just written goes on
                    // no trusted history. Fail closed; a refusal still holds in this process.
                    self.unsaved_refusals.extend(refusals);
                    return Err(e);
                }
                self.apply(Change::Appended(stored));
                self.seen_generation = self.journal.written_generation();
                let limit = self.journal.options().compact_after;
                if self.journal.live_events() > limit {
                    // Re-checked under the lock: another engine may have compacted first.
                    // The event is stored; a failed compaction only leaves a longer file.
                    if let Err(e) = self.compact_if_longer_than(limit) {
                        log::warn!("consent journal compaction failed, will retry at a later write: {e}");
                    }
                }
                Ok(())
            }
            Err(e) => {
                // The user's "no" holds in this process even though it was not stored.
                self.unsaved_refusals.extend(refusals);
                if matches!(e, CoreError::Corrupt { .. }) {
                    self.fail(&e);
                } else {
                    // Whatever reached the disk was taken back. Read the journal again from
                    // scratch before the next decision instead of trusting this copy (the
                    // file may be gone, replaced or unreadable by now).
                    log::warn!("consent journal write failed: {e}");
                    self.health = Health::Unreadable(Problem::of(&e, self.journal.path()));
                }
                Err(e)
            }
        }
    }

    /// The user accepted the privacy policy of the current version.
    pub fn accept_policy(&mut self, ctx: &Context) -> Result<()> {
        let record = self.draft(Event::PolicyAccepted, ctx);
        self.record(vec![record])
    }

    /// The user withdrew their acceptance of the privacy policy: every purpose is blocked
    /// (privacy policy not accepted) and every consent given ends, as withdrawn.
    pub fn withdraw_policy(&mut self, ctx: &Context) -> Result<()> {
        let record = self.draft(Event::PolicyWithdrawn, ctx);
        self.record(vec![record])
    }

    fn consent_event(&mut self, purpose: &str, event: fn(PurposeRef) -> Event, ctx: &Context) -> Result<()> {
        let index = self.purpose_index(purpose)?;
        let record = self.draft(event(self.purpose_ref(index)), ctx);
        self.record(vec![record])
    }

    /// The user (or guardian) agreed to the purpose as currently worded, read in `ctx.locale`.
    pub fn grant(&mut self, purpose: &str, ctx: &Context) -> Result<()> {
        let index = self.purpose_index(purpose)?;
        let mut purpose_ref = self.purpose_ref(index);
        // Bound to the translation shown in ctx.locale: other translations may change.
        let seen = self.policy.purposes[index].seen_fingerprint_for(&ctx.locale, &self.policy.default_locale);
        purpose_ref.seen_fp = Some(seen.to_string());
        let record = self.draft(Event::ConsentGranted(purpose_ref), ctx);
        self.record(vec![record])
    }

    /// The user declined in the rationale dialog.
    pub fn deny(&mut self, purpose: &str, ctx: &Context) -> Result<()> {
        self.consent_event(purpose, Event::ConsentDenied, ctx)
    }

    /// The user withdrew consent. Returns the purpose's permissions that no other allowed
    /// purpose still covers: the ones the app should give back to the OS.
    pub fn withdraw(&mut self, purpose: &str, ctx: &Context) -> Result<Vec<Permission>> {
        self.consent_event(purpose, Event::ConsentWithdrawn, ctx)?;
        let index = self.purpose_index(purpose)?;
        let covered = self.covered_permissions();
        Ok(self.policy.purposes[index].permissions.iter().copied().filter(|p| !covered.contains(p)).collect())
    }

    /// Records the OS answer for one permission requested for a purpose (see `record_os_results`).
    pub fn record_os_result(&mut self, purpose: &str, permission: &str, result: OsResult, ctx: &Context) -> Result<()> {
        self.record_os_results(purpose, &[(permission, result)], ctx).map(|_| ())
    }

    /// Records the OS answers of one system dialog for a purpose, all in one durable write.
    /// When they leave one of the purpose's needs denied (no alternative granted, in this
    /// answer or before), that is the user's "no" to the purpose: a `consent_denied` event
    /// on the same surface follows, and the cooldown starts. Returns whether it did.
    pub fn record_os_results(&mut self, purpose: &str, results: &[(&str, OsResult)], ctx: &Context) -> Result<bool> {
        let index = self.purpose_index(purpose)?;
        let mut answers = Vec::with_capacity(results.len());
        for &(name, result) in results {
            answers.push((self.declared_permission(&self.policy.purposes[index], name)?, result));
        }
        self.sync();
        let refused = self.os_refuses(index, &answers);
        let mut records = Vec::with_capacity(answers.len() + 1);
        for &(permission, result) in &answers {
            let event =
                Event::OsResult { purpose: self.purpose_ref(index), permission: permission.name().to_string(), result };
            records.push(self.draft(event, ctx));
        }
        if refused {
            records.push(self.draft(Event::ConsentDenied(self.purpose_ref(index)), ctx));
        }
        self.record(records)?;
        Ok(refused)
    }

    /// Whether `answers` deny a need of the purpose at `index` that no alternative covers.
    fn os_refuses(&self, index: usize, answers: &[(Permission, OsResult)]) -> bool {
        let granted = |p: Permission| match answers.iter().find(|(q, _)| *q == p) {
            Some((_, result)) => *result == OsResult::Granted,
            None => self.state.os.get(p.name()).is_some_and(|r| r.result == OsResult::Granted),
        };
        self.policy.purposes[index].needs.iter().any(|group| {
            group.iter().any(|p| answers.iter().any(|(q, r)| q == p && *r != OsResult::Granted))
                && !group.iter().any(|&p| granted(p))
        })
    }

    /// At a refresh: permissions the journal last saw Android grant and that it no longer
    /// grants were switched off in Android's settings. Each purpose with consent on record
    /// that no longer has what it needs gets one `permission_revoked` event, which works
    /// like a withdrawal (and the cooldown of any refusal). A revoked permission no consented
    /// purpose was using gets one event without a purpose, so the journal's last word on it
    /// is "not granted" and a later consent is not mistaken for a revocation. Nothing is
    /// recorded twice: afterwards the journal's last word is "not granted".
    /// `ctx` is normally the system-settings surface. Returns the purposes revoked.
    pub fn record_revocations(&mut self, api: u32, os_granted: &[&str], ctx: &Context) -> Result<Vec<String>> {
        self.sync();
        let granted: Vec<Permission> = os_granted.iter().filter_map(|n| Permission::parse(n).ok()).collect();
        let lost: Vec<Permission> = Permission::all()
            .filter(|p| {
                self.is_live(*p, api)
                    && !granted.contains(p)
                    && self.state.os.get(p.name()).is_some_and(|r| r.result == OsResult::Granted)
            })
            .collect();
        if lost.is_empty() {
            return Ok(Vec::new());
        }
        let mut records = Vec::new();
        let mut revoked = Vec::new();
        let mut explained = Vec::new();
        for (index, purpose) in self.policy.purposes.iter().enumerate() {
            let consented =
                self.state.purposes.get(&purpose.id).is_some_and(|r| r.status == state::ConsentStatus::Granted);
            if !consented || self.os_grant_of(index, api, &granted).satisfied {
                continue;
            }
            if let Some(&permission) = lost.iter().find(|p| purpose.needs_permission(**p)) {
                let event = Event::PermissionRevoked {
                    purpose: Some(self.purpose_ref(index)),
                    permission: permission.name().to_string(),
                };
                records.push(self.draft(event, ctx));
                revoked.push(purpose.id.clone());
                explained.push(permission);
            }
        }
        for &permission in lost.iter().filter(|p| !explained.contains(p)) {
            records.push(
                self.draft(Event::PermissionRevoked { purpose: None, permission: permission.name().to_string() }, ctx),
            );
        }
        self.record(records)?;
        Ok(revoked)
    }

    pub fn set_age_bracket(&mut self, age: AgeBracket, ctx: &Context) -> Result<()> {
        let record = self.draft(Event::AgeBracketSet { age }, ctx);
        self.record(vec![record])
    }

    /// A guardian gave (or withdrew) consent for a minor.
    pub fn set_guardian_consent(&mut self, given: bool, ctx: &Context) -> Result<()> {
        let record = self.draft(Event::GuardianConsent { given }, ctx);
        self.record(vec![record])
    }

    /// Account deletion: removes every record. Decisions afterwards start from nothing
    /// (privacy policy not accepted).
    pub fn erase(&mut self) -> Result<()> {
        self.journal.erase()?;
        self.state = ConsentState::default();
        self.unsaved_refusals.clear();
        self.last_seq = 0;
        self.health = Health::Ok;
        self.seen_generation = self.journal.written_generation();
        Ok(())
    }

    /// After corruption: keeps the bad journal aside untouched and starts a new one.
    /// Every consent must then be given again. Returns the kept file's name.
    pub fn recover_from_corruption(&mut self, ctx: &Context) -> Result<String> {
        check_locale(&ctx.locale)?;
        // The journal writes the note (where it kept the corrupt file).
        let reset = self.draft(Event::JournalReset { note: String::new() }, ctx);
        let now = self.clock.now_ms();
        let kept = self.journal.reset_after_corruption(reset, now)?;
        self.state = ConsentState::default();
        self.unsaved_refusals.clear();
        self.last_seq = 0;
        self.health = Health::Ok;
        self.seen_generation = 0;
        self.sync();
        Ok(kept)
    }

    /// Folds the journal into a snapshot; the history moves to an archive kept for proof.
    pub fn compact(&mut self) -> Result<()> {
        // A live file of one line (nothing, or a snapshot alone) has nothing to fold.
        self.compact_if_longer_than(1)
    }

    fn compact_if_longer_than(&mut self, more_than: usize) -> Result<()> {
        self.sync();
        if let Some(e) = self.problem_error() {
            return Err(e);
        }
        let mut state = self.state.clone();
        let ctx = Context::new(Surface::Sdk, "und", Actor::System);
        let mut draft = self.draft(Event::Snapshot { state: serde_json::Value::Null }, &ctx);
        let change = self.journal.compact(more_than, |pending| {
            for r in pending {
                state.apply(r);
            }
            draft.event = Event::Snapshot { state: serde_json::to_value(&state).expect("state serializes") };
            draft
        })?;
        self.apply(change);
        self.seen_generation = self.journal.written_generation();
        Ok(())
    }

    // ---- questions about permissions ------------------------------------------------

    /// Permissions of purposes that are allowed right now.
    fn covered_permissions(&self) -> Vec<Permission> {
        let mut out = Vec::new();
        for (i, purpose) in self.policy.purposes.iter().enumerate() {
            if self.decide_current(i, Source::Feature).is_allowed() {
                out.extend(purpose.permissions.iter().copied());
            }
        }
        out
    }

    /// Permissions the OS has granted that no current consent covers: the app asked
    /// around the SDK, or a consent was withdrawn and the grant not yet revoked.
    /// Names outside this SDK's scope are ignored, and so are permissions newer than the
    /// policy's schema (a schema-1 app keeps the answers it always got).
    pub fn reconcile(&mut self, os_granted: &[&str]) -> Vec<Permission> {
        self.sync();
        let covered = self.covered_permissions();
        let schema = self.policy.schema;
        let uncovered: Vec<Permission> = os_granted
            .iter()
            .filter_map(|name| Permission::parse(name).ok())
            .filter(|p| p.since_schema() <= schema)
            .filter(|p| !covered.contains(p))
            .collect();
        // In declaration order, each once: no sort (one generic sort less in the .so).
        Permission::all().filter(|p| uncovered.contains(p)).collect()
    }

    /// Tells the engine which permissions the app's manifest requests on this device
    /// (Android's `PackageInfo.requestedPermissions`, which already leaves out entries above
    /// their `maxSdkVersion`). From then on a permission outside it is never planned and
    /// needs no OS grant: the app cannot ask for it here. Names outside the SDK's scope
    /// are ignored.
    pub fn set_manifest_permissions(&mut self, names: &[&str]) {
        self.manifest = Some(names.iter().filter_map(|n| Permission::parse(n).ok()).collect());
    }

    /// Whether asking the OS for `p` means anything here: its API range and the manifest.
    fn is_live(&self, p: Permission, api: u32) -> bool {
        p.requestable_on(api) && self.manifest.as_ref().is_none_or(|m| m.contains(&p))
    }

    /// What to ask the OS for, for a purpose on a device at `api`, given what it has granted:
    /// only permissions the app can request here.
    pub fn request_plan(&self, purpose: &str, api: u32, os_granted: &[&str]) -> Result<RequestPlan> {
        let index = self.purpose_index(purpose)?;
        let granted: Vec<Permission> = os_granted.iter().filter_map(|n| Permission::parse(n).ok()).collect();
        let mut plan = RequestPlan::for_api(&self.policy.purposes[index].permissions, api, &granted);
        plan.first.retain(|&p| self.is_live(p, api));
        plan.special.retain(|&p| self.is_live(p, api));
        plan.background_location = plan.background_location.filter(|&p| self.is_live(p, api));
        plan.background_sensors = plan.background_sensors.filter(|&p| self.is_live(p, api));
        Ok(plan)
    }

    /// How far the OS grants go for the purpose at `index` on `api` (out of range: nothing).
    /// A need is met when one of its alternatives is granted, or none of them can be
    /// requested here (e.g. storage write on 30+, or left out of the manifest): then consent
    /// alone governs it.
    pub fn os_grant(&self, index: usize, api: u32, os_granted: &[&str]) -> OsGrant {
        let granted: Vec<Permission> = os_granted.iter().filter_map(|n| Permission::parse(n).ok()).collect();
        self.os_grant_of(index, api, &granted)
    }

    fn os_grant_of(&self, index: usize, api: u32, granted: &[Permission]) -> OsGrant {
        let Some(purpose) = self.policy.purposes.get(index) else {
            return OsGrant { satisfied: false, not_granted: Vec::new(), ask_os_again: false };
        };
        let has = |p: Permission| granted.contains(&p);
        let satisfied = purpose.needs.iter().all(|group| {
            let mut live = group.iter().copied().filter(|&p| self.is_live(p, api)).peekable();
            live.peek().is_none() || live.any(has)
        });
        let full_media = has(Permission::ReadMediaImages) || has(Permission::ReadMediaVideo);
        let not_granted: Vec<Permission> = purpose
            .permissions
            .iter()
            .copied()
            .filter(|&p| self.is_live(p, api) && !has(p))
            // Full photo or video access includes the user-selected ones.
            .filter(|&p| !(p == Permission::ReadMediaVisualUserSelected && full_media))
            .collect();
        let ask_os_again = api >= 34
            && has(Permission::ReadMediaVisualUserSelected)
            && not_granted.iter().any(|p| matches!(p, Permission::ReadMediaImages | Permission::ReadMediaVideo));
        OsGrant { satisfied, not_granted, ask_os_again }
    }

    /// Whether the OS grants are enough to use the purpose on `api` (see `os_grant`).
    pub fn os_grants_satisfy(&self, index: usize, api: u32, os_granted: &[&str]) -> bool {
        self.os_grant(index, api, os_granted).satisfied
    }

    /// The last answer the OS gave for `permission` as the journal has it, if any.
    pub(crate) fn last_os_result(&self, permission: &str) -> Option<OsResult> {
        self.state.os.get(permission).map(|r| r.result)
    }
}

#[cfg(test)]
mod locale_tests {
    use super::*;
    use crate::clock::ManualClock;

    const POLICY: &str = r#"{"schema":1,"policy_version":"v1","default_locale":"en","purposes":[
        {"id":"feedback_photo","permissions":["android.permission.CAMERA"],"description":{"en":"Photo"}}]}"#;

    #[test]
    fn the_recordable_locale_is_the_tag_else_its_language_else_und() {
        assert_eq!(recordable_locale("zh-CN", "zh"), "zh-CN");
        assert_eq!(recordable_locale("zh-Hans-CN", "zh"), "zh-Hans-CN");
        assert_eq!(recordable_locale("und", ""), "und");
        // Longer than a record keeps (Unicode extensions): the language alone.
        let long = "en-US-u-ca-gregory-co-phonebk-cu-usd-fw-mon-hc-h23-ms-metric-mu-celsius-nu-latn";
        assert!(long.len() > MAX_LOCALE_LEN);
        assert_eq!(recordable_locale(long, "en"), "en");
        assert_eq!(recordable_locale("en_US", "EN"), "en");
        assert_eq!(recordable_locale("", ""), "und");
        assert_eq!(recordable_locale("x", "\u{fffd}"), "und");
    }

    #[test]
    fn records_refuse_a_locale_that_is_not_a_language_tag() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        let mut e = Engine::open(Policy::parse(POLICY).unwrap(), dir.path(), clock, JournalOptions::default()).unwrap();
        let long = "a".repeat(1 << 20);
        for bad in ["", "zh_CN", "EN", "\u{fffd}", long.as_str()] {
            let err = e.accept_policy(&Context::new(Surface::App, bad, Actor::User)).unwrap_err();
            assert!(matches!(err, CoreError::InvalidArgument(_)), "{bad:.20}: {err}");
            assert!(err.to_string().len() < 300, "the message stays short: {}", err.to_string().len());
            let err = e.recover_from_corruption(&Context::new(Surface::App, bad, Actor::User)).unwrap_err();
            assert!(matches!(err, CoreError::InvalidArgument(_)), "{bad:.20}: {err}");
        }
        assert!(!dir.path().join(crate::journal::JOURNAL_FILE).exists(), "nothing was written");
        for good in ["zh-CN", "en", "und", "zh-Hans-CN"] {
            e.accept_policy(&Context::new(Surface::App, good, Actor::User)).unwrap();
        }
        assert_eq!(
            e.decide("feedback_photo", Source::Feature).unwrap(),
            Decision::NeedsConsent { reason: decision::ConsentReason::NeverAsked }
        );
    }
}

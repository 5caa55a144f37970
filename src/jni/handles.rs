//! Engine handles: the `long` that Kotlin holds for one engine.
//!
//! # Why a table of leaked husks
//!
//! A handle must stay safe to use after `close()`, because another thread may already be
//! inside a call with it (Kotlin checks its `closed` flag, then calls native: `close` can
//! happen in between). So the memory a handle reaches is never freed:
//!
//! - `open` boxes an [`EngineHandle`] (the [`SharedEngine`] and its clock) and leaks it.
//! - `close` calls [`SharedEngine::close`], which drops the heavy part (the `Engine`: policy,
//!   state, journal file handles). What stays is a husk of a few hundred bytes (a mutex
//!   holding `None`, one flag per purpose, a closed flag, the clock) that answers "not
//!   allowed" on the hot path and `Closed` everywhere else, forever.
//! - Slots are never reused, so a stale handle can never reach a different, newer engine.
//!
//! The handle is not the pointer itself but a tagged slot number in a two-level table of
//! atomic pointers. A lookup is a tag check, two bounds checks and two acquire loads (plain
//! loads on x86-64 and arm64), so it costs the hot path next to nothing, and any `long`,
//! including 0, a negative number or a forged value, resolves to a live engine, a closed
//! husk, or nothing: never to freed or foreign memory.
//!
//! Cost of the choice: a few hundred bytes per engine ever opened in the process, plus
//! 8 KiB per 1024 engines of table. Apps open one engine per process; tests open hundreds.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex};

use crate::clock::AdjustableClock;
use crate::engine::shared::SharedEngine;
use crate::error::{CoreError, Result};

/// What one handle reaches.
pub(crate) struct EngineHandle {
    pub(crate) shared: SharedEngine,
    /// The engine's clock, controlled over JNI by tests and the QA hook.
    pub(crate) clock: Arc<AdjustableClock>,
}

const CHUNK_BITS: u32 = 10;
const CHUNK_LEN: usize = 1 << CHUNK_BITS;
const CHUNKS: usize = 1024;
/// Engines one process can open over its lifetime.
pub(crate) const MAX_ENGINES: usize = CHUNK_LEN * CHUNKS;

/// High 32 bits of every handle ("CGT1"): 0, small numbers and most garbage are not handles.
const TAG: u64 = 0x4347_5431;

type Chunk = [AtomicPtr<EngineHandle>; CHUNK_LEN];

static TABLE: [AtomicPtr<Chunk>; CHUNKS] = [const { AtomicPtr::new(ptr::null_mut()) }; CHUNKS];
/// The next free slot; taken under this lock (cold path only).
static NEXT_SLOT: Mutex<usize> = Mutex::new(0);

/// Publishes `handle` for the rest of the process's life and returns its number.
pub(crate) fn register(handle: EngineHandle) -> Result<i64> {
    let mut next = NEXT_SLOT.lock().unwrap_or_else(|p| p.into_inner());
    let slot = *next;
    if slot >= MAX_ENGINES {
        handle.shared.close();
        return Err(CoreError::Internal(format!(
            "this process has opened {MAX_ENGINES} consent engines, the most it can; reuse an engine instead of opening one per call"
        )));
    }
    let chunk_slot = &TABLE[slot >> CHUNK_BITS];
    let mut chunk = chunk_slot.load(Ordering::Acquire);
    if chunk.is_null() {
        let fresh: Box<Chunk> = Box::new([const { AtomicPtr::new(ptr::null_mut()) }; CHUNK_LEN]);
        chunk = Box::into_raw(fresh);
        // Only this thread writes table entries (under NEXT_SLOT), so a plain store suffices.
        chunk_slot.store(chunk, Ordering::Release);
    }
    let leaked: *mut EngineHandle = Box::into_raw(Box::new(handle));
    // SAFETY: `chunk` is a leaked, never-freed allocation published above or earlier.
    unsafe { &(*chunk)[slot & (CHUNK_LEN - 1)] }.store(leaked, Ordering::Release);
    *next = slot + 1;
    Ok(encode(slot))
}

/// The engine behind `handle`, open or closed; `None` for anything that is not a handle.
#[inline]
pub(crate) fn get(handle: i64) -> Option<&'static EngineHandle> {
    let slot = decode(handle)?;
    let chunk = TABLE[slot >> CHUNK_BITS].load(Ordering::Acquire);
    if chunk.is_null() {
        return None;
    }
    // SAFETY: chunks and the handles they point to are leaked on publication and never
    // freed or unpublished, so a non-null pointer read here stays valid for 'static.
    let entry = unsafe { &(*chunk)[slot & (CHUNK_LEN - 1)] }.load(Ordering::Acquire);
    if entry.is_null() {
        None
    } else {
        Some(unsafe { &*entry })
    }
}

fn encode(slot: usize) -> i64 {
    ((TAG << 32) | (slot as u64 + 1)) as i64
}

#[inline]
fn decode(handle: i64) -> Option<usize> {
    let bits = handle as u64;
    if bits >> 32 != TAG {
        return None;
    }
    let slot = (bits & 0xFFFF_FFFF).checked_sub(1)? as usize;
    (slot < MAX_ENGINES).then_some(slot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::JournalOptions;
    use crate::policy::Policy;
    use crate::Engine;

    const POLICY: &str = r#"{"schema":1,"policy_version":"v1","default_locale":"en","purposes":[
        {"id":"feedback_photo","permissions":["android.permission.CAMERA"],"description":{"en":"Photo"}}]}"#;

    fn handle(dir: &std::path::Path) -> EngineHandle {
        let clock = Arc::new(AdjustableClock::new());
        let engine =
            Engine::open(Policy::parse(POLICY).unwrap(), dir, clock.clone(), JournalOptions::default()).unwrap();
        EngineHandle { shared: SharedEngine::new(engine), clock }
    }

    #[test]
    fn handles_resolve_to_their_own_engine_and_survive_close() {
        let a_dir = tempfile::tempdir().unwrap();
        let b_dir = tempfile::tempdir().unwrap();
        let a = register(handle(a_dir.path())).unwrap();
        let b = register(handle(b_dir.path())).unwrap();
        assert_ne!(a, b);
        let (ea, eb) = (get(a).unwrap(), get(b).unwrap());
        assert!(!ptr::eq(ea, eb));
        ea.shared.close();
        let again = get(a).expect("a closed engine's handle still resolves");
        assert!(ptr::eq(ea, again));
        assert!(again.shared.is_closed());
        assert!(!again.shared.is_allowed(0));
        assert!(!get(b).unwrap().shared.is_closed(), "closing one engine leaves the other open");
        get(b).unwrap().shared.close();
    }

    #[test]
    fn anything_that_is_not_a_handle_resolves_to_nothing() {
        for bogus in [0, 1, -1, i64::MIN, i64::MAX, 42, (TAG << 32) as i64, ((TAG << 32) | 0xFFFF_FFFF) as i64] {
            assert!(get(bogus).is_none(), "{bogus:#x}");
        }
        // A well-formed number for a slot that was never handed out.
        assert!(get(encode(MAX_ENGINES - 1)).is_none());
    }

    #[test]
    fn registration_from_many_threads_gives_distinct_working_handles() {
        let dir = tempfile::tempdir().unwrap();
        let handles: Vec<i64> = std::thread::scope(|s| {
            let joins: Vec<_> = (0..8).map(|_| s.spawn(|| register(handle(dir.path())).unwrap())).collect();
            joins.into_iter().map(|j| j.join().unwrap()).collect()
        });
        let mut sorted = handles.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 8);
        for h in handles {
            let e = get(h).unwrap();
            assert_eq!(e.shared.purpose_count(), 1);
            e.shared.close();
        }
    }
}

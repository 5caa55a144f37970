//! A thread-safe engine with a lock-free hot path.
//!
//! `is_allowed(index)` is what apps call at every point of use. It reads one flag per
//! purpose and compares the folder's shared change counter with the value the flags were
//! computed at: two atomic loads, no lock, no system call. Any write, by this process or
//! another, bumps the counter, and the next call recomputes the flags under the lock.
//! "Allowed" does not depend on the clock (only cooldowns do), so the flags never go stale
//! with time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use super::decision::Source;
use super::Engine;
use crate::error::{CoreError, Result};
use crate::journal::generation::Generation;

pub struct SharedEngine {
    inner: Mutex<Option<Engine>>,
    allowed: Box<[AtomicBool]>,
    /// The folder's change counter that `allowed` reflects.
    computed_at: AtomicU64,
    generation: &'static Generation,
    closed: AtomicBool,
}

impl SharedEngine {
    pub fn new(engine: Engine) -> SharedEngine {
        let allowed = (0..engine.policy().purposes.len()).map(|_| AtomicBool::new(false)).collect();
        let shared = SharedEngine {
            generation: engine.journal.generation(),
            inner: Mutex::new(Some(engine)),
            allowed,
            computed_at: AtomicU64::new(u64::MAX),
            closed: AtomicBool::new(false),
        };
        // Computes the flags once; an error here only leaves them false (fail closed).
        let _ = shared.with(|_| Ok(()));
        shared
    }

    /// The hot path: is the purpose at `index` allowed right now? False for an index out
    /// of range, a closed engine, or any trouble (fail closed).
    #[inline]
    pub fn is_allowed(&self, index: usize) -> bool {
        let Some(flag) = self.allowed.get(index) else {
            return false;
        };
        if self.closed.load(Ordering::Relaxed) {
            return false;
        }
        if self.generation.load() != self.computed_at.load(Ordering::Acquire) {
            return self.refresh_and_decide(index);
        }
        flag.load(Ordering::Relaxed)
    }

    /// The hot path's rare branch (the journal changed since the flags were computed), kept
    /// out of line so the common case needs no stack frame.
    #[cold]
    #[inline(never)]
    fn refresh_and_decide(&self, index: usize) -> bool {
        self.with(|engine| Ok(engine.decide_current(index, Source::Feature).is_allowed())).unwrap_or(false)
    }

    /// Runs `f` on the engine under the lock, after catching up with the journal, and
    /// recomputes the hot-path flags afterwards. Generic but tiny: the work is in
    /// [`SharedEngine::run`], compiled once (inlined into each of the JNI bridge's ~40 cold
    /// entry points it was ~1.3 KB of each).
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&mut Engine) -> Result<R>) -> Result<R> {
        let mut f = Some(f);
        let mut result = None;
        self.run(&mut |engine| result = f.take().map(|f| f(engine)))?;
        result.unwrap_or_else(|| Err(not_run()))
    }

    #[inline(never)]
    fn run(&self, f: &mut dyn FnMut(&mut Engine)) -> Result<()> {
        let mut guard = self.inner.lock().map_err(|_| {
            CoreError::Internal("an earlier call panicked while holding the engine; it stays closed".into())
        })?;
        let engine = guard.as_mut().ok_or(CoreError::Closed)?;
        engine.sync();
        f(engine);
        engine.sync();
        let at = engine.seen_generation();
        // Invalidate first, so no reader pairs new flags with the old counter.
        self.computed_at.store(u64::MAX, Ordering::Release);
        for (i, flag) in self.allowed.iter().enumerate() {
            flag.store(engine.decide_current(i, Source::Feature).is_allowed(), Ordering::Relaxed);
        }
        self.computed_at.store(at, Ordering::Release);
        Ok(())
    }

    /// Closes the engine: drops its journal handle and state. Later calls fail with
    /// `Closed` (or answer "not allowed" on the hot path). Closing twice is fine.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        for flag in self.allowed.iter() {
            flag.store(false, Ordering::SeqCst);
        }
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.take();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    #[cfg(test)]
    pub(crate) fn purpose_count(&self) -> usize {
        self.allowed.len()
    }
}

/// `run` returned without calling its closure: cannot happen (it calls it exactly once
/// whenever it returns `Ok`); an error rather than a panic all the same.
#[cold]
fn not_run() -> CoreError {
    CoreError::Internal("the engine call was not run".into())
}

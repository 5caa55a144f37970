//! Wall-clock time in UTC milliseconds, behind a trait so tests and the QA hook can move it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_ms(&self) -> i64;
}

/// The device clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_millis() as i64,
            // A clock set before 1970 reads as negative time; cooldowns then stay closed.
            Err(e) => -(e.duration().as_millis() as i64),
        }
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Default)]
pub struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    pub fn new(now_ms: i64) -> ManualClock {
        ManualClock { now: AtomicI64::new(now_ms) }
    }

    pub fn set(&self, now_ms: i64) {
        self.now.store(now_ms, Ordering::SeqCst);
    }

    pub fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }
}

/// A clock that tests and the QA hook can control per engine: the device clock plus an
/// adjustable offset, or frozen at a fixed time. Starts as the plain device clock.
///
/// Lock-free: one atomic holds the frozen time (or `NOT_FIXED`), another the offset.
#[derive(Debug)]
pub struct AdjustableClock {
    fixed_ms: AtomicI64,
    offset_ms: AtomicI64,
}

/// Sentinel in `fixed_ms`: not frozen. `set_fixed` never stores it (see there).
const NOT_FIXED: i64 = i64::MIN;

impl Default for AdjustableClock {
    fn default() -> Self {
        AdjustableClock { fixed_ms: AtomicI64::new(NOT_FIXED), offset_ms: AtomicI64::new(0) }
    }
}

impl AdjustableClock {
    pub fn new() -> AdjustableClock {
        AdjustableClock::default()
    }

    /// Freezes the clock at `now_ms` (UTC ms). `i64::MIN` is read as `i64::MIN + 1`.
    pub(crate) fn set_fixed(&self, now_ms: i64) {
        self.fixed_ms.store(now_ms.max(NOT_FIXED + 1), Ordering::SeqCst);
    }

    /// Unfreezes the clock: the device clock plus `offset_ms` from now on.
    pub(crate) fn set_offset(&self, offset_ms: i64) {
        self.offset_ms.store(offset_ms, Ordering::SeqCst);
        self.fixed_ms.store(NOT_FIXED, Ordering::SeqCst);
    }

    /// Moves the clock by `ms` (negative goes back): the frozen time if frozen, else the offset.
    pub fn advance(&self, ms: i64) {
        let moved = self.fixed_ms.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |fixed| {
            (fixed != NOT_FIXED).then(|| fixed.saturating_add(ms).max(NOT_FIXED + 1))
        });
        if moved.is_err() {
            let _ = self.offset_ms.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| Some(o.saturating_add(ms)));
        }
    }

    /// Back to the plain device clock: not frozen, no offset.
    pub(crate) fn use_system(&self) {
        self.set_offset(0);
    }

    /// The frozen time, if the clock is frozen.
    pub(crate) fn fixed(&self) -> Option<i64> {
        let fixed = self.fixed_ms.load(Ordering::SeqCst);
        (fixed != NOT_FIXED).then_some(fixed)
    }

    /// The offset added to the device clock while not frozen.
    pub(crate) fn offset(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }
}

impl Clock for AdjustableClock {
    fn now_ms(&self) -> i64 {
        match self.fixed() {
            Some(fixed) => fixed,
            None => SystemClock.now_ms().saturating_add(self.offset()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn adjustable_clock_starts_as_the_device_clock() {
        let clock = AdjustableClock::new();
        let before = SystemClock.now_ms();
        let now = clock.now_ms();
        assert!(now >= before && now - before < 60_000, "{now} vs {before}");
        assert_eq!(clock.fixed(), None);
    }

    #[test]
    fn adjustable_clock_freezes_moves_and_returns_to_the_device_clock() {
        let clock = AdjustableClock::new();
        clock.set_fixed(1_700_000_000_000);
        assert_eq!(clock.now_ms(), 1_700_000_000_000);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now_ms(), 1_700_000_000_000, "frozen");
        clock.advance(49 * HOUR);
        assert_eq!(clock.now_ms(), 1_700_000_000_000 + 49 * HOUR);
        clock.advance(-HOUR);
        assert_eq!(clock.now_ms(), 1_700_000_000_000 + 48 * HOUR);

        clock.set_offset(48 * HOUR);
        let expected = SystemClock.now_ms() + 48 * HOUR;
        assert!((clock.now_ms() - expected).abs() < 60_000, "offset applies to the device clock");
        clock.advance(HOUR);
        assert_eq!(clock.offset(), 49 * HOUR);

        clock.use_system();
        assert!((clock.now_ms() - SystemClock.now_ms()).abs() < 60_000);
        assert_eq!((clock.fixed(), clock.offset()), (None, 0));
    }

    #[test]
    fn adjustable_clock_extremes_saturate_instead_of_wrapping() {
        let clock = AdjustableClock::new();
        clock.set_fixed(i64::MIN);
        assert_eq!(clock.fixed(), Some(i64::MIN + 1), "i64::MIN is the sentinel, never stored");
        clock.set_fixed(i64::MAX);
        clock.advance(1);
        assert_eq!(clock.now_ms(), i64::MAX);
        clock.set_offset(i64::MAX);
        assert_eq!(clock.now_ms(), i64::MAX);
    }
}

//! A change counter shared by every process that uses one journal folder: a memory-mapped
//! 8-byte file, `consent.gen`. Writers bump it after each durable append; readers compare
//! it with the value they last saw, so the hot path learns about another process's write
//! with one atomic load instead of a system call.
//!
//! The file belongs to the app, so anything can happen to it while it is mapped:
//! - Truncated: a load from a mapped page past the end of its file raises SIGBUS, which
//!   would kill the app. Counters live in one reserved address range, and a SIGBUS
//!   handler for that range only puts an anonymous page holding `POISONED` in the
//!   counter's place: the load returns, the hot path sees a change, and the slow path
//!   maps the file again (`check`). Faults anywhere else go to the handler installed
//!   before (the JVM's, ART's, Rust's).
//! - Replaced (deleted and created again by another process): `check`, run on every slow
//!   path, compares the file's identity with the mapped one, like the lock file's, and
//!   maps the new file in place.
//! - A link or not a regular file: refused (never followed, never blocks).
//!
//! A folder's mapping is released when the last journal of the folder in this process is
//! dropped (engine closed), so opening engines in many folders does not exhaust the
//! process's map count. The slot keeps an anonymous page, so a closed engine's husk that
//! races its own close still reads memory (and answers "not allowed").

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use super::open_regular_meta;

pub(crate) const COUNTER_FILE: &str = "consent.gen";
/// What a counter reads after its file was truncated under the mapping. No counter
/// reaches it by counting.
pub(crate) const POISONED: u64 = u64::MAX - 1;
/// Journal folders one process can have open at once.
pub(crate) const MAX_OPEN_FOLDERS: usize = 4096;
/// Added to a counter that was mapped again (replaced or truncated file): larger than any
/// value an engine of any process can have seen of the old file, so no one mistakes the
/// new counter for the value its state was computed at.
const REMAP_JUMP: u64 = 1 << 40;

const PAGE: usize = 4096;

pub(crate) struct Generation {
    /// This slot's page in the reserved range.
    addr: usize,
    /// The highest value engines of this process have been handed (see `REMAP_JUMP`).
    high_water: AtomicU64,
    mapped: Mutex<Option<Mapped>>,
}

struct Mapped {
    dir: PathBuf,
    /// (device, inode) of the mapped file.
    file_id: (u64, u64),
    /// Journals of this process using the slot.
    users: usize,
}

impl Generation {
    fn counter(&self) -> &AtomicU64 {
        // SAFETY: `addr` is a page of the reserved range, which is never unmapped: it
        // always holds either the counter file's page or an anonymous page. Page-aligned,
        // so 8-aligned; accessed only atomically by this code in every process.
        unsafe { &*(self.addr as *const AtomicU64) }
    }

    /// The counter, for the hot path: one atomic load.
    #[inline]
    pub(crate) fn load(&self) -> u64 {
        self.counter().load(Ordering::Acquire)
    }

    /// The counter, for an engine that will remember it as read.
    pub(crate) fn load_seen(&self) -> u64 {
        let v = self.load();
        self.saw(v);
        v
    }

    /// Adds one; returns the new value.
    pub(crate) fn bump(&self) -> u64 {
        let v = self.counter().fetch_add(1, Ordering::AcqRel).wrapping_add(1);
        self.saw(v);
        v
    }

    fn saw(&self, v: u64) {
        if v != POISONED {
            self.high_water.fetch_max(v, Ordering::AcqRel);
        }
    }

    /// Maps the folder's counter file again if it is not the mapped one any more
    /// (replaced, truncated): called on every slow path. Returns whether it did.
    pub(crate) fn check(&self, dir: &Path) -> std::io::Result<bool> {
        let path = dir.join(COUNTER_FILE);
        let mut mapped = self.mapped.lock().unwrap_or_else(|p| p.into_inner());
        let Some(m) = mapped.as_mut() else { return Ok(false) };
        let same = match std::fs::symlink_metadata(&path) {
            Ok(meta) => (meta.dev(), meta.ino()) == m.file_id && meta.len() >= 8,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        if same && self.load() != POISONED {
            return Ok(false);
        }
        // Tell processes still mapping the old file that something changed.
        self.counter().fetch_add(1, Ordering::AcqRel);
        m.file_id = map_file(&path, self.addr)?;
        let floor = self.high_water.load(Ordering::Acquire);
        let _ = self
            .counter()
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| Some(v.max(floor).wrapping_add(REMAP_JUMP)));
        self.saw(self.load());
        log::warn!("consent journal change counter {} was replaced or truncated; mapped again", path.display());
        Ok(true)
    }
}

/// A journal's use of its folder's counter; released when dropped.
pub(crate) struct CounterLease {
    generation: &'static Generation,
}

impl CounterLease {
    pub(crate) fn generation(&self) -> &'static Generation {
        self.generation
    }
}

impl Drop for CounterLease {
    fn drop(&mut self) {
        let reg = registry();
        let mut folders = reg.folders.lock().unwrap_or_else(|p| p.into_inner());
        let mut mapped = self.generation.mapped.lock().unwrap_or_else(|p| p.into_inner());
        let Some(m) = mapped.as_mut() else { return };
        m.users -= 1;
        if m.users == 0 {
            folders.remove(&m.dir);
            *mapped = None;
            drop(mapped);
            // An anonymous page in its place: any racing reader still reads memory.
            if unmap_to_anonymous(self.generation.addr).is_ok() {
                reg.give_back(self.generation);
            }
        }
    }
}

struct Registry {
    base: usize,
    /// Canonical folder -> its slot.
    folders: Mutex<HashMap<PathBuf, &'static Generation>>,
    free: Mutex<FreeSlots>,
}

/// Slots are made when first needed (not all `MAX_OPEN_FOLDERS` at the first open: their
/// 300 KB were most of an empty journal's open in a fresh process) and never freed: a slot
/// released by its last journal is reused.
struct FreeSlots {
    /// Slots made before and not in use now.
    released: Vec<&'static Generation>,
    /// Pages of the range never given a slot yet: from this index on.
    next_page: usize,
}

impl Registry {
    fn take_slot(&self) -> Option<&'static Generation> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = free.released.pop() {
            return Some(slot);
        }
        if free.next_page == MAX_OPEN_FOLDERS {
            return None;
        }
        let addr = self.base + free.next_page * PAGE;
        free.next_page += 1;
        Some(Box::leak(Box::new(Generation { addr, high_water: AtomicU64::new(0), mapped: Mutex::new(None) })))
    }

    fn give_back(&self, slot: &'static Generation) {
        self.free.lock().unwrap_or_else(|p| p.into_inner()).released.push(slot);
    }
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();
static REGION: (AtomicU64, AtomicU64) = (AtomicU64::new(0), AtomicU64::new(0));

fn registry() -> &'static Registry {
    REGISTRY.get_or_init(|| {
        let len = MAX_OPEN_FOLDERS * PAGE;
        // SAFETY: a fresh anonymous reservation; nothing else uses this range.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        assert!(base != libc::MAP_FAILED, "cannot reserve address space for the consent change counters");
        let base = base as usize;
        REGION.0.store(base as u64, Ordering::Release);
        REGION.1.store((base + len) as u64, Ordering::Release);
        install_sigbus_handler();
        let free = FreeSlots { released: Vec::new(), next_page: 0 };
        Registry { base, folders: Mutex::new(HashMap::new()), free: Mutex::new(free) }
    })
}

/// The counter for `dir`, mapped once per folder per process while any journal of the
/// folder is open here.
pub(crate) fn for_dir(dir: &Path) -> std::io::Result<CounterLease> {
    let reg = registry();
    let key = dir.canonicalize()?;
    let mut folders = reg.folders.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(&generation) = folders.get(&key) {
        let mut mapped = generation.mapped.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = mapped.as_mut() {
            m.users += 1;
            drop(mapped);
            // The folder may have been deleted and made again since: `check` maps the new file.
            let lease = CounterLease { generation };
            lease.generation.check(&key)?;
            return Ok(lease);
        }
    }
    let generation = reg.take_slot().ok_or_else(|| {
        std::io::Error::other(format!(
            "more than {MAX_OPEN_FOLDERS} consent journal folders are open in this process at once"
        ))
    })?;
    let file_id = match map_file(&key.join(COUNTER_FILE), generation.addr) {
        Ok(id) => id,
        Err(e) => {
            reg.give_back(generation);
            return Err(e);
        }
    };
    generation.high_water.store(0, Ordering::Release);
    *generation.mapped.lock().unwrap_or_else(|p| p.into_inner()) = Some(Mapped { dir: key.clone(), file_id, users: 1 });
    folders.insert(key, generation);
    Ok(CounterLease { generation })
}

/// Maps the counter file at `path` (created if missing, at least 8 bytes) over the slot
/// page at `addr`, replacing what was there in one step. Returns the file's identity.
fn map_file(path: &Path, addr: usize) -> std::io::Result<(u64, u64)> {
    let (file, meta) = open_regular_meta(path, OpenOptions::new().read(true).write(true).create(true).truncate(false))?;
    if meta.len() < 8 {
        file.set_len(8)?;
    }
    // SAFETY: `addr` is a page of our reserved range; MAP_FIXED replaces only that page.
    let got = unsafe {
        libc::mmap(
            addr as *mut libc::c_void,
            PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_FIXED,
            file.as_raw_fd(),
            0,
        )
    };
    if got == libc::MAP_FAILED {
        return Err(std::io::Error::last_os_error());
    }
    Ok((meta.dev(), meta.ino()))
}

/// Puts a zeroed anonymous page at `addr` (read-only, like the rest of the reservation,
/// so that the kernel can merge it back into one mapping).
fn unmap_to_anonymous(addr: usize) -> std::io::Result<()> {
    // SAFETY: `addr` is a page of our reserved range.
    let got = unsafe {
        libc::mmap(
            addr as *mut libc::c_void,
            PAGE,
            libc::PROT_READ,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    if got == libc::MAP_FAILED {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

static PREVIOUS_SIGBUS: OnceLock<libc::sigaction> = OnceLock::new();

fn install_sigbus_handler() {
    // SAFETY: a plain sigaction call; the previous action is kept for chaining.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        let mut previous: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGBUS, &action, &mut previous) == 0 {
            let _ = PREVIOUS_SIGBUS.set(previous);
        }
    }
}

/// SIGBUS: if the fault is a counter page whose file was truncated, put an anonymous
/// page holding `POISONED` there and retry the access; otherwise pass the signal on.
/// Only async-signal-safe work: loads, one `mmap` system call, one store.
extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    let at = unsafe { (*info).si_addr() } as usize;
    let (start, end) = (REGION.0.load(Ordering::Acquire) as usize, REGION.1.load(Ordering::Acquire) as usize);
    if at >= start && at < end {
        let page = at & !(PAGE - 1);
        // SAFETY: the page is inside our reservation.
        let got = unsafe {
            libc::mmap(
                page as *mut libc::c_void,
                PAGE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if got != libc::MAP_FAILED {
            // SAFETY: a fresh writable page of ours.
            unsafe { (*(page as *const AtomicU64)).store(POISONED, Ordering::Release) };
            return;
        }
    }
    // SAFETY: chaining to the handler that was installed before ours, as it expects.
    unsafe {
        match PREVIOUS_SIGBUS.get() {
            Some(prev) if prev.sa_sigaction != libc::SIG_DFL && prev.sa_sigaction != libc::SIG_IGN => {
                if prev.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                        std::mem::transmute(prev.sa_sigaction);
                    f(sig, info, context);
                } else {
                    let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
                    f(sig);
                }
            }
            _ => {
                // Default action: restore it; the faulting access runs again and ends the process as before.
                libc::signal(libc::SIGBUS, libc::SIG_DFL);
            }
        }
    }
}

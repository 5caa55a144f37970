//! A change counter shared by every process that uses one journal folder: a memory-mapped
//! 8-byte file. Writers bump it after each durable append; readers compare it with the
//! value they last saw, so the hot path learns about another process's write with one
//! atomic load instead of a system call.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use memmap2::MmapMut;

pub struct Generation {
    // Never unmapped: a closed engine's husk may still be read by a racing thread.
    map: MmapMut,
    /// (device, inode) of the mapped file.
    file_id: (u64, u64),
}

impl Generation {
    fn counter(&self) -> &AtomicU64 {
        // SAFETY: the mapping is at least 8 bytes, page-aligned (so 8-aligned), lives for
        // 'static, and is only ever accessed atomically by this code in every process.
        unsafe { &*(self.map.as_ptr() as *const AtomicU64) }
    }

    pub fn load(&self) -> u64 {
        self.counter().load(Ordering::Acquire)
    }

    /// Adds one; returns the new value.
    pub fn bump(&self) -> u64 {
        self.counter().fetch_add(1, Ordering::AcqRel).wrapping_add(1)
    }
}

/// The counter for `dir`, mapped once per folder per process and kept for the life of
/// the process.
pub fn for_dir(dir: &Path) -> std::io::Result<&'static Generation> {
    static MAPS: OnceLock<Mutex<HashMap<PathBuf, &'static Generation>>> = OnceLock::new();
    let key = dir.canonicalize()?;
    let mut maps = MAPS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    let path = key.join("consent.gen");
    if let Some(gen) = maps.get(&key) {
        // Unless the folder was deleted and made again since: then map the new file, so
        // this process and the others share one counter again.
        if std::fs::metadata(&path).is_ok_and(|m| (m.dev(), m.ino()) == gen.file_id) {
            return Ok(gen);
        }
    }
    let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
    let meta = file.metadata()?;
    if meta.len() < 8 {
        file.set_len(8)?;
    }
    // SAFETY: the file is ours (app-private folder); other processes only touch it
    // through this same atomic protocol.
    let map = unsafe { MmapMut::map_mut(&file)? };
    let gen: &'static Generation = Box::leak(Box::new(Generation { map, file_id: (meta.dev(), meta.ino()) }));
    maps.insert(key, gen);
    Ok(gen)
}

//! Reading an artifact: an APK, AAR or JAR (zip, read with the `zip` crate), a dex file, a
//! class file, or a folder of class files; every code file inside goes to the class-file or
//! dex reader.
//!
//! Memory stays bounded whatever the input: a top-level archive is read from disk entry by
//! entry, one code entry is held at a time, an entry may not inflate past a limit, all
//! entries of one artifact together may not inflate past another (a zip bomb stops there),
//! and archives nest one level only (`classes.jar` and `libs/*.jar` in an AAR, a JAR in an
//! APK's assets).

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use zip::ZipArchive;

use super::sites::Site;
use super::{classfile, dex};
use crate::input_file::{self, InputError};

/// The largest artifact file read (an archive is read from disk entry by entry: this bounds
/// the file, `Limits` what is inflated from it). Far above any APK a store accepts.
const MAX_ARTIFACT_BYTES: u64 = 4 << 30;

/// Limits against hostile input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest inflated class file (real ones are far below 1 MiB).
    pub class_bytes: u64,
    /// Largest inflated dex file or nested JAR (a dex holds at most 64K methods: tens of MiB).
    pub code_bytes: u64,
    /// Most bytes inflated from one artifact altogether.
    pub total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { class_bytes: 16 << 20, code_bytes: 256 << 20, total_bytes: 4 << 30 }
    }
}

/// Where a site was found inside an artifact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Located {
    /// Path of the code file inside the artifact (`classes2.dex`, `classes.jar!com/x/A.class`);
    /// empty when the artifact is the code file itself.
    pub(crate) entry: String,
    pub(crate) site: Site,
}

/// What was read from one artifact.
#[derive(Debug, Default)]
pub(crate) struct Contents {
    pub(crate) sites: Vec<Located>,
    pub(crate) class_files: usize,
    pub(crate) dex_files: usize,
}

/// Reads every code file of the artifact at `path`. The error names the entry and what is
/// wrong with it; nothing read so far counts then (a partly read artifact proves nothing).
pub(crate) fn read_artifact(path: &Path, limits: &Limits) -> Result<Contents, String> {
    let mut reader = Reader { limits: *limits, inflated: 0, contents: Contents::default() };
    // Regular files only, like every input of the tool.
    let (mut file, len) = match input_file::open(path, MAX_ARTIFACT_BYTES) {
        Err(InputError::Directory) => {
            reader.folder(path, path)?;
            if reader.contents.class_files == 0 {
                return Err("the folder holds no .class file".into());
            }
            return Ok(reader.contents);
        }
        opened => opened.map_err(|e| e.to_string())?,
    };
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic).map_err(|e| format!("cannot read: {e}"))?;
    match &magic[..n] {
        b"PK\x03\x04" | b"PK\x05\x06" => {
            file.rewind().map_err(|e| format!("cannot read: {e}"))?;
            let archive =
                ZipArchive::new(BufReader::new(file)).map_err(|e| format!("not a readable zip archive: {e}"))?;
            reader.zip(archive, "", 0)?;
        }
        _ => {
            if len > limits.code_bytes {
                return Err(format!("{len} bytes is more than the {}-byte limit for one code file", limits.code_bytes));
            }
            let bytes =
                input_file::read_rest(file, limits.code_bytes, magic[..n].to_vec()).map_err(|e| e.to_string())?;
            reader.code_file("", &bytes)?;
        }
    }
    Ok(reader.contents)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

struct Reader {
    limits: Limits,
    inflated: u64,
    contents: Contents,
}

enum Kind {
    Class,
    Dex,
    Jar,
}

fn kind_of(name: &str) -> Option<Kind> {
    if name.ends_with(".class") {
        Some(Kind::Class)
    } else if name.ends_with(".dex") {
        Some(Kind::Dex)
    } else if name.ends_with(".jar") {
        Some(Kind::Jar)
    } else {
        None
    }
}

impl Reader {
    /// A class or dex file, recognised by its magic number.
    fn code_file(&mut self, entry: &str, bytes: &[u8]) -> Result<(), String> {
        let mut sites = Vec::new();
        let at = |e: String| if entry.is_empty() { e } else { format!("{entry}: {e}") };
        if bytes.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) {
            guarded(|| classfile::scan_class(bytes, &mut sites)).map_err(at)?;
            self.contents.class_files += 1;
        } else if bytes.starts_with(b"dex\n") {
            guarded(|| dex::scan_dex(bytes, &mut sites)).map_err(at)?;
            self.contents.dex_files += 1;
        } else {
            return Err(at("not a class file, dex file or zip archive (unknown magic number)".into()));
        }
        self.contents.sites.extend(sites.into_iter().map(|site| Located { entry: entry.to_string(), site }));
        Ok(())
    }

    fn zip<R: Read + Seek>(&mut self, mut archive: ZipArchive<R>, prefix: &str, depth: u8) -> Result<(), String> {
        for i in 0..archive.len() {
            let (name, size) = {
                let data = archive.by_index_data(i).map_err(|e| format!("{prefix}entry {i}: {e}"))?;
                if data.is_dir() {
                    continue;
                }
                (String::from_utf8_lossy(data.name_raw()).into_owned(), data.size())
            };
            let Some(kind) = kind_of(&name) else { continue };
            let entry = format!("{prefix}{name}");
            let limit = match kind {
                Kind::Class => self.limits.class_bytes,
                Kind::Dex | Kind::Jar => self.limits.code_bytes,
            };
            if size > limit {
                return Err(format!("{entry}: inflates to {size} bytes, more than the {limit}-byte limit"));
            }
            if let Kind::Jar = kind {
                if depth > 0 {
                    return Err(format!("{entry}: an archive nested two levels deep (only one level is read)"));
                }
            }
            let bytes = {
                let file = archive.by_index(i).map_err(|e| format!("{entry}: cannot read: {e}"))?;
                if file.encrypted() {
                    return Err(format!("{entry}: encrypted"));
                }
                self.inflate(file, &entry, limit)?
            };
            match kind {
                Kind::Jar => {
                    let inner = ZipArchive::new(Cursor::new(bytes))
                        .map_err(|e| format!("{entry}: not a readable zip archive: {e}"))?;
                    self.zip(inner, &format!("{entry}!"), depth + 1)?;
                }
                Kind::Class | Kind::Dex => self.code_file(&entry, &bytes)?,
            }
        }
        Ok(())
    }

    /// Inflates one entry, refusing to go past its limit or the artifact's total (the sizes
    /// in the archive's directory are claims, so the bytes are counted as they come).
    fn inflate(&mut self, file: impl Read, entry: &str, limit: u64) -> Result<Vec<u8>, String> {
        let left = self.limits.total_bytes.saturating_sub(self.inflated);
        let cap = limit.min(left);
        let mut bytes = Vec::new();
        file.take(cap + 1).read_to_end(&mut bytes).map_err(|e| format!("{entry}: cannot inflate: {e}"))?;
        let n = bytes.len() as u64;
        if n > cap {
            return Err(if cap == limit {
                format!("{entry}: inflates to more than the {limit}-byte limit (the archive claims less)")
            } else {
                format!(
                    "{entry}: the artifact inflates to more than {} bytes of code altogether (zip bomb?)",
                    self.limits.total_bytes
                )
            });
        }
        self.inflated += n;
        Ok(bytes)
    }

    /// Every `.class` file under `dir`, without following symbolic links.
    fn folder(&mut self, root: &Path, dir: &Path) -> Result<(), String> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: cannot list: {e}", dir.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: cannot list: {e}", dir.display()))?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let kind = e.file_type().map_err(|err| format!("{}: {err}", path.display()))?;
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
            if kind.is_dir() {
                self.folder(root, &path)?;
            } else if kind.is_file() && rel.ends_with(".class") {
                // Opened again by name: refused if it is no longer a regular file by then.
                let bytes = input_file::read(&path, self.limits.class_bytes).map_err(|err| format!("{rel}: {err}"))?;
                self.code_file(&rel, &bytes)?;
            }
        }
        Ok(())
    }
}

/// Runs a reader; a panic inside a parsing crate becomes an error, not a crash (the readers
/// return errors for every malformed input we know of: this is the backstop).
fn guarded(read: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(_) => Err("malformed code file (the reader gave up on it)".into()),
    }
}

//! Opening a file the command line was told to read (feature `cli`): the policy, manifest and
//! journal inputs and the artifacts `consentgate scan` reads. Only regular files are read, and
//! none past a size cap: a FIFO would block forever, a device such as /dev/zero never end.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Why an input file was refused. The wording leaves out the file: callers name it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    #[error("does not exist")]
    NotFound,
    #[error("is a directory, not a file")]
    Directory,
    #[error("is not a regular file (a FIFO, socket or device): only files are read")]
    NotRegular,
    #[error("is larger than {cap} bytes, the most this tool reads")]
    TooLarge { cap: u64 },
    #[error("cannot read: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for InputError {
    fn from(e: std::io::Error) -> InputError {
        match e.kind() {
            std::io::ErrorKind::NotFound => InputError::NotFound,
            _ => InputError::Io(e),
        }
    }
}

/// Opens `path` for reading if it is a regular file of at most `cap` bytes; returns it with
/// its length. The open does not block (O_NONBLOCK), and the type is checked on the open file.
pub(crate) fn open(path: &Path, cap: u64) -> Result<(File, u64), InputError> {
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(InputError::Directory);
    }
    if !meta.is_file() {
        return Err(InputError::NotRegular);
    }
    if meta.len() > cap {
        return Err(InputError::TooLarge { cap });
    }
    Ok((file, meta.len()))
}

/// Reads the rest of `file`, refusing to go past `cap` bytes altogether (a file may grow
/// after it was opened); `bytes` may already hold its start.
pub(crate) fn read_rest(file: File, cap: u64, mut bytes: Vec<u8>) -> Result<Vec<u8>, InputError> {
    let left = cap.saturating_sub(bytes.len() as u64);
    file.take(left + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(InputError::TooLarge { cap });
    }
    Ok(bytes)
}

/// Reads the whole regular file at `path`, at most `cap` bytes.
pub(crate) fn read(path: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    let (file, len) = open(path, cap)?;
    read_rest(file, cap, Vec::with_capacity(len as usize))
}

//! The one error type of the core. Each variant maps to its own Java exception class
//! in the JNI layer and to a distinct CLI message.

use std::path::PathBuf;

use crate::policy::PolicyError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    InvalidPolicy(#[from] PolicyError),

    /// A purpose id that the policy does not declare: a programming error.
    #[error("purpose \"{id}\" is not declared in the policy")]
    UndeclaredPurpose { id: String },

    /// A permission the purpose does not declare: an over-scope request.
    #[error("purpose \"{purpose}\" does not declare {permission} (an over-scope request)")]
    UndeclaredPermission { purpose: String, permission: String },

    /// An argument that is malformed (empty id, unknown enum name, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The journal could not be read or written; decisions fail closed.
    #[error("consent storage failed at {path}: {message}")]
    Storage { path: PathBuf, message: String },

    /// A bad line in the middle of the journal, or a broken hash chain. The file is left
    /// untouched and every decision fails closed until the app recovers.
    #[error("consent journal {path} is corrupt at line {line}: {reason}")]
    Corrupt { path: PathBuf, line: usize, reason: String },

    /// A bug or a poisoned lock inside the SDK; the engine fails closed from here on.
    #[error("internal error in the consent engine: {0}")]
    Internal(String),

    /// The engine was closed.
    #[error("the consent engine is closed")]
    Closed,
}

impl CoreError {
    pub(crate) fn storage(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> CoreError {
        CoreError::Storage { path: path.into(), message: err.to_string() }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

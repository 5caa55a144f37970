//! ConsentGate core: an app's declared purposes, the user's consent decisions, and a
//! crash-safe journal that proves them. Knows nothing of JNI; `jni` is the only module
//! that does, and it holds no business logic.
//!
//! Layout: `permission` (Android permission facts and API-level rules), `policy` (the
//! purposes file), `lists` (the compliance lists drawn from it), `journal` (the durable record), `engine` (decisions and records),
//! `clock`, `error`.

// The command line and its manifest lint (feature "cli": not in the Android library).
#[cfg(feature = "cli")]
pub mod cli;
pub mod clock;
pub mod engine;
pub mod error;
pub mod journal;
#[cfg(feature = "cli")]
pub mod lint;
// The JNI bridge (entry points for io.consentgate.internal.Native); no Rust API.
mod jni;
// Reading the files the command line is given: regular files only, size-capped (feature "cli").
#[cfg(feature = "cli")]
mod input_file;
mod json_fields;
mod json_locate;
mod line_index;
pub mod lists;
pub mod permission;
pub mod policy;
// `consentgate scan`: sensitive API call sites in compiled code (feature "cli").
#[cfg(feature = "cli")]
pub mod scan;

pub use clock::{AdjustableClock, Clock, ManualClock, SystemClock};
pub use engine::decision::{BlockReason, ConsentReason, Decision, Source};
pub use engine::shared::SharedEngine;
pub use engine::views::{PurposeView, Rationale, SettingsState};
pub use engine::{Context, Engine};
pub use error::{CoreError, Result};
pub use journal::record::{Actor, AgeBracket, OsResult, Surface};
pub use journal::JournalOptions;
pub use permission::{Permission, RequestPlan};
pub use policy::{Policy, PolicyError};

//! The one error policy of the bridge: every core error becomes its own Java exception
//! class, every panic (whatever its payload) an `InternalErrorException`, and nothing
//! unwinds into the JVM.
//!
//! | core error                 | Java exception (package `io.consentgate`) |
//! |----------------------------|-------------------------------------------|
//! | `CoreError::InvalidPolicy` | `InvalidPolicyException`                  |
//! | `CoreError::UndeclaredPurpose`, `UndeclaredPermission` | `UndeclaredPurposeException` |
//! | `CoreError::InvalidArgument` | `InvalidArgumentException`              |
//! | `CoreError::Storage`       | `StorageException`                        |
//! | `CoreError::Corrupt`       | `CorruptJournalException`                 |
//! | `CoreError::Internal`      | `InternalErrorException`                  |
//! | `CoreError::Closed`        | `EngineClosedException`                   |
//! | a panic, any payload       | `InternalErrorException`                  |
//! | a failed JNI call          | the pending Java exception if there is one, else `InternalErrorException` |
//!
//! All of them extend `io.consentgate.ConsentGateException` and are built through their
//! `(String)` constructor (kept through R8 by `consumer-rules.pro`).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ::jni::errors::ErrorPolicy;
use ::jni::strings::{JNIStr, JNIString};
use ::jni::{jni_str, Env};

use crate::error::CoreError;

/// What a bridge call can fail with: a core error, or a JNI call that failed (usually
/// with a Java exception already pending, e.g. an `OutOfMemoryError`).
#[derive(Debug)]
pub(crate) enum BridgeError {
    Core(CoreError),
    Jni(::jni::errors::Error),
}

impl From<CoreError> for BridgeError {
    fn from(e: CoreError) -> Self {
        BridgeError::Core(e)
    }
}

impl From<::jni::errors::Error> for BridgeError {
    fn from(e: ::jni::errors::Error) -> Self {
        BridgeError::Jni(e)
    }
}

pub(crate) type BridgeResult<T> = std::result::Result<T, BridgeError>;

/// Shorthand for an `InvalidArgumentException`.
pub(crate) fn invalid(message: impl Into<String>) -> BridgeError {
    BridgeError::Core(CoreError::InvalidArgument(message.into()))
}

pub(crate) const INVALID_POLICY: &JNIStr = jni_str!("io/consentgate/InvalidPolicyException");
pub(crate) const UNDECLARED: &JNIStr = jni_str!("io/consentgate/UndeclaredPurposeException");
pub(crate) const INVALID_ARGUMENT: &JNIStr = jni_str!("io/consentgate/InvalidArgumentException");
pub(crate) const STORAGE: &JNIStr = jni_str!("io/consentgate/StorageException");
pub(crate) const CORRUPT: &JNIStr = jni_str!("io/consentgate/CorruptJournalException");
pub(crate) const INTERNAL: &JNIStr = jni_str!("io/consentgate/InternalErrorException");
pub(crate) const CLOSED: &JNIStr = jni_str!("io/consentgate/EngineClosedException");
/// Thrown only if the SDK's own exception class cannot be found (e.g. stripped by a
/// shrinker against the consumer rules): the caller still gets an exception.
const FALLBACK: &JNIStr = jni_str!("java/lang/IllegalStateException");

/// Longest exception message, in bytes: a megabyte-long argument must not become a
/// megabyte-long message (or log line).
pub(crate) const MAX_MESSAGE_BYTES: usize = 2048;
/// Policy issues listed in an `InvalidPolicyException` message, beyond the first line.
const MAX_POLICY_ISSUES: usize = 20;

/// The exception class and message for a core error.
pub(crate) fn exception_for(err: &CoreError) -> (&'static JNIStr, String) {
    let class = match err {
        CoreError::InvalidPolicy(_) => INVALID_POLICY,
        CoreError::UndeclaredPurpose { .. } | CoreError::UndeclaredPermission { .. } => UNDECLARED,
        CoreError::InvalidArgument(_) => INVALID_ARGUMENT,
        CoreError::Storage { .. } => STORAGE,
        CoreError::Corrupt { .. } => CORRUPT,
        CoreError::Internal(_) => INTERNAL,
        CoreError::Closed => CLOSED,
    };
    let message = match err {
        // First line as the core words it ("invalid policy: line 7: $.purposes[0].id: ...
        // (and 2 more)"), then every issue on its own line with its JSON path and line.
        CoreError::InvalidPolicy(p) if p.issues.len() > 1 => {
            let mut m = err.to_string();
            for issue in p.issues.iter().take(MAX_POLICY_ISSUES) {
                m.push_str("\n  ");
                m.push_str(&issue.to_string());
            }
            if p.issues.len() > MAX_POLICY_ISSUES {
                m.push_str(&format!("\n  ... {} more", p.issues.len() - MAX_POLICY_ISSUES));
            }
            m
        }
        // The class already says "invalid argument": the message is just what and why.
        CoreError::InvalidArgument(m) => m.clone(),
        other => other.to_string(),
    };
    (class, truncate(message))
}

/// The exception class and message for any bridge error. `None` for a JNI failure whose
/// Java exception is already pending (it is left to propagate as is).
fn exception_for_bridge(err: &BridgeError, exception_pending: bool) -> Option<(&'static JNIStr, String)> {
    match err {
        _ if exception_pending => None,
        BridgeError::Core(e) => Some(exception_for(e)),
        BridgeError::Jni(e) => {
            Some((INTERNAL, truncate(format!("internal error in the consent engine's JNI bridge: {e}"))))
        }
    }
}

/// The message for a panic: its text if the payload is a `&str` or `String`.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&'static str>() {
        Some(*s)
    } else {
        payload.downcast_ref::<String>().map(String::as_str)
    };
    truncate(match text {
        Some(t) => format!("internal error in the consent engine: {t}"),
        None => "internal error in the consent engine: a panic without a message".to_string(),
    })
}

/// Cuts `message` to at most [`MAX_MESSAGE_BYTES`] on a character boundary.
pub(crate) fn truncate(mut message: String) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message;
    }
    let total = message.len();
    let mut cut = MAX_MESSAGE_BYTES - 40;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    message.truncate(cut);
    message.push_str(&format!("... ({} bytes cut)", total - cut));
    message
}

/// Drops a panic payload; a payload whose destructor panics too is leaked instead.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(again);
    }
}

/// Throws `class(message)`; if that fails (class missing), clears whatever the failure
/// left pending and throws an `IllegalStateException` with the same message instead.
fn throw(env: &mut Env<'_>, class: &JNIStr, message: &str) {
    let message = JNIString::new(message);
    // `throw_new` reports a successful throw as `Err(JavaException)`.
    match env.throw_new(class, &message) {
        Err(::jni::errors::Error::JavaException) if env.exception_check() => {}
        other => {
            log::error!("could not throw {class} ({other:?}); throwing IllegalStateException instead");
            env.exception_clear();
            let _ = env.throw_new(FALLBACK, &message);
        }
    }
}

/// The bridge's `ErrorPolicy`: throws the exception for the error (or panic) and returns
/// the type's default value (0, false, null), which Java never sees because the call
/// completes abruptly with the exception.
pub(crate) struct ThrowConsentGateException;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowConsentGateException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        err: BridgeError,
    ) -> ::jni::errors::Result<T> {
        if let Some((class, message)) = exception_for_bridge(&err, env.exception_check()) {
            if matches!(err, BridgeError::Jni(_) | BridgeError::Core(CoreError::Internal(_))) {
                log::error!("{message}");
            }
            throw(env, class, &message);
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn Any + Send + 'static>,
    ) -> ::jni::errors::Result<T> {
        let message = panic_message(payload.as_ref());
        drop_payload(payload);
        log::error!("{message}");
        // A panic wins over an exception a JNI call left pending: replace it.
        env.exception_clear();
        throw(env, INTERNAL, &message);
        Ok(T::default())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::policy::Policy;

    fn class(e: &CoreError) -> String {
        exception_for(e).0.to_string()
    }

    #[test]
    fn every_core_error_has_its_own_exception_class() {
        let policy_error = Policy::parse("{").unwrap_err();
        let errors = [
            CoreError::InvalidPolicy(policy_error),
            CoreError::UndeclaredPurpose { id: "x".into() },
            CoreError::UndeclaredPermission { purpose: "x".into(), permission: "android.permission.CAMERA".into() },
            CoreError::InvalidArgument("bad".into()),
            CoreError::Storage { path: PathBuf::from("/data/j"), message: "disk full".into() },
            CoreError::Corrupt { path: PathBuf::from("/data/j"), line: 3, reason: "bad checksum".into() },
            CoreError::Internal("bug".into()),
            CoreError::Closed,
        ];
        let classes: Vec<String> = errors.iter().map(class).collect();
        assert_eq!(
            classes,
            [
                "io/consentgate/InvalidPolicyException",
                "io/consentgate/UndeclaredPurposeException",
                "io/consentgate/UndeclaredPurposeException",
                "io/consentgate/InvalidArgumentException",
                "io/consentgate/StorageException",
                "io/consentgate/CorruptJournalException",
                "io/consentgate/InternalErrorException",
                "io/consentgate/EngineClosedException",
            ]
        );
        // Messages are the core's own wording (without "invalid argument: ", which the
        // class name already says).
        for e in &errors {
            let expected = match e {
                CoreError::InvalidArgument(m) => m.clone(),
                other => other.to_string(),
            };
            assert_eq!(exception_for(e).1, expected);
        }
    }

    #[test]
    fn invalid_policy_message_names_every_issue_with_path_and_line() {
        let source =
            "{\n  \"schema\": 3,\n  \"policy_version\": \"\",\n  \"default_locale\": \"en\",\n  \"purposes\": []\n}";
        let err = CoreError::InvalidPolicy(Policy::parse(source).unwrap_err());
        let (class, message) = exception_for(&err);
        assert_eq!(class, INVALID_POLICY);
        let lines: Vec<&str> = message.lines().collect();
        assert!(lines[0].starts_with("invalid policy: line 2: $.schema:"), "{message}");
        assert!(lines[0].ends_with("(and 2 more)"), "{message}");
        assert!(lines.iter().any(|l| l.trim() == "line 3: $.policy_version: must not be empty"), "{message}");
        assert!(lines.iter().any(|l| l.trim() == "line 5: $.purposes: declare at least one purpose"), "{message}");
    }

    #[test]
    fn a_policy_with_hundreds_of_issues_still_gives_a_short_message() {
        let purposes: Vec<String> = (0..500).map(|i| format!("{{\"id\":\"P{i}\"}}")).collect();
        let source = format!(
            "{{\"schema\":1,\"policy_version\":\"v\",\"default_locale\":\"en\",\"purposes\":[{}]}}",
            purposes.join(",")
        );
        let err = CoreError::InvalidPolicy(Policy::parse(&source).unwrap_err());
        let message = exception_for(&err).1;
        assert!(message.len() <= MAX_MESSAGE_BYTES, "{}", message.len());
        assert!(message.contains("$.purposes[0].id"), "{message}");
    }

    #[test]
    fn panics_with_any_payload_get_a_message() {
        let text = catch_unwind(|| panic!("static text")).unwrap_err();
        assert_eq!(panic_message(text.as_ref()), "internal error in the consent engine: static text");
        let formatted = catch_unwind(|| panic!("formatted {}", 42)).unwrap_err();
        assert_eq!(panic_message(formatted.as_ref()), "internal error in the consent engine: formatted 42");
        let other = catch_unwind(|| std::panic::panic_any(17_u32)).unwrap_err();
        assert_eq!(panic_message(other.as_ref()), "internal error in the consent engine: a panic without a message");
        drop_payload(other);
    }

    #[test]
    fn a_payload_whose_destructor_panics_is_leaked_not_rethrown() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("drop bomb");
            }
        }
        let payload = catch_unwind(|| std::panic::panic_any(Bomb)).unwrap_err();
        drop_payload(payload); // must return normally
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        let id = "数".repeat(1 << 18); // 768 KiB of three-byte characters
        let err = CoreError::UndeclaredPurpose { id };
        let message = exception_for(&err).1;
        assert!(message.len() <= MAX_MESSAGE_BYTES, "{}", message.len());
        assert!(message.starts_with("purpose \"数数"));
        assert!(message.ends_with(" bytes cut)"), "{}", &message[message.len() - 40..]);
        assert_eq!(truncate("short".into()), "short");
    }

    #[test]
    fn a_jni_failure_with_a_pending_exception_throws_nothing_more() {
        let err = BridgeError::Jni(::jni::errors::Error::JavaException);
        assert!(exception_for_bridge(&err, true).is_none());
        let (class, message) = exception_for_bridge(&err, false).unwrap();
        assert_eq!(class, INTERNAL);
        assert!(message.contains("JNI"), "{message}");
        // A core error raised after a JNI call left an exception pending: the Java one wins.
        assert!(exception_for_bridge(&BridgeError::Core(CoreError::Closed), true).is_none());
    }
}

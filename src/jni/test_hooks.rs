//! Entry points for `io.consentgate.internal.NativeTestHooks` (declared in the wrapper's
//! `src/testHooks/kotlin`), for the JVM tests and benchmarks only. Compiled with the cargo
//! feature `test-hooks` (scripts/test.sh and scripts/bench-jvm.sh turn it on); the release
//! library that apps ship does not export them.

use ::jni::objects::JClass;
use ::jni::sys::{jboolean, jclass, jint, jlong, JNIEnv};
use ::jni::{Env, EnvUnowned};

use super::cold;

/// `emptyCall(handle, index): Boolean`: the floor `isAllowed` is measured against
/// (`android-wrapper/bench`): the same signature and native shape (plain function,
/// `catch_unwind`, no JNIEnv), doing nothing. Always false.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_NativeTestHooks_emptyCall(
    _env: *mut JNIEnv,
    _class: jclass,
    _handle: jlong,
    _index: jint,
) -> jboolean {
    std::panic::catch_unwind(|| false).unwrap_or(false)
}

/// Panics with a `&str` (kind 0), a `String` (1) or a non-text payload (2), to prove on a
/// real JVM that a panic becomes an `InternalErrorException` and never unwinds into Java.
fn self_test_panic(kind: jint) -> ! {
    match kind {
        0 => panic!("self-test panic"),
        1 => panic!("self-test panic number {kind}"),
        _ => std::panic::panic_any(kind),
    }
}

native! {
    prefix = "Java_io_consentgate_internal_NativeTestHooks_";

    /// `selfTestPanic(kind): Long`: always throws `InternalErrorException` (the cold path's
    /// panic policy, through the same [`cold`] as every cold entry point).
    fn selfTestPanic(_, kind: jint) -> jlong {
        self_test_panic(kind)
    }
}

/// `selfTestPanicHot(kind): Boolean`: always false (the hot path's panic policy).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_NativeTestHooks_selfTestPanicHot(
    _env: *mut JNIEnv,
    _class: jclass,
    kind: jint,
) -> jboolean {
    std::panic::catch_unwind(|| -> bool { self_test_panic(kind) }).unwrap_or(false)
}

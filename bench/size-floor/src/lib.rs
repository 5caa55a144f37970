//! A trivial JNI library: one cold call that reads a Java string, parses it as JSON and
//! returns it re-encoded (panics caught and errors thrown by the jni crate's own policy),
//! and one hot call over primitives inside `catch_unwind`. The floor for the real `.so`:
//! what `jni` + `serde_json` + the Rust runtime cost before any consent logic.

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JString};
use jni::sys::{jboolean, jclass, jint, jlong, JNIEnv};
use jni::EnvUnowned;

#[no_mangle]
pub extern "system" fn Java_io_consentgate_floor_Native_roundTrip<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    json: JString<'local>,
) -> JString<'local> {
    env.with_env(|env| -> jni::errors::Result<JString<'local>> {
        let text = json.try_to_string(env)?;
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        JString::from_str(env, serde_json::to_string(&value).unwrap_or_default())
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[no_mangle]
pub extern "system" fn Java_io_consentgate_floor_Native_isSet(
    _env: *mut JNIEnv,
    _class: jclass,
    bits: jlong,
    index: jint,
) -> jboolean {
    std::panic::catch_unwind(|| (bits >> (index & 63)) & 1 == 1).unwrap_or(false)
}

//! Arguments and string results across the boundary (cold paths only): strings, string arrays,
//! the record context (`surface, locale, actor`).
//!
//! Java strings are read as UTF-16 (`GetStringRegion`) and decoded strictly: a string with
//! an unpaired surrogate is an `InvalidArgumentException` naming the argument, not text
//! silently changed to U+FFFD (which is what a modified-UTF-8 read would do, and which
//! could then be written into the journal as if the user had read it).

use ::jni::objects::{JObjectArray, JString};
use ::jni::sys::{jint, jsize, JNIEnv};
use ::jni::Env;

use super::errors::{invalid, BridgeError, BridgeResult};
use super::wire;
use crate::engine::Context;
use crate::permission::Permission;

/// Reads a non-null Java string argument called `what`.
pub(super) fn read_string(env: &Env<'_>, s: &JString<'_>, what: &str) -> BridgeResult<String> {
    if s.is_null() {
        return Err(invalid(format!("{what} must not be null")));
    }
    if env.exception_check() {
        return Err(BridgeError::Jni(::jni::errors::Error::JavaException));
    }
    let raw_env: *mut JNIEnv = env.get_raw();
    let raw = s.as_raw();
    // SAFETY: `raw_env` is the live JNIEnv of this native call (JNI >= 1.2 is checked by
    // the crate when it builds `Env`), `raw` a non-null local reference to a
    // java.lang.String, no exception is pending, and the buffer holds exactly `len` units.
    let units = unsafe {
        let iface = *raw_env;
        let len: jsize = ((*iface).v1_1.GetStringLength)(raw_env, raw);
        let mut buf = vec![0u16; len.max(0) as usize];
        if len > 0 {
            ((*iface).v1_2.GetStringRegion)(raw_env, raw, 0, len, buf.as_mut_ptr());
        }
        buf
    };
    if env.exception_check() {
        return Err(BridgeError::Jni(::jni::errors::Error::JavaException));
    }
    String::from_utf16(&units).map_err(|_| {
        let at = first_unpaired_surrogate(&units).unwrap_or(0);
        invalid(format!("{what} is not valid text: unpaired UTF-16 surrogate at index {at}"))
    })
}

fn first_unpaired_surrogate(units: &[u16]) -> Option<usize> {
    let mut i = 0;
    while i < units.len() {
        match units[i] {
            0xD800..=0xDBFF if units.get(i + 1).is_some_and(|u| (0xDC00..=0xDFFF).contains(u)) => i += 2,
            0xD800..=0xDFFF => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Reads a non-null `String[]` argument called `what`; a null element is an error.
pub(super) fn read_string_array(
    env: &mut Env<'_>,
    array: &JObjectArray<'_, JString<'_>>,
    what: &str,
) -> BridgeResult<Vec<String>> {
    if array.is_null() {
        return Err(invalid(format!("{what} must not be null")));
    }
    let len = array.len(env)?;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let element: JString = array.get_element(env, i)?;
        let value = read_string(env, &element, &format!("{what}[{i}]"));
        // Long arrays must not fill the local reference table (512 entries on some ART versions).
        env.delete_local_ref(element);
        out.push(value?);
    }
    Ok(out)
}

/// The record context of a call (`surface, locale, actor`).
pub(super) fn context(env: &Env<'_>, surface: jint, locale: &JString<'_>, actor: jint) -> BridgeResult<Context> {
    Ok(Context::new(wire::surface(surface)?, read_string(env, locale, "locale")?, wire::actor(actor)?))
}

/// The `purposeId` argument and the record context of a call about one purpose.
pub(super) fn purpose_and_context(
    env: &Env<'_>,
    purpose: &JString<'_>,
    surface: jint,
    locale: &JString<'_>,
    actor: jint,
) -> BridgeResult<(String, Context)> {
    Ok((read_string(env, purpose, "purposeId")?, context(env, surface, locale, actor)?))
}

/// Borrows read strings for the core calls that take `&[&str]`.
pub(super) fn as_strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

/// A new Java string.
pub(super) fn new_string<'local>(env: &mut Env<'local>, value: &str) -> BridgeResult<JString<'local>> {
    Ok(JString::from_str(env, value)?)
}

/// A new `String[]`; `None` elements are null.
pub(super) fn new_string_array<'local, S: AsRef<str>>(
    env: &mut Env<'local>,
    values: &[Option<S>],
) -> BridgeResult<JObjectArray<'local, JString<'local>>> {
    let array = JObjectArray::<JString>::new(env, values.len(), JString::null())?;
    for (i, value) in values.iter().enumerate() {
        if let Some(value) = value {
            let s = JString::from_str(env, value.as_ref())?;
            array.set_element(env, i, &s)?;
            env.delete_local_ref(s);
        }
    }
    Ok(array)
}

/// A new `String[]` of permission names (full `android.permission.*` names).
pub(super) fn new_permission_array<'local>(
    env: &mut Env<'local>,
    permissions: &[Permission],
) -> BridgeResult<JObjectArray<'local, JString<'local>>> {
    let names: Vec<Option<&str>> = permissions.iter().map(|p| Some(p.name())).collect();
    new_string_array(env, &names)
}

#[cfg(test)]
mod tests {
    use super::first_unpaired_surrogate;

    #[test]
    fn unpaired_surrogates_are_located() {
        let pair: Vec<u16> = "a😀b".encode_utf16().collect();
        assert_eq!(first_unpaired_surrogate(&pair), None);
        assert_eq!(first_unpaired_surrogate(&[0x61, 0xD83D]), Some(1), "high surrogate at the end");
        assert_eq!(first_unpaired_surrogate(&[0xDE00, 0x61]), Some(0), "lone low surrogate");
        assert_eq!(first_unpaired_surrogate(&[0xD83D, 0x61]), Some(0), "high surrogate before a letter");
        assert_eq!(first_unpaired_surrogate(&[0xD83D, 0xD83D, 0xDE00]), Some(0));
    }
}

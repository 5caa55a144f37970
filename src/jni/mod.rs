//! The JNI bridge: the only code that knows JNI. Entry points for
//! `io.consentgate.internal.Native` (Kotlin), each a thin call into the core.
//!
//! Two shapes (measured costs in docs/ARCHITECTURE.md, "The JNI boundary", and BENCHMARKS.md):
//! - The hot call, `isAllowed(handle, index)`, is a plain `extern "system"` fn over
//!   primitives inside `catch_unwind`. It never touches the `JNIEnv` and cannot throw:
//!   anything wrong (unknown handle, closed engine, index out of range, a panic) answers
//!   `false`, i.e. not allowed.
//! - Every other call is declared with [`native!`]: one line of signature and the body.
//!   They all run through one non-generic function, [`run`]: `EnvUnowned::with_env`
//!   (which catches panics) resolved with the one error policy in [`errors`], which turns
//!   each core error into its own Java exception and a panic of any payload into
//!   `InternalErrorException`. Compiled once, not once per entry point and return type.
//!
//! Handles are tagged slot numbers of leaked engine husks ([`handles`]): any `long` is safe
//! to pass, including after `close` on another thread.
//!
//! Enums cross as small ints and a decision as one packed `long` ([`wire`]); strings and
//! JSON only on cold paths (open, rationale, settings, export, permission lists).
//! Nothing here logs personal data: purpose ids and permission names are app-defined
//! identifiers; journal content, locales of users and paths beyond errors are not logged.
//!
//! Entry points that only tests and benchmarks call (`io.consentgate.internal.NativeTestHooks`)
//! are in [`test_hooks`], compiled only with the cargo feature `test-hooks`: the release
//! library does not export them.

mod args;
pub(crate) mod errors;
pub(crate) mod handles;
pub(crate) mod wire;

use std::ffi::c_void;
use std::path::Path;
use std::sync::Arc;

use ::jni::objects::{JClass, JIntArray, JObjectArray, JString};
use ::jni::sys::{jboolean, jclass, jint, jlong, JNIEnv, JavaVM, JNI_VERSION_1_6};
use ::jni::{Env, EnvUnowned};

use crate::clock::AdjustableClock;
use crate::engine::shared::SharedEngine;
use crate::engine::{recordable_locale, Engine};
use crate::error::CoreError;
use crate::journal::JournalOptions;
use crate::policy::Policy;
use args::{
    as_strs, context, new_permission_array, new_string, new_string_array, purpose_and_context, read_string,
    read_string_array,
};
use errors::{invalid, BridgeError, BridgeResult, ThrowConsentGateException};
use handles::EngineHandle;

/// Declares cold entry points of one Java class: `fn javaName(env, args...) -> ret { body }`
/// becomes `extern "system" fn` exported as `<prefix>javaName(JNIEnv*, jclass, args...)`,
/// whose body (returning a [`BridgeResult`]) runs through [`cold`]. The first parameter names
/// the `&mut Env` binding (`_` if unused).
macro_rules! native {
    (prefix = $prefix:literal; $(
        $(#[$attr:meta])*
        fn $name:ident($env:pat $(, $arg:ident: $ty:ty)* $(,)?) $(-> $ret:ty)? $body:block
    )*) => {$(
        $(#[$attr])*
        #[export_name = concat!($prefix, stringify!($name))]
        #[allow(non_snake_case, clippy::too_many_arguments)]
        extern "system" fn $name<'local>(
            env: EnvUnowned<'local>,
            _class: JClass<'local>,
            $($arg: $ty),*
        ) $(-> $ret)? {
            cold(env, |$env: &mut Env<'local>| $body)
        }
    )*};
}

// After the macro: it is in scope there by its textual position.
#[cfg(feature = "test-hooks")]
mod test_hooks;

/// Runs a cold entry point's body and hands its value to Java; on an error or a panic, the
/// exception is thrown by [`run`] and the returned default (0, false, null) is never seen by
/// Java. Generic but tiny: it only moves the body and its value through one `dyn` call.
#[inline(always)]
fn cold<'local, T: Default>(env: EnvUnowned<'local>, body: impl FnOnce(&mut Env<'local>) -> BridgeResult<T>) -> T {
    let mut body = Some(body);
    let mut value = None;
    run(env, &mut |env| {
        if let Some(body) = body.take() {
            value = Some(body(env)?);
        }
        Ok(())
    });
    value.unwrap_or_default()
}

/// The one instance of the JNI access, panic catching and error policy for every cold
/// entry point (a generic version of it was ~65 KB of the library: one copy per entry point).
#[inline(never)]
fn run<'local>(mut env: EnvUnowned<'local>, body: &mut dyn FnMut(&mut Env<'local>) -> BridgeResult<()>) {
    env.with_env(body).resolve::<ThrowConsentGateException>()
}

/// Out of line: every cold entry point looks its handle up (inlined, the table walk and
/// the error were ~200 B of each).
#[inline(never)]
fn engine(handle: jlong) -> BridgeResult<&'static EngineHandle> {
    handles::get(handle).ok_or_else(|| invalid("not a consent engine handle"))
}

/// Runs `f` on the open engine behind `handle` (after catching up with the journal).
fn with_engine<R>(handle: jlong, f: impl FnOnce(&mut Engine) -> crate::Result<R>) -> BridgeResult<R> {
    Ok(engine(handle)?.shared.with(f)?)
}

fn api_level(api: jint) -> BridgeResult<u32> {
    u32::try_from(api).map_err(|_| invalid(format!("apiLevel {api} is not an Android API level")))
}

fn json<T: serde::Serialize>(value: &T) -> BridgeResult<String> {
    serde_json::to_string(value).map_err(not_encoded)
}

/// Out of line: the message is built in one place, not in each entry point returning JSON.
#[cold]
#[inline(never)]
fn not_encoded(e: serde_json::Error) -> BridgeError {
    CoreError::Internal(format!("could not encode JSON: {e}")).into()
}

/// The clock of an open engine (a closed one refuses, like every other call).
fn clock(handle: jlong) -> BridgeResult<&'static AdjustableClock> {
    let h = engine(handle)?;
    if h.shared.is_closed() {
        return Err(CoreError::Closed.into());
    }
    Ok(&h.clock)
}

/// Called by the VM when the library is loaded: sets up logcat logging on Android.
#[no_mangle]
pub extern "system" fn JNI_OnLoad(_vm: *mut JavaVM, _reserved: *mut c_void) -> jint {
    let _ = std::panic::catch_unwind(|| {
        #[cfg(target_os = "android")]
        android_logger::init_once(
            android_logger::Config::default().with_tag("ConsentGate").with_max_level(log::LevelFilter::Info),
        );
    });
    JNI_VERSION_1_6
}

// ---- the hot path ------------------------------------------------------------------

/// `isAllowed(handle, index): Boolean`: no JNIEnv, no allocation, no lock in the common
/// case; never throws. False for anything but a current consent.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_isAllowed(
    _env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    index: jint,
) -> jboolean {
    std::panic::catch_unwind(|| index >= 0 && handles::get(handle).is_some_and(|h| h.shared.is_allowed(index as usize)))
        .unwrap_or(false)
}

// ---- every other call ----------------------------------------------------------------

native! {
    prefix = "Java_io_consentgate_internal_Native_";

    // ---- lifecycle

    /// `open(policyJson, journalDir): Long`. The journal folder must be an absolute path; it
    /// is created if missing. A corrupt or unreadable journal still opens (decisions fail
    /// closed, `storageProblem()` says why).
    fn open(env, policy_json: JString<'local>, journal_dir: JString<'local>) -> jlong {
        let source = read_string(env, &policy_json, "policyJson")?;
        let dir = read_string(env, &journal_dir, "journalDir")?;
        if !Path::new(&dir).is_absolute() {
            let shown: String = dir.chars().take(80).collect();
            return Err(invalid(format!(
                "journalDir \"{shown}\" must be an absolute path (e.g. Context.getNoBackupFilesDir())"
            )));
        }
        let policy = Policy::parse(&source).map_err(CoreError::from)?;
        let (purposes, version) = (policy.purposes.len(), policy.policy_version.clone());
        let clock = Arc::new(AdjustableClock::new());
        let engine = Engine::open(policy, Path::new(&dir), clock.clone(), JournalOptions::default())?;
        if let Some(problem) = engine.storage_problem() {
            log::warn!("consent journal opened in the fail-closed state: {problem}");
        }
        let handle = handles::register(EngineHandle { shared: SharedEngine::new(engine), clock })?;
        log::info!("consent engine opened: policy version {version}, {purposes} purposes");
        Ok(handle)
    }

    /// `localeTag(tag, language): String`: the locale records keep for a user reading in `tag`
    /// (`Locale.toLanguageTag()`): the tag, else `language`, else "und"
    /// (`engine::recordable_locale`). No handle: the wrapper asks before it records anything.
    fn localeTag(env, tag: JString<'local>, language: JString<'local>) -> JString<'local> {
        let tag = read_string(env, &tag, "tag")?;
        let language = read_string(env, &language, "language")?;
        new_string(env, &recordable_locale(&tag, &language))
    }

    /// `close(handle)`: idempotent; the handle stays safe to use and answers "closed".
    fn close(_, handle: jlong) {
        engine(handle)?.shared.close();
        Ok(())
    }

    // ---- policy

    /// `purposeIds(handle): Array<String>`, in policy order (the order of indexes).
    fn purposeIds(env, handle: jlong) -> JObjectArray<'local, JString<'local>> {
        let ids: Vec<Option<String>> =
            with_engine(handle, |e| Ok(e.policy().purposes.iter().map(|p| Some(p.id.clone())).collect()))?;
        new_string_array(env, &ids)
    }

    /// `policyVersion(handle): String`.
    fn policyVersion(env, handle: jlong) -> JString<'local> {
        let version = with_engine(handle, |e| Ok(e.policy().policy_version.clone()))?;
        new_string(env, &version)
    }

    /// `purposePermissions(handle, index): Array<String>`: the permissions the purpose at
    /// `index` declares, full names in policy order.
    fn purposePermissions(env, handle: jlong, index: jint) -> JObjectArray<'local, JString<'local>> {
        let names: Vec<Option<&str>> = with_engine(handle, |e| {
            let purposes = &e.policy().purposes;
            let purpose = usize::try_from(index).ok().and_then(|i| purposes.get(i)).ok_or_else(|| {
                CoreError::InvalidArgument(format!("purpose index {index} is out of range (0..{})", purposes.len()))
            })?;
            Ok(purpose.permissions.iter().map(|p| Some(p.name())).collect())
        })?;
        new_string_array(env, &names)
    }

    /// `policyAccepted(handle): Boolean`: the privacy policy of the current version is
    /// accepted and the journal can be trusted (false while storage fails).
    fn policyAccepted(_, handle: jlong) -> jboolean {
        with_engine(handle, |e| Ok(e.policy_accepted()))
    }

    // ---- decisions

    /// `decide(handle, purposeId, source): Long` (packed, see `wire::pack_decision`).
    fn decide(env, handle: jlong, purpose: JString<'local>, source: jint) -> jlong {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let source = wire::source(source)?;
        Ok(wire::pack_decision(with_engine(handle, |e| e.decide(&purpose, source))?))
    }

    /// `decidePermission(handle, purposeId, permission, source): Long`.
    fn decidePermission(
        env,
        handle: jlong,
        purpose: JString<'local>,
        permission: JString<'local>,
        source: jint,
    ) -> jlong {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let permission = read_string(env, &permission, "permission")?;
        let source = wire::source(source)?;
        Ok(wire::pack_decision(with_engine(handle, |e| e.decide_permission(&purpose, &permission, source))?))
    }

    // ---- records

    /// `acceptPolicy(handle, surface, locale, actor)`.
    fn acceptPolicy(env, handle: jlong, surface: jint, locale: JString<'local>, actor: jint) {
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.accept_policy(&ctx))
    }

    /// `withdrawPolicy(handle, surface, locale, actor)`: the user withdrew their acceptance of
    /// the privacy policy.
    fn withdrawPolicy(env, handle: jlong, surface: jint, locale: JString<'local>, actor: jint) {
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.withdraw_policy(&ctx))
    }

    /// `grant(handle, purposeId, surface, locale, actor)`.
    fn grant(env, handle: jlong, purpose: JString<'local>, surface: jint, locale: JString<'local>, actor: jint) {
        let (purpose, ctx) = purpose_and_context(env, &purpose, surface, &locale, actor)?;
        with_engine(handle, |e| e.grant(&purpose, &ctx))
    }

    /// `deny(handle, purposeId, surface, locale, actor)`.
    fn deny(env, handle: jlong, purpose: JString<'local>, surface: jint, locale: JString<'local>, actor: jint) {
        let (purpose, ctx) = purpose_and_context(env, &purpose, surface, &locale, actor)?;
        with_engine(handle, |e| e.deny(&purpose, &ctx))
    }

    /// `withdraw(handle, purposeId, surface, locale, actor): Array<String>`: the permissions
    /// no other allowed purpose still covers (to give back to the OS).
    fn withdraw(
        env,
        handle: jlong,
        purpose: JString<'local>,
        surface: jint,
        locale: JString<'local>,
        actor: jint,
    ) -> JObjectArray<'local, JString<'local>> {
        let (purpose, ctx) = purpose_and_context(env, &purpose, surface, &locale, actor)?;
        let revoke = with_engine(handle, |e| e.withdraw(&purpose, &ctx))?;
        new_permission_array(env, &revoke)
    }

    /// `recordOsResult(handle, purposeId, permission, result, surface, locale, actor)`.
    fn recordOsResult(
        env,
        handle: jlong,
        purpose: JString<'local>,
        permission: JString<'local>,
        result: jint,
        surface: jint,
        locale: JString<'local>,
        actor: jint,
    ) {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let permission = read_string(env, &permission, "permission")?;
        let result = wire::os_result(result)?;
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.record_os_result(&purpose, &permission, result, &ctx))
    }

    /// `recordOsResults(handle, purposeId, permissions, results, surface, locale, actor): Boolean`:
    /// one system dialog's answers (`results[i]` is `OsResult.wire` for `permissions[i]`); true
    /// when they amount to the user's "no" to the purpose (recorded as a refusal too).
    fn recordOsResults(
        env,
        handle: jlong,
        purpose: JString<'local>,
        permissions: JObjectArray<'local, JString<'local>>,
        results: JIntArray<'local>,
        surface: jint,
        locale: JString<'local>,
        actor: jint,
    ) -> jboolean {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let permissions = read_string_array(env, &permissions, "permissions")?;
        if results.is_null() {
            return Err(invalid("results must not be null"));
        }
        let mut codes = vec![0; results.len(env)?];
        results.get_region(env, 0, &mut codes)?;
        if codes.len() != permissions.len() {
            return Err(invalid(format!(
                "results has {} elements, permissions {}: one result per permission",
                codes.len(),
                permissions.len()
            )));
        }
        let mut answers = Vec::with_capacity(codes.len());
        for (name, code) in permissions.iter().zip(codes) {
            answers.push((name.as_str(), wire::os_result(code)?));
        }
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.record_os_results(&purpose, &answers, &ctx))
    }

    /// `recordRevocations(handle, apiLevel, osGranted, surface, locale, actor): Array<String>`:
    /// the purposes found revoked in Android's settings (each recorded once).
    fn recordRevocations(
        env,
        handle: jlong,
        api: jint,
        os_granted: JObjectArray<'local, JString<'local>>,
        surface: jint,
        locale: JString<'local>,
        actor: jint,
    ) -> JObjectArray<'local, JString<'local>> {
        let api = api_level(api)?;
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let ctx = context(env, surface, &locale, actor)?;
        let revoked = with_engine(handle, |e| e.record_revocations(api, &as_strs(&granted), &ctx))?;
        let names: Vec<Option<&str>> = revoked.iter().map(|p| Some(p.as_str())).collect();
        new_string_array(env, &names)
    }

    /// `setAgeBracket(handle, age, surface, locale, actor)`.
    fn setAgeBracket(env, handle: jlong, age: jint, surface: jint, locale: JString<'local>, actor: jint) {
        let age = wire::age_bracket(age)?;
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.set_age_bracket(age, &ctx))
    }

    /// `setGuardianConsent(handle, given, surface, locale, actor)`.
    fn setGuardianConsent(env, handle: jlong, given: jboolean, surface: jint, locale: JString<'local>, actor: jint) {
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.set_guardian_consent(given, &ctx))
    }

    // ---- permissions

    /// `reconcile(handle, osGranted): Array<String>`: OS grants no current consent covers.
    fn reconcile(
        env,
        handle: jlong,
        os_granted: JObjectArray<'local, JString<'local>>,
    ) -> JObjectArray<'local, JString<'local>> {
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let extra = with_engine(handle, |e| Ok(e.reconcile(&as_strs(&granted))))?;
        new_permission_array(env, &extra)
    }

    /// `requestPlan(handle, purposeId, apiLevel, osGranted): Array<String?>`: element 0 is the
    /// second step (background location or body sensors; null if none), then the first system
    /// dialog's permissions, then the special permissions (one settings page each).
    fn requestPlan(
        env,
        handle: jlong,
        purpose: JString<'local>,
        api: jint,
        os_granted: JObjectArray<'local, JString<'local>>,
    ) -> JObjectArray<'local, JString<'local>> {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let api = api_level(api)?;
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let plan = with_engine(handle, |e| e.request_plan(&purpose, api, &as_strs(&granted)))?;
        let mut out: Vec<Option<&str>> = vec![plan.background().map(|p| p.name())];
        out.extend(plan.first.iter().map(|p| Some(p.name())));
        // Special permissions last: the wrapper knows them by name and opens their pages.
        out.extend(plan.special.iter().map(|p| Some(p.name())));
        new_string_array(env, &out)
    }

    /// `osGrantsSatisfy(handle, index, apiLevel, osGranted): Boolean` (false for an index out
    /// of range).
    fn osGrantsSatisfy(
        env,
        handle: jlong,
        index: jint,
        api: jint,
        os_granted: JObjectArray<'local, JString<'local>>,
    ) -> jboolean {
        let api = api_level(api)?;
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let Ok(index) = usize::try_from(index) else {
            // Still fails for a closed engine, like every other call.
            return with_engine(handle, |_| Ok(false));
        };
        with_engine(handle, |e| Ok(e.os_grants_satisfy(index, api, &as_strs(&granted))))
    }

    /// `setManifestPermissions(handle, names)`: what the app's manifest requests on this device.
    fn setManifestPermissions(env, handle: jlong, names: JObjectArray<'local, JString<'local>>) {
        let names = read_string_array(env, &names, "names")?;
        with_engine(handle, |e| {
            e.set_manifest_permissions(&as_strs(&names));
            Ok(())
        })
    }

    /// `osGrant(handle, index, apiLevel, osGranted): String` (JSON of `engine::OsGrant`).
    fn osGrant(
        env,
        handle: jlong,
        index: jint,
        api: jint,
        os_granted: JObjectArray<'local, JString<'local>>,
    ) -> JString<'local> {
        let api = api_level(api)?;
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        let grant = with_engine(handle, |e| Ok(e.os_grant(index, api, &as_strs(&granted))))?;
        new_string(env, &json(&grant)?)
    }

    /// `lastOsResult(handle, permission): Int`: `OsResult.wire` of the journal's last OS answer, -1 if none.
    fn lastOsResult(env, handle: jlong, permission: JString<'local>) -> jint {
        let permission = read_string(env, &permission, "permission")?;
        let result = with_engine(handle, |e| Ok(e.last_os_result(&permission)))?;
        Ok(result.map_or(-1, wire::os_result_code))
    }

    // ---- what people see

    /// `rationale(handle, purposeId, locale): String` (JSON of `engine::views::Rationale`).
    fn rationale(env, handle: jlong, purpose: JString<'local>, locale: JString<'local>) -> JString<'local> {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let locale = read_string(env, &locale, "locale")?;
        let rationale = with_engine(handle, |e| e.rationale(&purpose, &locale))?;
        new_string(env, &json(&rationale)?)
    }

    /// `settings(handle, locale): String` (JSON array of `engine::views::PurposeView`).
    fn settings(env, handle: jlong, locale: JString<'local>) -> JString<'local> {
        let locale = read_string(env, &locale, "locale")?;
        let rows = with_engine(handle, |e| Ok(e.settings(&locale)))?;
        new_string(env, &json(&rows)?)
    }

    /// `lists(handle, locale): String` (JSON of `lists::Lists`).
    fn lists(env, handle: jlong, locale: JString<'local>) -> JString<'local> {
        let locale = read_string(env, &locale, "locale")?;
        let lists = with_engine(handle, |e| Ok(e.lists(&locale)))?;
        new_string(env, &json(&lists)?)
    }

    /// `history(handle, locale): String` (JSON array of `engine::views::HistoryEntry`).
    fn history(env, handle: jlong, locale: JString<'local>) -> JString<'local> {
        let locale = read_string(env, &locale, "locale")?;
        let rows = with_engine(handle, |e| e.consent_history(&locale))?;
        new_string(env, &json(&rows)?)
    }

    /// `policyText(handle, locale): String` (JSON of `engine::views::PolicyTextView`, or `null`).
    fn policyText(env, handle: jlong, locale: JString<'local>) -> JString<'local> {
        let locale = read_string(env, &locale, "locale")?;
        let text = with_engine(handle, |e| Ok(e.policy_text(&locale)))?;
        new_string(env, &json(&text)?)
    }

    /// `sdkIds(handle): Array<String>`: the declared third-party SDKs, in policy order.
    fn sdkIds(env, handle: jlong) -> JObjectArray<'local, JString<'local>> {
        let ids: Vec<Option<String>> =
            with_engine(handle, |e| Ok(e.policy().sdks.iter().map(|s| Some(s.id.clone())).collect()))?;
        new_string_array(env, &ids)
    }

    /// `sdkAllowed(handle, sdkId): Boolean`: a purpose the SDK serves is allowed now.
    fn sdkAllowed(env, handle: jlong, sdk: JString<'local>) -> jboolean {
        let sdk = read_string(env, &sdk, "sdkId")?;
        with_engine(handle, |e| e.sdk_allowed(&sdk))
    }

    /// `exportProof(handle): String`: the proof-of-consent JSON document.
    fn exportProof(env, handle: jlong) -> JString<'local> {
        let proof = with_engine(handle, |e| e.export_proof())?;
        new_string(env, &json(&proof)?)
    }

    // ---- storage

    /// `storageProblem(handle): String?`: why decisions fail closed, or null.
    fn storageProblem(env, handle: jlong) -> JString<'local> {
        match with_engine(handle, |e| Ok(e.storage_problem().map(str::to_string)))? {
            Some(p) => new_string(env, &p),
            None => Ok(JString::default()),
        }
    }

    /// `erase(handle)`: account deletion; removes every record.
    fn erase(_, handle: jlong) {
        with_engine(handle, |e| e.erase())
    }

    /// `recoverFromCorruption(handle, surface, locale, actor): String`: the kept file's name.
    fn recoverFromCorruption(env, handle: jlong, surface: jint, locale: JString<'local>, actor: jint) -> JString<'local> {
        let ctx = context(env, surface, &locale, actor)?;
        let kept = with_engine(handle, |e| e.recover_from_corruption(&ctx))?;
        new_string(env, &kept)
    }

    /// `compact(handle)`.
    fn compact(_, handle: jlong) {
        with_engine(handle, |e| e.compact())
    }

    // ---- clock (the QA hook and tests, through Kotlin internals)

    /// `setClockFixed(handle, nowMs)`: freezes this engine's clock.
    fn setClockFixed(_, handle: jlong, now_ms: jlong) {
        clock(handle)?.set_fixed(now_ms);
        Ok(())
    }

    /// `setClockOffset(handle, offsetMs)`: device clock plus an offset (unfreezes).
    fn setClockOffset(_, handle: jlong, offset_ms: jlong) {
        clock(handle)?.set_offset(offset_ms);
        Ok(())
    }

    /// `advanceClock(handle, ms)`: moves the frozen time, or the offset.
    fn advanceClock(_, handle: jlong, ms: jlong) {
        clock(handle)?.advance(ms);
        Ok(())
    }

    /// `useSystemClock(handle)`: back to the device clock.
    fn useSystemClock(_, handle: jlong) {
        clock(handle)?.use_system();
        Ok(())
    }

    /// `clockNow(handle): Long`: this engine's current time, UTC ms.
    fn clockNow(_, handle: jlong) -> jlong {
        use crate::clock::Clock;
        Ok(clock(handle)?.now_ms())
    }
}

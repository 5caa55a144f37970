//! The JNI bridge: the only code that knows JNI. Entry points for
//! `io.consentgate.internal.Native` (Kotlin), each a thin call into the core.
//!
//! Two shapes (measured costs in docs/ARCHITECTURE.md, "The JNI boundary"):
//! - The hot call, `isAllowed(handle, index)`, is a plain `extern "system"` fn over
//!   primitives inside `catch_unwind`. It never touches the `JNIEnv` and cannot throw:
//!   anything wrong (unknown handle, closed engine, index out of range, a panic) answers
//!   `false`, i.e. not allowed.
//! - Every other call goes through [`cold`]: `EnvUnowned::with_env` (which catches panics)
//!   resolved with the one error policy in [`errors`], which turns each core error into its
//!   own Java exception and a panic of any payload into `InternalErrorException`.
//!
//! Handles are tagged slot numbers of leaked engine husks ([`handles`]): any `long` is safe
//! to pass, including after `close` on another thread.
//!
//! Enums cross as small ints and a decision as one packed `long` ([`wire`]); strings and
//! JSON only on cold paths (open, rationale, settings, export, permission lists).
//! Nothing here logs personal data: purpose ids and permission names are app-defined
//! identifiers; journal content, locales of users and paths beyond errors are not logged.

mod args;
pub mod errors;
pub mod handles;
pub mod wire;

use std::ffi::c_void;
use std::path::Path;
use std::sync::Arc;

use ::jni::objects::{JClass, JObjectArray, JString};
use ::jni::sys::{jboolean, jclass, jint, jlong, JNIEnv, JavaVM, JNI_VERSION_1_6};
use ::jni::{Env, EnvUnowned};

use crate::clock::AdjustableClock;
use crate::engine::shared::SharedEngine;
use crate::engine::{Context, Engine};
use crate::error::CoreError;
use crate::journal::JournalOptions;
use crate::policy::Policy;
use args::{new_string, new_string_array, read_string, read_string_array};
use errors::{invalid, BridgeResult, ThrowConsentGateException};
use handles::EngineHandle;

/// Runs a cold entry point: JNI access, panics caught, errors thrown as the SDK's
/// exceptions (the returned default value is never seen by Java then).
fn cold<'local, T: Default + 'local>(
    mut env: EnvUnowned<'local>,
    f: impl FnOnce(&mut Env<'local>) -> BridgeResult<T>,
) -> T {
    env.with_env(f).resolve::<ThrowConsentGateException>()
}

fn engine(handle: jlong) -> BridgeResult<&'static EngineHandle> {
    handles::get(handle).ok_or_else(|| invalid("not a consent engine handle"))
}

/// Runs `f` on the open engine behind `handle` (after catching up with the journal).
fn with_engine<R>(handle: jlong, f: impl FnOnce(&mut Engine) -> crate::Result<R>) -> BridgeResult<R> {
    Ok(engine(handle)?.shared.with(f)?)
}

fn context(env: &Env<'_>, surface: jint, locale: &JString<'_>, actor: jint) -> BridgeResult<Context> {
    Ok(Context::new(wire::surface(surface)?, read_string(env, locale, "locale")?, wire::actor(actor)?))
}

fn api_level(api: jint) -> BridgeResult<u32> {
    u32::try_from(api).map_err(|_| invalid(format!("apiLevel {api} is not an Android API level")))
}

fn json<T: serde::Serialize>(value: &T) -> BridgeResult<String> {
    serde_json::to_string(value).map_err(|e| CoreError::Internal(format!("could not encode JSON: {e}")).into())
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

// ---- lifecycle ---------------------------------------------------------------------

/// `open(policyJson, journalDir): Long`. The journal folder must be an absolute path; it
/// is created if missing. A corrupt or unreadable journal still opens (decisions fail
/// closed, `storageProblem()` says why).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_open<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    policy_json: JString<'local>,
    journal_dir: JString<'local>,
) -> jlong {
    cold(env, |env| {
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
    })
}

/// `close(handle)`: idempotent; the handle stays safe to use and answers "closed".
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_close<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    cold(env, |_| {
        engine(handle)?.shared.close();
        Ok(())
    })
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

/// `emptyCall(handle, index): Boolean`: benchmarks only (`android-wrapper/bench`). The same
/// class, signature shape and `catch_unwind` as `isAllowed`, doing nothing: the floor that
/// `isAllowed` is measured against. Always false; a few bytes in the library.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_emptyCall(
    _env: *mut JNIEnv,
    _class: jclass,
    _handle: jlong,
    _index: jint,
) -> jboolean {
    std::panic::catch_unwind(|| false).unwrap_or(false)
}

// ---- policy ------------------------------------------------------------------------

/// `purposeIds(handle): Array<String>`, in policy order (the order of indexes).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_purposeIds<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObjectArray<'local, JString<'local>> {
    cold(env, |env| {
        let ids: Vec<Option<String>> =
            with_engine(handle, |e| Ok(e.policy().purposes.iter().map(|p| Some(p.id.clone())).collect()))?;
        new_string_array(env, &ids)
    })
}

/// `policyVersion(handle): String`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_policyVersion<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JString<'local> {
    cold(env, |env| {
        let version = with_engine(handle, |e| Ok(e.policy().policy_version.clone()))?;
        new_string(env, &version)
    })
}

// ---- decisions ---------------------------------------------------------------------

/// `decide(handle, purposeId, source): Long` (packed, see `wire::pack_decision`).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_decide<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    source: jint,
) -> jlong {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let source = wire::source(source)?;
        Ok(wire::pack_decision(with_engine(handle, |e| e.decide(&purpose, source))?))
    })
}

/// `decidePermission(handle, purposeId, permission, source): Long`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_decidePermission<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    permission: JString<'local>,
    source: jint,
) -> jlong {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let permission = read_string(env, &permission, "permission")?;
        let source = wire::source(source)?;
        Ok(wire::pack_decision(with_engine(handle, |e| e.decide_permission(&purpose, &permission, source))?))
    })
}

// ---- records -----------------------------------------------------------------------

/// `acceptPolicy(handle, surface, locale, actor)`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_acceptPolicy<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) {
    cold(env, |env| {
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.accept_policy(&ctx))
    })
}

/// `withdrawPolicy(handle, surface, locale, actor)`: the user withdrew their acceptance of
/// the privacy policy.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_withdrawPolicy<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) {
    cold(env, |env| {
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.withdraw_policy(&ctx))
    })
}

/// `grant(handle, purposeId, surface, locale, actor)`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_grant<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.grant(&purpose, &ctx))
    })
}

/// `deny(handle, purposeId, surface, locale, actor)`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_deny<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.deny(&purpose, &ctx))
    })
}

/// `withdraw(handle, purposeId, surface, locale, actor): Array<String>`: the permissions
/// no other allowed purpose still covers (to give back to the OS).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_withdraw<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) -> JObjectArray<'local, JString<'local>> {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let ctx = context(env, surface, &locale, actor)?;
        let revoke = with_engine(handle, |e| e.withdraw(&purpose, &ctx))?;
        let names: Vec<Option<&str>> = revoke.iter().map(|p| Some(p.name())).collect();
        new_string_array(env, &names)
    })
}

/// `recordOsResult(handle, purposeId, permission, result, surface, locale, actor)`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_io_consentgate_internal_Native_recordOsResult<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    permission: JString<'local>,
    result: jint,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let permission = read_string(env, &permission, "permission")?;
        let result = wire::os_result(result)?;
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.record_os_result(&purpose, &permission, result, &ctx))
    })
}

/// `setAgeBracket(handle, age, surface, locale, actor)`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_setAgeBracket<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    age: jint,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) {
    cold(env, |env| {
        let age = wire::age_bracket(age)?;
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.set_age_bracket(age, &ctx))
    })
}

/// `setGuardianConsent(handle, given, surface, locale, actor)`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_setGuardianConsent<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    given: jboolean,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) {
    cold(env, |env| {
        let ctx = context(env, surface, &locale, actor)?;
        with_engine(handle, |e| e.set_guardian_consent(given, &ctx))
    })
}

// ---- permissions -------------------------------------------------------------------

/// `reconcile(handle, osGranted): Array<String>`: OS grants no current consent covers.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_reconcile<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    os_granted: JObjectArray<'local, JString<'local>>,
) -> JObjectArray<'local, JString<'local>> {
    cold(env, |env| {
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let granted: Vec<&str> = granted.iter().map(String::as_str).collect();
        let extra = with_engine(handle, |e| Ok(e.reconcile(&granted)))?;
        let names: Vec<Option<&str>> = extra.iter().map(|p| Some(p.name())).collect();
        new_string_array(env, &names)
    })
}

/// `requestPlan(handle, purposeId, apiLevel, osGranted): Array<String?>`: element 0 is the
/// second step (background location or body sensors; null if none), then the first system
/// dialog's permissions, then the special permissions (one settings page each).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_requestPlan<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    api: jint,
    os_granted: JObjectArray<'local, JString<'local>>,
) -> JObjectArray<'local, JString<'local>> {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let api = api_level(api)?;
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let granted: Vec<&str> = granted.iter().map(String::as_str).collect();
        let plan = with_engine(handle, |e| e.request_plan(&purpose, api, &granted))?;
        let mut out: Vec<Option<&str>> = vec![plan.background().map(|p| p.name())];
        out.extend(plan.first.iter().map(|p| Some(p.name())));
        // Special permissions last: the wrapper knows them by name and opens their pages.
        out.extend(plan.special.iter().map(|p| Some(p.name())));
        new_string_array(env, &out)
    })
}

/// `osGrantsSatisfy(handle, index, apiLevel, osGranted): Boolean` (false for an index out
/// of range).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_osGrantsSatisfy<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    index: jint,
    api: jint,
    os_granted: JObjectArray<'local, JString<'local>>,
) -> jboolean {
    cold(env, |env| {
        let api = api_level(api)?;
        let granted = read_string_array(env, &os_granted, "osGranted")?;
        let granted: Vec<&str> = granted.iter().map(String::as_str).collect();
        let Ok(index) = usize::try_from(index) else {
            // Still fails for a closed engine, like every other call.
            return with_engine(handle, |_| Ok(false));
        };
        with_engine(handle, |e| Ok(e.os_grants_satisfy(index, api, &granted)))
    })
}

// ---- what people see ---------------------------------------------------------------

/// `rationale(handle, purposeId, locale): String` (JSON of `engine::views::Rationale`).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_rationale<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    purpose: JString<'local>,
    locale: JString<'local>,
) -> JString<'local> {
    cold(env, |env| {
        let purpose = read_string(env, &purpose, "purposeId")?;
        let locale = read_string(env, &locale, "locale")?;
        let rationale = with_engine(handle, |e| e.rationale(&purpose, &locale))?;
        new_string(env, &json(&rationale)?)
    })
}

/// `settings(handle, locale): String` (JSON array of `engine::views::PurposeView`).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_settings<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    locale: JString<'local>,
) -> JString<'local> {
    cold(env, |env| {
        let locale = read_string(env, &locale, "locale")?;
        let rows = with_engine(handle, |e| Ok(e.settings(&locale)))?;
        new_string(env, &json(&rows)?)
    })
}

/// `lists(handle, locale): String` (JSON of `lists::Lists`).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_lists<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    locale: JString<'local>,
) -> JString<'local> {
    cold(env, |env| {
        let locale = read_string(env, &locale, "locale")?;
        let lists = with_engine(handle, |e| Ok(e.lists(&locale)))?;
        new_string(env, &json(&lists)?)
    })
}

/// `history(handle, locale): String` (JSON array of `engine::views::HistoryEntry`).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_history<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    locale: JString<'local>,
) -> JString<'local> {
    cold(env, |env| {
        let locale = read_string(env, &locale, "locale")?;
        let rows = with_engine(handle, |e| e.consent_history(&locale))?;
        new_string(env, &json(&rows)?)
    })
}

/// `policyText(handle, locale): String` (JSON of `engine::views::PolicyTextView`, or `null`).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_policyText<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    locale: JString<'local>,
) -> JString<'local> {
    cold(env, |env| {
        let locale = read_string(env, &locale, "locale")?;
        let text = with_engine(handle, |e| Ok(e.policy_text(&locale)))?;
        new_string(env, &json(&text)?)
    })
}

/// `sdkIds(handle): Array<String>`: the declared third-party SDKs, in policy order.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_sdkIds<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObjectArray<'local, JString<'local>> {
    cold(env, |env| {
        let ids: Vec<Option<String>> =
            with_engine(handle, |e| Ok(e.policy().sdks.iter().map(|s| Some(s.id.clone())).collect()))?;
        new_string_array(env, &ids)
    })
}

/// `sdkAllowed(handle, sdkId): Boolean`: a purpose the SDK serves is allowed now.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_sdkAllowed<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    sdk: JString<'local>,
) -> jboolean {
    cold(env, |env| {
        let sdk = read_string(env, &sdk, "sdkId")?;
        with_engine(handle, |e| e.sdk_allowed(&sdk))
    })
}

/// `exportProof(handle): String`: the proof-of-consent JSON document.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_exportProof<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JString<'local> {
    cold(env, |env| {
        let proof = with_engine(handle, |e| e.export_proof())?;
        new_string(env, &json(&proof)?)
    })
}

// ---- storage -----------------------------------------------------------------------

/// `storageProblem(handle): String?`: why decisions fail closed, or null.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_storageProblem<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JString<'local> {
    cold(env, |env| {
        let problem = with_engine(handle, |e| Ok(e.storage_problem().map(str::to_string)))?;
        match problem {
            Some(p) => new_string(env, &p),
            None => Ok(JString::default()),
        }
    })
}

/// `erase(handle)`: account deletion; removes every record.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_erase<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    cold(env, |_| with_engine(handle, |e| e.erase()))
}

/// `recoverFromCorruption(handle, surface, locale, actor): String`: the kept file's name.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_recoverFromCorruption<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    surface: jint,
    locale: JString<'local>,
    actor: jint,
) -> JString<'local> {
    cold(env, |env| {
        let ctx = context(env, surface, &locale, actor)?;
        let kept = with_engine(handle, |e| e.recover_from_corruption(&ctx))?;
        new_string(env, &kept)
    })
}

/// `compact(handle)`.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_compact<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    cold(env, |_| with_engine(handle, |e| e.compact()))
}

// ---- clock -------------------------------------------------------------------------

/// The clock of an open engine (a closed one refuses, like every other call).
fn clock(handle: jlong) -> BridgeResult<&'static AdjustableClock> {
    let h = engine(handle)?;
    if h.shared.is_closed() {
        return Err(CoreError::Closed.into());
    }
    Ok(&h.clock)
}

/// `setClockFixed(handle, nowMs)`: freezes this engine's clock.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_setClockFixed<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    now_ms: jlong,
) {
    cold(env, |_| {
        clock(handle)?.set_fixed(now_ms);
        Ok(())
    })
}

/// `setClockOffset(handle, offsetMs)`: device clock plus an offset (unfreezes).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_setClockOffset<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    offset_ms: jlong,
) {
    cold(env, |_| {
        clock(handle)?.set_offset(offset_ms);
        Ok(())
    })
}

/// `advanceClock(handle, ms)`: moves the frozen time, or the offset.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_advanceClock<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    ms: jlong,
) {
    cold(env, |_| {
        clock(handle)?.advance(ms);
        Ok(())
    })
}

/// `useSystemClock(handle)`: back to the device clock.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_useSystemClock<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    cold(env, |_| {
        clock(handle)?.use_system();
        Ok(())
    })
}

/// `clockNow(handle): Long`: this engine's current time, UTC ms.
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_clockNow<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jlong {
    cold(env, |_| {
        use crate::clock::Clock;
        Ok(clock(handle)?.now_ms())
    })
}

// ---- boundary self-test ------------------------------------------------------------

/// Panics with a `&str` (kind 0), a `String` (1) or a non-text payload (2), to prove on a
/// real JVM that a panic becomes an `InternalErrorException` and never unwinds into Java.
fn self_test_panic(kind: jint) -> ! {
    match kind {
        0 => panic!("self-test panic"),
        1 => panic!("self-test panic number {kind}"),
        _ => std::panic::panic_any(kind),
    }
}

/// `selfTestPanic(kind)`: always throws `InternalErrorException` (cold-path panic policy).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_selfTestPanic<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    kind: jint,
) -> jlong {
    cold(env, |_| -> BridgeResult<jlong> { self_test_panic(kind) })
}

/// `selfTestPanicHot(kind): Boolean`: always false (hot-path panic policy).
#[no_mangle]
pub extern "system" fn Java_io_consentgate_internal_Native_selfTestPanicHot(
    _env: *mut JNIEnv,
    _class: jclass,
    kind: jint,
) -> jboolean {
    std::panic::catch_unwind(|| -> bool { self_test_panic(kind) }).unwrap_or(false)
}

package io.consentgate.internal

/**
 * Every native entry point of the Rust core (`src/jni/mod.rs`), one `external fun` each.
 * Internal: apps use [io.consentgate.ConsentEngine], which owns the handle and checks it.
 *
 * Contract of the native side, relied on by the tests:
 * - A handle is a tagged slot number. Any `Long` is safe to pass: after `close`, and even a
 *   made-up value, only ever reaches an open engine, a closed one, or nothing.
 * - [isAllowed] is the hot path: primitives only, never throws, `false` for anything but a
 *   current consent (unknown handle, closed engine, index out of range, internal trouble).
 * - Every other function throws the `io.consentgate` exception for its error: a closed engine
 *   [io.consentgate.EngineClosedException], a null or malformed string or code
 *   [io.consentgate.InvalidArgumentException], and so on (see `src/jni/errors.rs`).
 * - String parameters are nullable here on purpose: the native side checks them (a null is an
 *   `InvalidArgumentException`), and the tests pass nulls to prove it.
 * - Enum codes are `wire` values of the Kotlin enums; a decision is packed into one `Long`
 *   (see [io.consentgate.Decision]).
 * - Entry points only tests and benchmarks call are in `NativeTestHooks` (the wrapper's
 *   `src/testHooks`), exported only by a library built with the cargo feature `test-hooks`.
 */
internal object Native {
    init {
        NativeLibrary.load()
    }

    @JvmStatic external fun open(
        policyJson: String?,
        journalDir: String?,
    ): Long

    /** The locale records keep for a user reading in [tag]: [tag], else [language], else "und". */
    @JvmStatic external fun localeTag(
        tag: String?,
        language: String?,
    ): String

    @JvmStatic external fun close(handle: Long)

    @JvmStatic external fun isAllowed(
        handle: Long,
        index: Int,
    ): Boolean

    @JvmStatic external fun purposeIds(handle: Long): Array<String>

    @JvmStatic external fun policyVersion(handle: Long): String

    /** The permissions the purpose at [index] declares (full names, policy order). */
    @JvmStatic external fun purposePermissions(
        handle: Long,
        index: Int,
    ): Array<String>

    /** The privacy policy of the current version is accepted (false while storage fails). */
    @JvmStatic external fun policyAccepted(handle: Long): Boolean

    @JvmStatic external fun decide(
        handle: Long,
        purposeId: String?,
        source: Int,
    ): Long

    @JvmStatic external fun decidePermission(
        handle: Long,
        purposeId: String?,
        permission: String?,
        source: Int,
    ): Long

    @JvmStatic external fun acceptPolicy(
        handle: Long,
        surface: Int,
        locale: String?,
        actor: Int,
    )

    @JvmStatic external fun grant(
        handle: Long,
        purposeId: String?,
        surface: Int,
        locale: String?,
        actor: Int,
    )

    @JvmStatic external fun deny(
        handle: Long,
        purposeId: String?,
        surface: Int,
        locale: String?,
        actor: Int,
    )

    @JvmStatic external fun withdraw(
        handle: Long,
        purposeId: String?,
        surface: Int,
        locale: String?,
        actor: Int,
    ): Array<String>

    @JvmStatic external fun recordOsResult(
        handle: Long,
        purposeId: String?,
        permission: String?,
        result: Int,
        surface: Int,
        locale: String?,
        actor: Int,
    )

    /** One system dialog's answers (`results[i]` is the OsResult wire code of `permissions[i]`); true: a refusal. */
    @JvmStatic external fun recordOsResults(
        handle: Long,
        purposeId: String?,
        permissions: Array<String?>?,
        results: IntArray?,
        surface: Int,
        locale: String?,
        actor: Int,
    ): Boolean

    /** The purposes found revoked in Android's settings (each recorded once). */
    @JvmStatic external fun recordRevocations(
        handle: Long,
        apiLevel: Int,
        osGranted: Array<String?>?,
        surface: Int,
        locale: String?,
        actor: Int,
    ): Array<String>

    @JvmStatic external fun setManifestPermissions(
        handle: Long,
        names: Array<String?>?,
    )

    /** JSON of the core's `OsGrant`. */
    @JvmStatic external fun osGrant(
        handle: Long,
        index: Int,
        apiLevel: Int,
        osGranted: Array<String?>?,
    ): String

    /** The OsResult wire code of the journal's last OS answer for [permission], -1 if none. */
    @JvmStatic external fun lastOsResult(
        handle: Long,
        permission: String?,
    ): Int

    @JvmStatic external fun setAgeBracket(
        handle: Long,
        age: Int,
        surface: Int,
        locale: String?,
        actor: Int,
    )

    @JvmStatic external fun setGuardianConsent(
        handle: Long,
        given: Boolean,
        surface: Int,
        locale: String?,
        actor: Int,
    )

    @JvmStatic external fun reconcile(
        handle: Long,
        osGranted: Array<String?>?,
    ): Array<String>

    /** Element 0: the background-location step or null; the rest: the first system dialog. */
    @JvmStatic external fun requestPlan(
        handle: Long,
        purposeId: String?,
        apiLevel: Int,
        osGranted: Array<String?>?,
    ): Array<String?>

    @JvmStatic external fun osGrantsSatisfy(
        handle: Long,
        index: Int,
        apiLevel: Int,
        osGranted: Array<String?>?,
    ): Boolean

    /** JSON of the core's `Rationale`. */
    @JvmStatic external fun rationale(
        handle: Long,
        purposeId: String?,
        locale: String?,
    ): String

    /** JSON array of the core's `PurposeView`. */
    @JvmStatic external fun settings(
        handle: Long,
        locale: String?,
    ): String

    @JvmStatic external fun exportProof(handle: Long): String

    @JvmStatic external fun withdrawPolicy(
        handle: Long,
        surface: Int,
        locale: String?,
        actor: Int,
    )

    /** JSON of the core's `lists::Lists`. */
    @JvmStatic external fun lists(
        handle: Long,
        locale: String?,
    ): String

    /** JSON array of the core's `HistoryEntry`, newest first. */
    @JvmStatic external fun history(
        handle: Long,
        locale: String?,
    ): String

    /** JSON of the core's `PolicyTextView`, or `null`. */
    @JvmStatic external fun policyText(
        handle: Long,
        locale: String?,
    ): String

    @JvmStatic external fun sdkIds(handle: Long): Array<String>

    @JvmStatic external fun sdkAllowed(
        handle: Long,
        sdkId: String?,
    ): Boolean

    @JvmStatic external fun storageProblem(handle: Long): String?

    @JvmStatic external fun erase(handle: Long)

    @JvmStatic external fun recoverFromCorruption(
        handle: Long,
        surface: Int,
        locale: String?,
        actor: Int,
    ): String

    @JvmStatic external fun compact(handle: Long)

    @JvmStatic external fun setClockFixed(
        handle: Long,
        nowMs: Long,
    )

    @JvmStatic external fun setClockOffset(
        handle: Long,
        offsetMs: Long,
    )

    @JvmStatic external fun advanceClock(
        handle: Long,
        ms: Long,
    )

    @JvmStatic external fun useSystemClock(handle: Long)

    @JvmStatic external fun clockNow(handle: Long): Long
}

package io.consentgate

/**
 * How one consent request ended: delivered exactly once, on the main thread, to the callback
 * (or `suspend` caller) of [ConsentGate.request], and kept as [ConsentGate.lastResult].
 *
 * Kotlin: `when (r) { is RequestResult.Granted -> ...; ... }`. Java: `instanceof`, or [isGranted].
 */
public sealed class RequestResult {
    /** The purpose the request was for. */
    public abstract val purposeId: String

    /** True only for [Granted]: consent is on record and the OS grants are enough to use the purpose. */
    public open val isGranted: Boolean get() = false

    /**
     * Consent on record and the OS permissions the purpose needs are granted: go ahead.
     * [notGranted]: declared permissions Android did not grant although the purpose can work
     * without them (a partial grant): an optional permission, precise location when the user chose
     * approximate (API 31+), full photo access when the user selected some photos (API 34+).
     */
    public data class Granted
        @JvmOverloads
        public constructor(
            override val purposeId: String,
            public val notGranted: List<String> = emptyList(),
        ) : RequestResult() {
            override val isGranted: Boolean get() = true

            /** Granted with some of the purpose's permissions not granted (see [notGranted]). */
            public val isPartial: Boolean get() = notGranted.isNotEmpty()

            /** The one-argument copy of earlier versions (Java sees no default arguments): keeps [notGranted]. */
            public fun copy(purposeId: String): Granted = Granted(purposeId, notGranted)
        }

    /**
     * The user declined in the rationale dialog. Recorded; the app may not ask again on its own
     * before the policy's cooldown ends (the settings screen still can).
     */
    public data class Denied(
        override val purposeId: String,
    ) : RequestResult()

    /**
     * The user agreed in the rationale dialog (recorded) but the system dialog did not grant
     * what the purpose needs. [deniedPermissions]: the permissions the OS denied in this request.
     * [permanently]: at least one of them was denied with "don't ask again" (or twice, API 30+):
     * only the app's system settings page can grant it now ([ConsentGate.openAppSettings]).
     */
    public data class OsDenied(
        override val purposeId: String,
        val permanently: Boolean,
        val deniedPermissions: List<String>,
    ) : RequestResult()

    /**
     * Nothing was shown and nothing recorded: [reason] says why ([BlockReason.POLICY_NOT_ACCEPTED],
     * [BlockReason.GUARDIAN_REQUIRED], [BlockReason.COOLDOWN] until [untilMs] UTC ms,
     * [BlockReason.STORAGE]). [untilMs] is 0 for every reason but the cooldown.
     */
    public data class Blocked(
        override val purposeId: String,
        val reason: BlockReason,
        val untilMs: Long,
    ) : RequestResult()

    /**
     * The flow ended without an answer and recorded nothing more: the user dismissed the
     * rationale dialog (back), the calling activity finished, or the system cancelled the
     * permission request.
     */
    public data class Cancelled(
        override val purposeId: String,
    ) : RequestResult()

    /**
     * The SDK could not run the request: an undeclared purpose ([UndeclaredPurposeException], a
     * programming error), journal trouble ([StorageException]), a closed gate, or the request
     * activity missing from the app's manifest. Nothing is allowed.
     */
    public data class Error(
        override val purposeId: String,
        val exception: ConsentGateException,
    ) : RequestResult()
}

/** Receives the one [RequestResult] of a request, on the main thread. */
public fun interface RequestCallback {
    public fun onResult(result: RequestResult)
}

/**
 * Told, on the main thread, after anything that may change what [ConsentGate.isAllowed] answers:
 * a consent granted, denied or withdrawn, an OS answer, the privacy policy accepted, age or
 * guardian changes, erase, a QA command; also when a request flow ends (read
 * [ConsentGate.lastResult]: after process death that is the only way its result arrives).
 */
public fun interface ConsentListener {
    /** [purposeId] is the purpose that changed, or null when every purpose may have changed. */
    public fun onConsentChanged(purposeId: String?)
}

/**
 * What [ConsentGate.withdraw] did. Consent is withdrawn (recorded) and [ConsentGate.isAllowed]
 * is false at once, whatever else happens.
 */
public data class Withdrawal(
    val purposeId: String,
    /** The purpose's permissions that no other allowed purpose still covers. */
    val releasedPermissions: List<String>,
    /** Of those, the ones the OS still grants (all of them if the policy is not accepted: not checked). */
    val stillGrantedPermissions: List<String>,
    /** API 33+: `revokeSelfPermissionsOnKill` was called for [stillGrantedPermissions] (applies when the app's process ends). */
    val revokeScheduled: Boolean,
    /**
     * Below API 33 an app cannot give a permission back: the user has to switch it off on the
     * app's system settings page ([ConsentGate.openAppSettings]). True when that would change something.
     */
    val systemSettingsSuggested: Boolean,
)

package io.consentgate

/** One Android permission with a plain-words label in the requested language. */
public data class PermissionInfo(
    /** Full name, e.g. `android.permission.CAMERA`. */
    val name: String,
    /** E.g. "take photos and videos" / "拍摄照片和视频". */
    val label: String,
)

/** A third party that receives data for a purpose, as the policy declares it. */
public data class Recipient(
    val name: String,
    val data: String,
)

/** Everything the rationale dialog shows before asking for a purpose. */
public data class Rationale(
    val purposeId: String,
    /** The purpose's description in the requested locale (or the policy's default locale). */
    val description: String,
    val permissions: List<PermissionInfo>,
    val recipients: List<Recipient>,
    /** The privacy-policy version this text belongs to. */
    val policyVersion: String,
)

/** One row of the consent settings screen, in policy order. */
public data class PurposeSetting(
    val id: String,
    val state: SettingState,
    /** Whether the app may use the purpose now: the switch's position. */
    val allowed: Boolean,
    val description: String,
    val permissions: List<PermissionInfo>,
    val recipients: List<Recipient>,
    /** UTC ms of the user's last decision on it, or null if never asked. */
    val lastDecisionMs: Long?,
    /** While set, the app may not ask on its own before this time (UTC ms). */
    val cooldownUntilMs: Long?,
)

/**
 * What to ask the OS for, for one purpose on one API level, leaving out what is granted.
 * Request [firstStep] together in one system dialog; then, only if a foreground location
 * permission was granted, request [backgroundLocation] on its own (API 29+).
 */
public data class RequestPlan(
    val firstStep: List<String>,
    val backgroundLocation: String?,
) {
    /** Nothing left to ask the OS for. */
    val isEmpty: Boolean get() = firstStep.isEmpty() && backgroundLocation == null
}

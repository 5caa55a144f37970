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
public data class Rationale
    @JvmOverloads
    constructor(
        val purposeId: String,
        /** The purpose's description in the requested locale (or the policy's default locale). */
        val description: String,
        val permissions: List<PermissionInfo>,
        val recipients: List<Recipient>,
        /** The privacy-policy version this text belongs to. */
        val policyVersion: String,
        /**
         * The user is a minor (an age bracket under 18): a parent or guardian must be the one who
         * agrees, and the consent is recorded with [Actor.GUARDIAN].
         */
        val guardianRequired: Boolean = false,
    ) {
        /** The five-argument copy of earlier versions (Java sees no default arguments): keeps [guardianRequired]. */
        public fun copy(
            purposeId: String,
            description: String,
            permissions: List<PermissionInfo>,
            recipients: List<Recipient>,
            policyVersion: String,
        ): Rationale = Rationale(purposeId, description, permissions, recipients, policyVersion, guardianRequired)
    }

/** One row of the consent settings screen, in policy order. */
public data class PurposeSetting
    @JvmOverloads
    constructor(
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
        /** [SettingState.WITHDRAWN] because the user switched a permission off in Android's settings. */
        val revokedInSystemSettings: Boolean = false,
    ) {
        /** The eight-argument copy of earlier versions (Java sees no default arguments): keeps [revokedInSystemSettings]. */
        public fun copy(
            id: String,
            state: SettingState,
            allowed: Boolean,
            description: String,
            permissions: List<PermissionInfo>,
            recipients: List<Recipient>,
            lastDecisionMs: Long?,
            cooldownUntilMs: Long?,
        ): PurposeSetting =
            PurposeSetting(
                id,
                state,
                allowed,
                description,
                permissions,
                recipients,
                lastDecisionMs,
                cooldownUntilMs,
                revokedInSystemSettings,
            )
    }

/**
 * What to ask the OS for, for one purpose on one API level, leaving out what is granted.
 * Request [firstStep] together in one system dialog; then, only if its foreground permission was
 * granted, request [backgroundLocation] on its own (API 29+; with policy schema 2 it may also be
 * `BODY_SENSORS_BACKGROUND`, after `BODY_SENSORS`); then open the settings page of each of
 * [specialPermissions] (schema 2: all-files access, overlays, exact alarms, ...).
 */
public data class RequestPlan
    @JvmOverloads
    constructor(
        val firstStep: List<String>,
        val backgroundLocation: String?,
        val specialPermissions: List<String> = emptyList(),
    ) {
        /** Nothing left to ask the OS for. */
        val isEmpty: Boolean get() = firstStep.isEmpty() && backgroundLocation == null && specialPermissions.isEmpty()

        /** The two-argument copy of earlier versions (Java sees no default arguments): keeps [specialPermissions]. */
        public fun copy(
            firstStep: List<String>,
            backgroundLocation: String?,
        ): RequestPlan = RequestPlan(firstStep, backgroundLocation, specialPermissions)
    }

/** A third-party SDK that receives data for a purpose (policy schema 2), in one language. */
public data class SdkInfo(
    val id: String,
    val name: String,
    val company: String,
    val data: String,
    val privacyUrl: String,
)

/** Where the privacy policy's text is: a web page and/or a file under the app's `assets/`. */
public data class PolicyText(
    val url: String?,
    val asset: String?,
)

/** One row of the personal-information collection list (个人信息收集清单). */
public data class CollectionRow(
    val purposeId: String,
    val purpose: String,
    val information: String,
    val whenCollected: String,
    /** Empty for a consent-only purpose. */
    val permissions: List<PermissionInfo>,
)

/** One row of the third-party sharing list (第三方信息共享清单): a recipient or an SDK. */
public data class SharingRow(
    val isSdk: Boolean,
    val recipient: String,
    val company: String?,
    val information: String,
    val purposeId: String,
    val purpose: String,
    val whenShared: String,
    /** The SDK's privacy rules. */
    val link: String?,
)

/** Both compliance lists in one language. */
public data class ComplianceLists(
    val locale: String,
    val policyVersion: String,
    val collection: List<CollectionRow>,
    val sharing: List<SharingRow>,
)

/** One of the user's consent decisions, as the history screen shows it. */
public data class HistoryEntry(
    val timeMs: Long,
    /** `policy_accepted`, `policy_withdrawn`, `consent_granted`, `consent_denied`, `consent_withdrawn`, `permission_revoked` (switched off in Android's settings), `guardian_consent_given` or `guardian_consent_withdrawn`. */
    val event: String,
    val purposeId: String?,
    /** The purpose's description now, or null for a purpose no longer declared. */
    val purpose: String?,
    val policyVersion: String,
    /** Where it was decided (`rationale_dialog`, `settings_screen`, `app`, ...). */
    val surface: String,
)

/**
 * How far Android's grants go for one purpose on one device ([ConsentEngine.osGrant]).
 * [satisfied]: every need of the purpose is granted (or cannot be requested on this device), so
 * with consent on record the purpose is allowed. [notGranted]: declared permissions that can be
 * requested here and are not granted (optional ones, an alternative not chosen such as precise
 * location when approximate was granted, or needed ones). [askOsAgain]: API 34+ with only the
 * user-selected photos and videos granted; a new request must show Android's photo picker again.
 */
public data class OsGrant(
    public val satisfied: Boolean,
    public val notGranted: List<String>,
    public val askOsAgain: Boolean,
) {
    /** Satisfied, but not everything the purpose declares is granted. */
    public val isPartial: Boolean get() = satisfied && notGranted.isNotEmpty()
}

package io.consentgate

/**
 * Why a decision is asked for. `jsonName` is the core's name for it; `wire` the code the
 * native bridge reads (`src/jni/wire.rs`): both are pinned by tests.
 */
public enum class Source(
    public val jsonName: String,
    @get:JvmSynthetic internal val wire: Int,
) {
    /** App code asks because the user started a feature: cooldowns apply. */
    FEATURE("feature", 0),

    /** The user flipped the switch on the consent settings screen: no cooldown. */
    SETTINGS("settings", 1),
    ;

    public companion object {
        /** The constant with this [jsonName]; [InvalidArgumentException] for anything else. */
        @JvmStatic public fun fromJsonName(name: String): Source = byName(entries, name, "a source") { it.jsonName }
    }
}

/** Where a decision was made; recorded with every journal event as proof. */
public enum class Surface(
    public val jsonName: String,
    @get:JvmSynthetic internal val wire: Int,
) {
    /** The SDK's rationale dialog before a permission request. */
    RATIONALE_DIALOG("rationale_dialog", 0),

    /** The SDK's consent settings screen. */
    SETTINGS_SCREEN("settings_screen", 1),

    /** The Android system permission dialog (OS results). */
    SYSTEM_DIALOG("system_dialog", 2),

    /** The app's own UI (e.g. its privacy-policy screen). */
    APP("app", 3),

    /** The adb QA receiver of a debuggable build. */
    QA_HOOK("qa_hook", 4),

    /** The SDK itself (compaction, recovery). */
    SDK("sdk", 5),

    /** Android's settings page for the app: a permission found switched off there (journal format 3). */
    SYSTEM_SETTINGS("system_settings", 6),
    ;

    public companion object {
        @JvmStatic public fun fromJsonName(name: String): Surface = byName(entries, name, "a surface") { it.jsonName }
    }
}

/** Who made a decision. */
public enum class Actor(
    public val jsonName: String,
    @get:JvmSynthetic internal val wire: Int,
) {
    USER("user", 0),
    GUARDIAN("guardian", 1),
    SYSTEM("system", 2),
    ;

    public companion object {
        @JvmStatic public fun fromJsonName(name: String): Actor = byName(entries, name, "an actor") { it.jsonName }
    }
}

/** What the OS answered for one permission request. */
public enum class OsResult(
    public val jsonName: String,
    @get:JvmSynthetic internal val wire: Int,
) {
    GRANTED("granted", 0),
    DENIED("denied", 1),

    /** Denied with "don't ask again": only the system settings page can change it. */
    DENIED_PERMANENTLY("denied_permanently", 2),
    ;

    public companion object {
        @JvmSynthetic internal fun fromWire(code: Int): OsResult? = entries.firstOrNull { it.wire == code }

        @JvmStatic public fun fromJsonName(name: String): OsResult = byName(entries, name, "an OS result") { it.jsonName }
    }
}

/** The user's age bracket, as the app determined it. Minors need a guardian's consent. */
public enum class AgeBracket(
    public val jsonName: String,
    @get:JvmSynthetic internal val wire: Int,
) {
    UNDER_14("under_14", 0),
    AGE_14_TO_17("age_14_to_17", 1),
    ADULT("adult", 2),

    /** The app has no age gate: treated as not a minor (the default). */
    UNKNOWN("unknown", 3),
    ;

    public companion object {
        @JvmStatic public fun fromJsonName(name: String): AgeBracket = byName(entries, name, "an age bracket") { it.jsonName }
    }
}

/** How the settings screen shows one purpose. */
public enum class SettingState(
    public val jsonName: String,
) {
    NEVER_ASKED("never_asked"),
    GRANTED("granted"),

    /** Granted for an older wording or permission set: the user will be asked again. */
    STALE("stale"),
    DENIED("denied"),
    WITHDRAWN("withdrawn"),
    ;

    public companion object {
        @JvmStatic public fun fromJsonName(name: String): SettingState = byName(entries, name, "a setting state") { it.jsonName }
    }
}

/** Why consent is needed. */
public enum class ConsentReason(
    public val jsonName: String,
) {
    NEVER_ASKED("never_asked"),

    /** Consent was given for an older wording or permission set of the purpose. */
    STALE("stale"),

    /** Denied or withdrawn before; the cooldown is over or the user came from settings. */
    ASK_AGAIN("ask_again"),
}

/** Why a purpose is blocked: do not ask, do not use. */
public enum class BlockReason(
    public val jsonName: String,
) {
    /** The privacy policy of this version has not been accepted. */
    POLICY_NOT_ACCEPTED("policy_not_accepted"),

    /** The user is a minor and no guardian consent is on record. */
    GUARDIAN_REQUIRED("guardian_required"),

    /** Refused recently: the app may not ask on its own before [Decision.Blocked.untilMs]. */
    COOLDOWN("cooldown"),

    /** The consent journal cannot be read or is corrupt: fail closed. */
    STORAGE("storage"),
}

private fun <T> byName(
    values: List<T>,
    name: String,
    what: String,
    jsonName: (T) -> String,
): T =
    values.firstOrNull { jsonName(it) == name }
        ?: throw InvalidArgumentException(
            "\"${name.take(80)}\" is not $what (expected one of: ${values.joinToString(", ") { jsonName(it) }})",
        )

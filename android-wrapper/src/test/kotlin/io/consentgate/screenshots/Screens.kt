package io.consentgate.screenshots

import android.app.Activity
import io.consentgate.ConsentDocumentActivity
import io.consentgate.ConsentGate
import io.consentgate.ConsentSettingsActivity
import io.consentgate.Fixtures.CAMERA
import io.consentgate.OsResult
import io.consentgate.Surface

/**
 * Every screen of the SDK in every state a user can meet, one line each: a name (the folder under
 * docs/screenshots/), what it shows, and how to get there. A new screen or state is one more line
 * here; [ScreenshotTest] renders it in every [Variant], checks it and compares it with the kept
 * pictures (`scripts/screenshots.sh accept` keeps the first ones).
 */
val SCREENS: List<Screen> =
    listOf(
        Screen("rationale-plain", "The rationale dialog for a purpose whose data is not shared") {
            gate()
            rationale("feedback_photo")
        },
        Screen("rationale-recipients", "The rationale dialog for a purpose that shares data with a third party and a third-party SDK") {
            gate()
            rationale("nearby_stores")
        },
        Screen("rationale-guardian", "The rationale dialog for a minor: it asks the parent or guardian to decide") {
            gate().apply {
                setAgeBracket(io.consentgate.AgeBracket.UNDER_14)
                setGuardianConsent(true)
            }
            rationale("feedback_photo")
        },
        Screen("request-banner", "Android's permission dialog is up: the purpose, permissions and recipients stay on screen") {
            gate()
            systemRequest("nearby_stores")
        },
        Screen("rationale-stale", "The rationale dialog asking again: the purpose changed since the user agreed") {
            staleConsent("feedback_photo")
            rationale("feedback_photo")
        },
        Screen("settings-on", "The settings screen: one purpose on, the others never asked") {
            gate().engineForSdk.grant("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN")
            grantPermissions(CAMERA)
            settings()
        },
        Screen("settings-off", "The settings screen: the privacy policy accepted, nothing asked yet") {
            gate()
            settings()
        },
        Screen("settings-cooldown", "The settings screen: the user said no a minute ago") {
            gate().engineForSdk.deny("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN")
            settings()
        },
        Screen("settings-revoked", "The settings screen: consent on record, Android's permission not granted") {
            gate().engineForSdk.grant("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN")
            settings()
        },
        Screen(
            "settings-revoked-in-system-settings",
            "The settings screen scrolled to a purpose whose permission the user switched off in Android's settings (a withdrawal): its row says so",
        ) {
            gate().engineForSdk.grant("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN")
            ConsentGate.get().engineForSdk.recordOsResults(
                "feedback_photo",
                mapOf(CAMERA to OsResult.GRANTED),
                Surface.SYSTEM_DIALOG,
                "zh-CN",
            )
            grantPermissions(CAMERA)
            revokePermissions(CAMERA)
            settings { scrollTo(it, ConsentSettingsActivity.ROW_TAG_PREFIX + "feedback_photo") }
        },
        Screen("settings-stale", "The settings screen: a purpose changed since the user agreed") {
            staleConsent("feedback_photo")
            settings()
        },
        Screen("settings-storage-failure", "The settings screen when the consent records cannot be read: everything off") {
            breakJournal()
            settings()
        },
        Screen("settings-policy-not-accepted", "The settings screen before the privacy policy is accepted") {
            gate(accepted = false)
            settings()
        },
        Screen("settings-guardian-required", "The settings screen for a minor without a guardian's consent") {
            gate().setAgeBracket(io.consentgate.AgeBracket.UNDER_14)
            settings()
        },
        Screen("settings-sdks", "The settings screen scrolled to a purpose whose data goes to a recipient and a third-party SDK") {
            gate()
            settings { scrollTo(it, ConsentSettingsActivity.ROW_TAG_PREFIX + "nearby_stores") }
        },
        Screen("settings-withdraw-policy", "Withdrawing the acceptance of the privacy policy from the settings screen: the confirmation") {
            gate()
            settings { tap(it, ConsentSettingsActivity.WITHDRAW_POLICY_TAG) }
        },
        Screen("document-policy-text", "The privacy policy's text, from the app's assets, opened from the settings screen") {
            gate()
            document(ConsentDocumentActivity.MODE_POLICY_TEXT)
        },
        Screen("document-lists", "The personal-information collection list and the third-party sharing list, drawn from the policy") {
            gate()
            document(ConsentDocumentActivity.MODE_LISTS)
        },
        Screen("document-lists-sharing", "The lists screen scrolled to the third-party sharing list") {
            gate()
            document(ConsentDocumentActivity.MODE_LISTS) { scrollTo(it, "consentgate:doc:sharing") }
        },
        Screen("document-history", "The user's own consent history, newest first") {
            history()
            document(ConsentDocumentActivity.MODE_HISTORY)
        },
        Screen("document-history-empty", "The consent history before anything was recorded") {
            gate(accepted = false)
            document(ConsentDocumentActivity.MODE_HISTORY)
        },
        Screen("document-history-storage-failure", "The consent history when the consent records cannot be read") {
            breakJournal()
            document(ConsentDocumentActivity.MODE_HISTORY)
        },
        Screen(
            "settings-withdrawn-system-settings-dialog",
            "Switching a purpose off below Android 13: the dialog offering Android's settings page",
            apis = setOf(29),
        ) {
            gate().engineForSdk.grant("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN")
            grantPermissions(CAMERA)
            settings { switchOf(it, "feedback_photo").performClick() }
        },
    )

/** The pictures the README shows, at full resolution. */
val README_SHOTS: Map<String, List<Variant>> =
    mapOf(
        "rationale-recipients" to listOf(Variant.readme(Language.ZH_CN, Theme.LIGHT), Variant.readme(Language.EN, Theme.DARK)),
        "request-banner" to listOf(Variant.readme(Language.ZH_CN, Theme.LIGHT), Variant.readme(Language.EN, Theme.DARK)),
        "settings-on" to listOf(Variant.readme(Language.ZH_CN, Theme.LIGHT), Variant.readme(Language.EN, Theme.DARK)),
        "document-lists" to listOf(Variant.readme(Language.ZH_CN, Theme.LIGHT)),
        "document-history" to listOf(Variant.readme(Language.EN, Theme.DARK)),
    )

class Screen(
    val name: String,
    val about: String,
    /** The API levels where this state exists (e.g. a dialog shown only below Android 13). */
    val apis: Set<Int> = Variant.APIS.toSet(),
    val show: Stage.() -> Capture,
) {
    override fun toString(): String = name
}

/** What a screen state can ask of the test: a gate in a known state, and the SDK's screens opened on it. */
interface Stage {
    /** A fresh gate over the test policy (the privacy policy accepted unless told otherwise). */
    fun gate(accepted: Boolean = true): ConsentGate

    fun grantPermissions(vararg permissions: String)

    /** Android no longer grants [permissions] (switched off in its settings); the SDK refreshes. */
    fun revokePermissions(vararg permissions: String)

    /** A gate on which [purposeId] was consented to with an older wording. */
    fun staleConsent(purposeId: String): ConsentGate

    /** A gate whose journal cannot be read. */
    fun breakJournal(): ConsentGate

    /** The settings screen, after [then] ran on it. */
    fun settings(then: (Activity) -> Unit = {}): Capture

    /** The rationale dialog of a feature request for [purposeId], over the app's screen. */
    fun rationale(purposeId: String): Capture

    /** A gate with a month of decisions in its journal: accepted, agreed, refused, withdrawn. */
    fun history(): ConsentGate

    /** [ConsentDocumentActivity] in [mode], after [then] ran on it. */
    fun document(
        mode: String,
        then: (Activity) -> Unit = {},
    ): Capture

    /** Scrolls [screen] so that the view tagged [tag] is at the top. */
    fun scrollTo(
        screen: Activity,
        tag: String,
    )

    /** Taps the view tagged [tag] on [screen]. */
    fun tap(
        screen: Activity,
        tag: String,
    )

    /**
     * A feature request for [purposeId] after the user agreed in the rationale: Android's permission
     * dialog is up (another app's window, not drawn here) and the request activity shows the purpose.
     */
    fun systemRequest(purposeId: String): Capture

    fun switchOf(
        screen: Activity,
        purposeId: String,
    ): android.widget.Switch
}

package io.consentgate

import android.app.Activity
import android.app.AlertDialog
import android.graphics.Paint
import android.os.Bundle
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.Switch
import android.widget.TextView
import io.consentgate.internal.DialogButtons
import io.consentgate.internal.DocumentStrings
import io.consentgate.internal.DocumentStringsFor
import io.consentgate.internal.Locales
import io.consentgate.internal.Strings
import io.consentgate.internal.Themes
import io.consentgate.internal.UiStrings
import java.text.DateFormat
import java.util.Date

/**
 * The ready consent settings screen ([ConsentGate.openSettingsScreen]): every declared purpose
 * with its description, the permissions it uses in plain words, who receives the data, and a
 * switch. Off: the consent is withdrawn at once (recorded) and the permissions no other purpose
 * covers are given back (`revokeSelfPermissionsOnKill` on API 33+; below, a dialog offers the
 * app's system settings page). On: the same consent flow as a feature request, without the
 * refusal cooldown (the user asked for it here).
 *
 * Framework views built in code (the host build makes no `R` class), in the device's default
 * theme, light or dark as the system is set, unless the app's manifest gives this activity a
 * theme of its own. Text sizes are in sp and nothing has a fixed height, so the screen grows with
 * the user's font size; each switch is named for TalkBack by its purpose and is at least 48 dp
 * square. Each row's switch carries
 * the purpose id as its tag ([switchTag]) for tests and UI automation. Before the privacy policy
 * is accepted the screen shows the purposes with their switches off and disabled, and queries
 * nothing from the OS.
 */
public class ConsentSettingsActivity : Activity() {
    private var gate: ConsentGate? = null
    private lateinit var list: LinearLayout
    private lateinit var banner: TextView
    private var withdrawPolicyLink: View? = null
    private val busy = HashSet<String>()

    /** The confirmation dialog on screen (withdraw the privacy policy, or open the system settings). */
    private var confirmation: AlertDialog? = null
    private val listener = ConsentListener { render() }

    override fun onCreate(savedInstanceState: Bundle?) {
        Themes.applyTo(this)
        super.onCreate(savedInstanceState)
        gate = ConsentGate.getOrNull()
        val s = strings()
        title = s.settingsTitle
        val pad = dp(16)
        val root =
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(pad, pad, pad, pad)
            }
        // The action bar shows the title; a theme without one gets it as a heading instead.
        if (actionBar == null) root.addView(text(s.settingsTitle, android.R.style.TextAppearance_Material_Title))
        root.addView(text(s.settingsIntro, android.R.style.TextAppearance_Material_Body1).apply { setPadding(0, dp(8), 0, dp(8)) })
        banner =
            text("", android.R.style.TextAppearance_Material_Body2).apply {
                tag = BANNER_TAG
                visibility = View.GONE
            }
        root.addView(banner)
        addDocumentLinks(root)
        list = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        root.addView(list)
        setContentView(ScrollView(this).apply { addView(root) })
        if (gate == null) finish()
    }

    override fun onStart() {
        super.onStart()
        gate?.addListener(listener)
    }

    override fun onResume() {
        super.onResume()
        gate?.refresh()
        render()
    }

    override fun onStop() {
        gate?.removeListener(listener)
        super.onStop()
    }

    override fun onDestroy() {
        confirmation?.dismiss()
        confirmation = null
        super.onDestroy()
    }

    private fun strings(): UiStrings = Strings.forLocale(Locales.of(this))

    /**
     * Policy schema 2: the privacy policy's text (when the policy file names it), the compliance
     * lists, the user's consent history, and withdrawing the acceptance of the privacy policy.
     */
    private fun addDocumentLinks(root: LinearLayout) {
        val gate = gate ?: return
        val d = DocumentStringsFor.of(Locales.of(this))

        fun link(
            text: String,
            tag: String,
            onClick: () -> Unit,
        ) = text(text, android.R.style.TextAppearance_Material_Subhead)
            .apply {
                this.tag = tag
                // Underlined in the text colour: the theme's accent is under 4.5:1 contrast on API 29's light theme.
                paintFlags = paintFlags or Paint.UNDERLINE_TEXT_FLAG
                gravity = Gravity.CENTER_VERTICAL
                minHeight = dp(MIN_TOUCH_DP)
                setPadding(0, dp(4), 0, dp(4))
                setOnClickListener { onClick() }
            }.also { root.addView(it) }
        val hasText =
            try {
                gate.privacyPolicyText() != null
            } catch (e: ConsentGateException) {
                false
            }
        if (hasText) link(d.privacyPolicy, POLICY_LINK_TAG) { gate.openPrivacyPolicy(this) }
        link(d.lists, LISTS_LINK_TAG) { gate.openListsScreen(this) }
        link(d.history, HISTORY_LINK_TAG) { gate.openHistoryScreen(this) }
        withdrawPolicyLink = link(d.withdrawPolicy, WITHDRAW_POLICY_TAG) { confirmWithdrawPolicy(d) }
    }

    private fun confirmWithdrawPolicy(d: DocumentStrings) {
        val gate = gate ?: return
        if (!gate.isPrivacyPolicyAccepted) return
        confirm(d.withdrawPolicyTitle, d.withdrawPolicyMessage, d.withdrawPolicyConfirm to d.withdrawPolicy, d.cancel to d.cancel) {
            try {
                gate.withdrawPrivacyPolicy(Surface.SETTINGS_SCREEN)
            } catch (e: ConsentGateException) {
                // Not recorded: nothing changed; the screen shows the state as it is.
            }
            render()
        }
    }

    /** Rebuilds the rows from the journal's state (cheap: one native call). */
    private fun render() {
        val gate = gate ?: return
        if (gate.isClosed) return
        val s = strings()
        val rows =
            try {
                gate.settings()
            } catch (e: ConsentGateException) {
                emptyList()
            }
        val blockedBy =
            gate.storageProblem()?.let { s.settingsStorageProblem }
                ?: firstBlock(gate)?.let { reason ->
                    when (reason) {
                        BlockReason.POLICY_NOT_ACCEPTED -> s.settingsPolicyNotAccepted
                        BlockReason.GUARDIAN_REQUIRED -> s.settingsGuardianRequired
                        BlockReason.STORAGE -> s.settingsStorageProblem
                        BlockReason.COOLDOWN -> null
                    }
                }
        banner.text = blockedBy ?: ""
        // Nothing to withdraw before the privacy policy is accepted.
        withdrawPolicyLink?.visibility = if (gate.isPrivacyPolicyAccepted) View.VISIBLE else View.GONE
        banner.visibility = if (blockedBy == null) View.GONE else View.VISIBLE
        list.removeAllViews()
        rows.forEachIndexed { i, row -> list.addView(rowView(gate, i, row, s, enabled = blockedBy == null)) }
    }

    private fun firstBlock(gate: ConsentGate): BlockReason? {
        val first = gate.purposeIds.firstOrNull() ?: return null
        val d =
            try {
                gate.engineForSdk.decide(first, Source.SETTINGS)
            } catch (e: ConsentGateException) {
                return BlockReason.STORAGE
            }
        return (d as? Decision.Blocked)?.reason
    }

    private fun rowView(
        gate: ConsentGate,
        index: Int,
        row: PurposeSetting,
        s: UiStrings,
        enabled: Boolean,
    ): View {
        val box =
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(0, dp(12), 0, dp(12))
                tag = ROW_TAG_PREFIX + row.id
            }
        val top =
            LinearLayout(this).apply {
                orientation = LinearLayout.HORIZONTAL
                gravity = Gravity.CENTER_VERTICAL
                // Baseline alignment would push a wrapped title below the row's bottom edge.
                isBaselineAligned = false
            }
        val title =
            text(row.description, android.R.style.TextAppearance_Material_Subhead).apply {
                layoutParams = LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, 1f)
            }
        val toggle =
            Switch(this).apply {
                tag = switchTag(row.id)
                contentDescription = row.description
                minimumWidth = dp(MIN_TOUCH_DP)
                minimumHeight = dp(MIN_TOUCH_DP)
                isChecked = row.allowed
                isEnabled = enabled && row.id !in busy
                setOnClickListener { onToggle(row.id, isChecked) }
            }
        top.addView(title)
        top.addView(toggle)
        box.addView(top)
        // A consent-only purpose (policy schema 2) uses no permission: no line for it.
        if (row.permissions.isNotEmpty()) box.addView(detail(s.settingsUses + row.permissions.joinToString(s.listSeparator) { it.label }))
        box.addView(
            detail(
                if (row.recipients.isEmpty()) {
                    s.settingsNotShared
                } else {
                    s.settingsSharedWith + row.recipients.joinToString(s.listSeparator) { s.recipient(it.name, it.data) }
                },
            ),
        )
        val sdks =
            try {
                gate.sdksOf(row.id)
            } catch (e: ConsentGateException) {
                emptyList()
            }
        if (sdks.isNotEmpty()) {
            val d = DocumentStringsFor.of(Locales.of(this))
            box.addView(detail(d.sdks + sdks.joinToString(s.listSeparator) { d.sdkLine(it.name, it.company, it.data) }))
        }
        val cooldownUntil = row.cooldownUntilMs?.takeIf { !row.allowed && it > gate.engineForSdk.currentTimeMs() }
        when {
            row.state == SettingState.STALE -> box.addView(detail(s.settingsStale))
            row.allowed && !gate.osSatisfied(index) -> box.addView(detail(s.settingsOsOff))
            // Withdrawn in Android's settings, not refused here: the row says where.
            row.revokedInSystemSettings && cooldownUntil != null ->
                box.addView(detail(s.settingsRevokedCooldown.format(dateTime(cooldownUntil))))
            row.revokedInSystemSettings -> box.addView(detail(s.settingsRevoked))
            cooldownUntil != null -> box.addView(detail(s.settingsCooldown.format(dateTime(cooldownUntil))))
        }
        return box
    }

    private fun dateTime(ms: Long): String =
        DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT, Locales.of(this)).format(Date(ms))

    /** Text in one of the theme's text appearances (primary text colour: readable in light and dark). */
    private fun text(
        value: String,
        appearance: Int,
    ) = TextView(this).apply {
        setTextAppearance(appearance)
        text = value
    }

    private fun detail(value: String) = text(value, android.R.style.TextAppearance_Material_Body1).apply { setPadding(0, dp(2), 0, 0) }

    private fun onToggle(
        purposeId: String,
        on: Boolean,
    ) {
        val gate = gate ?: return
        if (on) {
            busy.add(purposeId)
            render()
            gate.startFlow(this, purposeId, Source.SETTINGS) {
                busy.remove(purposeId)
                render()
            }
        } else {
            val withdrawal =
                try {
                    gate.withdraw(purposeId, Surface.SETTINGS_SCREEN, Actor.USER)
                } catch (e: ConsentGateException) {
                    render()
                    return
                }
            render()
            if (withdrawal.systemSettingsSuggested) offerSystemSettings()
        }
    }

    /** Below API 33 an app cannot give a permission back: offer the app's system settings page. */
    private fun offerSystemSettings() {
        val gate = gate ?: return
        val s = strings()
        val open = s.openSystemSettings to s.openSystemSettingsDescription
        confirm(s.systemSettingsTitle, s.systemSettingsMessage, open, s.notNow to s.notNowDescription) { gate.openAppSettings(this) }
    }

    /**
     * Shows a confirmation in the system theme, in place of the one on screen. [yes] and [no]
     * are each a button's label and what TalkBack says for it.
     */
    private fun confirm(
        title: String,
        message: String,
        yes: Pair<String, String>,
        no: Pair<String, String>,
        onYes: () -> Unit,
    ) {
        confirmation?.dismiss()
        val dialog =
            AlertDialog
                .Builder(this, Themes.dialog(this))
                .setTitle(title)
                .setMessage(message)
                .setPositiveButton(yes.first) { _, _ -> onYes() }
                .setNegativeButton(no.first, null)
                .create()
        confirmation = dialog
        dialog.show()
        DialogButtons.describe(dialog) { label -> if (label == yes.first) yes.second else no.second }
        DialogButtons.keepAllVisible(dialog)
    }

    private fun dp(v: Int): Int = (v * resources.displayMetrics.density).toInt()

    public companion object {
        /** The tag of the switch of [purposeId] (`findViewWithTag`). */
        @JvmStatic
        public fun switchTag(purposeId: String): String = "consentgate:switch:$purposeId"

        internal const val ROW_TAG_PREFIX = "consentgate:row:"
        private const val MIN_TOUCH_DP = 48
        internal const val BANNER_TAG = "consentgate:banner"
        internal const val POLICY_LINK_TAG = "consentgate:link:privacy_policy"
        internal const val LISTS_LINK_TAG = "consentgate:link:lists"
        internal const val HISTORY_LINK_TAG = "consentgate:link:history"
        internal const val WITHDRAW_POLICY_TAG = "consentgate:link:withdraw_policy"
    }
}

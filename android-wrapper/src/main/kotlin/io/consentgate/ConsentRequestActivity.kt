package io.consentgate

import android.Manifest
import android.app.Activity
import android.app.AlertDialog
import android.content.pm.PackageManager
import android.os.Build
import android.os.Bundle
import android.util.Log
import io.consentgate.internal.DialogButtons
import io.consentgate.internal.DocumentStringsFor
import io.consentgate.internal.Locales
import io.consentgate.internal.OsPermissions
import io.consentgate.internal.RequestBanner
import io.consentgate.internal.Strings
import io.consentgate.internal.Themes

/**
 * The transparent activity that runs one request flow (started by [ConsentGate.request]; not
 * for apps to start): the rationale dialog, then the system permission dialog(s), recording
 * every answer. Framework APIs only.
 *
 * While Android's permission dialog is up, a banner at the top of this activity's window shows the
 * purpose, the permissions in plain words and the recipients ([RequestBanner]), on every path that
 * calls `requestPermissions`. A "no" in Android's dialog to a permission the purpose needs is the
 * user's refusal of the purpose (recorded by the core; the cooldown applies). For a minor, the
 * rationale asks the guardian and records the answer with actor guardian.
 *
 * Steps, saved in the instance state so that a rotation or process death neither loses the flow
 * nor asks or records twice:
 * - START: decide again (the state may have changed since the request);
 * - RATIONALE: the dialog is up; recreated, it is shown again (the same question, unanswered);
 * - OS_FIRST / OS_BACKGROUND: the system dialog is up; recreated, nothing is requested again (the
 *   OS delivers its answer to the new instance);
 * - DONE: the result was reported; recreated, it only finishes.
 *
 * Restored after process death, the caller's callback is gone: the result goes to
 * [ConsentGate.lastResult] and the listeners. An intent of a flow that already ended or was
 * cancelled in this process does nothing.
 */
public class ConsentRequestActivity : Activity() {
    private var gate: ConsentGate? = null
    private var purposeId: String = ""
    private var index: Int = -1
    private var source: Source = Source.FEATURE
    private var requestId: Long = 0
    private var step: Int = STEP_START
    private var backgroundPending: String? = null
    private val specialPending = ArrayList<String>()
    private val denied = ArrayList<String>()
    private var deniedPermanently = false
    private var dialog: AlertDialog? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val gate = ConsentGate.getOrNull()
        val purpose = intent.getStringExtra(EXTRA_PURPOSE)
        val sourceName = intent.getStringExtra(EXTRA_SOURCE)
        requestId = intent.getLongExtra(EXTRA_REQUEST_ID, 0)
        val session = intent.getLongExtra(EXTRA_SESSION, 0)
        if (gate == null || purpose == null || sourceName == null) {
            Log.w(OsPermissions.LOG_TAG, "request activity without an initialised ConsentGate or request: closing, nothing recorded")
            return closeQuietly()
        }
        this.gate = gate
        purposeId = purpose
        source = if (sourceName == Source.SETTINGS.jsonName) Source.SETTINGS else Source.FEATURE
        if (savedInstanceState != null) {
            step = savedInstanceState.getInt(STATE_STEP, STEP_START)
            backgroundPending = savedInstanceState.getString(STATE_BACKGROUND)
            savedInstanceState.getStringArrayList(STATE_SPECIAL)?.let { specialPending.addAll(it) }
            savedInstanceState.getStringArrayList(STATE_DENIED)?.let { denied.addAll(it) }
            deniedPermanently = savedInstanceState.getBoolean(STATE_PERMANENTLY)
        }
        if (step == STEP_DONE) return closeQuietly()
        if (gate.flows.get(requestId) == null && (session == gate.session || savedInstanceState == null)) {
            // This flow ended (or was cancelled) in this process, or a stale intent: nothing to do.
            return closeQuietly()
        }
        // Otherwise a known flow, or an orphan restored after process death: carry on.
        index =
            try {
                gate.engineForSdk.purposeIndex(purposeId)
            } catch (e: ConsentGateException) {
                return done(RequestResult.Error(purposeId, e))
            }
        gate.flows.attach(requestId, this)
        when (step) {
            STEP_START -> begin()
            STEP_RATIONALE -> showRationale()
            // OS_FIRST / OS_BACKGROUND: the OS delivers its answer to this instance; the purpose
            // stays on screen meanwhile.
            STEP_OS_FIRST, STEP_OS_BACKGROUND -> showBanner()
            else -> Unit // OS_SPECIAL: the settings page's result comes back to this instance.
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putInt(STATE_STEP, step)
        outState.putString(STATE_BACKGROUND, backgroundPending)
        outState.putStringArrayList(STATE_SPECIAL, specialPending)
        outState.putStringArrayList(STATE_DENIED, denied)
        outState.putBoolean(STATE_PERMANENTLY, deniedPermanently)
    }

    override fun onDestroy() {
        dialog?.let {
            it.setOnCancelListener(null)
            it.dismiss()
        }
        dialog = null
        val gate = gate
        if (gate != null) {
            gate.flows.detach(requestId, this)
            if (isFinishing && step != STEP_DONE) {
                // Finished from outside (task removed, back): nothing more is recorded.
                step = STEP_DONE
                gate.finishFlow(requestId, purposeId, RequestResult.Cancelled(purposeId))
            }
        }
        super.onDestroy()
    }

    private fun begin() {
        val gate = gate ?: return
        val decision =
            try {
                gate.refresh()
                gate.engineForSdk.decide(purposeId, source)
            } catch (e: ConsentGateException) {
                return done(RequestResult.Error(purposeId, e))
            }
        when (decision) {
            is Decision.Blocked -> done(RequestResult.Blocked(purposeId, decision.reason, decision.untilMs))
            is Decision.NeedsConsent -> {
                step = STEP_RATIONALE
                showRationale()
            }
            is Decision.Allowed -> askOs()
        }
    }

    private fun showRationale() {
        val gate = gate ?: return
        val locale = Locales.of(this)
        val tag = Locales.tag(locale)
        val s = Strings.forLocale(locale)
        val changed: Boolean
        val sdks: List<SdkInfo>
        val r =
            try {
                // Asked again because the purpose changed since the user agreed: say so first.
                changed = gate.engineForSdk.decide(purposeId, source) == Decision.NeedsConsent(ConsentReason.STALE)
                sdks = gate.engineForSdk.sdksOf(purposeId, tag)
                gate.engineForSdk.rationale(purposeId, tag)
            } catch (e: ConsentGateException) {
                return done(RequestResult.Error(purposeId, e))
            }
        val guardian = r.guardianRequired
        val message =
            buildString {
                if (guardian) append(s.guardianIntro).append("\n\n")
                if (changed) append(s.rationaleChanged).append("\n\n")
                append(r.description)
                // A consent-only purpose (policy schema 2) uses no permission: no list to show.
                if (r.permissions.isNotEmpty()) {
                    append("\n\n").append(s.rationaleUses)
                    for (p in r.permissions) append("\n• ").append(p.label)
                }
                append("\n\n")
                if (r.recipients.isEmpty() && sdks.isEmpty()) {
                    append(s.rationaleNotShared)
                } else {
                    append(s.rationaleSharedWith)
                    for (x in r.recipients) append("\n• ").append(s.recipient(x.name, x.data))
                    val d = DocumentStringsFor.of(locale)
                    for (x in sdks) append("\n• ").append(d.sdks).append(d.sdkLine(x.name, x.company, x.data))
                }
                append("\n\n").append(s.rationaleWithdrawHint)
            }
        val d =
            AlertDialog
                .Builder(this, Themes.dialog(this))
                .setTitle(if (guardian) s.guardianTitle else s.rationaleTitle)
                .setMessage(message)
                .setPositiveButton(if (guardian) s.guardianAgree else s.agree) { _, _ -> onAnswer(true, tag, guardian) }
                .setNegativeButton(if (guardian) s.guardianDisagree else s.disagree) { _, _ -> onAnswer(false, tag, guardian) }
                .setOnCancelListener { if (step == STEP_RATIONALE) done(RequestResult.Cancelled(purposeId)) }
                .create()
        d.setCanceledOnTouchOutside(false)
        dialog = d
        d.show()
        DialogButtons.describe(d) { label -> s.labelled(label, r.description) }
        DialogButtons.keepAllVisible(d)
    }

    /** The user (or, for a minor, the guardian) answered the rationale dialog, which was shown in [tag]. */
    private fun onAnswer(
        agreed: Boolean,
        tag: String,
        guardian: Boolean,
    ) {
        val gate = gate ?: return
        if (step != STEP_RATIONALE) return
        dialog = null
        try {
            val actor = if (guardian) Actor.GUARDIAN else Actor.USER
            if (agreed) {
                gate.engineForSdk.grant(purposeId, Surface.RATIONALE_DIALOG, tag, actor)
            } else {
                gate.engineForSdk.deny(purposeId, Surface.RATIONALE_DIALOG, tag, actor)
            }
        } catch (e: ConsentGateException) {
            return done(RequestResult.Error(purposeId, e))
        }
        if (agreed) askOs() else done(RequestResult.Denied(purposeId))
    }

    /** Consent is on record: ask the OS for what the purpose needs and it has not granted. */
    private fun askOs() {
        val gate = gate ?: return
        failClosed {
            gate.refresh()
            val granted = gate.os.grantedAmong(gate.declaredPermissions[index])
            val plan = gate.engineForSdk.requestPlan(purposeId, Build.VERSION.SDK_INT, granted)
            backgroundPending = plan.backgroundLocation
            specialPending.clear()
            specialPending.addAll(plan.specialPermissions)
            if (plan.firstStep.isNotEmpty() && source == Source.SETTINGS && androidWillNotAsk(plan.firstStep)) {
                // The user turned the switch on, but Android will not show its dialog any more
                // ("don't ask again"): its settings page for the app is the only way.
                gate.openAppSettings(this)
                return done(RequestResult.OsDenied(purposeId, true, plan.firstStep))
            }
            if (plan.firstStep.isNotEmpty()) {
                askAndroid(plan.firstStep, STEP_OS_FIRST, REQUEST_FIRST)
            } else {
                afterFirstStep()
            }
        }
    }

    /**
     * Runs one step of the flow; if the core fails (or an engine is closed under it) the flow
     * ends with [RequestResult.Error]: fail closed, nothing assumed granted.
     */
    private inline fun failClosed(step: () -> Unit) {
        try {
            step()
        } catch (e: ConsentGateException) {
            done(RequestResult.Error(purposeId, e))
        } catch (e: IllegalStateException) {
            done(RequestResult.Error(purposeId, InternalErrorException(e.message ?: "internal error")))
        }
    }

    /** Whether Android answered "don't ask again" the last time it was asked for every one of [permissions]. */
    private fun androidWillNotAsk(permissions: List<String>): Boolean {
        val gate = gate ?: return false
        return permissions.all {
            gate.engineForSdk.lastOsResult(it) == OsResult.DENIED_PERMANENTLY && !gate.os.canAskAgain(this, it)
        }
    }

    /** Asks Android for [permissions], with the purpose on screen until it answers. */
    private fun askAndroid(
        permissions: List<String>,
        nextStep: Int,
        requestCode: Int,
    ) {
        val gate = gate ?: return
        step = nextStep
        showBanner()
        gate.os.request(this, permissions, requestCode)
    }

    private fun showBanner() {
        val gate = gate ?: return
        val locale = Locales.of(this)
        try {
            RequestBanner.show(this, gate.engineForSdk.rationale(purposeId, Locales.tag(locale)), Strings.forLocale(locale))
        } catch (e: ConsentGateException) {
            Log.w(OsPermissions.LOG_TAG, "request banner not shown: ${e.javaClass.simpleName}")
        }
    }

    /**
     * Background location (API 29+) or background body sensors (33+) is a second, separate
     * request, only once its foreground permission is granted.
     */
    private fun afterFirstStep() {
        val gate = gate ?: return
        val background = backgroundPending
        backgroundPending = null
        val foreground = if (background == Manifest.permission.ACCESS_BACKGROUND_LOCATION) FOREGROUND_LOCATION else BODY_SENSORS
        if (background != null && gate.os.grantedAmong(foreground).isNotEmpty()) {
            askAndroid(listOf(background), STEP_OS_BACKGROUND, REQUEST_BACKGROUND)
        } else {
            nextSpecial()
        }
    }

    /**
     * Special permissions, after the dialogs: the user already agreed in the rationale, so the
     * settings page of each opens in turn; its grant is read with its own API on return.
     */
    private fun nextSpecial() {
        val gate = gate ?: return
        while (specialPending.isNotEmpty()) {
            val permission = specialPending[0]
            step = STEP_OS_SPECIAL
            if (gate.os.openSpecialPage(this, permission, REQUEST_SPECIAL)) return
            // No page to open on this device: the user cannot grant it now.
            specialPending.removeAt(0)
            denied.add(permission)
        }
        finishWithOsState()
    }

    @Deprecated("Activity result API of the framework; the SDK has no androidx dependency")
    override fun onActivityResult(
        requestCode: Int,
        resultCode: Int,
        data: android.content.Intent?,
    ) {
        @Suppress("DEPRECATION")
        super.onActivityResult(requestCode, resultCode, data)
        val gate = gate ?: return
        if (requestCode != REQUEST_SPECIAL || step != STEP_OS_SPECIAL || specialPending.isEmpty()) return
        val permission = specialPending.removeAt(0)
        failClosed {
            // Settings pages answer RESULT_CANCELED whatever the user did: ask the grant's own API.
            val granted = gate.os.grantedAmong(listOf(permission)).isNotEmpty()
            if (!granted) denied.add(permission)
            val result = if (granted) OsResult.GRANTED else OsResult.DENIED
            gate.engineForSdk.recordOsResult(purposeId, permission, result, Surface.SYSTEM_DIALOG, Locales.tag(Locales.of(this)))
            nextSpecial()
        }
    }

    override fun onRequestPermissionsResult(
        requestCode: Int,
        permissions: Array<out String>,
        grantResults: IntArray,
    ) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        val gate = gate ?: return
        val expected =
            when (step) {
                STEP_OS_FIRST -> REQUEST_FIRST
                STEP_OS_BACKGROUND -> REQUEST_BACKGROUND
                else -> return
            }
        if (requestCode != expected) return
        RequestBanner.hide(this)
        if (permissions.isEmpty()) {
            // The system cancelled the request (e.g. another one was running): no answer to record.
            return done(RequestResult.Cancelled(purposeId))
        }
        val tag = Locales.tag(Locales.of(this))
        failClosed {
            val answers = LinkedHashMap<String, OsResult>()
            for (i in permissions.indices) {
                val permission = permissions[i]
                val result =
                    when {
                        grantResults.getOrNull(i) == PackageManager.PERMISSION_GRANTED -> OsResult.GRANTED
                        gate.os.canAskAgain(this, permission) -> OsResult.DENIED
                        else -> OsResult.DENIED_PERMANENTLY
                    }
                if (result != OsResult.GRANTED) {
                    denied.add(permission)
                    if (result == OsResult.DENIED_PERMANENTLY) deniedPermanently = true
                }
                answers[permission] = result
            }
            // One write; a "no" to what the purpose needs is recorded as its refusal too.
            gate.engineForSdk.recordOsResults(purposeId, answers, Surface.SYSTEM_DIALOG, tag)
            if (step == STEP_OS_FIRST) afterFirstStep() else nextSpecial()
        }
    }

    private fun finishWithOsState() {
        val gate = gate ?: return
        gate.refresh()
        if (gate.osSatisfied(index)) return done(RequestResult.Granted(purposeId, gate.osGrant(index).notGranted))
        val missing =
            if (denied.isNotEmpty()) {
                denied.distinct()
            } else {
                val declared = gate.declaredPermissions[index]
                declared - gate.os.grantedAmong(declared).toSet()
            }
        done(RequestResult.OsDenied(purposeId, deniedPermanently, missing))
    }

    /** The calling activity finished mid-flow: close without recording anything more. */
    @JvmSynthetic internal fun cancelFlow() {
        done(RequestResult.Cancelled(purposeId))
    }

    private fun done(result: RequestResult) {
        if (step == STEP_DONE) return
        step = STEP_DONE
        dialog?.let {
            it.setOnCancelListener(null)
            it.dismiss()
        }
        dialog = null
        RequestBanner.hide(this)
        gate?.finishFlow(requestId, purposeId, result)
        finish()
        if (Build.VERSION.SDK_INT < 34) {
            @Suppress("DEPRECATION")
            overridePendingTransition(0, 0)
        }
    }

    private fun closeQuietly() {
        step = STEP_DONE
        finish()
    }

    internal companion object {
        const val EXTRA_PURPOSE = "io.consentgate.extra.PURPOSE"
        const val EXTRA_SOURCE = "io.consentgate.extra.SOURCE"
        const val EXTRA_REQUEST_ID = "io.consentgate.extra.REQUEST_ID"
        const val EXTRA_SESSION = "io.consentgate.extra.SESSION"

        const val REQUEST_FIRST = 0x4347
        const val REQUEST_BACKGROUND = 0x4348
        const val REQUEST_SPECIAL = 0x4349

        const val STEP_START = 0
        const val STEP_RATIONALE = 1
        const val STEP_OS_FIRST = 2
        const val STEP_OS_BACKGROUND = 3
        const val STEP_DONE = 4
        const val STEP_OS_SPECIAL = 5

        private const val STATE_STEP = "io.consentgate.state.STEP"
        private const val STATE_BACKGROUND = "io.consentgate.state.BACKGROUND"
        private const val STATE_SPECIAL = "io.consentgate.state.SPECIAL"
        private const val STATE_DENIED = "io.consentgate.state.DENIED"
        private const val STATE_PERMANENTLY = "io.consentgate.state.PERMANENTLY"

        private val FOREGROUND_LOCATION = listOf(Manifest.permission.ACCESS_COARSE_LOCATION, Manifest.permission.ACCESS_FINE_LOCATION)
        private val BODY_SENSORS = listOf(Manifest.permission.BODY_SENSORS)
    }
}

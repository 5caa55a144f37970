package io.consentgate

import android.Manifest
import android.app.Activity
import android.app.AlertDialog
import android.content.pm.PackageManager
import android.os.Build
import android.os.Bundle
import android.util.Log
import io.consentgate.internal.DialogButtons
import io.consentgate.internal.Locales
import io.consentgate.internal.OsPermissions
import io.consentgate.internal.Strings
import io.consentgate.internal.Themes

/**
 * The transparent activity that runs one request flow (started by [ConsentGate.request]; not
 * for apps to start): the rationale dialog, then the system permission dialog(s), recording
 * every answer. Framework APIs only.
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
            else -> Unit // OS_FIRST / OS_BACKGROUND: the OS delivers its answer to this instance.
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putInt(STATE_STEP, step)
        outState.putString(STATE_BACKGROUND, backgroundPending)
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
        val r =
            try {
                // Asked again because the purpose changed since the user agreed: say so first.
                changed = gate.engineForSdk.decide(purposeId, source) == Decision.NeedsConsent(ConsentReason.STALE)
                gate.engineForSdk.rationale(purposeId, tag)
            } catch (e: ConsentGateException) {
                return done(RequestResult.Error(purposeId, e))
            }
        val message =
            buildString {
                if (changed) append(s.rationaleChanged).append("\n\n")
                append(r.description)
                append("\n\n").append(s.rationaleUses)
                for (p in r.permissions) append("\n• ").append(p.label)
                append("\n\n")
                if (r.recipients.isEmpty()) {
                    append(s.rationaleNotShared)
                } else {
                    append(s.rationaleSharedWith)
                    for (x in r.recipients) append("\n• ").append(s.recipient(x.name, x.data))
                }
                append("\n\n").append(s.rationaleWithdrawHint)
            }
        val d =
            AlertDialog
                .Builder(this, Themes.dialog(this))
                .setTitle(s.rationaleTitle)
                .setMessage(message)
                .setPositiveButton(s.agree) { _, _ -> onAnswer(true, tag) }
                .setNegativeButton(s.disagree) { _, _ -> onAnswer(false, tag) }
                .setOnCancelListener { if (step == STEP_RATIONALE) done(RequestResult.Cancelled(purposeId)) }
                .create()
        d.setCanceledOnTouchOutside(false)
        dialog = d
        d.show()
        DialogButtons.describe(d) { label -> s.labelled(label, r.description) }
        DialogButtons.keepAllVisible(d)
    }

    /** The user answered the rationale dialog, which was shown in [tag]. */
    private fun onAnswer(
        agreed: Boolean,
        tag: String,
    ) {
        val gate = gate ?: return
        if (step != STEP_RATIONALE) return
        dialog = null
        try {
            if (agreed) {
                gate.engineForSdk.grant(purposeId, Surface.RATIONALE_DIALOG, tag)
            } else {
                gate.engineForSdk.deny(purposeId, Surface.RATIONALE_DIALOG, tag)
            }
        } catch (e: ConsentGateException) {
            return done(RequestResult.Error(purposeId, e))
        }
        if (agreed) askOs() else done(RequestResult.Denied(purposeId))
    }

    /** Consent is on record: ask the OS for what the purpose needs and it has not granted. */
    private fun askOs() {
        val gate = gate ?: return
        try {
            gate.refresh()
            val granted = gate.os.grantedAmong(gate.declaredPermissions[index])
            val plan = gate.engineForSdk.requestPlan(purposeId, Build.VERSION.SDK_INT, granted)
            backgroundPending = plan.backgroundLocation
            if (plan.firstStep.isNotEmpty()) {
                step = STEP_OS_FIRST
                gate.os.request(this, plan.firstStep, REQUEST_FIRST)
            } else {
                afterFirstStep()
            }
        } catch (e: ConsentGateException) {
            done(RequestResult.Error(purposeId, e))
        } catch (e: IllegalStateException) {
            done(RequestResult.Error(purposeId, InternalErrorException(e.message ?: "internal error")))
        }
    }

    /** Background location (API 29+) is a second, separate request, only once foreground location is granted. */
    private fun afterFirstStep() {
        val gate = gate ?: return
        val background = backgroundPending
        backgroundPending = null
        if (background != null && gate.os.grantedAmong(FOREGROUND_LOCATION).isNotEmpty()) {
            step = STEP_OS_BACKGROUND
            gate.os.request(this, listOf(background), REQUEST_BACKGROUND)
        } else {
            finishWithOsState()
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
        if (permissions.isEmpty()) {
            // The system cancelled the request (e.g. another one was running): no answer to record.
            return done(RequestResult.Cancelled(purposeId))
        }
        val tag = Locales.tag(Locales.of(this))
        try {
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
                gate.engineForSdk.recordOsResult(purposeId, permission, result, Surface.SYSTEM_DIALOG, tag)
            }
            if (step == STEP_OS_FIRST) afterFirstStep() else finishWithOsState()
        } catch (e: ConsentGateException) {
            done(RequestResult.Error(purposeId, e))
        } catch (e: IllegalStateException) {
            done(RequestResult.Error(purposeId, InternalErrorException(e.message ?: "internal error")))
        }
    }

    private fun finishWithOsState() {
        val gate = gate ?: return
        gate.refresh()
        if (gate.osSatisfied(index)) return done(RequestResult.Granted(purposeId))
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

        const val STEP_START = 0
        const val STEP_RATIONALE = 1
        const val STEP_OS_FIRST = 2
        const val STEP_OS_BACKGROUND = 3
        const val STEP_DONE = 4

        private const val STATE_STEP = "io.consentgate.state.STEP"
        private const val STATE_BACKGROUND = "io.consentgate.state.BACKGROUND"
        private const val STATE_DENIED = "io.consentgate.state.DENIED"
        private const val STATE_PERMANENTLY = "io.consentgate.state.PERMANENTLY"

        private val FOREGROUND_LOCATION = listOf(Manifest.permission.ACCESS_COARSE_LOCATION, Manifest.permission.ACCESS_FINE_LOCATION)
    }
}

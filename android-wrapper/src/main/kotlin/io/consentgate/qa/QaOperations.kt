package io.consentgate.qa

import android.content.Context
import io.consentgate.Actor
import io.consentgate.AgeBracket
import io.consentgate.ConsentEngine
import io.consentgate.ConsentGate
import io.consentgate.EngineClosedException
import io.consentgate.Surface
import io.consentgate.Withdrawal
import java.io.File
import java.io.IOException

/**
 * Deletes what QA `DUMP` wrote (`files/consentgate-qa`), for account deletion: the dump holds the
 * consent history. Best effort (a leftover is logged, not thrown): the journal itself is gone.
 */
internal fun deleteQaDump(context: Context) {
    val dir = File(context.filesDir, QaCommands.DUMP_DIR)
    if (dir.exists() && !dir.deleteRecursively()) {
        android.util.Log.w(io.consentgate.internal.OsPermissions.LOG_TAG, "erase: could not delete the QA dump folder")
    }
}

/**
 * Marks the QA operations: they record consent states without asking the user (recorded as
 * [Surface.QA_HOOK]) and move the consent clock. For the adb QA receiver of a debuggable build
 * and for tests (`io.consentgate.testing.ConsentGateRule`); never for app code, which asks
 * through [ConsentGate.request]. Kotlin callers must opt in: `@OptIn(ConsentGateQaApi::class)`.
 */
@RequiresOptIn(
    message = "QA and test operation: records consent without asking the user. For tests and the QA hook only.",
    level = RequiresOptIn.Level.ERROR,
)
@Retention(AnnotationRetention.BINARY)
@Target(AnnotationTarget.CLASS, AnnotationTarget.FUNCTION, AnnotationTarget.PROPERTY)
public annotation class ConsentGateQaApi

/**
 * The QA operations on one [ConsentGate]: the single implementation behind both the adb QA
 * receiver (`io.consentgate.qa.*` broadcasts, see [QaReceiver]) and the test rule
 * (`ConsentGateRule`). Each goes through the same engine and facade calls as the app and the
 * SDK's screens, is recorded with [Surface.QA_HOOK] in the app's current locale, and then
 * refreshes the gate's cached OS grants and tells its listeners, as every other change does.
 *
 * The clock is the gate's engine clock: records, cooldowns and decisions all use it, in this
 * process only.
 */
@ConsentGateQaApi
public class QaOperations internal constructor(
    private val context: Context,
    private val gate: ConsentGate,
) {
    private val engine get() = gate.engineForSdk

    /** QA `ACCEPT_POLICY`: the privacy policy of the gate's policy version is accepted. */
    public fun acceptPolicy(): Unit = recorded(null) { surface, locale -> acceptPolicy(surface, locale) }

    /** QA `GRANT`: consent to [purposeId] as currently worded (the OS grant is separate). */
    public fun grant(purposeId: String): Unit = recorded(purposeId) { surface, locale -> grant(purposeId, surface, locale) }

    /** QA `DENY`: a refusal of [purposeId]; its cooldown starts now (the engine clock). */
    public fun deny(purposeId: String): Unit = recorded(purposeId) { surface, locale -> deny(purposeId, surface, locale) }

    /** QA `WITHDRAW`: as [ConsentGate.withdraw] (permissions given back on API 33+), recorded as the QA hook. */
    public fun withdraw(purposeId: String): Withdrawal = gate.withdraw(purposeId, Surface.QA_HOOK, Actor.USER)

    /** QA `RESET`: account deletion, [ConsentGate.erase] (which also deletes the `DUMP` output). */
    public fun reset(): Unit = gate.erase()

    /** QA `AGE`: the user's age bracket. */
    public fun setAgeBracket(age: AgeBracket): Unit = recorded(null) { surface, locale -> setAgeBracket(age, surface, locale) }

    /** QA `GUARDIAN`: a guardian gave ([given] true) or withdrew consent (actor: guardian). */
    public fun setGuardianConsent(given: Boolean): Unit = recorded(null) { surface, locale -> setGuardianConsent(given, surface, locale) }

    /** QA `SET_CLOCK fixed_ms`: freezes the engine clock at [nowMs] (UTC ms). */
    public fun setClockFixed(nowMs: Long): Unit = clockChanged { engine.setClockFixed(nowMs) }

    /** QA `SET_CLOCK offset_ms`: the device clock plus [offsetMs] (unfreezes it). */
    public fun setClockOffset(offsetMs: Long): Unit = clockChanged { engine.setClockOffset(offsetMs) }

    /** QA `SET_CLOCK advance_ms`: moves the clock by [ms] (negative: back). */
    public fun advanceClock(ms: Long): Unit = clockChanged { engine.advanceClock(ms) }

    /** QA `SET_CLOCK system`: back to the plain device clock. */
    public fun useSystemClock(): Unit = clockChanged { engine.useSystemClock() }

    /** The engine clock's current time, UTC ms. */
    public fun nowMs(): Long = engine.currentTimeMs()

    /**
     * QA `DUMP`: writes the proof document to `files/consentgate-qa/proof.json` (where
     * `adb shell run-as <package> cat` reads it) and returns the file.
     */
    public fun dumpProof(): File {
        val dir = File(context.filesDir, QaCommands.DUMP_DIR)
        if (!dir.isDirectory && !dir.mkdirs()) throw IOException("cannot create ${dir.absolutePath}")
        val file = File(dir, "proof.json")
        val tmp = File(dir, "proof.json.tmp")
        tmp.writeText(gate.exportProof())
        if (!tmp.renameTo(file)) throw IOException("cannot write ${file.absolutePath}")
        return file
    }

    /** Records through the engine as the QA hook, in the app's locale, then tells the listeners what changed. */
    private inline fun recorded(
        changed: String?,
        record: ConsentEngine.(surface: Surface, locale: String) -> Unit,
    ) {
        engine.record(Surface.QA_HOOK, gate.localeTag())
        gate.changed(changed)
    }

    /**
     * A clock change can end or restart a cooldown, so listeners are told; before the privacy
     * policy is accepted no decision depends on the clock, and nobody is.
     */
    private fun clockChanged(change: () -> Unit) {
        change()
        if (gate.isPrivacyPolicyAccepted) gate.changed(null)
    }

    public companion object {
        /**
         * The QA operations on [gate] (open). [EngineClosedException] if it is closed.
         * Obtained by `ConsentGateRule` in tests; the adb receiver of a debuggable build uses the same class.
         */
        @JvmStatic
        public fun of(gate: ConsentGate): QaOperations {
            if (gate.isClosed) throw EngineClosedException("ConsentGate is closed")
            return QaOperations(gate.contextForSdk, gate)
        }
    }
}

package io.consentgate.testing

import android.content.Context
import android.content.ContextWrapper
import androidx.test.platform.app.InstrumentationRegistry
import io.consentgate.AgeBracket
import io.consentgate.ConsentGate
import io.consentgate.InvalidPolicyException
import io.consentgate.Withdrawal
import io.consentgate.qa.ConsentGateQaApi
import io.consentgate.qa.QaOperations
import org.json.JSONObject
import org.junit.rules.TestRule
import org.junit.runner.Description
import org.junit.runners.model.Statement
import java.io.File
import java.io.IOException
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit

/**
 * A JUnit 4 rule for an app's own tests (Robolectric or on a device): every test gets a
 * [ConsentGate] of its own, over a fresh, empty journal folder, with a [clock] the test
 * controls, and can put consent into any state directly, with the very operations the adb QA
 * receiver runs (`io.consentgate.qa.*`; events are recorded with surface `qa_hook`).
 *
 * ```
 * @get:Rule val consent = ConsentGateRule.withPolicyAsset()      // assets/consentgate/policy.json
 *
 * @Test fun photoButtonIsHiddenAfterARefusal() {
 *     consent.acceptPolicy()
 *     consent.deny("feedback_photo")                                // cooldown starts at consent.clock.nowMs
 *     // ... the app's screen under test reads ConsentGate.get() ...
 *     consent.clock.advance(49, TimeUnit.HOURS)                     // the 48 h cooldown is over
 * }
 * ```
 * Java: `@Rule public final ConsentGateRule consent = ConsentGateRule.withPolicyAsset();`
 *
 * Around each test:
 * - before: a [ConsentGate] already initialised in the process (e.g. by the app's
 *   `Application.onCreate` under Robolectric, over the app's real journal) is closed; the rule
 *   initialises [ConsentGate] (so [ConsentGate.get] in app code returns [gate]) with the policy
 *   and a new folder under `noBackupFilesDir/consentgate-test/`, and freezes the engine clock at
 *   the start time ([DEFAULT_START_MS] unless [startingAt] says otherwise). Nothing is accepted
 *   or granted: the state of a first launch.
 * - after: the gate is closed (also any other instance a test initialised), [ConsentGate.getOrNull]
 *   is null again, and the folder is deleted. Nothing carries over to the next test. An instance
 *   the app made is not brought back: under Robolectric every test gets a new application anyway;
 *   on a device `Application.onCreate` ran once for the whole run, so later tests of that run that
 *   need ConsentGate should use the rule too.
 *
 * Consent is half of [ConsentGate.isAllowed]; the OS grant is the other half and the rule does
 * not fake it: grant permissions as the test framework does (Robolectric
 * `shadowOf(app).grantPermissions(...)`, `GrantPermissionRule` or `pm grant` on a device), then
 * call [ConsentGate.refresh] (every operation of the rule refreshes too).
 *
 * Permissions the gate gives back to the OS after a withdrawal or erase
 * (`revokeSelfPermissionsOnKill`, API 33+) are collected in [revokedPermissions] instead of
 * reaching the OS: under Robolectric the permission controller behind that call does not exist
 * (the call fails on the main looper), and on a device the revocation would hit the test
 * process when it ends.
 *
 * Call the operations from the test's thread; listeners of the gate are told on the main
 * thread (under Robolectric, after the main looper idles). Recording at another time
 * (`grant(id, atMs)`) moves the clock there and back, as QA does with `SET_CLOCK`; once the
 * policy is accepted, listeners are told of those clock moves too.
 */
@OptIn(ConsentGateQaApi::class)
public class ConsentGateRule private constructor(
    private val policyAsset: String?,
    private val policyJson: String?,
) : TestRule {
    private var startMs: Long = DEFAULT_START_MS
    private var explicitContext: Context? = null

    private var current: Running? = null

    private class Running(
        val context: RuleContext,
        val gate: ConsentGate,
        val qa: QaOperations,
        val journalDir: File,
    )

    /** The gate's application context: the app's, except that permission give-backs are collected. */
    private class RuleContext(
        base: Context,
    ) : ContextWrapper(base) {
        val revoked = CopyOnWriteArrayList<String>()

        // The gate keeps applicationContext: make that this wrapper.
        override fun getApplicationContext(): Context = this

        override fun revokeSelfPermissionsOnKill(permissions: Collection<String>) {
            revoked.addAll(permissions)
        }
    }

    private fun running(): Running =
        current ?: throw IllegalStateException(
            "ConsentGateRule: no test is running (is the rule a @get:Rule property in Kotlin, a public @Rule field in Java?)",
        )

    // ---- configuration (before the test starts) --------------------------------------------

    /** Each test starts with the clock frozen at [startMs] (UTC ms). Default: [DEFAULT_START_MS]. */
    public fun startingAt(startMs: Long): ConsentGateRule =
        apply {
            checkNotRunning()
            this.startMs = startMs
        }

    /**
     * The context to initialise [ConsentGate] with. Default: the target context of the
     * instrumentation (`InstrumentationRegistry`), i.e. the app under test, which Robolectric
     * provides too.
     */
    public fun inContext(context: Context): ConsentGateRule =
        apply {
            checkNotRunning()
            explicitContext = context
        }

    private fun checkNotRunning() = check(current == null) { "ConsentGateRule: configure it before the test starts" }

    // ---- what the test uses -------------------------------------------------------------------

    /** This test's gate: the instance [ConsentGate.get] returns during the test. */
    public val gate: ConsentGate get() = running().gate

    /** This test's journal folder (fresh and empty at the start, deleted after the test). */
    public val journalDir: File get() = running().journalDir

    /** The application context the gate was initialised with (a wrapper of the app's, see [revokedPermissions]). */
    public val context: Context get() = running().context

    /**
     * The permissions the gate gave back to the OS during this test (`revokeSelfPermissionsOnKill`,
     * API 33+, after a withdrawal or erase), in order; collected here instead of reaching the OS.
     * Always empty below API 33, where an app cannot give a permission back.
     */
    public val revokedPermissions: List<String> get() = running().context.revoked.toList()

    /** The consent clock of this test's gate: frozen, moved only by the test. */
    public val clock: Clock = Clock()

    /** QA `ACCEPT_POLICY`: the privacy policy of the gate's policy version is accepted. */
    public fun acceptPolicy(): Unit = running().qa.acceptPolicy()

    /** QA `GRANT`: consent to [purposeId] as currently worded, at [Clock.nowMs]. */
    public fun grant(purposeId: String): Unit = running().qa.grant(purposeId)

    /** As [grant], recorded at [atMs] (UTC ms); the clock keeps its time. */
    public fun grant(
        purposeId: String,
        atMs: Long,
    ): Unit = at(atMs) { it.grant(purposeId) }

    /** QA `DENY`: a refusal of [purposeId] at [Clock.nowMs]; its cooldown starts then. */
    public fun deny(purposeId: String): Unit = running().qa.deny(purposeId)

    /** As [deny], recorded at [atMs] (UTC ms): the cooldown runs from [atMs]. The clock keeps its time. */
    public fun deny(
        purposeId: String,
        atMs: Long,
    ): Unit = at(atMs) { it.deny(purposeId) }

    /** QA `WITHDRAW`: as [ConsentGate.withdraw], at [Clock.nowMs]; its cooldown starts then. */
    public fun withdraw(purposeId: String): Withdrawal = running().qa.withdraw(purposeId)

    /** As [withdraw], recorded at [atMs] (UTC ms). The clock keeps its time. */
    public fun withdraw(
        purposeId: String,
        atMs: Long,
    ): Withdrawal = at(atMs) { it.withdraw(purposeId) }

    /** QA `AGE`: the user's age bracket (minors are blocked until [guardian] consent). */
    public fun setAge(age: AgeBracket): Unit = running().qa.setAgeBracket(age)

    /** QA `GUARDIAN`: a guardian gave ([given] true) or withdrew consent (recorded with actor `guardian`). */
    public fun guardian(given: Boolean): Unit = running().qa.setGuardianConsent(given)

    /** QA `RESET`: account deletion ([ConsentGate.erase]): back to a first launch. */
    public fun reset(): Unit = running().qa.reset()

    /**
     * Every event of this test's journal, oldest first, as the core read it back from disk with
     * its checksums and hash chain checked (the proof export, which fails on a corrupt journal).
     */
    public fun journal(): List<JournalEvent> {
        val history = JSONObject(proof()).getJSONArray("history")
        return List(history.length()) { JournalEvent.fromJson(history.getJSONObject(it)) }
    }

    /** The proof-of-consent document ([ConsentGate.exportProof]), as QA `DUMP` writes it. */
    public fun proof(): String = running().gate.exportProof()

    private fun <T> at(
        atMs: Long,
        block: (QaOperations) -> T,
    ): T {
        val qa = running().qa
        val saved = qa.nowMs()
        qa.setClockFixed(atMs)
        try {
            return block(qa)
        } finally {
            qa.setClockFixed(saved)
        }
    }

    /** The consent clock of the running test (QA `SET_CLOCK`): frozen, it moves only when told. */
    public inner class Clock internal constructor() {
        /** Now, as records, cooldowns and decisions see it (UTC ms). */
        public val nowMs: Long get() = running().qa.nowMs()

        /** Sets the clock to [nowMs] (UTC ms); it stays there. */
        public fun set(nowMs: Long): Unit = running().qa.setClockFixed(nowMs)

        /** Moves the clock by [ms] (negative: back). */
        public fun advance(ms: Long): Unit = running().qa.advanceClock(ms)

        /** Moves the clock by [amount] [unit]s, e.g. `advance(49, TimeUnit.HOURS)`. */
        public fun advance(
            amount: Long,
            unit: TimeUnit,
        ): Unit = advance(unit.toMillis(amount))

        override fun toString(): String = current?.let { "ConsentGateRule.Clock(${it.qa.nowMs()})" } ?: "ConsentGateRule.Clock(not running)"
    }

    // ---- the rule ----------------------------------------------------------------------------

    override fun apply(
        base: Statement,
        description: Description,
    ): Statement =
        object : Statement() {
            override fun evaluate() {
                start()
                var failure: Throwable? = null
                try {
                    base.evaluate()
                } catch (t: Throwable) {
                    failure = t
                    throw t
                } finally {
                    try {
                        finish()
                    } catch (t: Throwable) {
                        if (failure != null) failure.addSuppressed(t) else throw t
                    }
                }
            }
        }

    private fun start() {
        check(current == null) { "ConsentGateRule: already running (applied twice?)" }
        val base = (explicitContext ?: InstrumentationRegistry.getInstrumentation().targetContext).let { it.applicationContext ?: it }
        val context = RuleContext(base)
        // An instance from Application.onCreate: it holds the app's real journal, not this test's.
        ConsentGate.getOrNull()?.close()
        val json = policyJson ?: readAsset(context, policyAsset!!)
        val parent = File(context.noBackupFilesDir, TEST_DIR)
        if (!parent.isDirectory && !parent.mkdirs()) throw IOException("ConsentGateRule: cannot create ${parent.absolutePath}")
        val dir = Files.createTempDirectory(parent.toPath(), "journal-").toFile()
        val gate =
            try {
                ConsentGate.initWithPolicyJson(context, json, dir)
            } catch (t: Throwable) {
                dir.deleteRecursively()
                throw t
            }
        val qa = QaOperations.of(gate)
        current = Running(context, gate, qa, dir)
        qa.setClockFixed(startMs)
    }

    private fun finish() {
        val running = current ?: return
        current = null
        try {
            running.gate.close()
            ConsentGate.getOrNull()?.close()
        } finally {
            running.journalDir.deleteRecursively()
            running.journalDir.parentFile?.delete() // only if empty
        }
    }

    private fun readAsset(
        context: Context,
        asset: String,
    ): String =
        try {
            context.assets.open(asset).use { it.readBytes().toString(Charsets.UTF_8) }
        } catch (e: IOException) {
            throw InvalidPolicyException(
                "invalid policy: asset \"$asset\" cannot be read from the APK under test (${e.javaClass.simpleName}: ${e.message})",
            )
        }

    public companion object {
        /** Where each test's clock starts by default: 2026-01-01T00:00:00Z. */
        public const val DEFAULT_START_MS: Long = 1_767_225_600_000L

        /** The folder under `noBackupFilesDir` that holds the tests' journal folders. */
        public const val TEST_DIR: String = "consentgate-test"

        /** A rule whose gates use the policy in the app's assets ([ConsentGate.DEFAULT_POLICY_ASSET] by default). */
        @JvmStatic
        @JvmOverloads
        public fun withPolicyAsset(asset: String = ConsentGate.DEFAULT_POLICY_ASSET): ConsentGateRule = ConsentGateRule(asset, null)

        /** A rule whose gates use [policyJson] (schema 1), e.g. a test policy with a changed purpose. */
        @JvmStatic
        public fun withPolicyJson(policyJson: String): ConsentGateRule = ConsentGateRule(null, policyJson)
    }
}

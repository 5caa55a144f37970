package io.consentgate.testing

import android.Manifest
import android.app.Activity
import android.app.AlertDialog
import android.content.Intent
import android.os.Looper
import io.consentgate.Actor
import io.consentgate.AgeBracket
import io.consentgate.BlockReason
import io.consentgate.ConsentGate
import io.consentgate.ConsentReason
import io.consentgate.ConsentRequestActivity
import io.consentgate.Decision
import io.consentgate.RequestResult
import io.consentgate.SettingState
import io.consentgate.Surface
import io.consentgate.testsupport.TestActivity
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotSame
import org.junit.Assert.assertNull
import org.junit.Assert.assertSame
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowAlertDialog
import org.robolectric.shadows.ShadowDialog
import java.io.File
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit.DAYS
import java.util.concurrent.TimeUnit.HOURS
import java.util.concurrent.TimeUnit.MINUTES

/**
 * [ConsentGateRule] as an app team uses it: a `@get:Rule`, the app's policy asset, the real
 * facade, request flow and dialogs (Robolectric), the real core through JNI. Nothing here
 * touches SDK internals: only what the testing artifact and the public API offer.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 33, 34, 35], qualifiers = "en-rUS")
class ConsentGateRuleTest {
    @get:Rule
    val consent = ConsentGateRule.withPolicyAsset()

    private val app get() = RuntimeEnvironment.getApplication()

    private fun idle() = shadowOf(Looper.getMainLooper()).idle()

    private fun caller(): Activity = Robolectric.buildActivity(TestActivity::class.java).setup().get()

    /** Requests [purposeId] through the real facade from [caller]; the results delivered so far. */
    private fun request(
        caller: Activity,
        purposeId: String,
    ): List<RequestResult> {
        val results = CopyOnWriteArrayList<RequestResult>()
        consent.gate.request(caller, purposeId) { results.add(it) }
        idle()
        return results
    }

    /** The request activity the gate started from [caller], if any. */
    private fun startedRequest(caller: Activity): Intent? {
        while (true) {
            val intent = shadowOf(caller).nextStartedActivity ?: return null
            if (intent.component?.className == ConsentRequestActivity::class.java.name) return intent
        }
    }

    private fun shownDialogs() = ShadowDialog.getShownDialogs().filter { it.isShowing }

    // ---- fresh state per test ------------------------------------------------------------------
    // Two identical tests, each starting from a first launch and changing everything: whichever
    // runs second (at the same API level, in the same sandbox) fails if anything carried over.

    @Test
    fun eachTestStartsFromAFirstLaunch_a() = changeEverythingFromAFirstLaunch()

    @Test
    fun eachTestStartsFromAFirstLaunch_b() = changeEverythingFromAFirstLaunch()

    private fun changeEverythingFromAFirstLaunch() {
        val gate = consent.gate
        assertSame("app code's ConsentGate.get() is the rule's gate", gate, ConsentGate.get())
        previousGate?.let {
            assertNotSame(it, gate)
            assertTrue("the previous test's gate was closed", it.isClosed)
        }
        previousDir?.let { assertFalse("the previous test's journal folder is deleted: $it", it.exists()) }
        assertEquals(File(app.noBackupFilesDir, ConsentGateRule.TEST_DIR), consent.journalDir.parentFile)
        assertTrue(consent.journalDir.isDirectory)
        assertEquals(emptyList<JournalEvent>(), consent.journal())
        assertEquals(ConsentGateRule.DEFAULT_START_MS, consent.clock.nowMs)
        assertFalse(gate.isPrivacyPolicyAccepted)
        for (p in gate.purposeIds) assertEquals(p, Decision.Blocked(BlockReason.POLICY_NOT_ACCEPTED, 0), gate.decide(p))
        previousGate = gate
        previousDir = consent.journalDir

        shadowOf(app).grantPermissions(Manifest.permission.CAMERA)
        consent.acceptPolicy()
        consent.grant("feedback_photo")
        consent.deny("nearby_stores")
        consent.clock.advance(30, DAYS)
        assertTrue(gate.isAllowed("feedback_photo"))
        assertEquals(3, consent.journal().size)
    }

    // ---- the clock, and records at a given time ------------------------------------------------

    @Test
    fun recordsAtAGivenTimeAndTheClockRunsThroughTheCooldown() {
        val t0 = consent.clock.nowMs
        val gate = consent.gate
        consent.acceptPolicy()
        consent.grant("nearby_stores", atMs = t0 - DAYS.toMillis(10))
        consent.withdraw("nearby_stores", atMs = t0 - HOURS.toMillis(47))
        assertEquals("recording at another time leaves the clock where it was", t0, consent.clock.nowMs)
        assertEquals(
            listOf("policy_accepted" to t0, "consent_granted" to t0 - DAYS.toMillis(10), "consent_withdrawn" to t0 - HOURS.toMillis(47)),
            consent.journal().map { it.event to it.timeMs },
        )

        val until = t0 + HOURS.toMillis(1) // the policy's 48 h cooldown, from the withdrawal
        assertEquals(Decision.Blocked(BlockReason.COOLDOWN, until), gate.decide("nearby_stores"))
        val row = gate.settings().single { it.id == "nearby_stores" }
        assertEquals(SettingState.WITHDRAWN, row.state)
        assertEquals(t0 - HOURS.toMillis(47), row.lastDecisionMs)
        assertEquals(until, row.cooldownUntilMs)

        consent.clock.advance(59, MINUTES)
        assertEquals(Decision.Blocked(BlockReason.COOLDOWN, until), gate.decide("nearby_stores"))
        consent.clock.advance(MINUTES.toMillis(1))
        assertEquals(until, consent.clock.nowMs)
        assertEquals(Decision.NeedsConsent(ConsentReason.ASK_AGAIN), gate.decide("nearby_stores"))
        consent.clock.set(t0)
        assertEquals("the clock goes back when told", Decision.Blocked(BlockReason.COOLDOWN, until), gate.decide("nearby_stores"))
        assertEquals("other purposes are untouched", Decision.NeedsConsent(ConsentReason.NEVER_ASKED), gate.decide("feedback_photo"))
    }

    @Test
    fun startingAtSetsWhereEachTestsClockStarts() {
        // The rule of this class starts at the default; a rule configured with startingAt is
        // exercised in ConsentGateRuleLifecycleTest and the Java test. Here: the default is a
        // fixed instant, not the machine's clock.
        assertEquals(1_767_225_600_000L, consent.clock.nowMs)
        consent.acceptPolicy()
        assertEquals(1_767_225_600_000L, consent.journal().single().timeMs)
    }

    // ---- age and guardian ------------------------------------------------------------------------

    @Test
    fun aMinorIsBlockedUntilAGuardianConsents() {
        val gate = consent.gate
        shadowOf(app).grantPermissions(Manifest.permission.CAMERA)
        consent.acceptPolicy()
        consent.grant("feedback_photo")
        assertTrue(gate.isAllowed("feedback_photo"))

        consent.setAge(AgeBracket.UNDER_14)
        assertFalse("a minor's consent alone is not enough", gate.isAllowed("feedback_photo"))
        assertEquals(Decision.Blocked(BlockReason.GUARDIAN_REQUIRED, 0), gate.decide("feedback_photo"))
        val caller = caller()
        assertEquals(listOf(RequestResult.Blocked("feedback_photo", BlockReason.GUARDIAN_REQUIRED, 0)), request(caller, "feedback_photo"))
        assertNull("no request screen for a minor without a guardian", startedRequest(caller))
        assertEquals(emptyList<Any>(), shownDialogs())

        consent.guardian(true)
        assertTrue(gate.isAllowed("feedback_photo"))
        assertEquals(listOf(RequestResult.Granted("feedback_photo")), request(caller, "feedback_photo"))
        consent.guardian(false)
        assertFalse(gate.isAllowed("feedback_photo"))

        val events = consent.journal().filter { it.event == "age_bracket_set" || it.event == "guardian_consent" }
        assertEquals(listOf(AgeBracket.UNDER_14, null, null), events.map { it.age })
        assertEquals(listOf(null, true, false), events.map { it.guardian })
        assertEquals(listOf(Actor.USER, Actor.GUARDIAN, Actor.GUARDIAN), events.map { it.actor })
        assertTrue(consent.journal().all { it.surface == Surface.QA_HOOK && it.locale == "en-US" })
    }

    // ---- state set by the rule drives the real request flow ---------------------------------------

    @Test
    fun aRefusalSetByTheRuleBlocksTheRealRequestWithoutADialogUntilTheCooldownEnds() {
        val t0 = consent.clock.nowMs
        consent.acceptPolicy()
        consent.deny("feedback_photo", atMs = t0 - HOURS.toMillis(47))
        val caller = caller()

        assertEquals(
            listOf(RequestResult.Blocked("feedback_photo", BlockReason.COOLDOWN, t0 + HOURS.toMillis(1))),
            request(caller, "feedback_photo"),
        )
        assertNull("no request screen", startedRequest(caller))
        assertEquals("no dialog", emptyList<Any>(), shownDialogs())

        consent.clock.advance(1, HOURS)
        val results = request(caller, "feedback_photo")
        assertEquals("waiting for the user", emptyList<RequestResult>(), results)
        val screen = Robolectric.buildActivity(ConsentRequestActivity::class.java, startedRequest(caller)!!).setup()
        val dialog = ShadowAlertDialog.getLatestAlertDialog() as AlertDialog
        assertTrue("the cooldown is over: the rationale is shown again", dialog.isShowing)
        assertTrue(shadowOf(dialog).message.toString().startsWith("Take a photo to attach to your feedback"))
        dialog.getButton(AlertDialog.BUTTON_NEGATIVE).performClick()
        idle()
        assertTrue(screen.get().isFinishing)

        val last = consent.journal().last()
        assertEquals("consent_denied", last.event)
        assertEquals("the dialog's record uses the rule's clock", t0 + HOURS.toMillis(1), last.timeMs)
        assertEquals(Surface.RATIONALE_DIALOG, last.surface)
        assertEquals(
            Decision.Blocked(BlockReason.COOLDOWN, t0 + HOURS.toMillis(49)),
            consent.gate.decide("feedback_photo"),
        )
    }

    @Test
    fun consentSetByTheRuleAndTheOsGrantMeanGrantedWithoutAnyUi() {
        val gate = consent.gate
        val changes = CopyOnWriteArrayList<String?>()
        gate.addListener { changes.add(it) }
        consent.acceptPolicy()
        shadowOf(app).grantPermissions(Manifest.permission.CAMERA)
        assertFalse("the OS grant alone is not consent", gate.isAllowed("feedback_photo"))
        consent.grant("feedback_photo")
        idle()
        assertTrue(gate.isAllowed("feedback_photo"))
        assertEquals("listeners are told, as for the SDK's own changes", listOf(null, "feedback_photo"), changes)

        val caller = caller()
        assertEquals(listOf(RequestResult.Granted("feedback_photo")), request(caller, "feedback_photo"))
        assertNull(startedRequest(caller))
        assertEquals(emptyList<Any>(), shownDialogs())

        val w = consent.withdraw("feedback_photo")
        assertEquals(listOf(Manifest.permission.CAMERA), w.releasedPermissions)
        val api33 = android.os.Build.VERSION.SDK_INT >= 33
        assertEquals(api33, w.revokeScheduled)
        assertEquals(
            "given back on 33+ (collected by the rule)",
            if (api33) listOf(Manifest.permission.CAMERA) else emptyList(),
            consent.revokedPermissions,
        )
        assertFalse(gate.isAllowed("feedback_photo"))
        assertEquals(
            listOf(RequestResult.Blocked("feedback_photo", BlockReason.COOLDOWN, consent.clock.nowMs + HOURS.toMillis(48))),
            request(caller, "feedback_photo"),
        )

        consent.reset()
        assertFalse("account deletion: back to a first launch", gate.isPrivacyPolicyAccepted)
        assertEquals(emptyList<JournalEvent>(), consent.journal())
    }

    @Test
    fun journalEventsCarryWhatProofNeeds() {
        consent.acceptPolicy()
        consent.grant("import_contacts_to_dial")
        val (accepted, granted) = consent.journal()
        assertEquals(1L, accepted.seq)
        assertEquals("policy_accepted", accepted.event)
        assertEquals("2021-11-17", accepted.policyVersion)
        assertNull(accepted.purposeId)
        assertEquals(2L, granted.seq)
        assertEquals("import_contacts_to_dial", granted.purposeId)
        assertEquals(Actor.USER, granted.actor)
        val proof = org.json.JSONObject(consent.proof())
        assertEquals("consentgate-proof", proof.getString("format"))
        val purposes = proof.getJSONObject("policy").getJSONArray("purposes")
        val declared =
            (0 until purposes.length()).map { purposes.getJSONObject(it) }.single {
                it.getString("id") ==
                    "import_contacts_to_dial"
            }
        assertEquals("the fingerprint of the purpose text the user agreed to", declared.getString("fingerprint"), granted.fingerprint)
    }

    companion object {
        // Per API level (one sandbox class loader each), the gate and folder of the test that ran before.
        private var previousGate: ConsentGate? = null
        private var previousDir: File? = null
    }
}

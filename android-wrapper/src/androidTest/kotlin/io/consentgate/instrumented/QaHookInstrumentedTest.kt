package io.consentgate.instrumented

import io.consentgate.ConsentGate
import io.consentgate.Decision
import org.json.JSONObject
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import java.io.File

/**
 * The QA hook on a device, driven by real `am broadcast` commands from the shell (as QA does over
 * adb). Runs on an emulator or device only: `./gradlew :consentgate:connectedAndroidTest` (the
 * instrumentation APK is debuggable, so the receiver is registered). Compiled, never run, here.
 */
class QaHookInstrumentedTest {
    private val context = Qa.instrumentation.targetContext
    private lateinit var gate: ConsentGate

    @Before
    fun setUp() {
        ConsentGate.getOrNull()?.close()
        gate = ConsentGate.initWithPolicyJson(context, POLICY, File(context.noBackupFilesDir, "consentgate-it-${System.nanoTime()}"))
    }

    @After
    fun tearDown() {
        gate.erase()
        gate.close()
    }

    @Test
    fun shellCommandsDriveTheConsentStateAndDumpTheJournal() {
        assertTrue(Qa.broadcast("ACCEPT_POLICY").getBoolean("ok"))
        assertTrue(gate.isPrivacyPolicyAccepted)

        val granted = Qa.broadcast("GRANT", "--es purpose feedback_photo")
        assertEquals("feedback_photo", granted.getString("purpose"))
        assertEquals(Decision.Allowed, gate.decide("feedback_photo"))

        Qa.broadcast("WITHDRAW", "--es purpose feedback_photo")
        assertFalse(gate.isAllowed("feedback_photo"))

        Qa.broadcast("SET_CLOCK", "--el fixed_ms 1800000000000")
        assertEquals(1_800_000_000_000L, Qa.broadcast("DENY", "--es purpose feedback_photo").getLong("now_ms"))
        Qa.broadcast("SET_CLOCK", "--ez system true")

        val dump = Qa.broadcast("DUMP")
        val proof = JSONObject(File(dump.getString("proof")).readText())
        assertEquals("consentgate-proof", proof.getString("format"))
        val history = proof.getJSONArray("history")
        assertEquals(4, history.length())
        for (i in 0 until history.length()) assertEquals("qa_hook", history.getJSONObject(i).getString("surface"))
        // What QA pulls: adb shell run-as <package> cat files/consentgate-qa/proof.json
        assertTrue(Qa.shell("run-as ${context.packageName} ls files/consentgate-qa").contains("proof.json"))

        Qa.broadcast("RESET")
        assertFalse(gate.isPrivacyPolicyAccepted)
    }

    @Test
    fun aBadCommandAnswersWithAnError() {
        val pkg = context.packageName
        val out = Qa.shell("am broadcast -p $pkg -a io.consentgate.qa.GRANT --es purpose not_declared")
        assertTrue(out, out.contains("result=1"))
        assertTrue(out, out.contains("not_declared"))
    }
}

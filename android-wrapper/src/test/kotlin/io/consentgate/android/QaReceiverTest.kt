package io.consentgate.android

import android.app.Activity
import android.content.Intent
import android.content.pm.ApplicationInfo
import android.os.Bundle
import io.consentgate.BlockReason
import io.consentgate.ConsentGate
import io.consentgate.Decision
import io.consentgate.Fixtures.CAMERA
import io.consentgate.qa.QaCommands
import io.consentgate.qa.QaReceiver
import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.io.File

/** The adb QA hook: the commands themselves, and a real broadcast in a debuggable and a release app. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 33, 34, 35], qualifiers = "en-rUS")
class QaReceiverTest : GateTest() {
    private fun setDebuggable(debuggable: Boolean) {
        val info = app.applicationInfo
        info.flags = if (debuggable) info.flags or ApplicationInfo.FLAG_DEBUGGABLE else info.flags and ApplicationInfo.FLAG_DEBUGGABLE.inv()
    }

    private fun extras(vararg pairs: Pair<String, Any>): Bundle =
        Bundle().apply {
            for ((k, v) in pairs) {
                when (v) {
                    is String -> putString(k, v)
                    is Long -> putLong(k, v)
                    is Boolean -> putBoolean(k, v)
                    else -> error("type")
                }
            }
        }

    private fun QaCommands.ok(
        action: String,
        extras: Bundle? = null,
    ): JSONObject {
        val reply = run(QaCommands.PREFIX + action, extras)
        val json = JSONObject(reply.json)
        assertTrue("$action: ${reply.json}", reply.ok)
        assertEquals(Activity.RESULT_OK, reply.code)
        assertTrue(json.getBoolean("ok"))
        return json
    }

    @Test
    fun everyCommandGoesThroughTheEngineAndIsRecordedAsTheQaHook() {
        val gate = initGate()
        val qa = QaCommands(context, gate)

        qa.ok("ACCEPT_POLICY")
        assertTrue(gate.isPrivacyPolicyAccepted)
        val granted = qa.ok("GRANT", extras("purpose" to "feedback_photo"))
        assertEquals("consent alone, no OS grant yet", false, granted.getBoolean("allowed"))
        assertEquals(Decision.Allowed, gate.decide("feedback_photo"))
        grantOs(CAMERA)
        assertTrue(
            "the OS cache is refreshed by every command",
            qa.ok("GRANT", extras("purpose" to "feedback_photo")).getBoolean("allowed"),
        )

        val withdrawn = qa.ok("WITHDRAW", extras("purpose" to "feedback_photo"))
        assertEquals(CAMERA, withdrawn.getString("released"))
        assertFalse(gate.isAllowed("feedback_photo"))

        qa.ok("SET_CLOCK", extras("fixed_ms" to 1_800_000_000_000L))
        val denied = qa.ok("DENY", extras("purpose" to "nearby_stores"))
        assertEquals(1_800_000_000_000L, denied.getLong("now_ms"))
        assertEquals(Decision.Blocked(BlockReason.COOLDOWN, 1_800_000_000_000L + 48L * 3600 * 1000), gate.decide("nearby_stores"))
        qa.ok("SET_CLOCK", extras("advance_ms" to 49L * 3600 * 1000))
        assertTrue(gate.decide("nearby_stores") is Decision.NeedsConsent)
        qa.ok("SET_CLOCK", extras("system" to true))

        qa.ok("AGE", extras("age" to "under_14"))
        assertEquals(Decision.Blocked(BlockReason.GUARDIAN_REQUIRED, 0), gate.decide("scan_receipt"))
        qa.ok("GUARDIAN", extras("given" to true))
        assertTrue(gate.decide("scan_receipt") is Decision.NeedsConsent)

        val dump = qa.ok("DUMP")
        val proof = File(dump.getString("proof"))
        assertTrue(proof.isFile)
        assertEquals(gate.journalDir.absolutePath, dump.getString("journal_dir"))
        val doc = JSONObject(proof.readText())
        assertEquals("consentgate-proof", doc.getString("format"))
        val history = doc.getJSONArray("history")
        val surfaces = (0 until history.length()).map { history.getJSONObject(it).getString("surface") }.toSet()
        assertEquals("every record names the QA hook", setOf("qa_hook"), surfaces)
        assertEquals(
            listOf(
                "policy_accepted",
                "consent_granted",
                "consent_granted",
                "consent_withdrawn",
                "consent_denied",
                "age_bracket_set",
                "guardian_consent",
            ),
            (0 until history.length()).map { history.getJSONObject(it).getString("event") },
        )

        qa.ok("RESET")
        assertFalse(gate.isPrivacyPolicyAccepted)
        assertEquals(0, events(gate).size)
    }

    @Test
    fun badCommandsAnswerWithAnErrorAndRecordNothing() {
        val gate = initGate()
        val qa = QaCommands(context, gate)
        for ((action, extras) in listOf(
            "GRANT" to null,
            "GRANT" to extras("purpose" to "not_declared"),
            "AGE" to extras("age" to "twelve"),
            "GUARDIAN" to null,
            "SET_CLOCK" to null,
            "FORMAT_DISK" to null,
        )) {
            val reply = qa.run(QaCommands.PREFIX + action, extras)
            assertFalse("$action $extras", reply.ok)
            assertEquals(1, reply.code)
            val json = JSONObject(reply.json)
            assertFalse(json.getBoolean("ok"))
            assertTrue(json.getString("error").isNotEmpty())
        }
        assertTrue(qa.run(QaCommands.PREFIX + "GRANT", extras("purpose" to "not_declared")).json.contains("not_declared"))
        assertEquals(0, events(gate).size)
    }

    /** Sends [action] as `adb shell am broadcast -p <package>` does (ordered, with a result). */
    private fun broadcast(
        action: String,
        extras: Bundle? = null,
    ): Pair<Int, String?> {
        val intent = Intent(QaCommands.PREFIX + action).setPackage(app.packageName)
        extras?.let { intent.putExtras(it) }
        return orderedBroadcast(intent)
    }

    @Test
    fun aDebuggableAppAnswersTheShell() {
        setDebuggable(true)
        shadowOf(app).grantPermissions(QaReceiver.SENDER_PERMISSION) // what the adb shell holds
        val gate = initGate()
        val (code, data) = broadcast("ACCEPT_POLICY")
        assertEquals(Activity.RESULT_OK, code)
        assertTrue(data, JSONObject(data!!).getBoolean("ok"))
        assertTrue(gate.isPrivacyPolicyAccepted)

        val (grantCode, grantData) = broadcast("GRANT", extras("purpose" to "feedback_photo"))
        assertEquals(Activity.RESULT_OK, grantCode)
        assertEquals("feedback_photo", JSONObject(grantData!!).getString("purpose"))
        assertEquals(Decision.Allowed, gate.decide("feedback_photo"))
        assertEquals("qa_hook", events(gate, "consent_granted").single().getString("surface"))
    }

    @Test
    fun anAppWithoutTheShellsPermissionCannotDriveIt() {
        setDebuggable(true)
        shadowOf(app).denyPermissions(QaReceiver.SENDER_PERMISSION)
        val gate = initGate()
        val (code, data) = broadcast("ACCEPT_POLICY")
        assertEquals("nobody answered", 0, code)
        assertNull(data)
        assertFalse(gate.isPrivacyPolicyAccepted)
    }

    @Test
    fun aReleaseBuildHasNoReceiverAtAll() {
        setDebuggable(false)
        shadowOf(app).grantPermissions(QaReceiver.SENDER_PERMISSION)
        val gate = initGate()
        for (action in QaCommands.ACTIONS) {
            val (code, data) = broadcast(action, extras("purpose" to "feedback_photo"))
            assertEquals("$action: nobody answered", 0, code)
            assertNull(data)
        }
        assertFalse(gate.isPrivacyPolicyAccepted)
        assertEquals(0, events(gate).size)
        assertTrue(
            "no receiver of the app listens for the QA actions",
            shadowOf(app).registeredReceivers.none { w -> QaCommands.ACTIONS.any { w.intentFilter.hasAction(QaCommands.PREFIX + it) } },
        )
        gate.close()
        assertNull(ConsentGate.getOrNull())
    }
}

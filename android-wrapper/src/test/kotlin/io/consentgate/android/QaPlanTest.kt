package io.consentgate.android

import android.app.Activity
import android.content.Intent
import android.content.pm.ApplicationInfo
import android.os.Build
import android.os.Bundle
import io.consentgate.ConsentGate
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

/**
 * The adb commands of the emulator test plan (android-wrapper/docs/QA-TEST-PLAN.md), sent as
 * real ordered broadcasts the way `adb shell am broadcast -p <package> -a ...` sends them, with
 * the extras parsed from the same `--es/--el/--ez` text the plan shows. Every reply the plan
 * quotes is asserted here.
 *
 * `-Dconsentgate.qa.transcript=<folder>` also writes what `am` would print for each command
 * (`transcript-api<N>.txt`) and the journal and proof the walk left (`consent-api<N>.journal`,
 * `proof-api<N>.json`), for the plan's examples and for `consentgate journal verify/show`.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 33, 34, 35], qualifiers = "en-rUS")
class QaPlanTest : GateTest() {
    private val transcript = StringBuilder()

    private fun setDebuggable(debuggable: Boolean) {
        val info = app.applicationInfo
        info.flags = if (debuggable) info.flags or ApplicationInfo.FLAG_DEBUGGABLE else info.flags and ApplicationInfo.FLAG_DEBUGGABLE.inv()
    }

    /** `--es key text`, `--el key 123`, `--ez key true` as `am` reads them. */
    private fun extras(args: String): Bundle? {
        val words = args.split(' ').filter { it.isNotEmpty() }
        if (words.isEmpty()) return null
        require(words.size % 3 == 0) { "bad am arguments: $args" }
        return Bundle().apply {
            for (i in words.indices step 3) {
                val (flag, key, value) = words.subList(i, i + 3)
                when (flag) {
                    "--es" -> putString(key, value)
                    "--el" -> putLong(key, value.toLong())
                    "--ez" -> putBoolean(key, value.toBooleanStrict())
                    else -> error("unsupported am flag $flag")
                }
            }
        }
    }

    /** One `am broadcast`: returns (result code, data) as `am` prints them, and records the exchange. */
    private fun am(
        action: String,
        args: String = "",
    ): Pair<Int, String?> {
        val intent = Intent("io.consentgate.qa.$action").setPackage(app.packageName)
        extras(args)?.let { intent.putExtras(it) }
        val (code, data) = orderedBroadcast(intent)
        transcript.append(
            "$ adb shell am broadcast -p ${app.packageName} -a io.consentgate.qa.$action${if (args.isEmpty()) "" else " $args"}\n",
        )
        transcript.append("Broadcast completed: result=$code${data?.let { ", data=\"$it\"" } ?: ""}\n\n")
        return code to data
    }

    /** A command that must answer `result=-1` with `"ok":true`; its JSON reply. */
    private fun ok(
        action: String,
        args: String = "",
    ): JSONObject {
        val (code, data) = am(action, args)
        assertEquals("$action $args: $data", Activity.RESULT_OK, code)
        val json = JSONObject(data!!)
        assertTrue(data, json.getBoolean("ok"))
        assertEquals(action, json.getString("action"))
        return json
    }

    private fun failed(
        action: String,
        args: String,
    ): String {
        val (code, data) = am(action, args)
        assertEquals("$action $args: $data", 1, code)
        val json = JSONObject(data!!)
        assertFalse(json.getBoolean("ok"))
        return json.getString("error")
    }

    @Test
    fun theWholeQaWalkthroughAnswersAsThePlanSays() {
        setDebuggable(true)
        shadowOf(app).grantPermissions(QaReceiver.SENDER_PERMISSION) // the adb shell holds DUMP
        val gate = ConsentGate.init(context) // as the app's Application.onCreate does
        val journal = File(app.noBackupFilesDir, "consentgate/consent.journal")
        assertEquals("the plan's run-as path", journal.parentFile, gate.journalDir)

        val t0 = 1_767_225_600_000L // 2026-01-01T00:00:00Z
        assertEquals(t0, ok("SET_CLOCK", "--el fixed_ms $t0").getLong("now_ms"))
        ok("RESET")
        assertFalse(gate.isPrivacyPolicyAccepted)

        // Nothing before the privacy policy: even a consent on record allows nothing.
        val early = ok("GRANT", "--es purpose feedback_photo")
        assertEquals("Blocked(reason=POLICY_NOT_ACCEPTED, untilMs=0)", early.getString("decision"))
        assertFalse(early.getBoolean("allowed"))

        ok("ACCEPT_POLICY")
        assertTrue(gate.isPrivacyPolicyAccepted)
        val consentOnly = ok("GRANT", "--es purpose feedback_photo")
        assertEquals("Allowed", consentOnly.getString("decision"))
        assertFalse("consent without the OS grant", consentOnly.getBoolean("allowed"))
        grantOs(CAMERA) // adb shell pm grant <package> android.permission.CAMERA
        val both = ok("GRANT", "--es purpose feedback_photo")
        assertTrue("consent and the OS grant", both.getBoolean("allowed"))

        val denied = ok("DENY", "--es purpose nearby_stores")
        assertEquals("Blocked(reason=COOLDOWN, untilMs=${t0 + 48 * HOUR})", denied.getString("decision"))
        val almost = ok("SET_CLOCK", "--el advance_ms ${47 * HOUR} --es purpose nearby_stores")
        assertEquals("Blocked(reason=COOLDOWN, untilMs=${t0 + 48 * HOUR})", almost.getString("decision"))
        val over = ok("SET_CLOCK", "--el advance_ms $HOUR --es purpose nearby_stores")
        assertEquals(t0 + 48 * HOUR, over.getLong("now_ms"))
        assertEquals("NeedsConsent(reason=ASK_AGAIN)", over.getString("decision"))

        val withdrawn = ok("WITHDRAW", "--es purpose feedback_photo")
        assertEquals(CAMERA, withdrawn.getString("released"))
        assertEquals("given back on 33+", Build.VERSION.SDK_INT >= 33, withdrawn.getBoolean("revoke_scheduled"))
        assertFalse(withdrawn.getBoolean("allowed"))
        assertEquals("Blocked(reason=COOLDOWN, untilMs=${t0 + 96 * HOUR})", withdrawn.getString("decision"))

        assertEquals(
            "Blocked(reason=GUARDIAN_REQUIRED, untilMs=0)",
            ok("AGE", "--es age under_14 --es purpose scan_receipt").getString("decision"),
        )
        assertEquals("NeedsConsent(reason=NEVER_ASKED)", ok("GUARDIAN", "--ez given true --es purpose scan_receipt").getString("decision"))

        val dump = ok("DUMP")
        val proof = File(dump.getString("proof"))
        assertEquals(File(app.filesDir, "consentgate-qa/proof.json"), proof)
        assertEquals(gate.journalDir.absolutePath, dump.getString("journal_dir"))
        assertEquals(
            gate.exportProof().let {
                JSONObject(it).getJSONArray("history").length()
            },
            JSONObject(proof.readText()).getJSONArray("history").length(),
        )

        // Mistakes answer result=1 and record nothing; an unknown action reaches no receiver.
        val before = events(gate).size
        assertTrue(failed("GRANT", "--es purpose not_declared").contains("not_declared"))
        assertTrue(failed("AGE", "--es age twelve").contains("twelve"))
        assertEquals(0 to null, am("FORMAT"))
        assertEquals(before, events(gate).size)

        assertEquals(
            listOf(
                "consent_granted",
                "policy_accepted",
                "consent_granted",
                "consent_granted",
                "consent_denied",
                "consent_withdrawn",
                "age_bracket_set",
                "guardian_consent",
            ),
            events(gate).map { it.getString("event") },
        )
        assertTrue(events(gate).all { it.getString("surface") == "qa_hook" })
        System.getProperty("consentgate.qa.transcript")?.let { out ->
            val dir = File(out).apply { mkdirs() }
            journal.copyTo(File(dir, "consent-api${Build.VERSION.SDK_INT}.journal"), overwrite = true)
            proof.copyTo(File(dir, "proof-api${Build.VERSION.SDK_INT}.json"), overwrite = true)
        }

        val system = ok("SET_CLOCK", "--ez system true").getLong("now_ms")
        assertTrue("the device clock again", Math.abs(system - System.currentTimeMillis()) < 60_000)
        ok("RESET")
        assertFalse(gate.isPrivacyPolicyAccepted)
        assertEquals(0, events(gate).size)
        assertFalse("account deletion removes the journal", journal.exists())
        assertFalse("and the proof QA dumped", proof.exists())

        System.getProperty("consentgate.qa.transcript")?.let { out ->
            File(out, "transcript-api${Build.VERSION.SDK_INT}.txt").writeText(transcript.toString())
        }
    }

    /**
     * The plan's checklist items 1-5 done through the real screens (rationale dialog, system
     * dialog, settings screen), then a purpose whose text changed: the journal a QA run leaves,
     * with the surfaces the plan tells QA to look for in `consentgate journal show`.
     */
    @Test
    fun aChecklistRunThroughTheRealScreensLeavesTheJournalThePlanDescribes() {
        setDebuggable(true)
        shadowOf(app).grantPermissions(QaReceiver.SENDER_PERMISSION)
        var gate = ConsentGate.init(context)
        ok("SET_CLOCK", "--el fixed_ms 1767225600000")
        gate.acceptPrivacyPolicy() // the app's own privacy-policy screen
        val caller = caller().get()

        // One purpose at a time: agree in the rationale, grant in the system dialog.
        ok("SET_CLOCK", "--el advance_ms 60000")
        gate.request(caller, "feedback_photo") {}
        idle()
        val request = launch(startedRequest(caller)!!).get()
        clickAgree(latestDialog()!!)
        assertEquals(listOf(CAMERA), requested(request))
        answerOs(request, request, grant = setOf(CAMERA))
        assertTrue(gate.isAllowed("feedback_photo"))
        assertFalse("the camera grant is not consent for the receipt scanner", gate.isAllowed("scan_receipt"))

        // Refusal respected: "Don't agree", then no dialog inside the cooldown.
        ok("SET_CLOCK", "--el advance_ms 60000")
        gate.request(caller, "nearby_stores") {}
        idle()
        launch(startedRequest(caller)!!)
        clickDisagree(latestDialog()!!)
        gate.request(caller, "nearby_stores") {}
        idle()
        assertNull("no dialog inside the cooldown", startedRequest(caller))

        // Withdrawal from the settings screen.
        ok("SET_CLOCK", "--el advance_ms 60000")
        val screen = io.consentgate.android.settingsScreen()
        screen.window.decorView
            .findViewWithTag<android.widget.Switch>(
                io.consentgate.ConsentSettingsActivity.switchTag("feedback_photo"),
            ).performClick()
        idle()
        assertFalse(gate.isAllowed("feedback_photo"))

        // A purpose whose text changes in a new app version: consent is stale until given again.
        ok("SET_CLOCK", "--el advance_ms 60000")
        ok("GRANT", "--es purpose scan_receipt")
        assertEquals(io.consentgate.Decision.Allowed, gate.decide("scan_receipt"))
        val dir = gate.journalDir
        gate.close()
        gate = ConsentGate.initWithPolicyJson(context, policyJson().replace("Scan a receipt", "Scan a receipt or an invoice"), dir)
        assertEquals(io.consentgate.Decision.NeedsConsent(io.consentgate.ConsentReason.STALE), gate.decide("scan_receipt"))

        assertEquals(
            listOf(
                "policy_accepted app",
                "consent_granted rationale_dialog",
                "os_result system_dialog",
                "consent_denied rationale_dialog",
                "consent_withdrawn settings_screen",
                "consent_granted qa_hook",
            ),
            events(gate).map { it.getString("event") + " " + it.getString("surface") },
        )
        System.getProperty("consentgate.qa.transcript")?.let { out ->
            File(gate.journalDir, "consent.journal").copyTo(File(out, "checklist-api${Build.VERSION.SDK_INT}.journal"), overwrite = true)
        }
    }

    @Test
    fun aClosedGateLeavesNothingThatAnswers() {
        setDebuggable(true)
        shadowOf(app).grantPermissions(QaReceiver.SENDER_PERMISSION)
        val gate = initGate()
        ok("ACCEPT_POLICY")
        gate.close()
        for (action in QaCommands.ACTIONS) {
            assertEquals("$action after close", 0 to null, am(action, "--es purpose feedback_photo"))
        }
        assertTrue(
            "the receiver is unregistered",
            shadowOf(app).registeredReceivers.none { w -> QaCommands.ACTIONS.any { w.intentFilter.hasAction(QaCommands.PREFIX + it) } },
        )
        assertNull(ConsentGate.getOrNull())
    }

    @Test
    fun aReleaseBuildAnswersNoneOfThePlansCommands() {
        setDebuggable(false)
        shadowOf(app).grantPermissions(QaReceiver.SENDER_PERMISSION)
        val gate = ConsentGate.init(context)
        for ((action, args) in listOf(
            "SET_CLOCK" to "--el fixed_ms 1767225600000",
            "ACCEPT_POLICY" to "",
            "GRANT" to "--es purpose feedback_photo",
            "DUMP" to "",
        )) {
            assertEquals("$action in a release build", 0 to null, am(action, args))
        }
        assertFalse(gate.isPrivacyPolicyAccepted)
        assertEquals(0, events(gate).size)
        assertFalse("no proof file written", File(app.filesDir, "consentgate-qa/proof.json").exists())
    }

    private companion object {
        const val HOUR = 3_600_000L
    }
}

/** The SDK's settings screen, started as the app's "Privacy settings" entry would. */
internal fun settingsScreen(): android.app.Activity =
    org.robolectric.Robolectric
        .buildActivity(io.consentgate.ConsentSettingsActivity::class.java)
        .setup()
        .get()

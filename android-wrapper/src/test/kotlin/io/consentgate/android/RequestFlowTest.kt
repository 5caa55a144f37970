package io.consentgate.android

import io.consentgate.BlockReason
import io.consentgate.ConsentGate
import io.consentgate.ConsentReason
import io.consentgate.ConsentSettingsActivity
import io.consentgate.Decision
import io.consentgate.Fixtures.CAMERA
import io.consentgate.Fixtures.COARSE
import io.consentgate.Fixtures.FINE
import io.consentgate.RequestResult
import io.consentgate.UndeclaredPurposeException
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import kotlin.coroutines.Continuation
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.startCoroutine

/** The request flow end to end: real activities and dialogs (Robolectric), the real core through JNI. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 30, 31, 33, 34, 35], qualifiers = "en-rUS")
class RequestFlowTest : GateTest() {
    @Test
    fun beforeThePrivacyPolicyIsAcceptedNothingIsShownAskedOrQueried() {
        val gate = ConsentGate.init(context) // the default asset, as an app does
        assertEquals("consent does not travel in backups", java.io.File(app.noBackupFilesDir, "consentgate"), gate.journalDir)
        val caller = caller().get()
        val results = Results()
        gate.request(caller, "feedback_photo", results)
        idle()

        assertEquals(RequestResult.Blocked("feedback_photo", BlockReason.POLICY_NOT_ACCEPTED, 0), results.single())
        assertNull("no request activity", startedRequest(caller))
        assertNull("no dialog", latestDialog())
        assertNull("no OS request", requested(caller))
        assertFalse(gate.isAllowed("feedback_photo"))
        assertFalse(gate.isPrivacyPolicyAccepted)
        // The settings screen opens and lists the purposes without asking the OS anything.
        Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup().get()
        gate.refresh()
        assertEquals("no permission check before acceptance", emptyList<String>(), context.permissionQueries)
        assertEquals("nothing recorded", 0, events(gate).size)

        gate.acceptPrivacyPolicy()
        assertTrue(gate.isPrivacyPolicyAccepted)
        assertTrue("after acceptance the OS grants are read", context.permissionQueries.contains(CAMERA))
        assertEquals("policy_accepted", events(gate).single().getString("event"))
    }

    @Test
    fun theRationaleShowsThePurposePermissionsAndRecipientsInEnglish() {
        startRequest("nearby_stores")
        val dialog = latestDialog()!!
        assertTrue(dialog.isShowing)
        assertEquals("Before you continue", title(dialog))
        val text = message(dialog)
        assertTrue(text, text.startsWith("Find stores near you"))
        assertTrue(text, text.contains("approximate location"))
        assertTrue(text, text.contains("precise location"))
        assertTrue(text, text.contains("Amap: GPS location"))
        assertTrue(text, text.contains("Amap Location SDK (AutoNavi Software Co., Ltd.): location, device identifier"))
        assertTrue(text, text.contains("withdraw"))
        assertEquals("Agree", dialog.getButton(android.app.AlertDialog.BUTTON_POSITIVE).text.toString())
        assertEquals("Don't agree", dialog.getButton(android.app.AlertDialog.BUTTON_NEGATIVE).text.toString())
    }

    @Test
    @Config(qualifiers = "zh-rCN")
    fun theRationaleShowsThePurposeInChineseOnAChineseDevice() {
        val (gate) = startRequest("feedback_photo")
        val dialog = latestDialog()!!
        assertEquals("权限使用说明", title(dialog))
        val text = message(dialog)
        assertTrue(text, text.startsWith("用户问题反馈拍照上传照片"))
        assertTrue(text, text.contains("拍摄照片和视频"))
        assertTrue(text, text.contains("不会提供给任何第三方"))
        assertEquals("同意", dialog.getButton(android.app.AlertDialog.BUTTON_POSITIVE).text.toString())

        clickAgree(dialog)
        val granted = events(gate, "consent_granted", "feedback_photo").single()
        assertEquals("the language the user read is the proof's", "zh-CN", granted.getString("locale"))
        assertEquals("rationale_dialog", granted.getString("surface"))
    }

    @Test
    fun agreeingAsksTheOsForExactlyThePurposesMissingPermissionsAndRecordsTheAnswer() {
        val gate = acceptedGate()
        grantOs(COARSE) // approximate location is already granted (for another app feature)
        val caller = caller().get()
        val results = Results()
        gate.request(caller, "nearby_stores", results)
        idle()
        val request = launch(startedRequest(caller)!!).get()
        assertNull("nothing asked before the user agreed", requested(request))
        clickAgree(latestDialog()!!)

        assertEquals(listOf(FINE), requested(request))
        answerOs(request, request, grant = setOf(FINE))

        assertEquals(RequestResult.Granted("nearby_stores"), results.single())
        assertTrue(request.isFinishing)
        assertTrue(gate.isAllowed("nearby_stores"))
        assertTrue(gate.purpose("nearby_stores").isAllowed())
        assertFalse("other purposes are untouched", gate.isAllowed("feedback_photo"))
        assertEquals(1, events(gate, "consent_granted", "nearby_stores").size)
        val os = events(gate, "os_result", "nearby_stores").single()
        assertEquals(FINE, os.getString("permission"))
        assertEquals("granted", os.getString("os_result"))
        assertEquals("system_dialog", os.getString("surface"))
        assertEquals(RequestResult.Granted("nearby_stores"), gate.lastResult("nearby_stores"))

        // Asked again with consent and the OS grant in place: granted at once, nothing shown.
        val again = Results()
        gate.request(caller, "nearby_stores", again)
        idle()
        assertEquals(RequestResult.Granted("nearby_stores"), again.single())
        assertNull(startedRequest(caller))
    }

    @Test
    fun anOsDenialIsRecordedAndReportedOnceAndPermanentDenialIsTold() {
        val (gate, caller, first, _, request) = startRequest("feedback_photo")
        clickAgree(latestDialog()!!)
        assertEquals(listOf(CAMERA), requested(request))
        answerOs(request, request, grant = emptySet(), canAskAgain = setOf(CAMERA))

        assertEquals(RequestResult.OsDenied("feedback_photo", permanently = false, deniedPermissions = listOf(CAMERA)), first.single())
        assertFalse("consent alone is not enough", gate.isAllowed("feedback_photo"))
        assertEquals("denied", events(gate, "os_result", "feedback_photo").single().getString("os_result"))
        // A "no" in the system dialog is the user's refusal of the purpose (issue 14).
        val refusal = events(gate, "consent_denied", "feedback_photo").single()
        assertEquals("system_dialog", refusal.getString("surface"))
        val until = refusal.getLong("ts") + 48L * 3600 * 1000
        assertEquals(Decision.Blocked(BlockReason.COOLDOWN, until), gate.decide("feedback_photo"))

        // The next tap on the feature: nothing shown, nothing asked.
        clearDialogs()
        val second = Results()
        gate.request(caller, "feedback_photo", second)
        idle()
        assertEquals(RequestResult.Blocked("feedback_photo", BlockReason.COOLDOWN, until), second.single())
        assertNull(startedRequest(caller))

        // After the cooldown: asked again (rationale first), and "don't ask again" is reported.
        gate.engineForSdk.setClockFixed(until + 1)
        val third = Results()
        gate.request(caller, "feedback_photo", third)
        idle()
        val request3 = launch(startedRequest(caller)!!).get()
        clickAgree(latestDialog()!!)
        assertEquals(listOf(CAMERA), requested(request3))
        answerOs(request3, request3, grant = emptySet(), canAskAgain = emptySet())
        assertEquals(RequestResult.OsDenied("feedback_photo", permanently = true, deniedPermissions = listOf(CAMERA)), third.single())
        assertEquals(listOf("denied", "denied_permanently"), events(gate, "os_result", "feedback_photo").map { it.getString("os_result") })
        assertEquals(2, events(gate, "consent_denied", "feedback_photo").size)
    }

    @Test
    fun decliningIsRecordedAndInsideTheCooldownNoDialogAppearsAndTheAppIsToldUntilWhen() {
        val (gate, caller, first, _, request) = startRequest("feedback_photo")
        clickDisagree(latestDialog()!!)

        assertEquals(RequestResult.Denied("feedback_photo"), first.single())
        assertNull("a refusal asks the OS nothing", requested(request))
        val denied = events(gate, "consent_denied", "feedback_photo").single()
        assertEquals("rationale_dialog", denied.getString("surface"))
        assertEquals("en-US", denied.getString("locale"))

        clearDialogs()
        val second = Results()
        gate.request(caller, "feedback_photo", second)
        idle()
        val until = denied.getLong("ts") + 48L * 3600 * 1000
        assertEquals(RequestResult.Blocked("feedback_photo", BlockReason.COOLDOWN, until), second.single())
        assertNull("no request activity inside the cooldown", startedRequest(caller))
        assertNull("no dialog inside the cooldown", latestDialog())

        // After the cooldown the app may ask again.
        gate.engineForSdk.setClockFixed(until + 1)
        gate.request(caller, "feedback_photo") {}
        idle()
        launch(startedRequest(caller)!!)
        assertTrue(latestDialog()!!.isShowing)
    }

    @Test
    fun aPurposeWhoseTextChangedIsAskedAgain() {
        var gate = acceptedGate()
        gate.engineForSdk.grant("feedback_photo", io.consentgate.Surface.RATIONALE_DIALOG, "en-US")
        grantOs(CAMERA)
        gate.refresh()
        assertTrue(gate.isAllowed("feedback_photo"))
        gate.close()

        val changed =
            policyJson().replace(
                "Take a photo to attach to your feedback",
                "Take a photo to attach to your feedback and share it with support partners",
            )
        gate = initGate(changed)
        assertFalse("the old consent does not cover the new text", gate.isAllowed("feedback_photo"))
        assertEquals(Decision.NeedsConsent(ConsentReason.STALE), gate.decide("feedback_photo"))
        val caller = caller().get()
        val results = Results()
        gate.request(caller, "feedback_photo", results)
        idle()
        val request = launch(startedRequest(caller)!!).get()
        val text = message(latestDialog()!!)
        assertTrue(
            "says why it asks again: $text",
            text.startsWith("This feature changed since you agreed to it. Please read it again.\n\n"),
        )
        assertTrue(text, text.contains("\n\nTake a photo to attach to your feedback and share it with support partners\n"))
        clickAgree(latestDialog()!!)
        assertNull("the OS grant is still there: nothing to ask", requested(request))
        assertEquals(RequestResult.Granted("feedback_photo"), results.single())
        assertEquals(2, events(gate, "consent_granted", "feedback_photo").size)
    }

    @Test
    fun backOnTheRationaleCancelsAndRecordsNothing() {
        val (gate, _, results, _, request) = startRequest("feedback_photo")
        latestDialog()!!.cancel()
        idle()
        assertEquals(RequestResult.Cancelled("feedback_photo"), results.single())
        assertTrue(request.isFinishing)
        assertEquals(listOf("policy_accepted"), events(gate).map { it.getString("event") })
        // A dismissal is not a refusal: no cooldown.
        assertEquals(Decision.NeedsConsent(ConsentReason.NEVER_ASKED), gate.decide("feedback_photo"))
    }

    @Test
    fun theSuspendFormReturnsTheSameResult() {
        val gate = initGate()
        val caller = caller().get()
        var got: RequestResult? = null
        val block: suspend () -> RequestResult = { gate.request(caller, "feedback_photo") }
        block.startCoroutine(Continuation(EmptyCoroutineContext) { got = it.getOrThrow() })
        idle()
        assertEquals(RequestResult.Blocked("feedback_photo", BlockReason.POLICY_NOT_ACCEPTED, 0), got)
    }

    @Test
    fun anUndeclaredPurposeIsAnErrorNotADialog() {
        val gate = acceptedGate()
        val caller = caller().get()
        val results = Results()
        gate.request(caller, "upload_contacts_to_server", results)
        idle()
        val error = results.single() as RequestResult.Error
        assertTrue(error.exception is UndeclaredPurposeException)
        assertTrue(error.exception.message!!.contains("upload_contacts_to_server"))
        assertNull(startedRequest(caller))
        assertThrows(UndeclaredPurposeException::class.java) { gate.purpose("upload_contacts_to_server") }
    }

    @Test
    fun twoRequestsForOnePurposeShareOneDialogAndBothAreAnswered() {
        val gate = acceptedGate()
        val caller = caller().get()
        val a = Results()
        val b = Results()
        gate.request(caller, "feedback_photo", a)
        gate.request(caller, "feedback_photo", b)
        idle()
        val request = launch(startedRequest(caller)!!).get()
        assertNull("one request activity", startedRequest(caller))
        clickAgree(latestDialog()!!)
        answerOs(request, request, grant = setOf(CAMERA))
        assertEquals(RequestResult.Granted("feedback_photo"), a.single())
        assertEquals(RequestResult.Granted("feedback_photo"), b.single())
        assertEquals(1, events(gate, "consent_granted").size)
    }
}

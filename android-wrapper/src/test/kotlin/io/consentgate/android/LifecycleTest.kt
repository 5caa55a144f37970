package io.consentgate.android

import android.content.Intent
import android.os.Bundle
import io.consentgate.ConsentGate
import io.consentgate.ConsentListener
import io.consentgate.ConsentRequestActivity
import io.consentgate.Fixtures.CAMERA
import io.consentgate.RequestResult
import io.consentgate.testsupport.TestActivity
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.android.controller.ActivityController
import org.robolectric.annotation.Config

/** Rotation, process death and a caller that goes away in the middle of a flow. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 33, 34, 35], qualifiers = "en-rUS")
class LifecycleTest : GateTest() {
    @Test
    fun rotationWhileTheDialogIsOpenKeepsTheFlowAndAsksOnce() {
        val (gate, _, results, controller) = startRequest("feedback_photo")
        val before = controller.get()
        assertTrue(latestDialog()!!.isShowing)

        controller.recreate()
        idle()
        val after = controller.get()
        assertTrue("a new instance", before !== after)
        assertEquals("one dialog on screen", 1, shownDialogs().size)
        assertTrue(results.all.isEmpty())
        assertEquals("nothing recorded by the rotation", 1, events(gate).size)

        clickAgree(latestDialog()!!)
        assertNull(requested(before))
        assertEquals(listOf(CAMERA), requested(after))
        answerOs(after, after, grant = setOf(CAMERA))
        assertGrantedOnce("feedback_photo", gate, results)
    }

    @Test
    fun rotationWhileTheSystemDialogIsUpDoesNotAskAgain() {
        val (gate, _, results, controller) = startRequest("feedback_photo")
        val before = controller.get()
        clickAgree(latestDialog()!!)
        assertEquals(listOf(CAMERA), requested(before))
        clearDialogs()

        controller.recreate()
        idle()
        val after = controller.get()
        assertNull("the OS is not asked a second time", requested(after))
        assertNull("no dialog again", latestDialog())
        answerOs(after, before, grant = setOf(CAMERA))
        assertGrantedOnce("feedback_photo", gate, results)
    }

    @Test
    fun recreatedAfterProcessDeathDuringTheSystemDialogItReportsExactlyOneResult() {
        val (first, _, results, controller, dead) = startRequest("feedback_photo")
        var gate = first
        val intent = dead.intent
        clickAgree(latestDialog()!!)
        assertEquals(listOf(CAMERA), requested(dead))
        val saved = Bundle()
        controller.saveInstanceState(saved)

        // The process dies: the gate (and the caller's callback) are gone; the app's
        // Application.onCreate initialises a new one on the same journal.
        gate.close()
        gate = initGate()
        val changes = ArrayList<String?>()
        gate.addListener(ConsentListener { changes.add(it) })
        clearDialogs()
        val restored = Robolectric.buildActivity(ConsentRequestActivity::class.java, Intent(intent)).setup(saved).get()
        assertNull("not asked again", requested(restored))
        assertNull("no dialog again", latestDialog())

        answerOs(restored, dead, grant = setOf(CAMERA))
        assertTrue("the old callback is gone with its process", results.all.isEmpty())
        assertEquals(RequestResult.Granted("feedback_photo"), gate.lastResult("feedback_photo"))
        assertEquals(listOf<String?>("feedback_photo"), changes)
        assertTrue(gate.isAllowed("feedback_photo"))
        assertTrue(restored.isFinishing)
        assertEquals("recorded once", 1, events(gate, "consent_granted").size)
        assertEquals("recorded once", 1, events(gate, "os_result").size)
    }

    @Test
    fun recreatedAfterProcessDeathDuringTheRationaleItAsksTheSameQuestionOnce() {
        val (first, _, _, controller, request) = startRequest("nearby_stores")
        var gate = first
        val intent = request.intent
        val saved = Bundle()
        controller.saveInstanceState(saved)
        gate.close()
        gate = initGate()
        clearDialogs()

        val restored = Robolectric.buildActivity(ConsentRequestActivity::class.java, Intent(intent)).setup(saved).get()
        assertEquals(1, shownDialogs().size)
        assertTrue(message(latestDialog()!!).startsWith("Find stores near you"))
        clickDisagree(latestDialog()!!)
        assertEquals(RequestResult.Denied("nearby_stores"), gate.lastResult("nearby_stores"))
        assertEquals(1, events(gate, "consent_denied").size)
        assertTrue(restored.isFinishing)
    }

    @Test
    fun theCallerFinishingMidFlowClosesTheDialogAndRecordsNothing() {
        val (gate, callerController, results) = request("feedback_photo")
        val request = launch(startedRequest(callerController.get())!!).get()
        val dialog = latestDialog()!!
        assertTrue(dialog.isShowing)
        assertEquals(1, gate.flows.size())

        finishAndDestroy(callerController)

        assertFalse("the user no longer sees the question", dialog.isShowing)
        assertTrue(request.isFinishing)
        assertEquals(RequestResult.Cancelled("feedback_photo"), results.single())
        assertEquals("nothing recorded but the policy", listOf("policy_accepted"), events(gate).map { it.getString("event") })
        assertEquals("no flow (and no reference to the caller) left behind", 0, gate.flows.size())
    }

    @Test
    fun aRequestWhoseCallerFinishedBeforeTheActivityStartedShowsNothing() {
        val (gate, callerController, results) = request("feedback_photo")
        val intent = startedRequest(callerController.get())!!
        finishAndDestroy(callerController)
        assertEquals(RequestResult.Cancelled("feedback_photo"), results.single())

        val late = launch(intent).get()
        assertNull(latestDialog())
        assertTrue(late.isFinishing)
        assertEquals(1, results.all.size)
        assertEquals(1, events(gate).size)
    }

    @Test
    fun closingTheGateDropsPendingCallbacksAndGetFails() {
        val gate = request("feedback_photo").gate
        assertEquals(1, gate.flows.size())
        val handle = gate.purpose("feedback_photo")
        gate.close()
        assertEquals(0, gate.flows.size())
        assertNull(ConsentGate.getOrNull())
        assertFalse("a closed gate allows nothing (and does not throw on the hot path)", handle.isAllowed())
        assertThrows(IllegalStateException::class.java) { ConsentGate.get() }
    }

    /** The caller activity goes away as when the user leaves it: finished, then destroyed. */
    private fun finishAndDestroy(caller: ActivityController<TestActivity>) {
        caller.get().finish()
        caller.pause().stop().destroy()
        idle()
    }
}

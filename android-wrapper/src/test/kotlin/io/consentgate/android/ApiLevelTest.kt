package io.consentgate.android

import android.os.Build
import io.consentgate.Actor
import io.consentgate.Fixtures.BACKGROUND
import io.consentgate.Fixtures.CAMERA
import io.consentgate.Fixtures.COARSE
import io.consentgate.Fixtures.FINE
import io.consentgate.Fixtures.READ_MEDIA_IMAGES
import io.consentgate.Fixtures.READ_STORAGE
import io.consentgate.RequestResult
import io.consentgate.Surface
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/** What differs by API level: storage permissions, background location, giving permissions back. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 30, 31, 33, 34, 35], qualifiers = "en-rUS")
class ApiLevelTest : GateTest() {
    @Test
    fun storageAsksReadMediaOn33AndUpAndReadExternalStorageBelow() {
        val (gate, _, results, _, request) = startRequest("import_photos")
        clickAgree(latestDialog()!!)
        if (Build.VERSION.SDK_INT in 30..32) {
            // The test manifest stops READ_EXTERNAL_STORAGE at maxSdkVersion 29: nothing to ask here.
            assertNull(requested(request))
            assertEquals(RequestResult.Granted("import_photos"), results.single())
            assertTrue(gate.isAllowed("import_photos"))
            return
        }
        val expected = if (Build.VERSION.SDK_INT >= 33) READ_MEDIA_IMAGES else READ_STORAGE
        assertEquals(listOf(expected), requested(request))
        answerOs(request, request, grant = setOf(expected))
        assertEquals(RequestResult.Granted("import_photos"), results.single())
        assertTrue(gate.isAllowed("import_photos"))
        assertEquals(expected, events(gate, "os_result", "import_photos").single().getString("permission"))
    }

    @Test
    fun backgroundLocationIsASecondStepAfterForegroundOn29AndUp() {
        val (gate, _, results, _, request) = startRequest("store_arrival_alerts")
        clickAgree(latestDialog()!!)
        assertEquals("foreground first, alone", listOf(FINE), requested(request))
        answerOs(request, request, grant = setOf(FINE))

        if (Build.VERSION.SDK_INT >= 29) {
            assertTrue("no result between the two steps", results.all.isEmpty())
            assertEquals(listOf(BACKGROUND), requested(request))
            answerOs(request, request, grant = emptySet(), canAskAgain = setOf(BACKGROUND))
            assertEquals(
                listOf(FINE to "granted", BACKGROUND to "denied"),
                events(gate, "os_result", "store_arrival_alerts").map { it.getString("permission") to it.getString("os_result") },
            )
        } else {
            assertEquals("below 29 background location comes with foreground", 1, events(gate, "os_result").size)
        }
        // Background location is optional for the purpose: foreground is enough to use it (a partial grant from 29).
        val missing = if (Build.VERSION.SDK_INT >= 29) listOf(BACKGROUND) else emptyList()
        assertEquals(RequestResult.Granted("store_arrival_alerts", missing), results.single())
        assertTrue(gate.isAllowed("store_arrival_alerts"))
    }

    @Test
    fun backgroundLocationIsNeverAskedWhenForegroundIsDenied() {
        val (gate, _, results, _, request) = startRequest("store_arrival_alerts")
        clickAgree(latestDialog()!!)
        answerOs(request, request, grant = emptySet(), canAskAgain = setOf(FINE))
        assertEquals(RequestResult.OsDenied("store_arrival_alerts", false, listOf(FINE)), results.single())
        assertEquals(listOf(FINE), requested(request))
        assertEquals(1, events(gate, "os_result").size)
    }

    @Test
    fun withdrawingGivesBackOnlyWhatNoOtherPurposeCoversRevokingOn33AndUp() {
        val gate = acceptedGate()
        for (p in listOf("feedback_photo", "scan_receipt")) gate.engineForSdk.grant(p, Surface.RATIONALE_DIALOG, "en-US")
        grantOs(CAMERA)
        gate.refresh()
        assertTrue(gate.isAllowed("feedback_photo"))
        assertTrue(gate.isAllowed("scan_receipt"))

        val first = gate.withdraw("feedback_photo")
        assertFalse("withdrawn: not allowed at once", gate.isAllowed("feedback_photo"))
        assertTrue("the other camera purpose is untouched", gate.isAllowed("scan_receipt"))
        assertEquals(emptyList<String>(), first.releasedPermissions)
        assertFalse(first.revokeScheduled)
        assertFalse(first.systemSettingsSuggested)
        assertEquals(emptyList<List<String>>(), context.revoked)

        val second = gate.purpose("scan_receipt").withdraw()
        assertFalse(gate.isAllowed("scan_receipt"))
        assertEquals(listOf(CAMERA), second.releasedPermissions)
        assertEquals(listOf(CAMERA), second.stillGrantedPermissions)
        if (Build.VERSION.SDK_INT >= 33) {
            assertEquals(listOf(listOf(CAMERA)), context.revoked)
            assertTrue(second.revokeScheduled)
            assertFalse(second.systemSettingsSuggested)
        } else {
            assertEquals("no revocation API below 33", emptyList<List<String>>(), context.revoked)
            assertFalse(second.revokeScheduled)
            assertTrue("the app's system settings page is the way", second.systemSettingsSuggested)
        }
        val withdrawn = events(gate, "consent_withdrawn")
        assertEquals(listOf("feedback_photo", "scan_receipt"), withdrawn.map { it.getString("purpose") })
        assertEquals("app", withdrawn[0].getString("surface"))
        assertEquals(Actor.USER.jsonName, withdrawn[0].getString("actor"))
    }

    @Test
    fun approximateLocationAloneSatisfiesAForegroundLocationPurpose() {
        val gate = acceptedGate()
        gate.engineForSdk.grant("nearby_stores", Surface.RATIONALE_DIALOG, "en-US")
        gate.refresh()
        assertFalse("no OS grant yet", gate.isAllowed("nearby_stores"))
        val caller = caller().get()
        val results = Results()
        gate.request(caller, "nearby_stores", results)
        idle()
        val request = launch(startedRequest(caller)!!).get()
        assertNull("consent on record: no rationale", latestDialog())
        assertEquals(listOf(COARSE, FINE), requested(request))
        // The user picks "approximate" in the system dialog (API 31+), or grants only coarse.
        answerOs(request, request, grant = setOf(COARSE), canAskAgain = setOf(FINE))
        assertEquals("a partial grant", RequestResult.Granted("nearby_stores", listOf(FINE)), results.single())
        assertTrue(gate.isAllowed("nearby_stores"))
    }
}

package io.consentgate.android

import android.content.Intent
import android.os.Build
import android.provider.Settings
import android.view.View
import android.widget.TextView
import io.consentgate.Actor
import io.consentgate.AgeBracket
import io.consentgate.BlockReason
import io.consentgate.ConsentListener
import io.consentgate.ConsentRequestActivity
import io.consentgate.ConsentSettingsActivity
import io.consentgate.Decision
import io.consentgate.Fixtures.BACKGROUND
import io.consentgate.Fixtures.CAMERA
import io.consentgate.Fixtures.COARSE
import io.consentgate.Fixtures.FINE
import io.consentgate.Fixtures.MEDIA_SELECTED
import io.consentgate.Fixtures.READ_MEDIA_IMAGES
import io.consentgate.Fixtures.READ_STORAGE
import io.consentgate.RequestResult
import io.consentgate.SettingState
import io.consentgate.Source
import io.consentgate.internal.RequestBanner
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Issue 14 through the real screens: a "no" in Android's dialog is a refusal, the purpose stays on
 * screen while Android asks, a permission switched off in Android's settings is a withdrawal, only
 * what the manifest requests on the device is asked, partial grants, and a minor's guardian.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 30, 31, 33, 34, 35], qualifiers = "en-rUS")
class SystemDialogAndSettingsTest : GateTest() {
    private fun banner(request: ConsentRequestActivity): View? = request.window.decorView.findViewWithTag(RequestBanner.TAG)

    private fun bannerText(request: ConsentRequestActivity): String {
        val b = banner(request) as android.view.ViewGroup
        return (0 until b.childCount).joinToString("\n") { (b.getChildAt(it) as TextView).text }
    }

    @Test
    fun aNoInTheSystemDialogIsARefusalWithTheCooldownAndTheBannerShowsThePurposeMeanwhile() {
        val (gate, _, first, _, request) = startRequest("nearby_stores")
        assertNull("no banner before Android is asked", banner(request))
        clickAgree(latestDialog()!!)
        assertEquals(listOf(COARSE, FINE), requested(request))
        val shown = banner(request)
        assertNotNull("the purpose is on screen while Android asks", shown)
        assertTrue(shown!!.isShown)
        val text = bannerText(request)
        assertTrue(text, text.contains("Find stores near you"))
        assertTrue(text, text.contains("approximate location") && text.contains("precise location"))
        assertTrue(text, text.contains("Amap: GPS location"))

        answerOs(request, request, grant = emptySet(), canAskAgain = setOf(COARSE, FINE))
        assertNull("gone once Android answered", banner(request))
        assertEquals(RequestResult.OsDenied("nearby_stores", false, listOf(COARSE, FINE)), first.single())
        val refusal = events(gate, "consent_denied", "nearby_stores").single()
        assertEquals("system_dialog", refusal.getString("surface"))

        // The next tap on the feature: nothing shown, told until when.
        val second = Results()
        val caller = caller().get()
        gate.request(caller, "nearby_stores", second)
        idle()
        val until = refusal.getLong("ts") + 48L * 3600 * 1000
        assertEquals(RequestResult.Blocked("nearby_stores", BlockReason.COOLDOWN, until), second.single())
        assertNull(startedRequest(caller))
        // The settings screen still can ask, and its row says the user said no.
        assertFalse(gate.engineForSdk.decide("nearby_stores", Source.SETTINGS) is Decision.Blocked)
        val screen = Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup().get()
        val row = settingsRowText(screen, "nearby_stores")
        assertTrue(row, row.contains("You said no. The app will not ask again before"))
        assertFalse(row, row.contains("Android settings"))
    }

    @Test
    fun theBannerIsShownOnARepeatRequestAndTheBackgroundStepInChinese() {
        val gate = acceptedGate()
        gate.engineForSdk.grant("store_arrival_alerts", io.consentgate.Surface.RATIONALE_DIALOG, "en-US")
        val (_, _, results, _, request) = startRequest("store_arrival_alerts", gate)
        assertNull("consent on record: no rationale", latestDialog())
        assertEquals(listOf(FINE), requested(request))
        assertTrue("rationale skipped, banner still shown", banner(request)!!.isShown)
        answerOs(request, request, grant = setOf(FINE))
        if (Build.VERSION.SDK_INT >= 29) {
            assertEquals(listOf(BACKGROUND), requested(request))
            assertTrue("the background step has the banner too", banner(request)!!.isShown)
            assertTrue(bannerText(request).contains("location while the app is in the background"))
            answerOs(request, request, grant = emptySet(), canAskAgain = setOf(BACKGROUND))
            assertEquals(
                "background location is optional: partial grant",
                RequestResult.Granted("store_arrival_alerts", listOf(BACKGROUND)),
                results.single(),
            )
            assertTrue((results.single() as RequestResult.Granted).isPartial)
            assertTrue("an optional permission denied is no refusal", events(gate, "consent_denied").isEmpty())
        } else {
            assertEquals(RequestResult.Granted("store_arrival_alerts"), results.single())
        }
        assertNull(banner(request))
    }

    @Test
    @Config(qualifiers = "zh-rCN")
    fun theBannerSpeaksChineseOnAChineseDevice() {
        val request = startRequest("feedback_photo").request
        clickAgree(latestDialog()!!)
        val text = bannerText(request)
        assertTrue(text, text.startsWith("申请此权限的用途"))
        assertTrue(text, text.contains("用户问题反馈拍照上传照片"))
        // No space after the full-width colon (it has its own).
        assertTrue(text, text.contains("为此需要：拍摄照片和视频"))
    }

    @Test
    fun fromSettingsAfterDontAskAgainTheAppsSystemSettingsPageOpens() {
        val (gate, _, first, _, request) = startRequest("feedback_photo")
        clickAgree(latestDialog()!!)
        answerOs(request, request, grant = emptySet(), canAskAgain = emptySet())
        assertEquals(RequestResult.OsDenied("feedback_photo", true, listOf(CAMERA)), first.single())

        // The user turns the switch on in the SDK's settings screen: Android will not show its
        // dialog any more, so its settings page for the app opens instead.
        clearDialogs()
        val (_, _, second, _, again) = startRequest("feedback_photo", gate, Source.SETTINGS)
        clickAgree(latestDialog()!!)
        assertNull("Android is not asked", requested(again))
        val opened: Intent? = shadowOf(again).nextStartedActivity
        assertEquals(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, opened?.action)
        assertEquals(RequestResult.OsDenied("feedback_photo", true, listOf(CAMERA)), second.single())
    }

    @Test
    fun aPermissionSwitchedOffInAndroidSettingsIsOneWithdrawal() {
        val (gate, _, results, _, request) = startRequest("feedback_photo")
        clickAgree(latestDialog()!!)
        answerOs(request, request, grant = setOf(CAMERA))
        assertTrue(gate.isAllowed("feedback_photo"))
        val changes = CopyOnWriteArrayList<String?>()
        gate.addListener(ConsentListener { changes.add(it) })

        shadowOf(app).denyPermissions(CAMERA) // the user switches Camera off in Android's settings
        caller() // an activity of the app resumes: the SDK refreshes
        gate.refresh()
        gate.refresh()
        idle()
        val revoked = events(gate, "permission_revoked", "feedback_photo")
        assertEquals("one event, however many refreshes", 1, revoked.size)
        assertEquals("journal format 3", 3, revoked[0].getInt("v"))
        assertEquals("system_settings", revoked[0].getString("surface"))
        assertEquals(CAMERA, revoked[0].getString("permission"))
        assertTrue(changes.contains("feedback_photo"))
        assertFalse(gate.isAllowed("feedback_photo"))
        val row = gate.settings().first { it.id == "feedback_photo" }
        assertEquals(SettingState.WITHDRAWN, row.state)
        assertTrue(row.revokedInSystemSettings)
        assertFalse("the settings screen shows it off", row.allowed)
        val until = revoked[0].getLong("ts") + 48L * 3600 * 1000
        // The row says where the user turned it off, not that they said no to the app.
        val screen = Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup().get()
        assertFalse(settingsSwitch(screen, "feedback_photo").isChecked)
        val text = settingsRowText(screen, "feedback_photo")
        assertTrue(text, text.contains("You turned the permission off in Android settings. The app will not ask again before"))
        assertFalse(text, text.contains("You said no"))
        val blocked = Results()
        gate.request(caller().get(), "feedback_photo", blocked)
        idle()
        assertEquals(RequestResult.Blocked("feedback_photo", BlockReason.COOLDOWN, until), blocked.single())

        // A new process (the gate opened again) does not record it again.
        gate.close()
        val reopened = initGate()
        reopened.refresh()
        assertEquals(1, events(reopened, "permission_revoked", "feedback_photo").size)
    }

    @Test
    @Config(qualifiers = "zh-rCN")
    fun theSettingsRowOfAPermissionSwitchedOffInAndroidSettingsSaysSoInChinese() {
        val gate = acceptedGate()
        gate.engineForSdk.grant("feedback_photo", io.consentgate.Surface.RATIONALE_DIALOG, "zh-CN")
        gate.engineForSdk.recordOsResults(
            "feedback_photo",
            mapOf(CAMERA to io.consentgate.OsResult.GRANTED),
            io.consentgate.Surface.SYSTEM_DIALOG,
            "zh-CN",
        )
        grantOs(CAMERA)
        gate.refresh()
        shadowOf(app).denyPermissions(CAMERA) // switched off in Android's settings
        gate.refresh()
        assertEquals(1, events(gate, "permission_revoked", "feedback_photo").size)
        val screen = Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup().get()
        val text = settingsRowText(screen, "feedback_photo")
        assertTrue(text, text.contains("您已在系统设置中关闭该权限。应用在"))
        assertFalse(text, text.contains("您已拒绝"))
    }

    @Test
    fun onlyWhatTheManifestRequestsHereIsAskedAndANothingToAskPurposeIsAllowed() {
        val (gate, _, results, _, request) = startRequest("import_photos")
        clickAgree(latestDialog()!!)
        when (Build.VERSION.SDK_INT) {
            in 30..32 -> {
                // READ_EXTERNAL_STORAGE stops at maxSdkVersion 29 in the manifest: nothing to ask.
                assertNull("Android is asked nothing", requested(request))
                assertEquals(RequestResult.Granted("import_photos"), results.single())
                assertTrue("consent alone governs it here", gate.isAllowed("import_photos"))
                assertTrue("no OS answer journaled for what cannot be requested", events(gate, "os_result").isEmpty())
            }
            else -> {
                val expected = if (Build.VERSION.SDK_INT >= 33) READ_MEDIA_IMAGES else READ_STORAGE
                assertEquals(listOf(expected), requested(request))
                answerOs(request, request, grant = setOf(expected))
                assertEquals(RequestResult.Granted("import_photos"), results.single())
            }
        }
    }

    @Test
    fun approximateLocationIsAPartialGrantThatIsAllowed() {
        val (gate, _, results, _, request) = startRequest("nearby_stores")
        clickAgree(latestDialog()!!)
        answerOs(request, request, grant = setOf(COARSE), canAskAgain = setOf(FINE))
        val granted = results.single() as RequestResult.Granted
        assertEquals(listOf(FINE), granted.notGranted)
        assertTrue(granted.isPartial)
        assertTrue(gate.isAllowed("nearby_stores"))
        assertTrue("the chosen alternative is no refusal", events(gate, "consent_denied").isEmpty())
        // Asked again: granted at once, Android is not asked for precise location again.
        val again = Results()
        val caller = caller().get()
        gate.request(caller, "nearby_stores", again)
        idle()
        assertEquals(granted, again.single())
        assertNull(startedRequest(caller))
    }

    @Test
    fun selectedPhotosAskAndroidAgainOn34AndUp() {
        val policy =
            policyJson().replace(
                """"permissions": ["android.permission.READ_EXTERNAL_STORAGE", "android.permission.READ_MEDIA_IMAGES"]""",
                """"permissions": ["android.permission.READ_EXTERNAL_STORAGE", "android.permission.READ_MEDIA_IMAGES", "android.permission.READ_MEDIA_VISUAL_USER_SELECTED"]""",
            )
        val gate = initGate(policy).also { it.acceptPrivacyPolicy() }
        gate.engineForSdk.grant("import_photos", io.consentgate.Surface.RATIONALE_DIALOG, "en-US")
        if (Build.VERSION.SDK_INT < 34) return
        grantOs(MEDIA_SELECTED)
        gate.refresh()
        assertTrue("selected photos satisfy the purpose", gate.isAllowed("import_photos"))
        val (_, _, results, _, request) = startRequest("import_photos", gate)
        assertEquals("the photo picker is shown again", listOf(READ_MEDIA_IMAGES, MEDIA_SELECTED), requested(request))
        assertTrue(banner(request)!!.isShown)
        answerOs(request, request, grant = setOf(MEDIA_SELECTED), canAskAgain = setOf(READ_MEDIA_IMAGES))
        assertEquals(RequestResult.Granted("import_photos", listOf(READ_MEDIA_IMAGES)), results.single())
        assertTrue("choosing photos is no refusal", events(gate, "consent_denied").isEmpty())
    }

    @Test
    fun aMinorsConsentIsTheGuardiansAndSaysSo() {
        val gate = initGate()
        gate.acceptPrivacyPolicy(Actor.GUARDIAN)
        assertEquals("guardian", events(gate, "policy_accepted").single().getString("actor"))
        gate.setAgeBracket(AgeBracket.AGE_14_TO_17)
        val blocked = Results()
        gate.request(caller().get(), "feedback_photo", blocked)
        idle()
        assertEquals(
            "under 18 needs a guardian",
            RequestResult.Blocked("feedback_photo", BlockReason.GUARDIAN_REQUIRED, 0),
            blocked.single(),
        )
        gate.setGuardianConsent(true)
        val (_, _, results, _, request) = startRequest("feedback_photo", gate)
        val dialog = latestDialog()!!
        assertEquals("Ask a parent or guardian", title(dialog))
        assertTrue(message(dialog).startsWith("Please hand the device to your parent or guardian"))
        assertEquals("Guardian agrees", dialog.getButton(android.app.AlertDialog.BUTTON_POSITIVE).text.toString())
        clickAgree(dialog)
        assertEquals("guardian", events(gate, "consent_granted", "feedback_photo").single().getString("actor"))
        answerOs(request, request, grant = setOf(CAMERA))
        assertEquals(RequestResult.Granted("feedback_photo"), results.single())
    }
}

package io.consentgate.android

import android.app.Activity
import android.app.AlertDialog
import android.content.Intent
import android.os.Build
import android.provider.Settings
import android.view.View
import android.widget.TextView
import io.consentgate.ConsentListener
import io.consentgate.ConsentSettingsActivity
import io.consentgate.Fixtures.CAMERA
import io.consentgate.Surface
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

/** The ready settings screen: real framework views, the real core. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 33, 34, 35], qualifiers = "en-rUS")
class SettingsScreenTest : GateTest() {
    private fun screen(): Activity = Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup().get()

    @Test
    fun everyPurposeIsListedWithItsSwitchDescriptionPermissionsAndRecipients() {
        val gate = acceptedGate()
        gate.engineForSdk.grant("feedback_photo", Surface.RATIONALE_DIALOG, "en-US")
        grantOs(CAMERA)
        val screen = screen()

        for (id in gate.purposeIds) {
            val sw = settingsSwitch(screen, id)
            assertTrue("$id: enabled", sw.isEnabled)
            assertEquals("$id: on only if allowed", gate.isAllowed(id), sw.isChecked)
        }
        assertTrue(settingsSwitch(screen, "feedback_photo").isChecked)
        val photo = settingsRowText(screen, "feedback_photo")
        assertTrue(photo, photo.contains("Take a photo to attach to your feedback"))
        assertTrue(photo, photo.contains("Uses: take photos and videos"))
        assertTrue(photo, photo.contains("Not shared with third parties"))
        val stores = settingsRowText(screen, "nearby_stores")
        assertTrue(stores, stores.contains("Find stores near you"))
        assertTrue(stores, stores.contains("Uses: approximate location, precise location"))
        assertTrue(stores, stores.contains("Shared with: Amap: GPS location"))
        assertTrue(
            stores,
            stores.contains("Third-party SDKs: Amap Location SDK (AutoNavi Software Co., Ltd.): location, device identifier"),
        )
    }

    @Test
    @Config(qualifiers = "zh-rCN")
    fun theScreenIsInChineseOnAChineseDevice() {
        acceptedGate()
        val screen = screen()
        val stores = settingsRowText(screen, "nearby_stores")
        assertTrue(stores, stores.contains("查找附近门店"))
        assertTrue(stores, stores.contains("使用：大致位置、精确位置"))
        // The recipient and the SDK in Chinese too (policy schema 2 gives them per locale).
        assertTrue(stores, stores.contains("数据接收方：高德地图：精确位置（GPS）"))
        assertTrue(stores, stores.contains("第三方 SDK：高德定位 SDK（高德软件有限公司）：位置信息、设备标识"))
        assertFalse(stores, stores.contains("GPS location"))
    }

    @Test
    fun switchingOffWithdrawsAndTheNextCheckIsFalseAtOnce() {
        val gate = acceptedGate()
        gate.engineForSdk.grant("feedback_photo", Surface.RATIONALE_DIALOG, "en-US")
        grantOs(CAMERA)
        gate.refresh()
        val handle = gate.purpose("feedback_photo")
        assertTrue(handle.isAllowed())
        val changes = ArrayList<String?>()
        gate.addListener(ConsentListener { changes.add(it) })
        val screen = screen()
        clearDialogs()

        settingsSwitch(screen, "feedback_photo").performClick()
        assertFalse("not allowed from the moment the switch is off", handle.isAllowed())
        idle()
        assertFalse(settingsSwitch(screen, "feedback_photo").isChecked)
        assertTrue(changes.contains("feedback_photo"))
        val withdrawn = events(gate, "consent_withdrawn", "feedback_photo").single()
        assertEquals("settings_screen", withdrawn.getString("surface"))

        if (Build.VERSION.SDK_INT >= 33) {
            assertEquals(listOf(listOf(CAMERA)), context.revoked)
            assertNull("nothing to send the user to", latestDialog())
        } else {
            assertEquals(emptyList<List<String>>(), context.revoked)
            val dialog = latestDialog()!!
            assertEquals("Turn off in Android too?", title(dialog))
            dialog.getButton(AlertDialog.BUTTON_POSITIVE).performClick()
            idle()
            val started: Intent = shadowOf(screen).nextStartedActivity
            assertEquals(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, started.action)
            assertEquals("package:io.consentgate.test", started.dataString)
        }
    }

    @Test
    fun switchingOnRunsTheConsentFlowEvenInsideTheCooldown() {
        val gate = acceptedGate()
        gate.engineForSdk.deny("feedback_photo", Surface.RATIONALE_DIALOG, "en-US")
        val screen = screen()
        assertFalse(settingsSwitch(screen, "feedback_photo").isChecked)

        settingsSwitch(screen, "feedback_photo").performClick()
        idle()
        val request = launch(startedRequest(screen)!!).get()
        val dialog = latestDialog()!!
        assertTrue("the user asked from settings: no cooldown", dialog.isShowing)
        assertTrue(message(dialog).startsWith("Take a photo to attach to your feedback"))
        clickAgree(dialog)
        assertEquals(listOf(CAMERA), requested(request))
        answerOs(request, request, grant = setOf(CAMERA))

        assertTrue(gate.isAllowed("feedback_photo"))
        assertTrue(settingsSwitch(screen, "feedback_photo").isChecked)
        assertTrue(settingsSwitch(screen, "feedback_photo").isEnabled)
        assertEquals(
            listOf("consent_denied", "consent_granted"),
            events(gate).map { it.getString("event") }.filter { it.startsWith("consent_") },
        )
    }

    @Test
    fun switchingOnAndDecliningLeavesTheSwitchOff() {
        val gate = acceptedGate()
        val screen = screen()
        settingsSwitch(screen, "nearby_stores").performClick()
        idle()
        val request = launch(startedRequest(screen)!!).get()
        clickDisagree(latestDialog()!!)
        assertNull(requested(request))
        assertFalse(settingsSwitch(screen, "nearby_stores").isChecked)
        assertFalse(gate.isAllowed("nearby_stores"))
        assertEquals(1, events(gate, "consent_denied", "nearby_stores").size)
    }

    @Test
    fun beforeThePrivacyPolicyIsAcceptedTheSwitchesAreOffAndDisabled() {
        val gate = initGate()
        val screen = screen()
        for (id in gate.purposeIds) {
            val sw = settingsSwitch(screen, id)
            assertFalse(sw.isChecked)
            assertFalse(sw.isEnabled)
        }
        val banner = screen.window.decorView.findViewWithTag<TextView>("consentgate:banner")
        assertNotNull(banner)
        assertEquals(View.VISIBLE, banner.visibility)
        assertEquals("Accept the privacy policy before turning on any feature.", banner.text.toString())
        assertEquals(emptyList<String>(), context.permissionQueries)
    }
}

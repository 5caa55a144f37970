package io.consentgate.android

import android.app.Activity
import android.content.Intent
import android.provider.Settings
import android.view.View
import android.widget.TextView
import io.consentgate.ConsentDocumentActivity
import io.consentgate.ConsentGate
import io.consentgate.ConsentSettingsActivity
import io.consentgate.RequestResult
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
import org.robolectric.shadows.ShadowSettings
import java.util.concurrent.atomic.AtomicInteger

/**
 * Policy schema 2 on the real screens: a special permission's settings page after the rationale,
 * a consent-only purpose, third-party SDK start and stop across process restarts, withdrawing the
 * privacy policy from the settings screen, the policy text, the lists and the history screens.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [29, 33, 34, 35], qualifiers = "en-rUS")
class Schema2Test : GateTest() {
    private fun schema2(): ConsentGate = initGate(POLICY)

    private fun acceptedSchema2(): ConsentGate = schema2().also { it.acceptPrivacyPolicy() }

    @Test
    fun aSpecialPermissionOpensItsSettingsPageAfterTheRationaleAndItsGrantIsReadOnReturn() {
        ShadowSettings.setCanDrawOverlays(false)
        val (gate, _, results, _, request) = startRequest("chat_bubbles", acceptedSchema2())
        assertNull("no settings page before the user agreed", settingsPage(request))
        clickAgree(latestDialog()!!)

        assertNull("no system dialog for a special permission", requested(request))
        val page = settingsPage(request)
        assertNotNull("the overlay settings page was opened", page)
        page!!
        assertEquals(Settings.ACTION_MANAGE_OVERLAY_PERMISSION, page.intent.action)
        assertEquals("package:" + app.packageName, page.intent.dataString)
        assertTrue(results.all.isEmpty())

        // The user switches it on and comes back (settings pages answer RESULT_CANCELED).
        ShadowSettings.setCanDrawOverlays(true)
        shadowOf(request).receiveResult(page.intent, Activity.RESULT_CANCELED, null)
        idle()
        assertEquals(RequestResult.Granted("chat_bubbles"), results.single())
        assertTrue(gate.isAllowed("chat_bubbles"))
        val os = events(gate, "os_result", "chat_bubbles").single()
        assertEquals(OVERLAY, os.getString("permission"))
        assertEquals("granted", os.getString("os_result"))
    }

    @Test
    fun aSpecialPermissionLeftOffIsAnOsDenial() {
        ShadowSettings.setCanDrawOverlays(false)
        val (gate, _, results, _, request) = startRequest("chat_bubbles", acceptedSchema2())
        clickAgree(latestDialog()!!)
        val page = settingsPage(request)!!
        shadowOf(request).receiveResult(page.intent, Activity.RESULT_CANCELED, null)
        idle()
        assertEquals(RequestResult.OsDenied("chat_bubbles", false, listOf(OVERLAY)), results.single())
        assertFalse(gate.isAllowed("chat_bubbles"))
        assertEquals("denied", events(gate, "os_result", "chat_bubbles").single().getString("os_result"))
    }

    @Test
    fun aConsentOnlyPurposeIsAllowedByTheConsentAloneAndAsksTheOsNothing() {
        val (gate, _, results, _, request) = startRequest("one_key_login", acceptedSchema2())
        val dialog = latestDialog()!!
        assertFalse("no permission list for a consent-only purpose", message(dialog).contains("needs to:"))
        clickAgree(dialog)
        assertNull(requested(request))
        assertNull(settingsPage(request))
        assertEquals(RequestResult.Granted("one_key_login"), results.single())
        assertTrue(gate.isAllowed("one_key_login"))
    }

    @Test
    fun theRationaleNamesTheSdksOfThePurpose() {
        startRequest("nearby_stores", acceptedSchema2())
        val text = message(latestDialog()!!)
        assertTrue(text, text.contains("Third-party SDKs: Amap Location SDK (AutoNavi): location"))
    }

    @Test
    fun sdkStartRunsOnlyOnceAllowedAndAgainAtALaterProcessStartAndStopRunsOnWithdrawal() {
        val started = AtomicInteger()
        val stopped = AtomicInteger()
        var gate = schema2()
        gate.onAllowed("amap") { started.incrementAndGet() }
        gate.onWithdrawn("amap") { stopped.incrementAndGet() }
        idle()
        assertEquals("not before the privacy policy", 0, started.get())
        gate.acceptPrivacyPolicy()
        idle()
        assertEquals("not before consent", 0, started.get())
        gate.engineForTest().grant("nearby_stores", io.consentgate.Surface.RATIONALE_DIALOG, "en")
        gate.refreshAndNotify()
        idle()
        assertEquals("started once allowed", 1, started.get())
        gate.refreshAndNotify()
        idle()
        assertEquals("once, not at every change", 1, started.get())

        // A later process: a new gate on the same journal; the app registers again at startup.
        gate.close()
        gate = schema2()
        gate.onAllowed("amap") { started.incrementAndGet() }
        gate.onWithdrawn("amap") { stopped.incrementAndGet() }
        idle()
        assertEquals("started at the later process start", 2, started.get())
        assertEquals(0, stopped.get())

        gate.withdraw("nearby_stores")
        idle()
        assertEquals("stopped on withdrawal", 1, stopped.get())
        gate.close()
        gate = schema2()
        gate.onAllowed("amap") { started.incrementAndGet() }
        idle()
        assertEquals("not started again while withdrawn", 2, started.get())
    }

    @Test
    fun withdrawingThePrivacyPolicyFromSettingsStopsSdksBlocksEverythingAndTellsTheApp() {
        val gate = acceptedSchema2()
        gate.engineForTest().grant("nearby_stores", io.consentgate.Surface.RATIONALE_DIALOG, "en")
        gate.engineForTest().grant("one_key_login", io.consentgate.Surface.RATIONALE_DIALOG, "en")
        gate.refreshAndNotify()
        val stopped = AtomicInteger()
        val basicMode = AtomicInteger()
        gate.onAllowed("nearby_stores") {}
        gate.onWithdrawn("nearby_stores") { stopped.incrementAndGet() }
        gate.onPrivacyPolicyWithdrawn { basicMode.incrementAndGet() }
        idle()
        assertTrue(gate.isAllowed("one_key_login"))

        val settings = Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup().get()
        val link = settings.window.decorView.findViewWithTag<View>("consentgate:link:withdraw_policy")
        assertEquals(View.VISIBLE, link.visibility)
        link.performClick()
        idle()
        latestDialog()!!.getButton(android.app.AlertDialog.BUTTON_POSITIVE).performClick()
        idle()
        // Nothing left to withdraw: the entry is gone until the policy is accepted again.
        assertEquals(View.GONE, link.visibility)

        assertFalse(gate.isPrivacyPolicyAccepted)
        assertFalse(gate.isAllowed("one_key_login"))
        assertEquals(1, stopped.get())
        assertEquals(1, basicMode.get())
        val withdrawn = events(gate, "policy_withdrawn").single()
        assertEquals("settings_screen", withdrawn.getString("surface"))
        assertEquals(2, withdrawn.getInt("v"))
        // Accepting again revives no consent.
        gate.acceptPrivacyPolicy()
        assertFalse(gate.isAllowed("one_key_login"))
    }

    @Test
    fun theSettingsScreenOpensThePolicyTextTheListsAndTheHistory() {
        acceptedSchema2()
        val settings = Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup().get()
        val root = settings.window.decorView
        val rows = root.findViewWithTag<View>("consentgate:row:nearby_stores") as android.view.ViewGroup
        val rowText = (0 until rows.childCount).mapNotNull { (rows.getChildAt(it) as? TextView)?.text?.toString() }
        assertTrue(rowText.toString(), rowText.any { it.contains("Amap Location SDK (AutoNavi)") })
        for ((tag, mode) in listOf(
            "consentgate:link:privacy_policy" to "policy_text",
            "consentgate:link:lists" to "lists",
            "consentgate:link:history" to "history",
        )) {
            root.findViewWithTag<View>(tag).performClick()
            val next = shadowOf(settings).nextStartedActivity
            assertEquals(ConsentDocumentActivity::class.java.name, next.component?.className)
            assertEquals(mode, next.getStringExtra("io.consentgate.extra.DOCUMENT"))
        }
        val text = document("policy_text").findViewWithTag<TextView>("consentgate:doc:policy").text.toString()
        assertTrue(text, text.contains("We ask before we use your data."))
    }

    @Test
    fun theListsScreenShowsBothListsFromThePolicy() {
        schema2()
        val root = document("lists")
        assertNotNull(root.findViewWithTag<View>("consentgate:doc:collection"))
        val login = texts(root.findViewWithTag("consentgate:doc:collection:one_key_login"))
        assertEquals(listOf("One-key login", "Information: your phone number", "When: When you sign in", "Permission: none"), login)
        val amap = texts(root.findViewWithTag("consentgate:doc:sharing:nearby_stores:Amap Location SDK"))
        assertTrue(amap.toString(), amap.contains("Company: AutoNavi") && amap.contains("Privacy rules: https://lbs.amap.com/privacy"))
    }

    @Test
    @Config(qualifiers = "zh-rCN")
    fun theListsAndHistoryScreensInChinese() {
        val gate = acceptedSchema2()
        gate.engineForTest().grant("one_key_login", io.consentgate.Surface.RATIONALE_DIALOG, "zh-CN")
        val lists = document("lists")
        assertEquals("个人信息收集清单", lists.findViewWithTag<TextView>("consentgate:doc:collection").text.toString())
        val amap = texts(lists.findViewWithTag("consentgate:doc:sharing:nearby_stores:高德定位 SDK"))
        assertTrue(amap.toString(), amap.contains("公司：高德软件有限公司"))
        val history = document("history")
        assertEquals("同意：本机号码一键登录", texts(history.findViewWithTag("consentgate:doc:history:0"))[0])
        assertEquals("同意隐私政策", texts(history.findViewWithTag("consentgate:doc:history:1"))[0])
    }

    @Test
    fun theHistoryScreenShowsTheUsersDecisionsNewestFirst() {
        val gate = acceptedSchema2()
        gate.engineForTest().grant("one_key_login", io.consentgate.Surface.RATIONALE_DIALOG, "en")
        gate.engineForTest().deny("nearby_stores", io.consentgate.Surface.RATIONALE_DIALOG, "en")
        val root = document("history")
        assertEquals("Refused: Find stores near you", texts(root.findViewWithTag("consentgate:doc:history:0"))[0])
        assertEquals("Agreed: One-key login", texts(root.findViewWithTag("consentgate:doc:history:1"))[0])
        assertEquals("Accepted the privacy policy", texts(root.findViewWithTag("consentgate:doc:history:2"))[0])
        assertNull(root.findViewWithTag<View>("consentgate:doc:history:3"))
    }

    @Test
    fun theHistoryScreenSaysWhenTheRecordsCannotBeRead() {
        schema2().also { it.acceptPrivacyPolicy() }.close()
        val journal = java.io.File(journalDir, "consent.journal")
        check(journal.delete() && journal.mkdir()) { "could not replace $journal by a folder" }
        schema2()
        val root = document("history")
        val error = root.findViewWithTag<TextView>("consentgate:doc:error")
        assertEquals("Your consent records cannot be read right now.", error.text.toString())
        assertNull(root.findViewWithTag<View>("consentgate:doc:history:0"))
    }

    /** The next settings page [activity] opened for a result (Robolectric lists every started activity app-wide). */
    private fun settingsPage(activity: Activity): org.robolectric.shadows.ShadowActivity.IntentForResult? {
        while (true) {
            val next = shadowOf(activity).nextStartedActivityForResult ?: return null
            if (next.intent.action?.startsWith("android.settings.") == true) return next
        }
    }

    private fun document(mode: String): View {
        val intent =
            Intent(app, ConsentDocumentActivity::class.java).putExtra("io.consentgate.extra.DOCUMENT", mode)
        return Robolectric
            .buildActivity(ConsentDocumentActivity::class.java, intent)
            .setup()
            .get()
            .window.decorView
    }

    private fun texts(box: View): List<String> {
        val group = box as android.view.ViewGroup
        return (0 until group.childCount).map { (group.getChildAt(it) as TextView).text.toString() }
    }

    private fun ConsentGate.engineForTest() = engineForSdk

    private fun ConsentGate.refreshAndNotify() = changed(null)

    companion object {
        const val OVERLAY = "android.permission.SYSTEM_ALERT_WINDOW"

        val POLICY =
            """
            {
              "schema": 2,
              "policy_version": "2025-01-01",
              "default_locale": "en",
              "privacy_policy": { "asset": "privacy/policy.en.html", "url": "https://example.com/privacy" },
              "purposes": [
                { "id": "nearby_stores",
                  "permissions": ["android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION"],
                  "description": { "en": "Find stores near you", "zh-CN": "查找附近门店" } },
                { "id": "one_key_login", "permissions": [],
                  "description": { "en": "One-key login", "zh-CN": "本机号码一键登录" },
                  "data": { "en": "your phone number", "zh-CN": "本机号码" },
                  "when": { "en": "When you sign in", "zh-CN": "登录时" } },
                { "id": "chat_bubbles", "permissions": ["android.permission.SYSTEM_ALERT_WINDOW"],
                  "description": { "en": "Show chat bubbles over other apps", "zh-CN": "在其他应用上层显示聊天气泡" } }
              ],
              "sdks": [
                { "id": "amap", "name": { "en": "Amap Location SDK", "zh-CN": "高德定位 SDK" },
                  "company": { "en": "AutoNavi", "zh-CN": "高德软件有限公司" },
                  "data": { "en": "location", "zh-CN": "位置信息" },
                  "purposes": ["nearby_stores"], "privacy_url": "https://lbs.amap.com/privacy",
                  "packages": ["com.amap.api"] }
              ]
            }
            """.trimIndent()
    }
}

package io.consentgate.android

import android.app.Activity
import android.app.AlertDialog
import android.app.Application
import android.content.BroadcastReceiver
import android.content.Context
import android.content.ContextWrapper
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Looper
import io.consentgate.ConsentGate
import io.consentgate.ConsentRequestActivity
import io.consentgate.ConsentSettingsActivity
import io.consentgate.RequestResult
import io.consentgate.Source
import io.consentgate.testsupport.TestActivity
import org.json.JSONArray
import org.json.JSONObject
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Before
import org.junit.Rule
import org.junit.rules.TemporaryFolder
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.shadows.ShadowAlertDialog
import org.robolectric.shadows.ShadowDialog
import java.io.File
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The app context the gate gets in tests: the real Robolectric application underneath, with every
 * permission query and revocation counted. The gate keeps `applicationContext`, which is this.
 */
class RecordingContext(
    base: Context,
) : ContextWrapper(base) {
    val permissionQueries = CopyOnWriteArrayList<String>()
    val revoked = CopyOnWriteArrayList<List<String>>()

    override fun getApplicationContext(): Context = this

    override fun checkSelfPermission(permission: String): Int {
        permissionQueries.add(permission)
        return super.checkSelfPermission(permission)
    }

    override fun checkPermission(
        permission: String,
        pid: Int,
        uid: Int,
    ): Int {
        permissionQueries.add(permission)
        return super.checkPermission(permission, pid, uid)
    }

    override fun checkCallingOrSelfPermission(permission: String): Int {
        permissionQueries.add(permission)
        return super.checkCallingOrSelfPermission(permission)
    }

    /** API 33+. Recorded instead of reaching the permission controller (absent under Robolectric). */
    override fun revokeSelfPermissionsOnKill(permissions: Collection<String>) {
        revoked.add(permissions.toList())
    }
}

/** Shared fixture: a fresh journal folder per test, the real core through JNI, a caller activity. */
abstract class GateTest {
    @get:Rule
    val tmp = TemporaryFolder()

    protected lateinit var app: Application
    protected lateinit var context: RecordingContext
    protected lateinit var journalDir: File

    @Before
    fun setUpGate() {
        app = RuntimeEnvironment.getApplication()
        context = RecordingContext(app)
        journalDir = tmp.newFolder("journal")
        ShadowAlertDialog.reset()
        ShadowDialog.reset()
    }

    @After
    fun closeGate() {
        ShadowDialog.getShownDialogs().filter { it.isShowing }.forEach { it.dismiss() }
        ConsentGate.getOrNull()?.close()
    }

    /** The test APK's policy asset (the same file [ConsentGate.init] reads by default). */
    protected fun policyJson(): String = app.assets.open(ConsentGate.DEFAULT_POLICY_ASSET).use { it.readBytes().toString(Charsets.UTF_8) }

    protected fun initGate(
        json: String = policyJson(),
        dir: File = journalDir,
    ): ConsentGate = ConsentGate.initWithPolicyJson(context, json, dir)

    protected fun acceptedGate(): ConsentGate = initGate().also { it.acceptPrivacyPolicy() }

    protected fun caller(): ActivityController<TestActivity> = Robolectric.buildActivity(TestActivity::class.java).setup()

    protected fun idle() = shadowOf(Looper.getMainLooper()).idle()

    /**
     * The next request activity the gate started, or null. (Robolectric keeps one list of started
     * activities for the whole app; other intents, e.g. the system permission dialog's, are skipped.)
     */
    protected fun startedRequest(caller: Activity): Intent? {
        while (true) {
            val intent = shadowOf(caller).nextStartedActivity ?: return null
            if (intent.component?.className == ConsentRequestActivity::class.java.name) return intent
        }
    }

    protected fun launch(intent: Intent): ActivityController<ConsentRequestActivity> =
        Robolectric.buildActivity(ConsentRequestActivity::class.java, intent).setup()

    /** A request as an app makes it, before any request activity runs. */
    protected data class Requested(
        val gate: ConsentGate,
        val callerController: ActivityController<TestActivity>,
        val results: Results,
    ) {
        val caller: TestActivity get() = callerController.get()
    }

    /**
     * [purpose] requested on [gate] (by default a gate whose privacy policy is accepted) from a new
     * caller activity: by app code, or for [Source.SETTINGS] as the settings screen's switch asks.
     */
    protected fun request(
        purpose: String,
        gate: ConsentGate = acceptedGate(),
        source: Source = Source.FEATURE,
    ): Requested {
        val requested = Requested(gate, caller(), Results())
        when (source) {
            Source.FEATURE -> gate.request(requested.caller, purpose, requested.results)
            Source.SETTINGS -> gate.startFlow(requested.caller, purpose, source, requested.results)
        }
        idle()
        return requested
    }

    /** A request as an app makes it, up to the request activity the gate started (its rationale shown). */
    protected data class StartedRequest(
        val gate: ConsentGate,
        val caller: TestActivity,
        val results: Results,
        val controller: ActivityController<ConsentRequestActivity>,
        val request: ConsentRequestActivity,
    )

    /** [request], then the request activity it started. */
    protected fun startRequest(
        purpose: String,
        gate: ConsentGate = acceptedGate(),
        source: Source = Source.FEATURE,
    ): StartedRequest {
        val requested = request(purpose, gate, source)
        val controller = launch(startedRequest(requested.caller)!!)
        return StartedRequest(gate, requested.caller, requested.results, controller, controller.get())
    }

    /** The flow ended granted: one result, one consent and one OS answer on record (for any purpose). */
    protected fun assertGrantedOnce(
        purpose: String,
        gate: ConsentGate,
        results: Results,
    ) {
        assertEquals(RequestResult.Granted(purpose), results.single())
        assertEquals("recorded once", 1, events(gate, "consent_granted").size)
        assertEquals("recorded once", 1, events(gate, "os_result").size)
    }

    /**
     * Sends [intent] as `adb shell am broadcast -p <package>` does (ordered, with a final
     * receiver) and returns the result code and data the receivers left.
     */
    protected fun orderedBroadcast(intent: Intent): Pair<Int, String?> {
        var code = -100
        var data: String? = null
        val collector =
            object : BroadcastReceiver() {
                override fun onReceive(
                    c: Context,
                    i: Intent,
                ) {
                    code = resultCode
                    data = resultData
                }
            }
        app.sendOrderedBroadcast(intent, null, collector, null, 0, null, null)
        idle()
        return code to data
    }

    protected fun shownDialogs(): List<android.app.Dialog> = ShadowDialog.getShownDialogs().filter { it.isShowing }

    protected fun latestDialog(): AlertDialog? = ShadowAlertDialog.getLatestAlertDialog() as AlertDialog?

    protected fun message(dialog: AlertDialog): String = shadowOf(dialog).message.toString()

    protected fun title(dialog: AlertDialog): String = shadowOf(dialog).title.toString()

    protected fun clickAgree(dialog: AlertDialog) {
        dialog.getButton(AlertDialog.BUTTON_POSITIVE).performClick()
        idle()
    }

    protected fun clickDisagree(dialog: AlertDialog) {
        dialog.getButton(AlertDialog.BUTTON_NEGATIVE).performClick()
        idle()
    }

    /** What the request activity last asked the OS for (null: nothing). */
    protected fun requested(activity: Activity): List<String>? = shadowOf(activity).lastRequestedPermission?.requestedPermissions?.toList()

    /**
     * Answers the system permission dialog the way Android does: the grants change in the
     * (shadow) package manager, then the result comes back through the activity-result path
     * that `Activity.requestPermissions` started, to [activity] (which may be a recreated instance).
     * [canAskAgain]: denied permissions for which shouldShowRequestPermissionRationale is true.
     */
    protected fun answerOs(
        activity: Activity,
        requestedBy: Activity,
        grant: Set<String>,
        canAskAgain: Set<String> = emptySet(),
    ) {
        val request = shadowOf(requestedBy).lastRequestedPermission
        assertNotNull("the OS was asked for something", request)
        val permissions = request!!.requestedPermissions
        val results =
            IntArray(permissions.size) {
                if (permissions[it] in grant) PackageManager.PERMISSION_GRANTED else PackageManager.PERMISSION_DENIED
            }
        val shadowApp = shadowOf(app)
        permissions.filter { it in grant }.takeIf { it.isNotEmpty() }?.let { shadowApp.grantPermissions(*it.toTypedArray()) }
        permissions.filter { it !in grant }.takeIf { it.isNotEmpty() }?.let { shadowApp.denyPermissions(*it.toTypedArray()) }
        val pm = shadowOf(app.packageManager)
        for (p in permissions) pm.setShouldShowRequestPermissionRationale(p, p in canAskAgain)
        val started = shadowOf(requestedBy).nextStartedActivityForResult
        assertNotNull("Activity.requestPermissions started the system dialog", started)
        val data =
            Intent()
                .putExtra("android.content.pm.extra.REQUEST_PERMISSIONS_NAMES", permissions)
                .putExtra("android.content.pm.extra.REQUEST_PERMISSIONS_RESULTS", results)
        shadowOf(activity).receiveResult(started.intent, Activity.RESULT_OK, data)
        idle()
    }

    protected fun grantOs(vararg permissions: String) = shadowOf(app).grantPermissions(*permissions)

    /** Every journal event, oldest first, from the proof export. */
    protected fun events(gate: ConsentGate): List<JSONObject> {
        val history: JSONArray = JSONObject(gate.exportProof()).getJSONArray("history")
        return List(history.length()) { history.getJSONObject(it) }
    }

    /** Events of one kind (e.g. "consent_granted", "os_result") for one purpose. */
    protected fun events(
        gate: ConsentGate,
        kind: String,
        purpose: String? = null,
    ): List<JSONObject> = events(gate).filter { it.getString("event") == kind && (purpose == null || it.optString("purpose") == purpose) }

    /** Collects results; asserts there is exactly one at the end. */
    protected class Results : io.consentgate.RequestCallback {
        val all = CopyOnWriteArrayList<RequestResult>()

        override fun onResult(result: RequestResult) {
            check(Looper.myLooper() == Looper.getMainLooper()) { "result delivered off the main thread" }
            all.add(result)
        }

        fun single(): RequestResult {
            assertEquals("exactly one result: $all", 1, all.size)
            return all[0]
        }
    }
}

/** Forgets the dialogs shown so far (ShadowAlertDialog.getLatestAlertDialog starts from null). */
fun clearDialogs() {
    ShadowAlertDialog.reset()
    ShadowDialog.reset()
}

/** The switch of [purposeId]'s row on the settings screen [screen]. */
fun settingsSwitch(
    screen: Activity,
    purposeId: String,
): android.widget.Switch =
    screen.window.decorView.findViewWithTag(ConsentSettingsActivity.switchTag(purposeId))
        ?: throw AssertionError("no switch for $purposeId")

/** All the text of [purposeId]'s row on the settings screen [screen] (the switch left out), one view a line. */
fun settingsRowText(
    screen: Activity,
    purposeId: String,
): String {
    val row: android.view.View =
        screen.window.decorView.findViewWithTag(ConsentSettingsActivity.ROW_TAG_PREFIX + purposeId)
            ?: throw AssertionError("no row for $purposeId")
    val out = StringBuilder()

    fun walk(v: android.view.View) {
        if (v is android.widget.TextView && v !is android.widget.Switch) out.append(v.text).append('\n')
        if (v is android.view.ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
    }
    walk(row)
    return out.toString()
}

package io.consentgate.instrumented

import android.content.Intent
import androidx.test.uiautomator.By
import androidx.test.uiautomator.UiDevice
import androidx.test.uiautomator.Until
import io.consentgate.ConsentGate
import io.consentgate.RequestResult
import org.json.JSONObject
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import java.io.File
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.regex.Pattern

/**
 * The rationale dialog on a real device: shown over a real activity, answered by tapping its
 * button with UI Automator. The camera permission is granted up front with `pm grant`, so the
 * system dialog (whose wording differs by device) does not appear. Device/emulator only:
 * `./gradlew :consentgate:connectedAndroidTest`. Compiled, never run, here.
 */
class RationaleDialogInstrumentedTest {
    private val instrumentation = Qa.instrumentation
    private val context = instrumentation.targetContext
    private val device = UiDevice.getInstance(instrumentation)
    private lateinit var gate: ConsentGate

    @Before
    fun setUp() {
        ConsentGate.getOrNull()?.close()
        gate = ConsentGate.initWithPolicyJson(context, POLICY, File(context.noBackupFilesDir, "consentgate-it-${System.nanoTime()}"))
        Qa.shell("pm grant ${context.packageName} android.permission.CAMERA")
    }

    @After
    fun tearDown() {
        gate.erase()
        gate.close()
    }

    @Test
    fun theUserAgreesInTheRationaleAndTheAppIsAllowed() {
        gate.acceptPrivacyPolicy()
        val caller =
            instrumentation.startActivitySync(
                Intent(context, CallerActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
            ) as CallerActivity
        val results = LinkedBlockingQueue<RequestResult>()
        instrumentation.runOnMainSync { gate.request(caller, "feedback_photo") { results.add(it) } }

        val text = device.wait(Until.findObject(By.text(Pattern.compile("(?s)(Take a photo|用户问题反馈).*"))), 10_000)
        assertNotNull("the rationale shows the purpose", text)
        device.findObject(By.text(Pattern.compile("Agree|同意"))).click()

        assertEquals(RequestResult.Granted("feedback_photo"), results.poll(10, TimeUnit.SECONDS))
        assertTrue(gate.isAllowed("feedback_photo"))
        val history = JSONObject(gate.exportProof()).getJSONArray("history")
        assertEquals("consent_granted", history.getJSONObject(history.length() - 1).getString("event"))
        caller.finish()
    }
}

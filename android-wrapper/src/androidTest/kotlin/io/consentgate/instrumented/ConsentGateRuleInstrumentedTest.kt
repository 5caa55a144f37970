package io.consentgate.instrumented

import android.content.Intent
import androidx.test.uiautomator.By
import androidx.test.uiautomator.UiDevice
import androidx.test.uiautomator.Until
import io.consentgate.BlockReason
import io.consentgate.RequestResult
import io.consentgate.Surface
import io.consentgate.testing.ConsentGateRule
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Rule
import org.junit.Test
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.regex.Pattern

/**
 * [ConsentGateRule] in an instrumented test, as an app team would use it on a device: a state
 * set by the rule (a refusal 47 h ago) decides what the real request flow shows. Device/emulator
 * only (`./gradlew :consentgate:connectedAndroidTest`); compiled, never run, here.
 */
class ConsentGateRuleInstrumentedTest {
    @get:Rule
    val consent = ConsentGateRule.withPolicyJson(POLICY)

    private val instrumentation = Qa.instrumentation
    private val device = UiDevice.getInstance(instrumentation)

    @Test
    fun aRefusalInsideTheCooldownShowsNothingAndAfterItTheRationaleReturns() {
        consent.acceptPolicy()
        consent.deny("feedback_photo", atMs = consent.clock.nowMs - TimeUnit.HOURS.toMillis(47))
        val caller =
            instrumentation.startActivitySync(
                Intent(consent.context, CallerActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
            ) as CallerActivity
        val results = LinkedBlockingQueue<RequestResult>()

        instrumentation.runOnMainSync { consent.gate.request(caller, "feedback_photo") { results.add(it) } }
        assertEquals(
            RequestResult.Blocked("feedback_photo", BlockReason.COOLDOWN, consent.clock.nowMs + TimeUnit.HOURS.toMillis(1)),
            results.poll(10, TimeUnit.SECONDS),
        )
        assertNull("no rationale inside the cooldown", device.wait(Until.findObject(By.text(RATIONALE)), 2_000))

        consent.clock.advance(1, TimeUnit.HOURS)
        instrumentation.runOnMainSync { consent.gate.request(caller, "feedback_photo") { results.add(it) } }
        assertNotNull("the rationale again after the cooldown", device.wait(Until.findObject(By.text(RATIONALE)), 10_000))
        device.findObject(By.text(Pattern.compile("Don't agree|不同意"))).click()
        assertEquals(RequestResult.Denied("feedback_photo"), results.poll(10, TimeUnit.SECONDS))
        val last = consent.journal().last()
        assertEquals(Surface.RATIONALE_DIALOG, last.surface)
        assertEquals(consent.clock.nowMs, last.timeMs)
        caller.finish()
    }

    private companion object {
        val RATIONALE: Pattern = Pattern.compile("(?s)(Take a photo|用户问题反馈).*")
    }
}

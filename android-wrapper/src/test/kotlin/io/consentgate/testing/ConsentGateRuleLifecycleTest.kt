package io.consentgate.testing

import io.consentgate.ConsentGate
import io.consentgate.InvalidPolicyException
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertSame
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.Description
import org.junit.runner.RunWith
import org.junit.runners.model.Statement
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import java.io.File

/**
 * What [ConsentGateRule] does around a test, driven by hand (`apply(...).evaluate()`, as JUnit
 * does): it replaces an instance the app initialised, cleans up after a failing test, fails
 * before the test on a bad policy, and refuses use outside a test.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 33, 34, 35], qualifiers = "en-rUS")
class ConsentGateRuleLifecycleTest {
    private val app get() = RuntimeEnvironment.getApplication()

    @After
    fun noGateLeftBehind() {
        ConsentGate.getOrNull()?.close()
    }

    private fun ConsentGateRule.run(body: (ConsentGateRule) -> Unit) =
        apply(
            object : Statement() {
                override fun evaluate() = body(this@run)
            },
            Description.EMPTY,
        ).evaluate()

    @Test
    fun anInstanceFromApplicationOnCreateIsReplacedAndItsJournalLeftAlone() {
        // What an app's Application.onCreate does: the default policy asset, the real journal folder.
        val appGate = ConsentGate.init(app)
        appGate.acceptPrivacyPolicy()
        var inside: ConsentGate? = null
        var dir: File? = null

        ConsentGateRule.withPolicyAsset().run { rule ->
            inside = rule.gate
            dir = rule.journalDir
            assertTrue("the app's instance was closed", appGate.isClosed)
            assertSame(rule.gate, ConsentGate.get())
            assertNotEquals(appGate.journalDir, rule.journalDir)
            assertFalse("the test starts from a first launch, not from the app's journal", rule.gate.isPrivacyPolicyAccepted)
            rule.acceptPolicy()
            rule.grant("feedback_photo")
        }

        assertNull("nothing left initialised", ConsentGate.getOrNull())
        assertTrue(inside!!.isClosed)
        assertFalse("the test's journal folder is deleted", dir!!.exists())
        ConsentGate.init(app).use { reopened ->
            assertTrue("the app's own journal is untouched", reopened.isPrivacyPolicyAccepted)
            assertFalse(reopened.decide("feedback_photo").isAllowed)
        }
    }

    @Test
    fun aFailingTestStillLeavesNothingBehind() {
        var dir: File? = null
        val failure = AssertionError("the test failed")
        val thrown =
            assertThrows(AssertionError::class.java) {
                ConsentGateRule.withPolicyAsset().run { rule ->
                    dir = rule.journalDir
                    rule.acceptPolicy()
                    throw failure
                }
            }
        assertSame("the test's own failure is reported", failure, thrown)
        assertNull(ConsentGate.getOrNull())
        assertFalse(dir!!.exists())
    }

    @Test
    fun aMissingPolicyAssetFailsBeforeTheTestRuns() {
        var ran = false
        val e =
            assertThrows(InvalidPolicyException::class.java) {
                ConsentGateRule.withPolicyAsset("consentgate/missing.json").run { ran = true }
            }
        assertTrue(e.message, e.message!!.contains("consentgate/missing.json"))
        assertFalse(ran)
        assertNull(ConsentGate.getOrNull())
        val parent = File(app.noBackupFilesDir, ConsentGateRule.TEST_DIR)
        assertTrue("no journal folder left", !parent.exists() || parent.list()!!.isEmpty())
    }

    @Test
    fun anInvalidPolicyJsonIsReportedWithItsPath() {
        val e =
            assertThrows(InvalidPolicyException::class.java) {
                ConsentGateRule
                    .withPolicyJson(
                        """{"schema": 1, "policy_version": "x", "default_locale": "en", "denial_cooldown_hours": 48, "purposes": [{}]}""",
                    ).run { error("must not run") }
            }
        assertTrue(e.message, e.message!!.contains("purposes[0]"))
        assertNull(ConsentGate.getOrNull())
    }

    @Test
    fun aPolicyGivenAsJsonAndAStartTime() {
        val policy = """{
          "schema": 1, "policy_version": "test-2", "default_locale": "en", "denial_cooldown_hours": 24,
          "purposes": [
            { "id": "voice_note", "permissions": ["android.permission.RECORD_AUDIO"],
              "description": { "en": "Record a voice note" }, "recipients": [] }
          ]
        }"""
        val start = 1_700_000_000_000L
        ConsentGateRule.withPolicyJson(policy).startingAt(start).run { rule ->
            assertEquals("test-2", rule.gate.policyVersion)
            assertEquals(listOf("voice_note"), rule.gate.purposeIds)
            assertEquals(start, rule.clock.nowMs)
            rule.acceptPolicy()
            rule.deny("voice_note")
            assertEquals(start + 24L * 3600 * 1000, (rule.gate.decide("voice_note") as io.consentgate.Decision.Blocked).untilMs)
        }
    }

    @Test
    fun outsideATestTheRuleSaysWhy() {
        val rule = ConsentGateRule.withPolicyAsset()
        for (use in listOf<() -> Any>({ rule.gate }, { rule.clock.nowMs }, { rule.acceptPolicy() }, { rule.journal() })) {
            val e = assertThrows(IllegalStateException::class.java) { use() }
            assertTrue(e.message, e.message!!.contains("no test is running"))
        }
        rule.run { assertEquals(ConsentGateRule.DEFAULT_START_MS, it.clock.nowMs) }
        assertThrows(IllegalStateException::class.java) { rule.gate }
    }
}

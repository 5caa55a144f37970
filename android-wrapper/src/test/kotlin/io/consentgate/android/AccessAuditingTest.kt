@file:OptIn(ConsentGateQaApi::class)

package io.consentgate.android

import android.app.AppOpsManager
import android.app.SyncNotedAppOp
import io.consentgate.AccessViolation
import io.consentgate.AccessViolationListener
import io.consentgate.ConsentGate
import io.consentgate.Fixtures.COARSE
import io.consentgate.Fixtures.FINE
import io.consentgate.qa.ConsentGateQaApi
import io.consentgate.qa.QaOperations
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertSame
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Run-time data-access auditing on API 30+: the gate registers Android's `OnOpNotedCallback` and
 * checks every noted op against consent. Robolectric's AppOpsManager shadow does not route
 * `noteOp` to that callback, so the tests call the callback Android holds for the process
 * (`AppOpsManager.sOnOpNotedCallback`, the real framework class) with a real `SyncNotedAppOp`,
 * the way the framework does for a synchronous access on the accessing thread.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [33, 34, 35], qualifiers = "en-rUS")
class AccessAuditingTest : GateTest() {
    private class Seen : AccessViolationListener {
        val all = CopyOnWriteArrayList<AccessViolation>()

        override fun onAccessViolation(violation: AccessViolation) {
            all.add(violation)
        }
    }

    private fun registered(): AppOpsManager.OnOpNotedCallback? =
        AppOpsManager::class.java
            .getDeclaredField("sOnOpNotedCallback")
            .apply { isAccessible = true }
            .get(null) as AppOpsManager.OnOpNotedCallback?

    /** An access of [op] noted by Android on this thread (the app code calling is this test). */
    private fun access(
        op: String,
        tag: String? = null,
    ) {
        val code = AppOpsManager::class.java.getMethod("strOpToOp", String::class.java).invoke(null, op) as Int
        val noted = SyncNotedAppOp::class.java.getConstructor(Int::class.java, String::class.java).newInstance(code, tag)
        registered()!!.onNoted(noted)
        idle()
    }

    private fun watched(gate: ConsentGate): Seen = Seen().also { gate.addAccessViolationListener(it) }

    /** An accepted gate, watched, with location granted by the OS and "nearby_stores" agreed to. */
    private fun watchedWithStoresAllowed(): Pair<ConsentGate, Seen> {
        val gate = acceptedGate()
        val seen = watched(gate)
        grantOs(COARSE, FINE)
        QaOperations.of(gate).grant("nearby_stores")
        return gate to seen
    }

    @Test
    fun anAccessBeforeThePrivacyPolicyIsAcceptedIsAViolationWithItsStack() {
        val gate = initGate()
        val seen = watched(gate)
        assertTrue("the gate holds the process's callback", gate.isAccessAuditing)

        access(AppOpsManager.OPSTR_COARSE_LOCATION, "maps")

        val v = seen.all.single()
        assertEquals(AppOpsManager.OPSTR_COARSE_LOCATION, v.op)
        assertEquals(COARSE, v.permission)
        assertEquals("maps", v.attributionTag)
        assertEquals(AccessViolation.Reason.POLICY_NOT_ACCEPTED, v.reason)
        assertTrue("the stack starts at the accessing code: ${v.stack}", v.stack.first().startsWith("${javaClass.name}.access"))
        assertEquals(1L, gate.accessViolationCount)
        // A clipboard read before acceptance is one too, though no permission guards it.
        access(AppOpsManager.OPSTR_READ_CLIPBOARD)
        assertEquals(AccessViolation.Reason.POLICY_NOT_ACCEPTED, seen.all.last().reason)
        assertNull(seen.all.last().permission)
    }

    @Test
    fun anAccessAnAllowedPurposeCoversIsNoViolation() {
        val (gate, seen) = watchedWithStoresAllowed()
        assertTrue(gate.isAllowed("nearby_stores"))

        access(AppOpsManager.OPSTR_COARSE_LOCATION)
        access(AppOpsManager.OPSTR_FINE_LOCATION)
        assertTrue(seen.all.toString(), seen.all.isEmpty())
        assertEquals(0L, gate.accessViolationCount)

        // The camera: declared by purposes, none allowed. Contacts: declared by none.
        access(AppOpsManager.OPSTR_CAMERA)
        access(AppOpsManager.OPSTR_READ_CONTACTS)
        assertEquals(listOf(AppOpsManager.OPSTR_CAMERA, AppOpsManager.OPSTR_READ_CONTACTS), seen.all.map { it.op })
        assertTrue(seen.all.all { it.reason == AccessViolation.Reason.NO_ALLOWED_PURPOSE })
        // After acceptance, data no permission guards is not checked.
        access(AppOpsManager.OPSTR_READ_CLIPBOARD)
        assertEquals(2, seen.all.size)
    }

    @Test
    fun anAccessAfterWithdrawalIsAViolation() {
        val (gate, seen) = watchedWithStoresAllowed()
        access(AppOpsManager.OPSTR_FINE_LOCATION)
        assertTrue(seen.all.isEmpty())

        gate.withdraw("nearby_stores")
        access(AppOpsManager.OPSTR_FINE_LOCATION)

        val v = seen.all.single()
        assertEquals(AccessViolation.Reason.NO_ALLOWED_PURPOSE, v.reason)
        assertEquals(FINE, v.permission)
    }

    @Test
    fun theAppsOwnCallbackIsForwardedEveryOp() {
        val gate = acceptedGate()
        val ops = CopyOnWriteArrayList<String>()
        gate.setOnOpNotedCallback(
            object : AppOpsManager.OnOpNotedCallback() {
                override fun onNoted(op: SyncNotedAppOp) {
                    ops.add(op.op)
                }

                override fun onSelfNoted(op: SyncNotedAppOp) = Unit

                override fun onAsyncNoted(op: android.app.AsyncNotedAppOp) = Unit
            },
        )
        access(AppOpsManager.OPSTR_CAMERA)
        assertEquals(listOf(AppOpsManager.OPSTR_CAMERA), ops)
    }

    @Test
    fun anAppThatRegisteredItsOwnCallbackFirstKeepsItAndAuditingIsOff() {
        val appOps = app.getSystemService(AppOpsManager::class.java)
        val own =
            object : AppOpsManager.OnOpNotedCallback() {
                override fun onNoted(op: SyncNotedAppOp) = Unit

                override fun onSelfNoted(op: SyncNotedAppOp) = Unit

                override fun onAsyncNoted(op: android.app.AsyncNotedAppOp) = Unit
            }
        appOps.setOnOpNotedCallback({ it.run() }, own)
        try {
            val gate = initGate()
            assertFalse(gate.isAccessAuditing)
            assertSame("Android still calls the app's callback", own, registered())
            gate.close()
            assertSame("closing the gate leaves the app's callback alone", own, registered())
        } finally {
            appOps.setOnOpNotedCallback(null, null)
        }
    }

    @Test
    fun closingTheGateGivesTheCallbackBack() {
        val gate = initGate()
        assertTrue(registered() != null)
        gate.close()
        assertNull(registered())
    }
}

/** Below API 30 there is no data-access auditing: [ConsentGate.refresh] reports grants no consent covers. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29], qualifiers = "en-rUS")
class GrantsWithoutConsentTest : GateTest() {
    @Test
    fun aPermissionGrantedAroundTheSdkIsReportedOnceAtRefresh() {
        val gate = initGate()
        val seen = CopyOnWriteArrayList<AccessViolation>()
        gate.addAccessViolationListener { seen.add(it) }
        assertFalse("no auditing below API 30", gate.isAccessAuditing)
        grantOs("android.permission.CAMERA")
        gate.refresh()
        idle()
        assertTrue("nothing is checked before the privacy policy is accepted", seen.isEmpty())

        gate.acceptPrivacyPolicy()
        gate.refresh()
        idle()
        val v = seen.single()
        assertEquals("android.permission.CAMERA", v.permission)
        assertEquals(AppOpsManager.OPSTR_CAMERA, v.op)
        assertEquals(AccessViolation.Reason.GRANTED_WITHOUT_CONSENT, v.reason)
        assertEquals(1L, gate.accessViolationCount)

        QaOperations.of(gate).grant("feedback_photo")
        idle()
        assertEquals("covered now, and not repeated", 1, seen.size)
    }
}

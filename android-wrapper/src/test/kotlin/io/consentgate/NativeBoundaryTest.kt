package io.consentgate

import io.consentgate.Fixtures.CAMERA
import io.consentgate.Fixtures.T0
import io.consentgate.Fixtures.assertThrows
import io.consentgate.Fixtures.history
import io.consentgate.Fixtures.open
import io.consentgate.Fixtures.openGranted
import io.consentgate.internal.Native
import io.consentgate.internal.NativeTestHooks
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.lang.reflect.InvocationTargetException

/**
 * Garbage at the boundary: nulls, empty strings, unpaired surrogates, megabyte strings, bad
 * indexes, codes and handles, use after close, panics. Every case must end in a specific
 * exception (or `false` on the hot path), never a crash of the JVM.
 */
class NativeBoundaryTest {
    @get:Rule val tmp = TemporaryFolder()

    private fun dir(name: String = "consent") = File(tmp.root, name)

    private val megabyte = "x".repeat(1 shl 20)

    private fun assertShort(e: Throwable) {
        assertTrue("message of ${e.message!!.length} chars", e.message!!.length <= 2100)
    }

    @Test
    fun nullStringsAreInvalidArgumentsNamingTheParameter() {
        val h = Native.open(Fixtures.POLICY, dir().path)
        try {
            val cases: List<Pair<String, () -> Unit>> =
                listOf(
                    "policyJson" to { Native.open(null, dir("x").path) },
                    "journalDir" to { Native.open(Fixtures.POLICY, null) },
                    "purposeId" to { Native.decide(h, null, 0) },
                    "permission" to { Native.decidePermission(h, "feedback_photo", null, 0) },
                    "locale" to { Native.acceptPolicy(h, 3, null, 0) },
                    "purposeId" to { Native.grant(h, null, 0, "en", 0) },
                    "locale" to { Native.deny(h, "feedback_photo", 0, null, 0) },
                    "purposeId" to { Native.withdraw(h, null, 1, "en", 0) },
                    "permission" to { Native.recordOsResult(h, "feedback_photo", null, 0, 2, "en", 0) },
                    "locale" to { Native.setAgeBracket(h, 2, 3, null, 0) },
                    "locale" to { Native.setGuardianConsent(h, true, 3, null, 1) },
                    "osGranted" to { Native.reconcile(h, null) },
                    "osGranted[1]" to { Native.reconcile(h, arrayOf(CAMERA, null)) },
                    "purposeId" to { Native.requestPlan(h, null, 34, arrayOf()) },
                    "osGranted" to { Native.requestPlan(h, "feedback_photo", 34, null) },
                    "osGranted[0]" to { Native.osGrantsSatisfy(h, 0, 34, arrayOf(null)) },
                    "locale" to { Native.rationale(h, "feedback_photo", null) },
                    "locale" to { Native.settings(h, null) },
                    "locale" to { Native.recoverFromCorruption(h, 3, null, 0) },
                )
            for ((name, call) in cases) {
                val e = assertThrows<InvalidArgumentException>(call)
                assertEquals("$name must not be null", e.message)
            }
            assertTrue("the engine still works", Native.decide(h, "feedback_photo", 0) != 0L)
        } finally {
            Native.close(h)
        }
    }

    @Test
    fun javaCallersPassingNullToThePublicApiGetAnExceptionNotACrash() {
        open(dir()).use { e ->
            val decide = ConsentEngine::class.java.getMethod("decide", String::class.java, Source::class.java)
            val thrown = assertThrows<InvocationTargetException> { decide.invoke(e, null, Source.FEATURE) }
            assertTrue(thrown.cause.toString(), thrown.cause is NullPointerException)
            val grant = ConsentEngine::class.java.getMethod("grant", String::class.java, Surface::class.java, String::class.java)
            val again = assertThrows<InvocationTargetException> { grant.invoke(e, "feedback_photo", Surface.APP, null) }
            assertTrue(again.cause is NullPointerException)
            assertEquals(0, history(e).size)
        }
    }

    @Test
    fun emptyStringsAreRefusedWithTheRightException() {
        assertThrows<InvalidPolicyException> { ConsentEngine.open("", dir()) }.let {
            assertTrue(it.message, it.message!!.startsWith("invalid policy: line 1: $: not valid JSON"))
        }
        assertThrows<InvalidArgumentException> { ConsentEngine.open(Fixtures.POLICY, "") }.let {
            assertTrue(it.message, it.message!!.contains("must be an absolute path"))
        }
        openGranted(dir()).use { e ->
            assertThrows<UndeclaredPurposeException> { e.decide("") }
            assertThrows<UndeclaredPurposeException> { e.isAllowed("") }
            assertThrows<UndeclaredPurposeException> { e.grant("", Surface.APP, "en") }
            assertThrows<InvalidArgumentException> { e.grant("feedback_photo", Surface.APP, "") }.let {
                assertTrue(it.message, it.message!!.contains("is not a language tag"))
            }
            assertThrows<InvalidArgumentException> { e.decidePermission("feedback_photo", "") }
            assertThrows<UndeclaredPurposeException> { e.rationale("", "") }
            assertEquals("empty locale: default text", "用户问题反馈拍照上传照片", e.settings("")[0].description)
            assertEquals(emptyList<String>(), e.reconcile(listOf("")))
            assertEquals("nothing recorded by the refused calls", 1, history(e).size)
        }
    }

    @Test
    fun unpairedSurrogatesAreRefusedNotSilentlyReplaced() {
        val lone = "feedback_photo\uD800"
        openGranted(dir()).use { e ->
            assertThrows<InvalidArgumentException> { e.decide(lone) }.let {
                assertEquals("purposeId is not valid text: unpaired UTF-16 surrogate at index 14", it.message)
            }
            assertThrows<InvalidArgumentException> { e.grant("feedback_photo", Surface.APP, "en\uDC00") }.let {
                assertTrue(it.message, it.message!!.startsWith("locale is not valid text"))
            }
            assertThrows<InvalidArgumentException> { e.reconcile(listOf(CAMERA, "\uDBFF")) }.let {
                assertTrue(it.message, it.message!!.startsWith("osGranted[1] is not valid text"))
            }
            assertThrows<InvalidArgumentException> { e.rationale("feedback_photo", "\uD83D") }
            assertEquals("nothing recorded", 1, history(e).size)
            // A proper surrogate pair is text like any other.
            assertEquals("用户问题反馈拍照上传照片", e.rationale("feedback_photo", "zh-\uD83D\uDE00").description)
        }
        val policy = Fixtures.POLICY.replace("Scan a receipt", "Scan \uDE00 receipt")
        assertThrows<InvalidArgumentException> { ConsentEngine.open(policy, dir("other")) }.let {
            assertTrue(it.message, it.message!!.startsWith("policyJson is not valid text: unpaired UTF-16 surrogate"))
        }
    }

    @Test
    fun megabyteStringsGiveShortMessagesAndLargeTextRoundTrips() {
        openGranted(dir()).use { e ->
            assertShort(assertThrows<UndeclaredPurposeException> { e.decide(megabyte) })
            assertShort(assertThrows<UndeclaredPurposeException> { e.isAllowed(megabyte) })
            assertShort(assertThrows<InvalidArgumentException> { e.grant("feedback_photo", Surface.APP, megabyte) })
            assertShort(assertThrows<InvalidArgumentException> { e.decidePermission("feedback_photo", megabyte) })
            assertEquals(emptyList<String>(), e.reconcile(listOf(megabyte)))
            assertEquals("nothing recorded", 1, history(e).size)
        }
        assertShort(assertThrows<InvalidPolicyException> { ConsentEngine.open(megabyte, dir("a")) })
        assertShort(assertThrows<ConsentGateException> { ConsentEngine.open(Fixtures.POLICY, "/" + megabyte) })

        // A megabyte of non-ASCII description crosses both ways intact.
        val text = "数据".repeat(1 shl 19) + "\uD83D\uDE00"
        val policy = Fixtures.POLICY.replace("Scan a receipt", text)
        ConsentEngine.open(policy, dir("big")).use { e ->
            assertEquals(text, e.rationale("scan_receipt", "en").description)
            assertEquals(text, e.settings("en")[2].description)
        }
    }

    @Test
    fun badIndexesAreNotAllowedAndBadCodesAreInvalidArguments() {
        openGranted(dir(), "feedback_photo").use { e ->
            for (i in listOf(-1, Int.MIN_VALUE, 4, 1000, Int.MAX_VALUE)) assertFalse("index $i", e.isAllowed(i))
            assertTrue(e.isAllowed(0))
            assertThrows<InvalidArgumentException> { e.requestPlan("feedback_photo", -1, emptyList()) }.let {
                assertTrue(it.message, it.message!!.contains("apiLevel -1"))
            }
            assertThrows<InvalidArgumentException> { e.osGrantsSatisfy(0, Int.MIN_VALUE, emptyList()) }
        }
        val h = Native.open(Fixtures.POLICY, dir("raw").path)
        try {
            assertEquals("unknown source code 7", assertThrows<InvalidArgumentException> { Native.decide(h, "feedback_photo", 7) }.message)
            assertEquals("unknown surface code 99", assertThrows<InvalidArgumentException> { Native.acceptPolicy(h, 99, "en", 0) }.message)
            assertEquals(
                "unknown actor code -1",
                assertThrows<InvalidArgumentException> { Native.grant(h, "feedback_photo", 0, "en", -1) }.message,
            )
            assertThrows<InvalidArgumentException> { Native.recordOsResult(h, "feedback_photo", CAMERA, 3, 2, "en", 0) }
            assertThrows<InvalidArgumentException> { Native.setAgeBracket(h, 4, 3, "en", 0) }
            assertThrows<InvalidArgumentException> { Native.decidePermission(h, "feedback_photo", CAMERA, -3) }
        } finally {
            Native.close(h)
        }
    }

    @Test
    fun theSmallQuestionsAnswerFromTheCore() {
        val h = Native.open(Fixtures.POLICY, dir().path)
        try {
            assertEquals(listOf(CAMERA), Native.purposePermissions(h, 0).toList())
            assertEquals(listOf(Fixtures.COARSE, Fixtures.FINE, Fixtures.BACKGROUND), Native.purposePermissions(h, 1).toList())
            for (bad in listOf(-1, 4, Int.MAX_VALUE)) {
                assertEquals(
                    "purpose index $bad is out of range (0..4)",
                    assertThrows<InvalidArgumentException> { Native.purposePermissions(h, bad) }.message,
                )
            }
            assertFalse(Native.policyAccepted(h))
            Native.acceptPolicy(h, 3, "en", 0)
            assertTrue(Native.policyAccepted(h))
            Native.erase(h)
            assertFalse("erased: no policy accepted any more", Native.policyAccepted(h))
        } finally {
            Native.close(h)
        }
    }

    @Test
    fun handlesThatWereNeverOpenedAreRefusedSafely() {
        for (bogus in listOf(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, 0x43475431_00000000L, 0x43475431_7FFFFFFFL)) {
            assertFalse(Native.isAllowed(bogus, 0))
            assertEquals(
                "not a consent engine handle",
                assertThrows<InvalidArgumentException> { Native.decide(bogus, "feedback_photo", 0) }.message,
            )
            assertThrows<InvalidArgumentException> { Native.close(bogus) }
            assertThrows<InvalidArgumentException> { Native.setClockFixed(bogus, T0) }
            assertThrows<InvalidArgumentException> { Native.exportProof(bogus) }
        }
    }

    @Test
    fun useAfterCloseThrowsAndDoubleCloseIsHarmless() {
        val e = openGranted(dir(), "feedback_photo")
        assertTrue(e.isAllowed(0))
        e.close()
        e.close()
        assertTrue(e.isClosed)
        val calls: List<() -> Any?> =
            listOf(
                { e.isAllowed(0) },
                { e.isAllowed("feedback_photo") },
                { e.purposeIndex("feedback_photo") },
                { e.decide("feedback_photo") },
                { e.decidePermission("feedback_photo", CAMERA) },
                { e.acceptPolicy(Surface.APP, "en") },
                { e.grant("feedback_photo", Surface.APP, "en") },
                { e.deny("feedback_photo", Surface.APP, "en") },
                { e.withdraw("feedback_photo", Surface.APP, "en") },
                { e.recordOsResult("feedback_photo", CAMERA, OsResult.GRANTED, Surface.SYSTEM_DIALOG, "en") },
                { e.setAgeBracket(AgeBracket.ADULT, Surface.APP, "en") },
                { e.setGuardianConsent(true, Surface.APP, "en") },
                { e.reconcile(listOf(CAMERA)) },
                { e.requestPlan("feedback_photo", 34, emptyList()) },
                { e.osGrantsSatisfy(0, 34, emptyList()) },
                { e.rationale("feedback_photo", "en") },
                { e.settings("en") },
                { e.exportProof() },
                { e.storageProblem() },
                { e.erase() },
                { e.recoverFromCorruption(Surface.APP, "en") },
                { e.compact() },
                { e.setClockFixed(T0) },
                { e.setClockOffset(0) },
                { e.advanceClock(1) },
                { e.useSystemClock() },
                { e.currentTimeMs() },
            )
        for ((i, call) in calls.withIndex()) {
            val thrown = assertThrows<EngineClosedException> { call() }
            assertEquals("call $i", "the consent engine is closed", thrown.message)
        }
        assertEquals(
            "close released nothing it should keep: the journal is intact",
            2,
            ConsentEngine.open(Fixtures.POLICY, dir()).use {
                history(it).size
            },
        )
    }

    @Test
    fun theNativeSideFailsSafeAfterCloseWithoutKotlinsCheck() {
        val h = Native.open(Fixtures.POLICY, dir().path)
        Native.acceptPolicy(h, 3, "en", 0)
        Native.grant(h, "feedback_photo", 0, "en", 0)
        assertTrue(Native.isAllowed(h, 0))
        Native.close(h)
        Native.close(h)
        assertFalse(Native.isAllowed(h, 0))
        val calls: List<() -> Any?> =
            listOf(
                { Native.decide(h, "feedback_photo", 0) },
                { Native.grant(h, "feedback_photo", 0, "en", 0) },
                { Native.purposeIds(h) },
                { Native.policyVersion(h) },
                { Native.purposePermissions(h, 0) },
                { Native.policyAccepted(h) },
                { Native.settings(h, "en") },
                { Native.exportProof(h) },
                { Native.erase(h) },
                { Native.compact(h) },
                { Native.storageProblem(h) },
                { Native.reconcile(h, arrayOf()) },
                { Native.osGrantsSatisfy(h, -1, 34, arrayOf()) },
                { Native.setClockFixed(h, T0) },
                { Native.clockNow(h) },
            )
        for (call in calls) assertThrows<EngineClosedException> { call() }
    }

    @Test
    fun invalidPoliciesNameEveryProblemWithPathAndLine() {
        val broken =
            """
            {
              "schema": 1,
              "policy_version": "2024-01-01",
              "default_locale": "zh-CN",
              "purposes": [
                { "id": "feedback_photo", "permissions": ["android.permission.CAMERAA"],
                  "description": { "zh-CN": "拍照" } },
                { "id": "Bad Id", "permissions": ["android.permission.INTERNET"],
                  "description": { "en": "No default locale" } }
              ]
            }
            """.trimIndent()
        val e = assertThrows<InvalidPolicyException> { ConsentEngine.open(broken, dir()) }
        val lines = e.message!!.lines()
        assertTrue(
            e.message,
            lines[0].startsWith("invalid policy: line 6: $.purposes[0].permissions[0]: unknown permission \"android.permission.CAMERAA\""),
        )
        assertTrue(e.message, lines.any { it.trim().startsWith("line 8: $.purposes[1].id: \"Bad Id\" is not a valid purpose id") })
        assertTrue(
            e.message,
            lines.any {
                it.trim().startsWith("line 8: $.purposes[1].permissions[0]:") &&
                    it.contains("not a runtime permission")
            },
        )
        assertTrue(e.message, lines.any { it.trim().startsWith("line 9: $.purposes[1].description: no description in the default locale") })
        assertFalse("nothing was created for a policy that did not open", dir().exists())

        val notJson = assertThrows<InvalidPolicyException> { ConsentEngine.open("{\n  \"schema\": 1,\n  oops\n}", dir()) }
        assertTrue(notJson.message, notJson.message!!.startsWith("invalid policy: line 3: $: not valid JSON"))
    }

    @Test
    fun journalFolderProblemsAreClearExceptions() {
        assertThrows<InvalidArgumentException> { ConsentEngine.open(Fixtures.POLICY, File("relative/consent")) }.let {
            assertTrue(it.message, it.message!!.contains("\"relative/consent\" must be an absolute path"))
        }
        val file = tmp.newFile("a-file")
        assertThrows<StorageException> { ConsentEngine.open(Fixtures.POLICY, file) }.let {
            assertTrue(it.message, it.message!!.startsWith("consent storage failed at ${file.path}"))
        }
        assertThrows<StorageException> { ConsentEngine.open(Fixtures.POLICY, File(file, "below")) }
    }

    @Test
    fun panicsInTheCoreBecomeInternalErrorsAndTheJvmCarriesOn() {
        NativeTestHooks.requireHooks()
        assertEquals(
            "internal error in the consent engine: self-test panic",
            assertThrows<InternalErrorException> { NativeTestHooks.selfTestPanic(0) }.message,
        )
        assertEquals(
            "internal error in the consent engine: self-test panic number 1",
            assertThrows<InternalErrorException> { NativeTestHooks.selfTestPanic(1) }.message,
        )
        assertEquals(
            "internal error in the consent engine: a panic without a message",
            assertThrows<InternalErrorException> { NativeTestHooks.selfTestPanic(2) }.message,
        )
        for (kind in 0..2) assertFalse(NativeTestHooks.selfTestPanicHot(kind))
        open(dir()).use { assertEquals("2024-01-01", it.policyVersion) }
    }

    @Test
    fun everySdkExceptionIsAConsentGateExceptionWithAStringConstructor() {
        val classes =
            listOf(
                InvalidPolicyException::class.java,
                UndeclaredPurposeException::class.java,
                InvalidArgumentException::class.java,
                StorageException::class.java,
                CorruptJournalException::class.java,
                EngineClosedException::class.java,
                InternalErrorException::class.java,
            )
        for (c in classes) {
            assertTrue(ConsentGateException::class.java.isAssignableFrom(c))
            assertEquals("m", c.getConstructor(String::class.java).newInstance("m").message)
        }
    }
}

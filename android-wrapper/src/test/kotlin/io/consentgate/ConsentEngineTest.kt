package io.consentgate

import io.consentgate.Fixtures.BACKGROUND
import io.consentgate.Fixtures.CAMERA
import io.consentgate.Fixtures.COARSE
import io.consentgate.Fixtures.FINE
import io.consentgate.Fixtures.HOUR_MS
import io.consentgate.Fixtures.MEDIA_SELECTED
import io.consentgate.Fixtures.READ_CONTACTS
import io.consentgate.Fixtures.READ_MEDIA_IMAGES
import io.consentgate.Fixtures.READ_STORAGE
import io.consentgate.Fixtures.T0
import io.consentgate.Fixtures.assertThrows
import io.consentgate.Fixtures.history
import io.consentgate.Fixtures.open
import io.consentgate.Fixtures.openGranted
import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertSame
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/** The engine's behaviour through the real native library, one call family at a time. */
class ConsentEngineTest {
    @get:Rule val tmp = TemporaryFolder()

    private fun dir(name: String = "consent") = File(tmp.root, name)

    @Test
    fun opensThePolicyAndResolvesPurposeIndexes() {
        open(dir()).use { e ->
            assertEquals("2024-01-01", e.policyVersion)
            assertEquals(listOf("feedback_photo", "nearby_stores", "scan_receipt", "pick_photos"), e.purposeIds)
            assertEquals(1, e.purposeIndex("nearby_stores"))
            assertEquals(3, e.purposeIndex("pick_photos"))
            val err = assertThrows<UndeclaredPurposeException> { e.purposeIndex("contacts_sync") }
            assertTrue(err.message, err.message!!.contains("\"contacts_sync\" is not declared"))
            assertNull(e.storageProblem())
            assertTrue(File(dir(), "consent.lock").isFile)
        }
    }

    @Test
    fun theSeedExamplePolicyOpens() {
        ConsentEngine.open(Fixtures.phoneBackupPolicy(), dir()).use { e ->
            assertEquals("2021-11-17", e.policyVersion)
            assertEquals(13, e.purposeIds.size)
            assertEquals(Decision.Blocked(BlockReason.POLICY_NOT_ACCEPTED, 0), e.decide("feedback_photo"))
        }
    }

    @Test
    fun nothingIsAllowedBeforeThePolicyIsAcceptedAndConsentGiven() {
        open(dir()).use { e ->
            for (i in e.purposeIds.indices) assertFalse(e.isAllowed(i))
            assertEquals(Decision.Blocked(BlockReason.POLICY_NOT_ACCEPTED, 0), e.decide("feedback_photo"))
            assertEquals(Decision.Blocked(BlockReason.POLICY_NOT_ACCEPTED, 0), e.decide("feedback_photo", Source.SETTINGS))

            e.acceptPolicy(Surface.APP, "zh-CN")
            assertEquals(Decision.NeedsConsent(ConsentReason.NEVER_ASKED), e.decide("feedback_photo"))
            assertFalse(e.isAllowed("feedback_photo"))

            e.grant("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN")
            assertSame(Decision.Allowed, e.decide("feedback_photo"))
            assertTrue(e.decide("feedback_photo").isAllowed)
            assertTrue(e.isAllowed(0))
            assertTrue(e.isAllowed("feedback_photo"))
            assertFalse("scan_receipt uses the same permission but has its own consent", e.isAllowed("scan_receipt"))
        }
    }

    @Test
    fun aDenialStartsTheCooldownAndTheSettingsScreenMayAskAnyway() {
        openGranted(dir()).use { e ->
            e.deny("nearby_stores", Surface.RATIONALE_DIALOG, "zh-CN")
            val until = T0 + 48 * HOUR_MS
            assertEquals(Decision.Blocked(BlockReason.COOLDOWN, until), e.decide("nearby_stores"))
            assertEquals(Decision.NeedsConsent(ConsentReason.ASK_AGAIN), e.decide("nearby_stores", Source.SETTINGS))

            val row = e.settings("en")[1]
            assertEquals(SettingState.DENIED, row.state)
            assertEquals(T0, row.lastDecisionMs)
            assertEquals(until, row.cooldownUntilMs)

            e.advanceClock(48 * HOUR_MS - 1)
            assertEquals(Decision.Blocked(BlockReason.COOLDOWN, until), e.decide("nearby_stores"))
            e.advanceClock(1)
            assertEquals(Decision.NeedsConsent(ConsentReason.ASK_AGAIN), e.decide("nearby_stores"))
            assertNull(e.settings("en")[1].cooldownUntilMs)
        }
    }

    @Test
    fun withdrawReturnsOnlyPermissionsNoOtherPurposeStillCovers() {
        openGranted(dir(), "feedback_photo", "scan_receipt", "nearby_stores").use { e ->
            assertEquals(emptyList<String>(), e.withdraw("feedback_photo", Surface.SETTINGS_SCREEN, "zh-CN"))
            assertFalse(e.isAllowed("feedback_photo"))
            assertTrue(e.isAllowed("scan_receipt"))
            assertEquals(listOf(CAMERA), e.withdraw("scan_receipt", Surface.SETTINGS_SCREEN, "zh-CN"))
            assertEquals(listOf(COARSE, FINE, BACKGROUND), e.withdraw("nearby_stores", Surface.SETTINGS_SCREEN, "en"))
            assertEquals(SettingState.WITHDRAWN, e.settings("en")[0].state)
            assertEquals(Decision.Blocked(BlockReason.COOLDOWN, T0 + 48 * HOUR_MS), e.decide("feedback_photo"))
        }
    }

    @Test
    fun decidePermissionRefusesOverScopeAndUnknownPermissions() {
        openGranted(dir(), "feedback_photo").use { e ->
            assertSame(Decision.Allowed, e.decidePermission("feedback_photo", CAMERA))
            val over = assertThrows<UndeclaredPurposeException> { e.decidePermission("feedback_photo", READ_CONTACTS) }
            assertTrue(over.message, over.message!!.contains("does not declare $READ_CONTACTS"))
            val unknown = assertThrows<InvalidArgumentException> { e.decidePermission("feedback_photo", "android.permission.CAMERAA") }
            assertTrue(unknown.message, unknown.message!!.contains("unknown permission"))
            val normal = assertThrows<InvalidArgumentException> { e.decidePermission("feedback_photo", "android.permission.INTERNET") }
            assertTrue(normal.message, normal.message!!.contains("not a runtime permission"))
            assertThrows<UndeclaredPurposeException> { e.decidePermission("nope", CAMERA) }
        }
    }

    @Test
    fun minorsNeedAGuardianBeforeAnyPurpose() {
        openGranted(dir(), "feedback_photo").use { e ->
            e.setAgeBracket(AgeBracket.UNDER_14, Surface.APP, "zh-CN")
            assertEquals(Decision.Blocked(BlockReason.GUARDIAN_REQUIRED, 0), e.decide("feedback_photo"))
            assertFalse(e.isAllowed(0))
            e.setGuardianConsent(true, Surface.APP, "zh-CN")
            assertTrue(e.isAllowed(0))
            e.setGuardianConsent(false, Surface.SETTINGS_SCREEN, "zh-CN")
            assertFalse(e.isAllowed(0))
            e.setAgeBracket(AgeBracket.ADULT, Surface.APP, "zh-CN")
            assertTrue(e.isAllowed(0))
            val guardian = history(e).filter { it.getString("event") == "guardian_consent" }
            assertEquals(listOf("guardian", "guardian"), guardian.map { it.getString("actor") })
        }
    }

    /** Pins every Kotlin enum's wire code to the core's name for it, through the journal. */
    @Test
    fun everyEnumConstantIsRecordedUnderItsJsonName() {
        openGranted(dir()).use { e ->
            for (s in Surface.entries) e.grant("feedback_photo", s, "en")
            for (a in Actor.entries) e.deny("scan_receipt", Surface.APP, "en", a)
            for (r in OsResult.entries) e.recordOsResult("feedback_photo", CAMERA, r, Surface.SYSTEM_DIALOG, "en")
            for (age in AgeBracket.entries) e.setAgeBracket(age, Surface.APP, "en")
            val h = history(e)
            assertEquals(
                Surface.entries.map { it.jsonName },
                h.filter { it.getString("event") == "consent_granted" }.map { it.getString("surface") },
            )
            assertEquals(
                Actor.entries.map { it.jsonName },
                // (the OS denials below add refusals of their own, on the system-dialog surface)
                h.filter { it.getString("event") == "consent_denied" && it.getString("surface") == "app" }.map { it.getString("actor") },
            )
            val os = h.filter { it.getString("event") == "os_result" }
            assertEquals(OsResult.entries.map { it.jsonName }, os.map { it.getString("os_result") })
            assertEquals(listOf(CAMERA, CAMERA, CAMERA), os.map { it.getString("permission") })
            assertEquals(
                AgeBracket.entries.map { it.jsonName },
                h.filter { it.getString("event") == "age_bracket_set" }.map { it.getString("age") },
            )
            for (s in Surface.entries) assertSame(s, Surface.fromJsonName(s.jsonName))
            for (s in Source.entries) assertSame(s, Source.fromJsonName(s.jsonName))
            val err = assertThrows<InvalidArgumentException> { Surface.fromJsonName("RATIONALE_DIALOG") }
            assertTrue(err.message, err.message!!.contains("rationale_dialog"))
        }
    }

    @Test
    fun reconcileListsOsGrantsThatNoConsentCovers() {
        openGranted(dir(), "feedback_photo").use { e ->
            val extra = e.reconcile(listOf(READ_CONTACTS, CAMERA, "android.permission.INTERNET", "garbage", FINE, READ_CONTACTS))
            assertEquals(listOf(READ_CONTACTS, FINE), extra)
            e.withdraw("feedback_photo", Surface.SETTINGS_SCREEN, "en")
            assertEquals(listOf(CAMERA), e.reconcile(setOf(CAMERA)))
            assertEquals(emptyList<String>(), e.reconcile(emptyList()))
        }
    }

    @Test
    fun requestPlansFollowTheApiLevelRules() {
        open(dir()).use { e ->
            assertEquals(RequestPlan(listOf(COARSE, FINE), BACKGROUND), e.requestPlan("nearby_stores", 29, emptyList()))
            assertEquals(RequestPlan(listOf(COARSE, FINE), null), e.requestPlan("nearby_stores", 28, emptyList()))
            assertEquals(RequestPlan(listOf(FINE), BACKGROUND), e.requestPlan("nearby_stores", 34, listOf(COARSE)))
            assertEquals(RequestPlan(listOf(READ_STORAGE), null), e.requestPlan("pick_photos", 32, emptyList()))
            assertEquals(RequestPlan(listOf(READ_MEDIA_IMAGES), null), e.requestPlan("pick_photos", 33, emptyList()))
            assertEquals(RequestPlan(listOf(READ_MEDIA_IMAGES, MEDIA_SELECTED), null), e.requestPlan("pick_photos", 34, emptyList()))
            assertTrue(e.requestPlan("feedback_photo", 34, listOf(CAMERA)).isEmpty)
            assertThrows<UndeclaredPurposeException> { e.requestPlan("nope", 34, emptyList()) }
        }
    }

    @Test
    fun osGrantsSatisfyAcceptsEitherLocationAndSelectedPhotos() {
        open(dir()).use { e ->
            assertTrue(e.osGrantsSatisfy("nearby_stores", 34, listOf(COARSE)))
            assertTrue("background location is optional", e.osGrantsSatisfy(1, 29, listOf(FINE)))
            assertFalse(e.osGrantsSatisfy("nearby_stores", 34, listOf(CAMERA)))
            assertTrue(e.osGrantsSatisfy("pick_photos", 34, listOf(MEDIA_SELECTED)))
            assertFalse(e.osGrantsSatisfy("pick_photos", 32, listOf(READ_MEDIA_IMAGES)))
            assertTrue(e.osGrantsSatisfy("pick_photos", 32, listOf(READ_STORAGE)))
            assertFalse("index out of range", e.osGrantsSatisfy(4, 34, listOf(CAMERA)))
            assertFalse("negative index", e.osGrantsSatisfy(-1, 34, listOf(CAMERA)))
        }
    }

    @Test
    fun rationaleAndSettingsCarryTheDeclaredTextInTheLocale() {
        open(dir()).use { e ->
            val en = e.rationale("nearby_stores", "en")
            assertEquals("nearby_stores", en.purposeId)
            assertEquals("Find stores near you", en.description)
            assertEquals(listOf(COARSE, FINE, BACKGROUND), en.permissions.map { it.name })
            assertEquals("approximate location", en.permissions[0].label)
            assertEquals(listOf(Recipient("Amap (高德地图)", "GPS location")), en.recipients)
            assertEquals("2024-01-01", en.policyVersion)
            val zh = e.rationale("nearby_stores", "zh-CN")
            assertEquals("查找附近门店", zh.description)
            assertEquals("大致位置", zh.permissions[0].label)
            assertEquals("unknown language: the default locale", "查找附近门店", e.rationale("nearby_stores", "fr").description)
            assertThrows<UndeclaredPurposeException> { e.rationale("nope", "en") }

            e.acceptPolicy(Surface.APP, "en")
            e.grant("scan_receipt", Surface.RATIONALE_DIALOG, "en")
            val rows = e.settings("en")
            assertEquals(e.purposeIds, rows.map { it.id })
            assertEquals(
                listOf(
                    SettingState.NEVER_ASKED,
                    SettingState.NEVER_ASKED,
                    SettingState.GRANTED,
                    SettingState.NEVER_ASKED,
                ),
                rows.map {
                    it.state
                },
            )
            assertEquals(listOf(false, false, true, false), rows.map { it.allowed })
            assertEquals("Scan a receipt", rows[2].description)
            assertEquals(T0, rows[2].lastDecisionMs)
            assertNull(rows[0].lastDecisionMs)
            assertEquals(listOf(PermissionInfo(CAMERA, "take photos and videos")), rows[2].permissions)
        }
    }

    @Test
    fun theProofExportHoldsEveryEventWithItsHashChain() {
        openGranted(dir(), "feedback_photo").use { e ->
            e.withdraw("feedback_photo", Surface.SETTINGS_SCREEN, "en")
            val proof = JSONObject(e.exportProof())
            assertEquals("consentgate-proof", proof.getString("format"))
            assertEquals("2024-01-01", proof.getJSONObject("policy").getString("policy_version"))
            val events = history(e)
            assertEquals(listOf("policy_accepted", "consent_granted", "consent_withdrawn"), events.map { it.getString("event") })
            assertEquals(listOf(1L, 2L, 3L), events.map { it.getLong("seq") })
            assertEquals(listOf(T0, T0, T0), events.map { it.getLong("ts") })
            assertEquals("en", events[2].getString("locale"))
            assertEquals(3, proof.getJSONObject("journal").getInt("events"))
            assertEquals(64, proof.getJSONObject("journal").getString("head_hash").length)
        }
    }

    @Test
    fun compactKeepsDecisionsAndTheFullHistory() {
        openGranted(dir(), "feedback_photo", "scan_receipt").use { e ->
            e.deny("nearby_stores", Surface.RATIONALE_DIALOG, "en")
            val before = e.settings("en")
            e.compact()
            assertEquals(before, e.settings("en"))
            assertTrue(e.isAllowed(0))
            assertTrue(dir().list()!!.any { it.endsWith(".archive") })
            assertEquals(4, history(e).size)
        }
        open(dir()).use { reopened ->
            assertTrue("the snapshot is read back", reopened.isAllowed(2))
            assertEquals(Decision.Blocked(BlockReason.COOLDOWN, T0 + 48 * HOUR_MS), reopened.decide("nearby_stores"))
        }
    }

    @Test
    fun eraseLeavesNoRecordBehind() {
        openGranted(dir(), "feedback_photo").use { e ->
            e.compact()
            e.grant("scan_receipt", Surface.RATIONALE_DIALOG, "en")
            e.erase()
            assertFalse(e.isAllowed(0))
            assertEquals(Decision.Blocked(BlockReason.POLICY_NOT_ACCEPTED, 0), e.decide("feedback_photo"))
            assertEquals(0, history(e).size)
            assertEquals(setOf("consent.lock", "consent.gen"), dir().list()!!.toSet())
        }
    }

    @Test
    fun theClockCanBeFrozenMovedAndReturnedToTheDevice() {
        ConsentEngine.open(Fixtures.POLICY, dir()).use { e ->
            assertTrue(Math.abs(e.currentTimeMs() - System.currentTimeMillis()) < 60_000)
            e.setClockFixed(T0)
            assertEquals(T0, e.currentTimeMs())
            Thread.sleep(5)
            assertEquals(T0, e.currentTimeMs())
            e.advanceClock(HOUR_MS)
            assertEquals(T0 + HOUR_MS, e.currentTimeMs())
            e.acceptPolicy(Surface.APP, "en")
            assertEquals(T0 + HOUR_MS, history(e)[0].getLong("ts"))

            e.setClockOffset(49 * HOUR_MS)
            assertTrue(Math.abs(e.currentTimeMs() - (System.currentTimeMillis() + 49 * HOUR_MS)) < 60_000)
            e.advanceClock(-HOUR_MS)
            assertTrue(Math.abs(e.currentTimeMs() - (System.currentTimeMillis() + 48 * HOUR_MS)) < 60_000)
            e.useSystemClock()
            assertTrue(Math.abs(e.currentTimeMs() - System.currentTimeMillis()) < 60_000)
        }
    }

    @Test
    fun eachEngineHasItsOwnClock() {
        open(dir("a")).use { a ->
            open(dir("b")).use { b ->
                b.setClockFixed(T0 + 5 * HOUR_MS)
                assertEquals(T0, a.currentTimeMs())
                assertEquals(T0 + 5 * HOUR_MS, b.currentTimeMs())
            }
        }
    }

    @Test
    fun engineOnTheSameFolderSeesTheOthersRecordsOnItsNextCall() {
        val a = openGranted(dir())
        val b = open(dir())
        try {
            assertFalse(b.isAllowed(2))
            a.grant("scan_receipt", Surface.RATIONALE_DIALOG, "en")
            assertTrue("hot path of another engine sees the write", b.isAllowed(2))
            b.withdraw("scan_receipt", Surface.SETTINGS_SCREEN, "en")
            assertFalse(a.isAllowed(2))
            assertEquals(SettingState.WITHDRAWN, a.settings("en")[2].state)
        } finally {
            a.close()
            b.close()
        }
    }

    @Test
    fun manyEnginesOnSeparateFoldersAreIndependent() {
        val engines = (0 until 24).map { openGranted(dir("e$it")) }
        try {
            engines.forEachIndexed { i, e -> e.grant(e.purposeIds[i % 4], Surface.RATIONALE_DIALOG, "en") }
            engines.forEachIndexed { i, e ->
                for (p in 0 until 4) assertEquals("engine $i purpose $p", p == i % 4, e.isAllowed(p))
            }
            engines[0].close()
            assertTrue(engines[4].isAllowed(0))
        } finally {
            engines.forEach { it.close() }
        }
    }

    @Test
    fun decisionWireDecodingIsPinned() {
        assertSame(Decision.Allowed, Decision.fromWire(0))
        assertEquals(Decision.NeedsConsent(ConsentReason.STALE), Decision.fromWire(2L shl 56))
        assertEquals(Decision.Blocked(BlockReason.COOLDOWN, -5), Decision.fromWire((12L shl 56) or (-5L and 0x00FF_FFFF_FFFF_FFFFL)))
        assertEquals(Decision.Blocked(BlockReason.STORAGE, 0), Decision.fromWire(13L shl 56))
        assertThrows<InternalErrorException> { Decision.fromWire(99L shl 56) }
    }
}

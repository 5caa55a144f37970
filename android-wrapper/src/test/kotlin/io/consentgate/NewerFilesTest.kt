package io.consentgate

import io.consentgate.Fixtures.assertThrows
import io.consentgate.Fixtures.open
import io.consentgate.Fixtures.openGranted
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.security.MessageDigest

/**
 * What an app sees when this SDK meets files of a newer one (docs/compatibility.md, "An older
 * SDK meets newer files"): a journal line of a later format version, a later policy schema.
 */
class NewerFilesTest {
    @get:Rule val tmp = TemporaryFolder()

    private val dir get() = File(tmp.root, "consent")
    private val journal get() = File(dir, "consent.journal")

    private fun sha256(text: String): ByteArray = MessageDigest.getInstance("SHA-256").digest(text.toByteArray())

    private fun hex(bytes: ByteArray): String = bytes.joinToString("") { "%02x".format(it) }

    /** Appends a well-signed line (checksum and chain) as a later SDK would write it. */
    private fun appendNewerLine(version: Int) {
        val lines = journal.readText().trimEnd('\n').split('\n')
        val last = lines.last()
        val seq = Regex("\"seq\":(\\d+)").find(last)!!.groupValues[1].toLong() + 1
        val prev = hex(sha256(last.substring(0, last.lastIndexOf(",\"sum\"")) + "}"))
        val body =
            "{\"v\":$version,\"event\":\"consent_paused\",\"purpose\":\"feedback_photo\",\"ts\":${Fixtures.T0}," +
                "\"policy_version\":\"2024-01-01\",\"surface\":\"app\",\"locale\":\"en\",\"actor\":\"user\"," +
                "\"seq\":$seq,\"prev\":\"$prev\"}"
        val sum = hex(sha256(body)).substring(0, 16)
        journal.appendText(body.dropLast(1) + ",\"sum\":\"$sum\"}\n")
    }

    @Test
    fun aJournalFromANewerSdkBlocksEveryDecisionRefusesWritesAndStaysUntouched() {
        openGranted(dir, "feedback_photo").close()
        appendNewerLine(99)
        val newer = journal.readBytes()

        open(dir).use { e ->
            for (i in e.purposeIds.indices) assertFalse("purpose $i", e.isAllowed(i))
            assertEquals(Decision.Blocked(BlockReason.STORAGE, 0), e.decide("feedback_photo"))
            val problem = e.storageProblem()!!
            assertTrue(problem, problem.contains("journal format version 99 is newer than this SDK reads"))
            val write = assertThrows<StorageException> { e.grant("nearby_stores", Surface.RATIONALE_DIALOG, "en") }
            assertTrue(write.message, write.message!!.contains("newer than this SDK reads"))
            assertThrows<StorageException> { e.acceptPolicy(Surface.APP, "en") }
            assertThrows<StorageException> { e.compact() }
            assertThrows<StorageException> { e.exportProof() }
        }
        assertArrayEquals("the newer journal is left as it was", newer, journal.readBytes())
    }

    @Test
    fun aPolicyOfANewerSchemaIsRefusedAtOpenNamingTheSchema() {
        val newer = Fixtures.POLICY.replace("\"schema\": 1", "\"schema\": 3")
        val e = assertThrows<InvalidPolicyException> { ConsentEngine.open(newer, dir).close() }
        assertTrue(e.message, e.message!!.contains("$.schema: unknown schema 3 (this SDK reads schema 1 and 2)"))
    }
}

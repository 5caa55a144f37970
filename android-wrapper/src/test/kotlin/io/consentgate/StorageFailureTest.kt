package io.consentgate

import io.consentgate.Fixtures.assertThrows
import io.consentgate.Fixtures.open
import io.consentgate.Fixtures.openGranted
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/** A journal that cannot be trusted: every answer fails closed, writes throw, recovery works. */
class StorageFailureTest {
    @get:Rule val tmp = TemporaryFolder()

    private val dir get() = File(tmp.root, "consent")
    private val journal get() = File(dir, "consent.journal")

    /** Flips one byte in the middle of line [line] (1-based) of [file]. */
    private fun corruptLine(
        file: File,
        line: Int,
    ) {
        val bytes = file.readBytes()
        var start = 0
        repeat(line - 1) { start = bytes.indexOf('\n'.code.toByte(), start) + 1 }
        bytes[start + 10] = (bytes[start + 10].toInt() xor 0x20).toByte()
        file.writeBytes(bytes)
    }

    private fun ByteArray.indexOf(
        b: Byte,
        from: Int,
    ): Int = (from until size).first { this[it] == b }

    @Test
    fun aCorruptJournalFailsClosedRefusesWritesAndCanBeRecovered() {
        openGranted(dir, "feedback_photo", "scan_receipt").close()
        corruptLine(journal, 2)
        val corrupt = journal.readBytes()

        open(dir).use { e ->
            for (i in e.purposeIds.indices) assertFalse("purpose $i", e.isAllowed(i))
            assertEquals(Decision.Blocked(BlockReason.STORAGE, 0), e.decide("feedback_photo"))
            assertEquals(Decision.Blocked(BlockReason.STORAGE, 0), e.decide("scan_receipt", Source.SETTINGS))
            val problem = e.storageProblem()
            assertNotNull(problem)
            assertTrue(problem, problem!!.contains("corrupt at line 2"))
            assertTrue(e.settings("en").none { it.allowed })

            val write = assertThrows<StorageException> { e.grant("nearby_stores", Surface.RATIONALE_DIALOG, "en") }
            assertTrue(write.message, write.message!!.contains("corrupt at line 2"))
            assertThrows<StorageException> { e.withdraw("feedback_photo", Surface.SETTINGS_SCREEN, "en") }
            assertThrows<StorageException> { e.acceptPolicy(Surface.APP, "en") }
            assertThrows<StorageException> { e.compact() }
            assertThrows<StorageException> { e.exportProof() }
            assertArrayEquals("the corrupt file is left untouched", corrupt, journal.readBytes())

            val kept = e.recoverFromCorruption(Surface.APP, "en")
            assertArrayEquals("kept aside byte for byte", corrupt, File(dir, kept).readBytes())
            assertNull(e.storageProblem())
            assertEquals("everything must be asked again", Decision.Blocked(BlockReason.POLICY_NOT_ACCEPTED, 0), e.decide("feedback_photo"))
            e.acceptPolicy(Surface.APP, "en")
            e.grant("feedback_photo", Surface.RATIONALE_DIALOG, "en")
            assertTrue(e.isAllowed(0))
            assertEquals(listOf("journal_reset", "policy_accepted", "consent_granted"), Fixtures.history(e).map { it.getString("event") })
        }
    }

    @Test
    fun aCorruptArchiveMakesTheProofExportThrowCorruptJournalException() {
        openGranted(dir, "feedback_photo").use { e ->
            e.grant("scan_receipt", Surface.RATIONALE_DIALOG, "en")
            e.compact()
            val archive = dir.listFiles()!!.single { it.name.endsWith(".archive") }
            corruptLine(archive, 1)
            assertTrue("decisions come from the snapshot and stay as they were", e.isAllowed(0))
            val err = assertThrows<CorruptJournalException> { e.exportProof() }
            assertTrue(err.message, err.message!!.contains(archive.name) && err.message!!.contains("corrupt at line 1"))
        }
    }

    @Test
    fun anUnreadableJournalFailsClosed() {
        openGranted(dir, "feedback_photo").close()
        journal.delete()
        assertTrue(journal.mkdir())
        open(dir).use { e ->
            assertFalse(e.isAllowed(0))
            assertEquals(Decision.Blocked(BlockReason.STORAGE, 0), e.decide("feedback_photo"))
            assertNotNull(e.storageProblem())
            assertThrows<StorageException> { e.grant("feedback_photo", Surface.RATIONALE_DIALOG, "en") }
        }
    }
}

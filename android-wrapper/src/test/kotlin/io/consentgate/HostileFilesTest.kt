package io.consentgate

import io.consentgate.Fixtures.open
import io.consentgate.Fixtures.openGranted
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.io.RandomAccessFile
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/**
 * Files of the journal folder damaged or replaced under the app, through the real JNI
 * library in this JVM: the process must survive, and answers fail closed until the
 * engine has re-read the journal.
 */
class HostileFilesTest {
    @get:Rule val tmp = TemporaryFolder()

    private val dir get() = File(tmp.root, "consent")

    /**
     * Issue 11, defect 3: truncating the memory-mapped change counter under an open engine
     * made the next isAllowed die of SIGBUS inside Native.isAllowed, taking the JVM down
     * (this test class would never report). Now the hot path survives, re-syncs with the
     * journal and answers from it.
     */
    @Test
    fun aTruncatedChangeCounterDoesNotKillTheJvm() {
        openGranted(dir, "feedback_photo", "scan_receipt").use { e ->
            e.withdraw("scan_receipt", Surface.SETTINGS_SCREEN, "en")
            assertTrue(e.isAllowed(0))
            RandomAccessFile(File(dir, "consent.gen"), "rw").use { it.setLength(0) }

            assertTrue("re-synced: the journal still grants feedback_photo", e.isAllowed(0))
            assertFalse("never asked", e.isAllowed(1))
            assertFalse("withdrawn stays withdrawn", e.isAllowed(2))
            assertEquals("the counter file is whole again", 8L, File(dir, "consent.gen").length())

            // A second engine's write is seen through the re-made counter.
            open(dir).use { other -> other.withdraw("feedback_photo", Surface.SETTINGS_SCREEN, "en") }
            assertFalse(e.isAllowed(0))
        }
    }

    /**
     * Issue 11, defect 6: a FIFO in place of the journal made opening the engine block
     * forever (an ANR on the main thread). Now it opens at once in the fail-closed state.
     */
    @Test
    fun aFifoInPlaceOfTheJournalDoesNotHangOpen() {
        dir.mkdirs()
        val fifo = File(dir, "consent.journal")
        val mkfifo = ProcessBuilder("mkfifo", fifo.path).inheritIO().start()
        assertEquals("mkfifo", 0, mkfifo.waitFor())

        val pool = Executors.newSingleThreadExecutor { r -> Thread(r).apply { isDaemon = true } }
        try {
            val opened = pool.submit<ConsentEngine> { open(dir) }
            val e = opened.get(20, TimeUnit.SECONDS) // throws TimeoutException if open blocks
            e.use {
                for (i in it.purposeIds.indices) assertFalse("purpose $i", it.isAllowed(i))
                val problem = it.storageProblem()
                assertNotNull(problem)
                assertTrue(problem, problem!!.contains("not a regular file"))
                assertEquals(Decision.Blocked(BlockReason.STORAGE, 0), it.decide("feedback_photo"))
            }
        } finally {
            pool.shutdownNow()
        }
    }
}

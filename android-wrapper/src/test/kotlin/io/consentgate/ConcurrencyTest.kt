package io.consentgate

import io.consentgate.Fixtures.assertThrows
import io.consentgate.Fixtures.history
import io.consentgate.Fixtures.open
import io.consentgate.Fixtures.openGranted
import io.consentgate.internal.Native
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicLongArray

/** Many threads, one or two engines, real JNI: no crash and no answer that contradicts a returned call. */
class ConcurrencyTest {
    @get:Rule val tmp = TemporaryFolder()

    private fun dir(name: String = "consent") = File(tmp.root, name)

    private fun thread(
        name: String,
        body: () -> Unit,
    ): Thread =
        Thread(body, name).apply {
            isDaemon = true
            start()
        }

    private fun Thread.joinOrFail(ms: Long = 120_000) {
        join(ms)
        assertFalse("$name did not finish", isAlive)
    }

    /**
     * Writers grant and withdraw two purposes in a loop (one on each of two engines sharing a
     * folder) and publish, around each call, whether it is in flight or has returned. Eight
     * readers (four per engine) call `isAllowed` and check it against what they saw before and
     * after the call: while a withdraw has returned and no new grant has started, `true` is a
     * violation; while a grant has returned and no withdraw has started, `false` is one.
     */
    @Test
    fun eightReadersNeverContradictAGrantOrWithdrawThatReturned() {
        val a = openGranted(dir())
        val b = open(dir())
        val engines = listOf(a, b)
        val purposes = listOf("feedback_photo", "nearby_stores") // indexes 0 and 1
        // Per purpose: round * 4 + phase (0 granting, 1 granted, 2 withdrawing, 3 withdrawn).
        val state = AtomicLongArray(longArrayOf(3, 3))
        val rounds = 150
        val writersDone = AtomicBoolean(false)
        val violations = Collections.synchronizedList(mutableListOf<String>())
        val failures = Collections.synchronizedList(mutableListOf<Throwable>())
        val checked = AtomicLongArray(4)
        val start = CountDownLatch(1)

        val writers =
            purposes.indices.map { p ->
                thread("writer-$p") {
                    try {
                        start.await()
                        val e = engines[p] // purpose 0 written through a, purpose 1 through b
                        for (r in 1..rounds) {
                            state.set(p, r * 4L + 0)
                            e.grant(purposes[p], Surface.RATIONALE_DIALOG, "en")
                            state.set(p, r * 4L + 1)
                            Thread.yield()
                            state.set(p, r * 4L + 2)
                            e.withdraw(purposes[p], Surface.SETTINGS_SCREEN, "en")
                            state.set(p, r * 4L + 3)
                            Thread.yield()
                        }
                    } catch (t: Throwable) {
                        failures.add(t)
                    }
                }
            }
        val readers =
            (0 until 8).map { i ->
                thread("reader-$i") {
                    try {
                        start.await()
                        val e = engines[i % 2]
                        while (!writersDone.get()) {
                            for (p in purposes.indices) {
                                val before = state.get(p)
                                val allowed = e.isAllowed(p)
                                val after = state.get(p)
                                if (before != after) continue
                                when ((before % 4).toInt()) {
                                    1 -> {
                                        checked.incrementAndGet(1)
                                        if (!allowed) violations.add("reader-$i: purpose $p refused after grant returned (state $before)")
                                    }
                                    3 -> {
                                        checked.incrementAndGet(3)
                                        if (allowed) violations.add("reader-$i: purpose $p allowed after withdraw returned (state $before)")
                                    }
                                }
                            }
                        }
                    } catch (t: Throwable) {
                        failures.add(t)
                    }
                }
            }
        // Two more threads on the cold paths, so the engine lock is contended too.
        val cold =
            engines.mapIndexed { i, e ->
                thread("cold-$i") {
                    try {
                        start.await()
                        while (!writersDone.get()) {
                            val before = state.get(i)
                            val d = e.decide(purposes[i])
                            val after = state.get(i)
                            if (before == after &&
                                before % 4 == 3L &&
                                d.isAllowed
                            ) {
                                violations.add("decide: purpose $i allowed after withdraw returned")
                            }
                            e.settings("en")
                        }
                    } catch (t: Throwable) {
                        failures.add(t)
                    }
                }
            }
        start.countDown()
        writers.forEach { it.joinOrFail() }
        writersDone.set(true)
        (readers + cold).forEach { it.joinOrFail() }
        try {
            assertEquals(emptyList<Throwable>(), failures)
            assertEquals(emptyList<String>(), violations.take(10))
            assertTrue("checked after grant: ${checked.get(1)}", checked.get(1) > 100)
            assertTrue("checked after withdraw: ${checked.get(3)}", checked.get(3) > 100)
            val events = history(a)
            assertEquals(1 + 2 * 2 * rounds, events.size)
            assertFalse(a.isAllowed(0) || a.isAllowed(1) || b.isAllowed(0) || b.isAllowed(1))
            println("ConcurrencyTest: ${checked.get(1)} checks after grants, ${checked.get(3)} after withdrawals, ${events.size} events")
        } finally {
            a.close()
            b.close()
        }
    }

    /**
     * Closing while eight threads are inside calls: each call either completes or throws
     * EngineClosedException; nothing else, and once close has returned every call throws. A
     * write racing the close is either fully recorded or not at all.
     */
    @Test
    fun closeWhileOtherThreadsAreCalling() {
        repeat(12) { round ->
            val e = openGranted(dir("c$round"), "feedback_photo")
            val closedReturned = AtomicBoolean(false)
            val unexpected = Collections.synchronizedList(mutableListOf<Throwable>())
            val violations = Collections.synchronizedList(mutableListOf<String>())
            val completed = AtomicLong()
            val ready = CountDownLatch(8)
            val threads =
                (0 until 8).map { k ->
                    thread("caller-$k") {
                        ready.countDown()
                        var closedSeen = 0
                        var i = 0
                        while (closedSeen < 20) {
                            val afterClose = closedReturned.get()
                            try {
                                when ((k + i++) % 5) {
                                    0 -> e.isAllowed(0)
                                    1 -> e.decide("feedback_photo")
                                    2 -> e.settings("en")
                                    3 ->
                                        if (i % 7 ==
                                            0
                                        ) {
                                            e.grant("scan_receipt", Surface.RATIONALE_DIALOG, "en")
                                        } else {
                                            e.isAllowed("scan_receipt")
                                        }
                                    else -> e.storageProblem()
                                }
                                completed.incrementAndGet()
                                if (afterClose) violations.add("a call that started after close() returned completed")
                            } catch (c: EngineClosedException) {
                                closedSeen++
                            } catch (t: Throwable) {
                                unexpected.add(t)
                                return@thread
                            }
                        }
                    }
                }
            assertTrue(ready.await(10, TimeUnit.SECONDS))
            Thread.sleep(15L + round)
            e.close()
            closedReturned.set(true)
            threads.forEach { it.joinOrFail() }
            assertEquals(emptyList<Throwable>(), unexpected)
            assertEquals(emptyList<String>(), violations.take(5))
            assertTrue("calls ran before the close: ${completed.get()}", completed.get() > 0)
            // The journal is whole: every racing write is either in it, chained, or absent.
            open(dir("c$round")).use { reopened ->
                val events = history(reopened)
                assertEquals((1L..events.size).toList(), events.map { it.getLong("seq") })
                assertTrue(reopened.isAllowed(0))
            }
        }
    }

    /** The same race without Kotlin's closed flag: the native side alone must stay safe. */
    @Test
    fun nativeCallsRacingNativeCloseFailSafe() {
        repeat(12) { round ->
            val h = Native.open(Fixtures.POLICY, dir("n$round").path)
            Native.acceptPolicy(h, 3, "en", 0)
            Native.grant(h, "feedback_photo", 0, "en", 0)
            val closedReturned = AtomicBoolean(false)
            val problems = Collections.synchronizedList(mutableListOf<String>())
            val ready = CountDownLatch(8)
            val threads =
                (0 until 8).map { k ->
                    thread("native-$k") {
                        ready.countDown()
                        repeat(3000) { i ->
                            val afterClose = closedReturned.get()
                            try {
                                if ((k + i) % 2 == 0) {
                                    val allowed = Native.isAllowed(h, 0)
                                    if (afterClose && allowed) problems.add("isAllowed true after close returned")
                                } else {
                                    Native.decide(h, "feedback_photo", 0)
                                    if (afterClose) problems.add("decide completed after close returned")
                                }
                            } catch (c: EngineClosedException) {
                                // expected once closed
                            } catch (t: Throwable) {
                                problems.add(t.toString())
                            }
                        }
                    }
                }
            assertTrue(ready.await(10, TimeUnit.SECONDS))
            Thread.sleep(2L + round)
            Native.close(h)
            closedReturned.set(true)
            threads.forEach { it.joinOrFail() }
            assertEquals(emptyList<String>(), problems.distinct())
            assertFalse(Native.isAllowed(h, 0))
            assertThrows<EngineClosedException> { Native.decide(h, "feedback_photo", 0) }
        }
    }

    @Test
    fun enginesOpenedAndUsedFromManyThreadsAtOnce() {
        val failures = Collections.synchronizedList(mutableListOf<Throwable>())
        val threads =
            (0 until 8).map { t ->
                thread("opener-$t") {
                    try {
                        repeat(5) { r ->
                            val purpose =
                                Fixtures.run {
                                    listOf("feedback_photo", "nearby_stores", "scan_receipt", "pick_photos")[
                                        (t + r) %
                                            4,
                                    ]
                                }
                            openGranted(dir("t$t-r$r"), purpose).use { e ->
                                for (p in e.purposeIds.indices) {
                                    check(e.isAllowed(p) == (e.purposeIds[p] == purpose)) { "thread $t round $r purpose $p" }
                                }
                            }
                        }
                    } catch (x: Throwable) {
                        failures.add(x)
                    }
                }
            }
        threads.forEach { it.joinOrFail() }
        assertEquals(emptyList<Throwable>(), failures)
    }
}

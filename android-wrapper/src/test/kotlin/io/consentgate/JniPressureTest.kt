package io.consentgate

import io.consentgate.internal.Native
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.util.Collections
import java.util.SplittableRandom
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicLongArray

/**
 * JNI under pressure: 16 threads for a bounded time (8 s; `-Dconsentgate.pressure.seconds=N`
 * for longer) call every native entry point at random, with valid and garbage arguments,
 * on engines that other threads open and close while they are in use, on shared journal
 * folders, with garbage collections in between.
 *
 * Every call must return or throw one of the SDK's own exceptions (ConsentGateException and
 * subclasses); anything else, or a crash of the JVM (which fails the surefire fork), fails
 * the test. Afterwards every journal verifies and every open engine's hot path agrees with
 * its slow path. Run it with `-DargLine=-Xcheck:jni` to have the JVM check each JNI call too.
 */
class JniPressureTest {
    @get:Rule val tmp = TemporaryFolder()

    private val seconds = System.getProperty("consentgate.pressure.seconds")?.toLongOrNull() ?: 8L
    private val threads = 16
    private val slots = 8
    private val folders = 4

    private companion object {
        const val MIN_CALLS = 10_000L
        const val MIN_CLOSED_IN_USE = 10L
    }

    private val purposes = listOf("feedback_photo", "nearby_stores", "scan_receipt", "pick_photos")
    private val permissions = listOf(Fixtures.CAMERA, Fixtures.COARSE, Fixtures.FINE, Fixtures.BACKGROUND, Fixtures.READ_CONTACTS)
    private val megabyte = "x".repeat(1 shl 20)
    private val unpaired = "en\uD800"

    /** Open handles by slot (0: empty); replaced ones are closed while others may use them. */
    private val live = AtomicLongArray(slots)

    /** Every handle ever opened, open or closed, for use-after-close. */
    private val everOpened = Collections.synchronizedList(mutableListOf<Long>())

    // Counters for the report.
    private val calls = AtomicLong()
    private val sdkExceptions = AtomicLong()
    private val opened = AtomicLong()
    private val closedInUse = AtomicLong()
    private val garbage = AtomicLong()

    private fun folder(i: Int) = File(tmp.root, "f$i").path

    private fun SplittableRandom.handle(): Long =
        when (nextInt(10)) {
            in 0..5 -> live.get(nextInt(slots))
            6, 7 -> synchronized(everOpened) { if (everOpened.isEmpty()) 0L else everOpened[nextInt(everOpened.size)] }
            8 -> listOf(0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x4347_5431_0000_0000L, 0x4347_5431_FFFF_FFFFL)[nextInt(7)]
            else -> 0x4347_5431_0000_0000L or nextInt(1 shl 20).toLong() // well-formed, mostly never issued
        }.also { if (it == 0L || nextInt(10) >= 8) garbage.incrementAndGet() }

    private fun SplittableRandom.purpose(): String? =
        when (nextInt(12)) {
            in 0..7 -> purposes[nextInt(purposes.size)]
            8 -> null
            9 -> ""
            10 -> unpaired
            else -> "no_such_purpose"
        }

    private fun SplittableRandom.locale(): String? =
        when (nextInt(14)) {
            in 0..9 -> if (nextBoolean()) "en" else "zh-CN"
            10 -> null
            11 -> ""
            12 -> unpaired
            else -> megabyte
        }

    private fun SplittableRandom.code(): Int = if (nextInt(8) == 0) listOf(-1, 99, Int.MIN_VALUE, Int.MAX_VALUE)[nextInt(4)] else nextInt(4)

    private fun SplittableRandom.index(): Int =
        if (nextInt(8) ==
            0
        ) {
            listOf(-1, 4, 1000, Int.MIN_VALUE, Int.MAX_VALUE)[nextInt(5)]
        } else {
            nextInt(4)
        }

    private fun SplittableRandom.names(): Array<String?>? =
        when (nextInt(10)) {
            0 -> null
            1 -> arrayOfNulls(3)
            2 -> Array(2000) { permissions[it % permissions.size] } // more than ART's local-reference table
            3 -> arrayOf(unpaired, Fixtures.CAMERA)
            else -> Array(nextInt(4)) { permissions[nextInt(permissions.size)] }
        }

    private fun openInto(r: SplittableRandom) {
        val h = Native.open(Fixtures.POLICY, folder(r.nextInt(folders)))
        opened.incrementAndGet()
        everOpened.add(h)
        val old = live.getAndSet(r.nextInt(slots), h)
        if (old != 0L) {
            Native.close(old) // other threads may be inside calls on it right now
            closedInUse.incrementAndGet()
        }
    }

    /** One random native call; returns normally or throws whatever the call threw. */
    private fun call(r: SplittableRandom) {
        val h = r.handle()
        when (r.nextInt(30)) {
            0 -> openInto(r)
            1 -> if (r.nextInt(4) == 0) Native.close(h)
            2 -> Native.open(if (r.nextBoolean()) null else "{\"schema\":1,\"purposes\":[" + "[".repeat(r.nextInt(300)), folder(0))
            3 -> Native.open(Fixtures.POLICY, if (r.nextBoolean()) "relative/dir" else unpaired)
            in 4..9 -> Native.isAllowed(h, r.index())
            10, 11 -> Decision.fromWire(Native.decide(h, r.purpose(), r.code()))
            12 ->
                Native.decidePermission(
                    h,
                    r.purpose(),
                    if (r.nextBoolean()) permissions[r.nextInt(permissions.size)] else r.locale(),
                    r.code(),
                )
            13 -> Native.acceptPolicy(h, r.code(), r.locale(), r.code())
            14, 15 -> Native.grant(h, r.purpose(), r.code(), r.locale(), r.code())
            16 -> Native.withdraw(h, r.purpose(), r.code(), r.locale(), r.code())
            17 -> Native.deny(h, r.purpose(), r.code(), r.locale(), r.code())
            18 -> Native.recordOsResult(h, r.purpose(), permissions[r.nextInt(permissions.size)], r.code(), r.code(), r.locale(), r.code())
            19 ->
                if (r.nextBoolean()) {
                    Native.setAgeBracket(h, r.code(), r.code(), r.locale(), r.code())
                } else {
                    Native.setGuardianConsent(h, r.nextBoolean(), r.code(), r.locale(), r.code())
                }
            20 -> Native.reconcile(h, r.names())
            21 -> Native.requestPlan(h, r.purpose(), listOf(-1, 0, 23, 29, 33, 34, 35, Int.MAX_VALUE)[r.nextInt(8)], r.names())
            22 -> Native.osGrantsSatisfy(h, r.index(), listOf(-1, 23, 33, 35)[r.nextInt(4)], r.names())
            23 -> Native.rationale(h, r.purpose(), r.locale())
            24 -> Native.settings(h, r.locale())
            25 -> if (r.nextInt(4) == 0) Native.exportProof(h) else Native.storageProblem(h)
            26 ->
                when (r.nextInt(4)) {
                    0 -> Native.setClockFixed(h, listOf(Long.MIN_VALUE, -1L, Fixtures.T0, Long.MAX_VALUE)[r.nextInt(4)])
                    1 -> Native.setClockOffset(h, listOf(Long.MIN_VALUE, 0L, Long.MAX_VALUE)[r.nextInt(3)])
                    2 ->
                        Native.advanceClock(
                            h,
                            listOf(Long.MIN_VALUE, -Fixtures.HOUR_MS, 49 * Fixtures.HOUR_MS, Long.MAX_VALUE)[r.nextInt(4)],
                        )
                    else -> {
                        Native.useSystemClock(h)
                        Native.clockNow(h)
                    }
                }
            27 ->
                if (r.nextInt(8) == 0) {
                    Native.compact(h)
                } else {
                    Native.purposeIds(h)
                    Native.policyVersion(h)
                }
            28 ->
                when (r.nextInt(20)) {
                    0 -> Native.erase(h)
                    1 -> Native.recoverFromCorruption(h, r.code(), r.locale(), r.code())
                    else -> Native.isAllowed(h, r.index())
                }
            else -> if (r.nextInt(50) == 0) System.gc() else Native.isAllowed(h, r.index())
        }
    }

    private fun keepGoing(
        deadline: Long,
        hardDeadline: Long,
    ): Boolean {
        val now = System.nanoTime()
        if (now >= hardDeadline) return false
        return now < deadline || calls.get() <= MIN_CALLS || closedInUse.get() <= MIN_CLOSED_IN_USE
    }

    @Test
    fun randomCallsWithGarbageOnEnginesClosedWhileInUseNeverCrash() {
        val r0 = SplittableRandom(20261123)
        repeat(slots) { openInto(r0) }
        val unexpected = Collections.synchronizedList(mutableListOf<Throwable>())
        val deadline = System.nanoTime() + seconds * 1_000_000_000
        val hardDeadline = deadline + 100_000_000_000L
        val start = CountDownLatch(1)
        val workers =
            (0 until threads).map { t ->
                Thread({
                    val r = SplittableRandom(1000L + t)
                    start.await()
                    // Time-boxed, but on a loaded machine it goes on until it made enough calls to mean
                    // something (the assertions below), within a hard limit: pressure, not speed, is tested.
                    while (unexpected.size < 20 && keepGoing(deadline, hardDeadline)) {
                        calls.incrementAndGet()
                        try {
                            call(r)
                        } catch (e: ConsentGateException) {
                            sdkExceptions.incrementAndGet()
                        } catch (e: Throwable) {
                            unexpected.add(e)
                        }
                    }
                }, "pressure-$t").apply {
                    isDaemon = true
                    start()
                }
            }
        start.countDown()
        workers.forEach {
            it.join(seconds * 1000 + 120_000)
            assertFalse("${it.name} hangs", it.isAlive)
        }
        assertEquals("only the SDK's own exceptions", emptyList<String>(), unexpected.take(5).map { it.stackTraceToString() })

        // Every engine still open answers consistently on both paths.
        var checkedOpen = 0
        for (s in 0 until slots) {
            val h = live.get(s)
            val usable =
                try {
                    Native.storageProblem(h) == null
                } catch (closed: EngineClosedException) {
                    false // closed at random by a worker
                }
            if (!usable) continue
            checkedOpen++
            for (i in purposes.indices) {
                assertEquals(
                    "slot $s purpose $i: hot path and slow path agree",
                    Decision.fromWire(Native.decide(h, purposes[i], 0)).isAllowed,
                    Native.isAllowed(h, i),
                )
            }
        }
        // Every journal is whole: consecutive sequence numbers, a verifying chain.
        var events = 0
        for (f in 0 until folders) {
            if (!File(folder(f)).exists()) continue
            val e = ConsentEngine.open(Fixtures.POLICY, File(folder(f)))
            try {
                assertEquals("folder $f: ${e.storageProblem()}", null, e.storageProblem())
                val history = Fixtures.history(e)
                if (history.isNotEmpty()) {
                    val seqs = history.map { it.getLong("seq") }
                    assertTrue("folder $f: sequence numbers increase", seqs.zipWithNext().all { (a, b) -> b > a })
                }
                events += history.size
            } finally {
                e.close()
            }
        }
        everOpened.forEach { Native.close(it) }
        assertTrue("calls made: ${calls.get()}", calls.get() > MIN_CALLS)
        assertTrue("engines closed while in use: ${closedInUse.get()}", closedInUse.get() > MIN_CLOSED_IN_USE)
        println(
            "JniPressureTest: $threads threads for $seconds s: ${calls.get()} native calls, ${sdkExceptions.get()} SDK exceptions, " +
                "${garbage.get()} garbage handles, ${opened.get()} engines opened, ${closedInUse.get()} closed while in use, " +
                "$events journal events verified, $checkedOpen open engines consistent; unexpected throwables: 0",
        )
    }
}

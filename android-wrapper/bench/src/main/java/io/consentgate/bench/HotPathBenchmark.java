package io.consentgate.bench;

import io.consentgate.ConsentEngine;
import io.consentgate.PurposeHandle;
import io.consentgate.Surface;
import io.consentgate.internal.Native;
import io.consentgate.internal.NativeTestHooks;

import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The point-of-use check, against its floor and against what app teams write instead.
 *
 * One engine shared by every benchmark thread (as in an app), a 20-purpose policy, the privacy
 * policy accepted and {@code purpose_007} granted, so every call below answers true and takes
 * the full path. Run with {@code -t 1} and {@code -t 2} (scripts/bench-jvm.sh does both).
 *
 * Inputs live in non-final fields so the JIT cannot fold them; every result is returned
 * (JMH sinks it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HotPathBenchmark {
    static final int PURPOSES = 20;

    private Path dir;
    private ConsentEngine engine;
    private PurposeHandle purpose;
    private ConcurrentHashMap<String, Boolean> map;

    long handle;
    int index;
    String purposeId;

    /**
     * Sketch of a design the SDK does not have (see javaSideCacheSketch): the folder's change
     * counter (consent.gen, 8 bytes the core maps and bumps on every write) mapped from Java, and
     * the flags it was read at, published together.
     */
    private MappedByteBuffer generation;
    private volatile CacheSnapshot snapshot;

    static final class CacheSnapshot {
        final long generation;
        final boolean[] allowed;

        CacheSnapshot(long generation, boolean[] allowed) {
            this.generation = generation;
            this.allowed = allowed;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path base = Paths.get(System.getProperty("consentgate.bench.tmp", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base.toAbsolutePath(), "cg-jmh-");
        engine = ConsentEngine.open(Fixtures.policyJson(PURPOSES), dir.toFile());
        Fixtures.freezeClock(engine);
        engine.acceptPolicy(Surface.APP, "zh-CN");
        purposeId = Fixtures.purposeId(7);
        engine.grant(purposeId, Surface.RATIONALE_DIALOG, "zh-CN");
        index = engine.purposeIndex(purposeId);
        handle = Fixtures.handleOf(engine);
        purpose = Fixtures.facadeHandle(engine, purposeId, index);

        try (FileChannel ch = FileChannel.open(dir.resolve("consent.gen"), StandardOpenOption.READ)) {
            generation = ch.map(FileChannel.MapMode.READ_ONLY, 0, 8);
            generation.order(ByteOrder.nativeOrder());
        }
        boolean[] flags = new boolean[PURPOSES];
        for (int i = 0; i < PURPOSES; i++) flags[i] = engine.isAllowed(i);
        snapshot = new CacheSnapshot(generation.getLong(0), flags);

        map = new ConcurrentHashMap<>();
        for (int i = 0; i < PURPOSES; i++) map.put("consent_" + Fixtures.purposeId(i), Boolean.TRUE);

        // Every benchmark must take its full path: fail the run rather than time a short cut.
        check(!NativeTestHooks.emptyCall(handle, index), "emptyCall returns false");
        check(Native.isAllowed(handle, index), "Native.isAllowed true for the granted purpose");
        check(engine.isAllowed(index), "ConsentEngine.isAllowed(index) true");
        check(engine.isAllowed(purposeId), "ConsentEngine.isAllowed(id) true");
        check(purpose.isAllowed(), "PurposeHandle.isAllowed() true");
        check(!engine.isAllowed(engine.purposeIndex(Fixtures.purposeId(8))), "an ungranted purpose is not allowed");
        check(chmConstantKey() && chmConcatenatedKey(), "the map holds the key");
        check(javaSideCacheSketch(), "the sketch answers from its cache");
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("benchmark fixture broken: expected " + what);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        Fixtures.deleteTree(dir);
    }

    /** The floor: an empty static native method with the same signature and native shape (test-hooks build). */
    @Benchmark
    public boolean floorEmptyJni() {
        return NativeTestHooks.emptyCall(handle, index);
    }

    /** The native hot call alone (no Kotlin wrapper): what the Rust side adds to the floor. */
    @Benchmark
    public boolean nativeIsAllowed() {
        return Native.isAllowed(handle, index);
    }

    /** ConsentEngine.isAllowed(index): the wrapper's closed check plus the native call. */
    @Benchmark
    public boolean engineIsAllowed() {
        return engine.isAllowed(index);
    }

    /** The facade's PurposeHandle.isAllowed(): cached OS grant AND the engine call. */
    @Benchmark
    public boolean facadeIsAllowed() {
        return purpose.isAllowed();
    }

    /** ConsentEngine.isAllowed(purposeId): id -> index map lookup, then the native call. */
    @Benchmark
    public boolean engineIsAllowedById() {
        return engine.isAllowed(purposeId);
    }

    /** What a team writes instead, with a constant key. */
    @Benchmark
    public boolean chmConstantKey() {
        return Boolean.TRUE.equals(map.get("consent_purpose_007"));
    }

    /** What a team writes instead, with the key built at the call site ("consent_" + purpose). */
    @Benchmark
    public boolean chmConcatenatedKey() {
        return Boolean.TRUE.equals(map.get("consent_" + purposeId));
    }

    /**
     * NOT the SDK: what a Java-side cache would cost, to weigh that design (BENCHMARKS.md). One
     * volatile read, one read of the mapped change counter, one array read; the native call only
     * when the counter moved. (A real one would also need the closed flag, a re-map when another
     * process erases and re-creates the folder, and acquire ordering on Android below API 33,
     * which has no VarHandle.)
     */
    @Benchmark
    public boolean javaSideCacheSketch() {
        CacheSnapshot s = snapshot;
        if (generation.getLong(0) == s.generation) return s.allowed[index];
        return Native.isAllowed(handle, index);
    }
}

package io.consentgate.bench;

import io.consentgate.ConsentEngine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Cold start, one fresh JVM per sample (scripts/bench-jvm.sh starts them).
 *
 * <pre>
 * prepare OUT PURPOSES EVENTS   write OUT/policy.json and OUT/journal/ (EVENTS events, written by
 *                               the engine itself at a frozen clock); needs consentgate.native.path
 * run FIXTURES WORK [WARM]      one sample: the library loaded as on a device
 *                               (System.loadLibrary, -Djava.library.path), the policy parsed and the
 *                               journal replayed (ConsentEngine.open), the first isAllowed; then WARM
 *                               more opens of fresh journal copies in the same JVM. Prints one line:
 *                               cold dlopen=.. classes=.. open=.. first=.. total=.. warm_open=..
 * phases FIXTURES WORK          the same cold start split further, in a fresh JVM: the raw native
 *                               calls (open, first isAllowed, the cold calls ConsentEngine makes,
 *                               close), then ConsentEngine.open itself on a second copy (native side
 *                               warm, Kotlin side cold):
 *                               phases dlopen=.. classes=.. native_open=.. native_first=..
 *                               version_ids_close=.. engine_open_after=..
 *
 * Each step prints wall_us/cpu_us: wall time, and this thread's CPU time (on a shared machine the
 * second does not count the time spent waiting for a core).
 * </pre>
 *
 * Everything outside the timed region (reading the policy file, copying the journal to a fresh
 * folder) happens before the clock starts. The files are in the page cache: the process is cold,
 * the disk is not.
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 4 && args[0].equals("prepare")) {
            prepare(Paths.get(args[1]).toAbsolutePath(), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else if (args.length >= 3 && args[0].equals("phases")) {
            phases(Paths.get(args[1]).toAbsolutePath(), Paths.get(args[2]).toAbsolutePath());
        } else if (args.length >= 3 && args[0].equals("run")) {
            run(Paths.get(args[1]).toAbsolutePath(), Paths.get(args[2]).toAbsolutePath(), args.length > 3 ? Integer.parseInt(args[3]) : 0);
        } else {
            System.err.println("usage: ColdStart prepare OUT PURPOSES EVENTS | run FIXTURES WORK [WARM] | phases FIXTURES WORK");
            System.exit(2);
        }
    }

    private static void prepare(Path out, int purposes, int events) throws IOException {
        Fixtures.deleteTree(out);
        Path journal = out.resolve("journal");
        Files.createDirectories(journal);
        String policy = Fixtures.policyJson(purposes);
        Files.writeString(out.resolve("policy.json"), policy, StandardCharsets.UTF_8);
        try (ConsentEngine engine = ConsentEngine.open(policy, journal.toFile())) {
            Fixtures.fillJournal(engine, events);
            if (engine.storageProblem() != null) throw new IllegalStateException("fixture journal unusable: " + engine.storageProblem());
        }
        // Prove the count from the journal itself: the proof document counts every event recorded
        // (its "seq" entries also list the snapshot lines compaction wrote, so they are not the count).
        try (ConsentEngine engine = ConsentEngine.open(policy, journal.toFile())) {
            String proof = engine.exportProof();
            java.util.regex.Matcher counted = java.util.regex.Pattern.compile("\"events\":(\\d+)").matcher(proof);
            if (!counted.find()) throw new IllegalStateException("the proof document has no event count");
            int recorded = Integer.parseInt(counted.group(1));
            if (recorded != events) throw new IllegalStateException("fixture journal holds " + recorded + " events, expected " + events);
            Path live = journal.resolve("consent.journal");
            long lines = Files.exists(live) ? Files.readAllLines(live, StandardCharsets.UTF_8).size() : 0;
            System.out.println("prepared: " + purposes + " purposes, " + recorded + " events, " + lines
                + " lines in the live journal (what open replays), folder " + size(journal) + " bytes");
        }
    }

    /** Wall time and this thread's CPU time (the machine is shared: CPU time does not count waiting for a core). */
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static final class Stamps {
        private final long[] wall = new long[8];
        private final long[] cpu = new long[8];
        private int n;

        void mark() {
            wall[n] = System.nanoTime();
            cpu[n] = THREADS.getCurrentThreadCpuTime();
            n++;
        }

        /** "name=wall_us/cpu_us" for the step from mark i to mark i+1. */
        String step(String name, int i) {
            return name + "=" + (wall[i + 1] - wall[i]) / 1000 + "/" + (cpu[i + 1] - cpu[i]) / 1000;
        }
    }

    /** The first two steps of a cold process, stamped: the library loaded, the wrapper's classes initialised. */
    private static Stamps loadStamped() throws ClassNotFoundException {
        THREADS.getCurrentThreadCpuTime();
        Stamps t = new Stamps();
        t.mark();
        // What a device does first (NativeLibrary calls the same; it is a no-op the second time).
        System.loadLibrary("consentgate");
        t.mark();
        // The wrapper's classes, and the first Kotlin runtime classes they need.
        Class.forName("io.consentgate.internal.Native", true, ColdStart.class.getClassLoader());
        t.mark();
        return t;
    }

    private static void run(Path fixtures, Path work, int warm) throws Exception {
        String policy = Files.readString(fixtures.resolve("policy.json"), StandardCharsets.UTF_8);
        Path template = fixtures.resolve("journal");
        Path first = work.resolve("j0");
        Fixtures.copyDir(template, first);
        Stamps t = loadStamped();
        ConsentEngine engine = ConsentEngine.open(policy, first.toFile());
        t.mark();
        boolean allowed = engine.isAllowed(7);
        t.mark();
        String problem = engine.storageProblem();
        engine.close();
        if (problem != null) throw new IllegalStateException("cold start opened a failing journal: " + problem);

        // The same open in a JVM that has loaded and run it before: what the core itself costs.
        long[] warmNs = new long[warm];
        for (int i = 0; i < warm; i++) {
            Path copy = work.resolve("j" + (i + 1));
            Fixtures.copyDir(template, copy);
            long s = System.nanoTime();
            ConsentEngine e = ConsentEngine.open(policy, copy.toFile());
            e.isAllowed(7);
            warmNs[i] = System.nanoTime() - s;
            e.close();
        }
        Arrays.sort(warmNs);
        long warmMedian = warm == 0 ? -1 : warmNs[warm / 2];

        System.out.println("cold " + t.step("dlopen", 0) + " " + t.step("classes", 1) + " " + t.step("open", 2) + " "
            + t.step("first", 3) + " total=" + (t.wall[4] - t.wall[0]) / 1000 + "/" + (t.cpu[4] - t.cpu[0]) / 1000
            + " warm_open=" + warmMedian / 1000 + " allowed=" + allowed);
    }

    private static void phases(Path fixtures, Path work) throws Exception {
        String policy = Files.readString(fixtures.resolve("policy.json"), StandardCharsets.UTF_8);
        Path template = fixtures.resolve("journal");
        Path a = work.resolve("a"), b = work.resolve("b");
        Fixtures.copyDir(template, a);
        Fixtures.copyDir(template, b);
        Stamps t = loadStamped();
        long h = io.consentgate.internal.Native.open(policy, a.toString());
        t.mark();
        boolean allowed = io.consentgate.internal.Native.isAllowed(h, 7);
        t.mark();
        String version = io.consentgate.internal.Native.policyVersion(h);
        String[] ids = io.consentgate.internal.Native.purposeIds(h);
        io.consentgate.internal.Native.close(h);
        t.mark();
        ConsentEngine engine = ConsentEngine.open(policy, b.toFile());
        t.mark();
        engine.close();
        if (ids.length != 20 || version.isEmpty()) throw new IllegalStateException("unexpected policy");
        System.out.println("phases " + t.step("dlopen", 0) + " " + t.step("classes", 1) + " " + t.step("native_open", 2) + " "
            + t.step("native_first", 3) + " " + t.step("version_ids_close", 4) + " " + t.step("engine_open_after", 5)
            + " allowed=" + allowed);
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}

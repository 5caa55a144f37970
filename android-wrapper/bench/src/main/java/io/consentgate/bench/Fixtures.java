package io.consentgate.bench;

import io.consentgate.Actor;
import io.consentgate.ConsentEngine;
import io.consentgate.ConsentGate;
import io.consentgate.OsResult;
import io.consentgate.PurposeHandle;
import io.consentgate.Surface;
import io.consentgate.internal.Native;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Policies, journals and objects shared by the benchmarks; all made through the public API. */
final class Fixtures {
    private Fixtures() {}

    /** The clock every fixture journal is written at (UTC ms), frozen: journals are the same every run. */
    static final long FROZEN_NOW_MS = 1_700_000_000_000L;

    /** Permissions per purpose, cycled; the same shape as benches/common (Rust) uses. */
    private static final String[][] PERMISSIONS = {
        {"android.permission.CAMERA"},
        {"android.permission.READ_CONTACTS"},
        {"android.permission.RECORD_AUDIO"},
        {"android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION"},
        {"android.permission.READ_CALENDAR", "android.permission.WRITE_CALENDAR"},
        {"android.permission.READ_SMS"},
        {"android.permission.READ_CALL_LOG"},
    };

    static String purposeId(int i) {
        return String.format("purpose_%03d", i);
    }

    /**
     * A valid schema-1 policy with {@code n} purposes shaped like the seed examples: one or two
     * permissions, descriptions in zh-CN and en, a recipient on every third purpose.
     */
    static String policyJson(int n) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"schema\": 1,\n  \"policy_version\": \"2024-01-01\",\n")
          .append("  \"default_locale\": \"zh-CN\",\n  \"denial_cooldown_hours\": 48,\n  \"purposes\": [\n");
        for (int i = 0; i < n; i++) {
            String[] perms = PERMISSIONS[i % PERMISSIONS.length];
            sb.append("    {\n      \"id\": \"").append(purposeId(i)).append("\",\n      \"permissions\": [");
            for (int p = 0; p < perms.length; p++) {
                sb.append(p == 0 ? "" : ", ").append('"').append(perms[p]).append('"');
            }
            sb.append("],\n      \"description\": {\n")
              .append("        \"zh-CN\": \"第").append(i).append("项功能：用户问题反馈拍照上传照片\",\n")
              .append("        \"en\": \"Feature ").append(i).append(": take a photo to attach to your feedback\"\n")
              .append("      },\n      \"recipients\": [");
            if (i % 3 == 0) {
                sb.append("{ \"name\": \"Partner ").append(i).append(" (合作方)\", \"data\": \"approximate location\" }");
            }
            sb.append("]\n    }").append(i + 1 < n ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        return sb.toString();
    }

    /**
     * Writes exactly {@code events} events through the engine, at a frozen clock: the privacy
     * policy accepted, then grant / OS result / withdraw / deny cycling over every purpose (the
     * cycle benches/common uses in Rust).
     */
    static void fillJournal(ConsentEngine engine, int events) {
        freezeClock(engine);
        if (events == 0) return;
        engine.acceptPolicy(Surface.RATIONALE_DIALOG, "zh-CN");
        int n = engine.getPurposeIds().size();
        for (int i = 1; i < events; i++) {
            int p = i % n;
            String id = engine.getPurposeIds().get(p);
            switch ((i / n) % 4) {
                case 0 -> engine.grant(id, Surface.RATIONALE_DIALOG, "zh-CN");
                case 1 -> engine.recordOsResult(id, PERMISSIONS[p % PERMISSIONS.length][0], OsResult.GRANTED, Surface.SYSTEM_DIALOG, "zh-CN", Actor.USER);
                case 2 -> engine.withdraw(id, Surface.SETTINGS_SCREEN, "zh-CN");
                default -> engine.deny(id, Surface.RATIONALE_DIALOG, "zh-CN");
            }
        }
    }

    /** Freezes the engine's clock at {@link #FROZEN_NOW_MS} (the clock controls are not API: through Native). */
    static void freezeClock(ConsentEngine engine) {
        Native.setClockFixed(handleOf(engine), FROZEN_NOW_MS);
    }

    /** The native handle a ConsentEngine owns (private): the floor call passes the same value. */
    static long handleOf(ConsentEngine engine) {
        try {
            Field f = ConsentEngine.class.getDeclaredField("handle");
            f.setAccessible(true);
            return f.getLong(engine);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ConsentEngine has no 'handle' field any more: update the benchmark", e);
        }
    }

    /**
     * The facade's hot path without an Android Context: a ConsentGate allocated without running
     * its constructor (which needs a Context and a main Looper), given the engine, and a real
     * PurposeHandle on it with its cached OS grant set as a refresh sets it. What runs is the
     * library's own compiled code: PurposeHandle.isAllowed() (the cached OS grant) ->
     * ConsentEngine.isAllowed() -> Native.isAllowed().
     */
    static PurposeHandle facadeHandle(ConsentEngine engine, String id, int index) {
        try {
            Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            ConsentGate gate = (ConsentGate) unsafe.getClass().getMethod("allocateInstance", Class.class)
                .invoke(unsafe, ConsentGate.class);
            set(gate, "engine", engine);
            Constructor<PurposeHandle> c = PurposeHandle.class.getDeclaredConstructor(ConsentGate.class, String.class, int.class);
            c.setAccessible(true);
            PurposeHandle purpose = c.newInstance(gate, id, index);
            // As a refresh leaves it when the OS grants the purpose's permissions.
            set(purpose, "osGranted", true);
            return purpose;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build the facade hot path (ConsentGate fields changed?): update the benchmark", e);
        }
    }

    private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Temporary benchmark files only; leftovers are harmless.
        }
    }
}

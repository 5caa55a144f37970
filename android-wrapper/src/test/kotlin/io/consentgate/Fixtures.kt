package io.consentgate

import android.Manifest
import java.io.File

/** Shared test data for the JVM tests: the engine-level ones (plain JUnit, real JNI) and the Robolectric ones. */
object Fixtures {
    const val HOUR_MS = 3_600_000L
    const val T0 = 1_700_000_000_000L

    // Android's names, from the framework's own constants (inlined at compile time: no framework
    // class is loaded, so the plain JUnit tests use them too).
    const val CAMERA = Manifest.permission.CAMERA
    const val COARSE = Manifest.permission.ACCESS_COARSE_LOCATION
    const val FINE = Manifest.permission.ACCESS_FINE_LOCATION
    const val BACKGROUND = Manifest.permission.ACCESS_BACKGROUND_LOCATION
    const val READ_STORAGE = Manifest.permission.READ_EXTERNAL_STORAGE
    const val READ_MEDIA_IMAGES = Manifest.permission.READ_MEDIA_IMAGES
    const val MEDIA_SELECTED = Manifest.permission.READ_MEDIA_VISUAL_USER_SELECTED
    const val READ_CONTACTS = Manifest.permission.READ_CONTACTS

    /**
     * A small schema-1 policy (a test resource): purposes by index 0 feedback_photo (CAMERA),
     * 1 nearby_stores (COARSE, FINE, BACKGROUND), 2 scan_receipt (CAMERA), 3 pick_photos
     * (READ_STORAGE, READ_MEDIA_IMAGES, MEDIA_SELECTED).
     */
    val POLICY: String = resource("engine-policy.json")

    /** The seed-derived example policy shipped in the repository. */
    fun phoneBackupPolicy(): String = File(repoRoot(), "examples/phone-backup/policy.json").readText()

    /** The repository: above the working folder, or above the native library under test. */
    private fun repoRoot(): File {
        val starts = listOfNotNull(File("").absoluteFile, System.getProperty("consentgate.native.path")?.let { File(it).absoluteFile })
        for (start in starts) {
            var dir: File? = start
            while (dir != null && !File(dir, "examples/phone-backup/policy.json").isFile) dir = dir.parentFile
            if (dir != null) return dir
        }
        error("cannot find the repository from $starts")
    }

    private fun resource(name: String): String =
        checkNotNull(Fixtures::class.java.getResource(name)) { "test resource io/consentgate/$name" }.readText()

    /** A journal folder that does not exist yet, inside [parent]. */
    fun journalDir(
        parent: File,
        name: String = "consent",
    ): File = File(parent, name)

    /** Freezes [engine]'s clock at [atMs] (the clock controls are internal: Java tests come through here). */
    @JvmStatic
    fun freezeClock(
        engine: ConsentEngine,
        atMs: Long,
    ) = engine.setClockFixed(atMs)

    /** Opens an engine on [POLICY] with a frozen clock at [T0]. */
    fun open(
        dir: File,
        policy: String = POLICY,
    ): ConsentEngine = ConsentEngine.open(policy, dir).also { it.setClockFixed(T0) }

    /** Opens, accepts the policy and grants [purposes]. */
    fun openGranted(
        dir: File,
        vararg purposes: String,
    ): ConsentEngine =
        open(dir).also { e ->
            e.acceptPolicy(Surface.APP, "zh-CN")
            for (p in purposes) e.grant(p, Surface.RATIONALE_DIALOG, "zh-CN")
        }

    /** The journal events of an engine's proof export. */
    fun history(engine: ConsentEngine): List<org.json.JSONObject> {
        val events = org.json.JSONObject(engine.exportProof()).getJSONArray("history")
        return List(events.length()) { events.getJSONObject(it) }
    }

    /** Runs [block] and returns the exception it throws, failing if it throws none or another type. */
    inline fun <reified T : Throwable> assertThrows(block: () -> Unit): T {
        try {
            block()
        } catch (t: Throwable) {
            if (t is T) return t
            throw AssertionError("expected ${T::class.java.simpleName}, got $t", t)
        }
        throw AssertionError("expected ${T::class.java.simpleName}, nothing was thrown")
    }
}

package io.consentgate

import java.io.File

/** Shared test data for the engine-level JVM tests (plain JUnit, real JNI). */
object Fixtures {
    const val HOUR_MS = 3_600_000L
    const val T0 = 1_700_000_000_000L

    const val CAMERA = "android.permission.CAMERA"
    const val COARSE = "android.permission.ACCESS_COARSE_LOCATION"
    const val FINE = "android.permission.ACCESS_FINE_LOCATION"
    const val BACKGROUND = "android.permission.ACCESS_BACKGROUND_LOCATION"
    const val READ_STORAGE = "android.permission.READ_EXTERNAL_STORAGE"
    const val MEDIA_IMAGES = "android.permission.READ_MEDIA_IMAGES"
    const val MEDIA_SELECTED = "android.permission.READ_MEDIA_VISUAL_USER_SELECTED"
    const val READ_CONTACTS = "android.permission.READ_CONTACTS"

    /** Purposes by index: 0 feedback_photo, 1 nearby_stores, 2 scan_receipt, 3 pick_photos. */
    val POLICY =
        """
        {
          "schema": 1,
          "policy_version": "2024-01-01",
          "default_locale": "zh-CN",
          "denial_cooldown_hours": 48,
          "purposes": [
            { "id": "feedback_photo", "permissions": ["$CAMERA"],
              "description": { "zh-CN": "用户问题反馈拍照上传照片", "en": "Take a photo to attach to your feedback" } },
            { "id": "nearby_stores", "permissions": ["$COARSE", "$FINE", "$BACKGROUND"],
              "description": { "zh-CN": "查找附近门店", "en": "Find stores near you" },
              "recipients": [{ "name": "Amap (高德地图)", "data": "GPS location" }] },
            { "id": "scan_receipt", "permissions": ["$CAMERA"],
              "description": { "zh-CN": "扫描收据", "en": "Scan a receipt" } },
            { "id": "pick_photos", "permissions": ["$READ_STORAGE", "$MEDIA_IMAGES", "$MEDIA_SELECTED"],
              "description": { "zh-CN": "选择照片", "en": "Pick photos to back up" } }
          ]
        }
        """.trimIndent()

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

package io.consentgate.instrumented

import android.app.Activity
import android.app.Instrumentation
import android.os.ParcelFileDescriptor
import androidx.test.platform.app.InstrumentationRegistry
import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.fail

/** A plain activity for the SDK's request flow to sit on (declared in src/androidTest/AndroidManifest.xml). */
class CallerActivity : Activity()

/** The policy the instrumented tests use (one camera purpose, as in seed 004 section 9). */
internal const val POLICY = """{
  "schema": 1, "policy_version": "qa-1", "default_locale": "zh-CN", "denial_cooldown_hours": 48,
  "purposes": [
    { "id": "feedback_photo", "permissions": ["android.permission.CAMERA"],
      "description": { "zh-CN": "用户问题反馈拍照上传照片", "en": "Take a photo to attach to your feedback" },
      "recipients": [] }
  ]
}"""

internal object Qa {
    val instrumentation: Instrumentation get() = InstrumentationRegistry.getInstrumentation()

    /** Runs [command] as the adb shell user (which holds android.permission.DUMP), returns its output. */
    fun shell(command: String): String {
        val pfd = instrumentation.uiAutomation.executeShellCommand(command)
        return ParcelFileDescriptor.AutoCloseInputStream(pfd).use { it.readBytes().toString(Charsets.UTF_8) }
    }

    /**
     * `am broadcast` of one QA action to the app under test, exactly as QA types it; asserts it
     * answered (result=-1) and returns its JSON reply.
     */
    fun broadcast(
        action: String,
        args: String = "",
    ): JSONObject {
        val pkg = instrumentation.targetContext.packageName
        val out = shell("am broadcast -p $pkg -a io.consentgate.qa.$action $args")
        val m =
            Regex("""result=(-?\d+), data="(.*)"""").find(out) ?: run {
                fail("no answer to $action: $out")
                error("")
            }
        assertEquals("$action: $out", "-1", m.groupValues[1])
        return JSONObject(m.groupValues[2])
    }
}

package io.consentgate.internal

import android.annotation.TargetApi
import android.app.AppOpsManager
import android.app.AsyncNotedAppOp
import android.app.SyncNotedAppOp
import android.content.Context
import android.os.Build
import android.util.Log
import io.consentgate.AccessViolation
import java.util.concurrent.Executor

/**
 * Run-time data-access auditing: Android's `AppOpsManager.setOnOpNotedCallback` (API 30+) reports
 * every private-data access of this process (synchronous ones on the calling thread, with its
 * stack); each is checked against consent. One callback per process is all Android allows: an
 * app that registered its own first keeps it and auditing stays off ([problem] says so); an app
 * that wants its own alongside passes it to [forwardTo] and gets every op after the check.
 */
internal class AccessAuditor(
    private val context: Context,
    /** The policy's permissions per purpose index. */
    declaredPermissions: List<List<String>>,
    private val policyAccepted: () -> Boolean,
    private val allowedAt: (Int) -> Boolean,
    private val report: (AccessViolation) -> Unit,
) {
    /** op -> the runtime permission behind it, for every permission the SDK knows of. */
    private val permissionOf: Map<String, String>

    /** op -> indexes of the purposes that declare a permission behind it. */
    private val purposesOf: Map<String, List<Int>>

    @Volatile private var forward: Any? = null

    @Volatile var active: Boolean = false
        private set

    @Volatile var problem: String? = null
        private set

    init {
        val ops = HashMap<String, String>()
        val purposes = HashMap<String, MutableList<Int>>()
        // putIfAbsent: the first permission behind an op wins, a repeated one changes nothing.
        for (permission in AUDITED_PERMISSIONS) opOf(permission)?.let { ops.putIfAbsent(it, permission) }
        for (permissions in declaredPermissions) {
            for (permission in permissions) opOf(permission)?.let { ops.putIfAbsent(it, permission) }
        }
        for (index in 0 until declaredPermissions.size) {
            for (p in declaredPermissions[index]) opOf(p)?.let { purposes.getOrPut(it) { ArrayList() }.add(index) }
        }
        permissionOf = ops
        purposesOf = purposes
    }

    fun start() {
        if (Build.VERSION.SDK_INT >= 30) register()
    }

    fun stop() {
        if (Build.VERSION.SDK_INT >= 30 && active) unregister()
    }

    /** The app's own callback: called with every op this process notes, after the check. */
    fun forwardTo(callback: Any?) {
        forward = callback
    }

    /**
     * Checks one noted [op]. Ops with a permission behind them need an allowed purpose declaring
     * one; ops without (clipboard, ...) are violations only before the privacy policy is accepted.
     */
    fun noted(
        op: String,
        attributionTag: String?,
        stack: List<String>,
    ) {
        val permission = permissionOf[op]
        if (permission == null && op !in AUDITED_WITHOUT_PERMISSION) return
        val reason =
            when {
                !policyAccepted() -> AccessViolation.Reason.POLICY_NOT_ACCEPTED
                permission == null -> return
                purposesOf[op].orEmpty().none(allowedAt) -> AccessViolation.Reason.NO_ALLOWED_PURPOSE
                else -> return
            }
        report(AccessViolation(op, permission, attributionTag, stack, reason))
    }

    @TargetApi(30)
    private fun register() {
        val appOps = context.getSystemService(AppOpsManager::class.java) ?: return
        try {
            appOps.setOnOpNotedCallback(Executor { it.run() }, Callback())
            active = true
        } catch (e: IllegalStateException) {
            // Android allows one callback per process and this app set its own first.
            problem = "the app registered its own OnOpNotedCallback before ConsentGate.init: auditing is off in this process"
            Log.w(OsPermissions.LOG_TAG, "access auditing off: $problem")
        }
    }

    @TargetApi(30)
    private fun unregister() {
        try {
            context.getSystemService(AppOpsManager::class.java)?.setOnOpNotedCallback(null, null)
        } catch (e: IllegalStateException) {
            // already cleared
        }
        active = false
    }

    @TargetApi(30)
    private inner class Callback : AppOpsManager.OnOpNotedCallback() {
        override fun onNoted(op: SyncNotedAppOp) {
            (forward as? AppOpsManager.OnOpNotedCallback)?.onNoted(op)
            safely { noted(op.op, op.attributionTag, callerStack()) }
        }

        override fun onSelfNoted(op: SyncNotedAppOp) {
            (forward as? AppOpsManager.OnOpNotedCallback)?.onSelfNoted(op)
            safely { noted(op.op, op.attributionTag, callerStack()) }
        }

        override fun onAsyncNoted(op: AsyncNotedAppOp) {
            (forward as? AppOpsManager.OnOpNotedCallback)?.onAsyncNoted(op)
            safely { noted(op.op, op.attributionTag, emptyList()) }
        }
    }

    /** An audit problem never reaches the code that accessed the data. */
    private inline fun safely(check: () -> Unit) {
        try {
            check()
        } catch (e: RuntimeException) {
            Log.w(OsPermissions.LOG_TAG, "access audit failed: ${e.javaClass.simpleName}")
        }
    }

    internal companion object {
        /**
         * Runtime permissions whose ops are audited even when no purpose declares them (java.util
         * rather than listOf/setOf here and below: no Kotlin collection classes loaded at app start).
         */
        val AUDITED_PERMISSIONS: List<String> =
            java.util.Arrays.asList(
                "android.permission.ACCESS_COARSE_LOCATION",
                "android.permission.ACCESS_FINE_LOCATION",
                "android.permission.CAMERA",
                "android.permission.RECORD_AUDIO",
                "android.permission.READ_CONTACTS",
                "android.permission.WRITE_CONTACTS",
                "android.permission.GET_ACCOUNTS",
                "android.permission.READ_CALL_LOG",
                "android.permission.WRITE_CALL_LOG",
                "android.permission.READ_SMS",
                "android.permission.SEND_SMS",
                "android.permission.RECEIVE_SMS",
                "android.permission.READ_PHONE_STATE",
                "android.permission.READ_PHONE_NUMBERS",
                "android.permission.CALL_PHONE",
                "android.permission.READ_CALENDAR",
                "android.permission.WRITE_CALENDAR",
                "android.permission.BODY_SENSORS",
                "android.permission.ACTIVITY_RECOGNITION",
                "android.permission.READ_EXTERNAL_STORAGE",
                "android.permission.READ_MEDIA_IMAGES",
                "android.permission.READ_MEDIA_VIDEO",
                "android.permission.READ_MEDIA_AUDIO",
            )

        /** Ops of private data no runtime permission guards. */
        val AUDITED_WITHOUT_PERMISSION: Set<String> = java.util.Collections.singleton("android:read_clipboard")

        fun opOf(permission: String): String? = AppOpsManager.permissionToOp(permission)

        /** The code that made the access: the stack without the auditing and framework frames on top. */
        fun callerStack(): List<String> =
            Throwable()
                .stackTrace
                .asSequence()
                .map { "${it.className}.${it.methodName}" }
                .dropWhile { it.startsWith("io.consentgate.internal.AccessAuditor") || it.startsWith("android.app.AppOpsManager") }
                .take(MAX_FRAMES)
                .toList()

        private const val MAX_FRAMES = 16
    }
}

package io.consentgate.internal

import android.app.AlarmManager
import android.app.AppOpsManager
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.Build
import android.os.Environment
import android.os.Process
import android.provider.Settings

/**
 * The special permissions (policy schema 2) that Android grants on a settings page rather than in
 * the permission dialog: which page to open, and the API that tells whether the user granted it
 * (`checkSelfPermission` does not for these). Android facts only; the core decides when to ask.
 */
internal object SpecialPermissions {
    const val MANAGE_EXTERNAL_STORAGE = "android.permission.MANAGE_EXTERNAL_STORAGE"
    const val SYSTEM_ALERT_WINDOW = "android.permission.SYSTEM_ALERT_WINDOW"
    const val SCHEDULE_EXACT_ALARM = "android.permission.SCHEDULE_EXACT_ALARM"
    const val REQUEST_INSTALL_PACKAGES = "android.permission.REQUEST_INSTALL_PACKAGES"
    const val PACKAGE_USAGE_STATS = "android.permission.PACKAGE_USAGE_STATS"
    const val WRITE_SETTINGS = "android.permission.WRITE_SETTINGS"

    private val ALL =
        setOf(
            MANAGE_EXTERNAL_STORAGE,
            SYSTEM_ALERT_WINDOW,
            SCHEDULE_EXACT_ALARM,
            REQUEST_INSTALL_PACKAGES,
            PACKAGE_USAGE_STATS,
            WRITE_SETTINGS,
        )

    fun isSpecial(permission: String): Boolean = permission in ALL

    /** The settings page where the user grants [permission] to this app (null: none on this API level). */
    fun settingsIntent(
        context: Context,
        permission: String,
    ): Intent? {
        val api = Build.VERSION.SDK_INT
        val pkg = Uri.parse("package:" + context.packageName)
        val action =
            when (permission) {
                MANAGE_EXTERNAL_STORAGE -> if (api >= 30) Settings.ACTION_MANAGE_APP_ALL_FILES_ACCESS_PERMISSION else null
                SYSTEM_ALERT_WINDOW -> Settings.ACTION_MANAGE_OVERLAY_PERMISSION
                SCHEDULE_EXACT_ALARM -> if (api >= 31) Settings.ACTION_REQUEST_SCHEDULE_EXACT_ALARM else null
                REQUEST_INSTALL_PACKAGES -> if (api >= 26) Settings.ACTION_MANAGE_UNKNOWN_APP_SOURCES else null
                WRITE_SETTINGS -> Settings.ACTION_MANAGE_WRITE_SETTINGS
                // The usage-access page lists every app; it takes no package.
                PACKAGE_USAGE_STATS -> return Intent(Settings.ACTION_USAGE_ACCESS_SETTINGS)
                else -> null
            } ?: return null
        return Intent(action, pkg)
    }

    /** Whether the user granted [permission] (true on an API level where nothing needs granting). */
    fun isGranted(
        context: Context,
        permission: String,
    ): Boolean {
        val api = Build.VERSION.SDK_INT
        return when (permission) {
            MANAGE_EXTERNAL_STORAGE -> api < 30 || Environment.isExternalStorageManager()
            SYSTEM_ALERT_WINDOW -> Settings.canDrawOverlays(context)
            SCHEDULE_EXACT_ALARM ->
                api < 31 || context.getSystemService(AlarmManager::class.java)?.canScheduleExactAlarms() == true
            REQUEST_INSTALL_PACKAGES -> api < 26 || context.packageManager.canRequestPackageInstalls()
            WRITE_SETTINGS -> Settings.System.canWrite(context)
            PACKAGE_USAGE_STATS -> usageAccess(context)
            else -> false
        }
    }

    private fun usageAccess(context: Context): Boolean {
        val ops = context.getSystemService(AppOpsManager::class.java) ?: return false
        val mode =
            if (Build.VERSION.SDK_INT >= 29) {
                ops.unsafeCheckOpNoThrow(AppOpsManager.OPSTR_GET_USAGE_STATS, Process.myUid(), context.packageName)
            } else {
                @Suppress("DEPRECATION")
                ops.checkOpNoThrow(AppOpsManager.OPSTR_GET_USAGE_STATS, Process.myUid(), context.packageName)
            }
        return mode == AppOpsManager.MODE_ALLOWED
    }
}

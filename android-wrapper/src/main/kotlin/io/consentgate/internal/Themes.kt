package io.consentgate.internal

import android.app.Activity
import android.content.Context
import android.content.pm.PackageManager
import android.content.res.Configuration

/**
 * The SDK's screens follow the system's dark theme: the device's default theme, light or dark as
 * the user set it (an explicit choice per API level rather than DayNight, which needs API 29).
 */
internal object Themes {
    fun isNight(context: Context): Boolean =
        context.resources.configuration.uiMode and Configuration.UI_MODE_NIGHT_MASK == Configuration.UI_MODE_NIGHT_YES

    /** For the SDK's dialogs (AlertDialog.Builder's theme). */
    fun dialog(context: Context): Int =
        if (isNight(context)) android.R.style.Theme_DeviceDefault_Dialog_Alert else android.R.style.Theme_DeviceDefault_Light_Dialog_Alert

    /**
     * Before `super.onCreate`: the light or dark device theme, unless the app gave [activity] a
     * theme of its own in its manifest (then the app's theme is the app's choice, dark mode too).
     */
    fun applyTo(activity: Activity) {
        val declared =
            try {
                activity.packageManager.getActivityInfo(activity.componentName, 0).theme
            } catch (e: PackageManager.NameNotFoundException) {
                0
            }
        if (declared != 0) return
        activity.setTheme(if (isNight(activity)) android.R.style.Theme_DeviceDefault else android.R.style.Theme_DeviceDefault_Light)
    }
}

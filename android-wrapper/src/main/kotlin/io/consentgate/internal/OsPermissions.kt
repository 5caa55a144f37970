package io.consentgate.internal

import android.app.Activity
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build

/**
 * The only place the SDK asks Android about runtime permissions. Every question goes through
 * [guard]: before the privacy policy is accepted nothing here runs (app-store privacy scanners
 * flag a permission check or request made before consent), and a call then is an SDK bug
 * ([IllegalStateException], never silently answered).
 */
internal class OsPermissions(
    private val context: Context,
    private val policyAccepted: () -> Boolean,
) {
    private fun guard(what: String) {
        check(policyAccepted()) { "ConsentGate bug: $what before the privacy policy was accepted" }
    }

    /** The ones of [permissions] the OS grants this app now (special ones through their own API). */
    fun grantedAmong(permissions: Collection<String>): List<String> {
        guard("permission check")
        return permissions.filter {
            if (SpecialPermissions.isSpecial(it)) {
                SpecialPermissions.isGranted(context, it)
            } else {
                context.checkSelfPermission(it) == PackageManager.PERMISSION_GRANTED
            }
        }
    }

    /** Opens the settings page where the user grants the special [permission]; false if there is none. */
    fun openSpecialPage(
        activity: Activity,
        permission: String,
        requestCode: Int,
    ): Boolean {
        guard("special permission request")
        val intent = SpecialPermissions.settingsIntent(activity, permission) ?: return false
        return try {
            activity.startActivityForResult(intent, requestCode)
            true
        } catch (e: android.content.ActivityNotFoundException) {
            // Some vendor builds drop a page: the user cannot grant it here.
            false
        }
    }

    /**
     * The permissions the app's manifest requests on this device (`PackageInfo.requestedPermissions`:
     * entries above their `maxSdkVersion` are already left out), or null if the package manager
     * cannot say.
     */
    fun requestedByManifest(): List<String>? {
        guard("package query")
        return try {
            @Suppress("DEPRECATION")
            val info = context.packageManager.getPackageInfo(context.packageName, PackageManager.GET_PERMISSIONS)
            // java.util, not Kotlin's toList(): this runs at app start (see ConsentGate's lists).
            info.requestedPermissions?.let { java.util.Arrays.asList(*it) } ?: java.util.Collections.emptyList()
        } catch (e: PackageManager.NameNotFoundException) {
            null
        }
    }

    /** Asks the OS (system dialog) for [permissions] from [activity]. */
    fun request(
        activity: Activity,
        permissions: List<String>,
        requestCode: Int,
    ) {
        guard("permission request")
        activity.requestPermissions(permissions.toTypedArray(), requestCode)
    }

    /** After a denial: false means "don't ask again" (only the system settings page can grant it now). */
    fun canAskAgain(
        activity: Activity,
        permission: String,
    ): Boolean {
        guard("permission rationale query")
        return activity.shouldShowRequestPermissionRationale(permission)
    }

    /**
     * API 33+: gives [permissions] back to the OS when the app's process ends. Not a query, so
     * allowed at any time. Returns false below 33 or when the OS refused.
     */
    fun revokeOnKill(permissions: Collection<String>): Boolean {
        if (Build.VERSION.SDK_INT < 33 || permissions.isEmpty()) return false
        return try {
            context.revokeSelfPermissionsOnKill(permissions)
            true
        } catch (e: RuntimeException) {
            android.util.Log.w(LOG_TAG, "revokeSelfPermissionsOnKill failed: ${e.javaClass.simpleName}")
            false
        }
    }

    companion object {
        const val LOG_TAG = "ConsentGate"
    }
}

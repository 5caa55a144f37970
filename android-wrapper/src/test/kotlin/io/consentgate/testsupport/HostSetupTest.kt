package io.consentgate.testsupport

import android.Manifest
import android.content.pm.PackageManager
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * Guards the host test setup itself (BUILDING-HOST.md): Robolectric runs offline at every API
 * level the SDK supports, and the app it simulates is the one in src/test/AndroidManifest.xml
 * (compiled by [TestApk]), not Robolectric's empty default package.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [23, 29, 33, 34, 35])
class HostSetupTest {
    @Test
    fun testManifestIsInstalledAndItsActivityStarts() {
        val activity = Robolectric.buildActivity(TestActivity::class.java).setup().get()
        assertFalse(activity.isFinishing)

        val pm = activity.packageManager
        assertEquals("io.consentgate.test", activity.packageName)
        assertEquals("ConsentGate tests", activity.applicationInfo.loadLabel(pm).toString())
        val pkg =
            pm.getPackageInfo(
                activity.packageName,
                PackageManager.GET_ACTIVITIES or PackageManager.GET_PERMISSIONS,
            )
        assertTrue(pkg.activities!!.any { it.name == TestActivity::class.java.name })
        assertTrue(pkg.requestedPermissions!!.contains(Manifest.permission.CAMERA))
    }
}

package io.consentgate

import io.consentgate.internal.Locales
import org.junit.Assert.assertEquals
import org.junit.Test
import java.nio.file.Files
import java.util.Locale

/** The locale the wrapper records is the one the core accepts: the core decides, through JNI. */
class LocalesTest {
    @Test
    fun theFullTagIsRecordedWhenTheCoreAcceptsIt() {
        assertEquals("zh-CN", Locales.tag(Locale.SIMPLIFIED_CHINESE))
        assertEquals("en-US", Locales.tag(Locale.US))
        assertEquals("zh-Hans-CN", Locales.tag(Locale.forLanguageTag("zh-Hans-CN")))
        assertEquals("und", Locales.tag(Locale.ROOT))
    }

    @Test
    fun aTagLongerThanARecordKeepsFallsBackToItsLanguage() {
        // Regional preferences (Android 14) add Unicode extensions; this one is 80 characters.
        // The wrapper used to pass it on, and the core refused every record with it.
        val long = Locale.forLanguageTag("en-US-u-ca-gregory-co-phonebk-cu-usd-fw-mon-hc-h23-ms-metric-mu-celsius-nu-latn")
        assertEquals("en", Locales.tag(long))
        val dir = Files.createTempDirectory("locales").toFile()
        ConsentEngine.open(Fixtures.POLICY, dir).use { it.acceptPolicy(Surface.APP, Locales.tag(long)) }
        dir.deleteRecursively()
    }
}

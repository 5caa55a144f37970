package io.consentgate.api

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import java.io.File

/**
 * The public Kotlin/Java API is a contract (docs/compatibility.md): the committed dumps in
 * android-wrapper/api/ list it as Java callers see it, and this test compares them with what
 * was just compiled. A removed or changed member fails here; an addition fails too, so that
 * every change to the API is a visible diff in review. After an intended change:
 *
 *     scripts/update-api.sh        (or CONSENTGATE_BLESS=1 with this test)
 */
class PublicApiTest {
    private val base = File(System.getProperty("consentgate.basedir") ?: System.getProperty("user.dir"))
    private val loader = javaClass.classLoader

    @Test
    fun `library API matches api dump`() {
        val actual = ApiDump.render(File(base, "target/classes"), loader)
        check(File(base, "api/consentgate-android.api"), actual)
    }

    @Test
    fun `test rule API matches api dump`() {
        // The test fixtures compile into target/test-classes with the tests: keep the classes
        // whose source file is in src/testSupport.
        val supportRoot = File(base, "src/testSupport/kotlin")
        val supportSources =
            supportRoot
                .walk()
                .filter { it.isFile }
                .map {
                    it.parentFile
                        .relativeTo(supportRoot)
                        .path
                        .replace(File.separatorChar, '.') + "/" + it.name
                }.toSet()
        val actual =
            ApiDump.render(File(base, "target/test-classes"), loader) { cf ->
                cf.sourceFile != null && (cf.name.substringBeforeLast('.') + "/" + cf.sourceFile) in supportSources
            }
        assertTrue("no test rule classes found under target/test-classes", actual.contains("ConsentGateRule"))
        check(File(base, "api/consentgate-android-testing.api"), actual)
    }

    @Test
    fun `dump lists public members and leaves out internal declarations`() {
        val dump = ApiDump.render(File(base, "target/classes"), loader)
        assertTrue(dump.contains("public final boolean isAllowed(int)"))
        assertTrue(dump.contains("public final class io.consentgate.ConsentEngine implements java.lang.AutoCloseable {"))
        // `internal object Native` is a public class in bytecode; Java could name it, the API
        // does not promise it.
        assertFalse(dump.contains("io.consentgate.internal.Native "))
        // ConsentGate.startFlow is `internal` (mangled name in bytecode) and @JvmSynthetic.
        assertFalse(dump.contains("startFlow"))
    }

    @Test
    fun `a removed member is reported as a removal`() {
        val old = "class A {\n    public void a()\n    public void b()\n}\n"
        val new = "class A {\n    public void a()\n}\n"
        assertEquals(listOf("- class A: public void b()"), differences(old, new))
    }

    private fun check(
        dumpFile: File,
        actual: String,
    ) {
        if (System.getenv("CONSENTGATE_BLESS") == "1") {
            dumpFile.parentFile.mkdirs()
            dumpFile.writeText(actual)
            return
        }
        if (!dumpFile.exists()) fail("$dumpFile is missing: create it with scripts/update-api.sh")
        val expected = dumpFile.readText()
        if (expected != actual) {
            fail(
                "The public API differs from ${dumpFile.relativeTo(base.parentFile)} " +
                    "(- in the dump only, + compiled only):\n" + differences(expected, actual).joinToString("\n") +
                    "\nIf the change is intended and compatible (docs/compatibility.md), run scripts/update-api.sh " +
                    "and commit the dump with a CHANGELOG line.",
            )
        }
    }

    /** Lines only in [old] (prefixed "- ") and only in [new] ("+ "), members with their class. */
    private fun differences(
        old: String,
        new: String,
    ): List<String> {
        val a = qualified(old)
        val b = qualified(new)
        val onlyOld = a.toMutableList().apply { b.forEach { remove(it) } }
        val onlyNew = b.toMutableList().apply { a.forEach { remove(it) } }
        return onlyOld.map { "- $it" } + onlyNew.map { "+ $it" }
    }

    private fun qualified(dump: String): List<String> {
        var owner = ""
        return dump.lines().filter { it.isNotBlank() && it != "}" }.map { line ->
            if (line.startsWith("    ")) {
                "$owner: ${line.trim()}"
            } else {
                owner = line.removeSuffix(" {")
                owner
            }
        }
    }
}

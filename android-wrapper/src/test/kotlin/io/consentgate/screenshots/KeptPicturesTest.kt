package io.consentgate.screenshots

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/**
 * The kept pictures as a set (plain JVM, nothing drawn): the kept variants cover every pair of
 * values, docs/screenshots/ holds exactly the pictures the catalogue renders (no stale one left
 * behind by a renamed screen), and its index lists them.
 */
class KeptPicturesTest {
    private val dimensions: List<(Variant) -> Any> =
        listOf({ it.api }, { it.language }, { it.theme }, { it.fontScale }, { it.device })

    @Test
    fun keptVariantsShowEveryPairOfValues() {
        val missing = ArrayList<String>()
        for (i in dimensions.indices) {
            for (j in i + 1 until dimensions.size) {
                val all = Variant.ALL.map { dimensions[i](it) to dimensions[j](it) }.toSet()
                val kept = Variant.KEPT.map { dimensions[i](it) to dimensions[j](it) }.toSet()
                missing += (all - kept).map { it.toString() }
            }
        }
        assertEquals("pairs of values no kept variant shows", emptyList<String>(), missing)
    }

    @Test
    fun docsScreenshotsHoldExactlyTheRenderedPictures() {
        val expected = expectedFiles()
        val index = File(ScreenshotTest.KEPT_DIR, "README.md")
        if (ScreenshotTest.RECORD) {
            index.parentFile.mkdirs()
            index.writeText(index())
            return
        }
        val onDisk =
            ScreenshotTest.KEPT_DIR
                .walk()
                .filter { it.isFile && it.name.endsWith(".png") }
                .map { it.relativeTo(ScreenshotTest.KEPT_DIR).path }
                .toSet()
        assertEquals("kept pictures no screen renders (scripts/screenshots.sh accept removes them)", emptySet<String>(), onDisk - expected)
        assertEquals("pictures not kept yet (scripts/screenshots.sh accept)", emptySet<String>(), expected - onDisk)
        assertTrue("$index is missing", index.exists())
        assertEquals("$index is not current (scripts/screenshots.sh accept)", index(), index.readText())
    }

    private fun variantsOf(screen: Screen): List<Variant> =
        (Variant.KEPT + README_SHOTS[screen.name].orEmpty()).filter {
            it.api in
                screen.apis
        }

    private fun expectedFiles(): Set<String> = SCREENS.flatMap { s -> variantsOf(s).map { "${s.name}/${it.fileName}" } }.toSet()

    private fun index(): String =
        buildString {
            append("# Screenshots of the SDK's screens\n\n")
            append("Drawn by the real Android framework under Robolectric (native graphics) over the real core, ")
            append("by `android-wrapper/src/test/kotlin/io/consentgate/screenshots/ScreenshotTest.kt`; ")
            append("`scripts/test.sh` compares every picture here with what the code draws now and fails on a change. ")
            append("After an intended change: `scripts/screenshots.sh accept` (then look at the new pictures before committing).\n\n")
            append("File names: `api<level>-<language>-<light|dark>-font<scale>-<phone|small>-<density>.png`. ")
            append("Each screen is kept in six variants that together show every pair of values (phone 411 x 891 dp, ")
            append("small 320 x 569 dp, at mdpi); the README's pictures at xxhdpi. Every run also lays out and checks ")
            append("each screen in all 16 combinations on the small screen (nothing clipped or overlapping, TalkBack ")
            append("names, 48 dp touch targets, contrast, dark theme).\n\n")
            append("| screen | what it shows | pictures |\n|---|---|---|\n")
            for (s in SCREENS) {
                val links = variantsOf(s).joinToString(", ") { "[${it.fileName.removeSuffix(".png")}](${s.name}/${it.fileName})" }
                append("| `${s.name}` | ${s.about} | $links |\n")
            }
        }
}

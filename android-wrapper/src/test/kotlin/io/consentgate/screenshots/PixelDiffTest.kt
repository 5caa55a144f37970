package io.consentgate.screenshots

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import java.nio.file.Files

/** The comparison on made-up pictures (plain JVM); on real rendered text: [PixelDiffRenderedTest]. */
class PixelDiffTest {
    private val white = 0xFFFFFF

    /** Thin dark strokes on white, like text. */
    private fun strokes(
        shift: Int = 0,
        grey: Int = 0x202020,
    ): Pixels {
        val w = 120
        val h = 40
        val rgb = IntArray(w * h) { white }
        for (x in 10 until 110 step 7) for (y in 10 until 30) rgb[y * w + x + shift] = grey
        return Pixels(w, h, rgb)
    }

    @Test
    fun theSamePictureMatches() {
        val d = PixelDiff(strokes(), strokes())
        assertTrue(d.matches)
        assertEquals(0, d.changed.size)
    }

    @Test
    fun aOnePixelShiftAndSlightlyDifferentGreysMatch() {
        assertTrue("anti-aliasing moves an edge by a pixel", PixelDiff(strokes(), strokes(shift = 1)).matches)
        assertTrue("a grey a little lighter", PixelDiff(strokes(), strokes(grey = 0x303030)).matches)
    }

    @Test
    fun aNewMarkFailsAndIsLocated() {
        val changed = strokes()
        for (x in 60 until 64) for (y in 32 until 38) changed.rgb[y * changed.width + x] = 0x000000
        val d = PixelDiff(strokes(), changed)
        assertFalse(d.matches)
        assertEquals(24, d.changed.size)
        assertEquals("x 60..63, y 32..37", d.box())
        assertEquals(0xFF0000, d.picture()[61, 33])
    }

    @Test
    fun aDifferentSizeNeverMatches() {
        assertFalse(PixelDiff(strokes(), Pixels(121, 40, IntArray(121 * 40) { white })).matches)
    }

    @Test
    fun reducedPicturesSurviveTheRoundTripThroughPng() {
        val rgb = IntArray(64 * 64) { (it * 2654435761L).toInt() and 0xFFFFFF } // far more than 256 colours
        val reduced = Pixels(64, 64, rgb).reduced()
        assertTrue(reduced.rgb.distinct().size <= 256)
        val file = Files.createTempFile("pixels", ".png").toFile()
        try {
            reduced.writePng(file)
            assertTrue(PixelDiff(reduced, Pixels.readPng(file)).let { it.matches && it.changed.isEmpty() })
        } finally {
            file.delete()
        }
        assertEquals("reducing is deterministic", reduced.rgb.toList(), Pixels(64, 64, rgb).reduced().rgb.toList())
    }
}

package io.consentgate.screenshots

import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.view.View
import android.widget.TextView
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode

/**
 * The comparison's tolerance on text the framework really draws, at the kept pictures' density
 * (mdpi) and on a picture of a phone screen's size (so the same number of changed pixels is allowed).
 */
@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [34], qualifiers = "en-rUS-w411dp-h891dp-mdpi")
class PixelDiffRenderedTest {
    private fun draw(
        text: String,
        dx: Float = 0f,
    ): Pixels {
        val view =
            TextView(RuntimeEnvironment.getApplication()).apply {
                this.text = text
                textSize = 14f
                setTextColor(Color.BLACK)
                setBackgroundColor(Color.WHITE)
            }
        val spec = View.MeasureSpec.makeMeasureSpec(0, View.MeasureSpec.UNSPECIFIED)
        view.measure(spec, spec)
        view.layout(0, 0, 300, view.measuredHeight)
        val bitmap = Bitmap.createBitmap(411, 891, Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        canvas.drawColor(Color.WHITE)
        canvas.translate(40 + dx, 400f)
        view.draw(canvas)
        val rgb = IntArray(bitmap.width * bitmap.height)
        bitmap.getPixels(rgb, 0, bitmap.width, 0, 0, bitmap.width, bitmap.height)
        return Pixels(bitmap.width, bitmap.height, IntArray(rgb.size) { rgb[it] and 0xFFFFFF }).reduced()
    }

    @Test
    fun textMovedByLessThanAPixelMatches() {
        val d = PixelDiff(draw("Don't agree"), draw("Don't agree", dx = 0.5f))
        println("PixelDiffRenderedTest: half a pixel moved: ${d.changed.size} changed, ${d.allowed} allowed")
        assertTrue("${d.changed.size} changed of ${d.allowed} allowed", d.matches)
    }

    @Test
    fun oneLetterChangedFails() {
        for ((a, b) in listOf("Don't agree" to "Don't agrea", "Agree" to "Agrec", "同意" to "同音", "Not shared" to "Not sharod")) {
            val d = PixelDiff(draw(a), draw(b))
            assertFalse("$a vs $b: ${d.changed.size} changed, ${d.allowed} allowed", d.matches)
        }
    }
}

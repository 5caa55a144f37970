package io.consentgate.screenshots

import android.app.Activity
import android.content.res.Configuration
import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.os.Bundle
import android.view.View
import android.view.WindowManager

/** The windows on screen, bottom to top, as the window manager stacks them. */
class Capture(
    val windows: List<Shown>,
)

/** One window: its root view, and whether it is the SDK's (only those are checked). */
class Shown(
    val root: View,
    val ours: Boolean,
)

/** Where a window landed in the picture; [dims]: it darkens what is behind it (a dialog). */
class Placed(
    val shown: Shown,
    val x: Int,
    val y: Int,
    val dims: Boolean,
) {
    /** A window smaller than the screen, or dimming it: a dialog. */
    val dialog: Boolean get() = dims || x > 0 || y > 0
}

object Renderer {
    /**
     * Draws [capture] into a [width] x [height] picture the way the screen shows it: each window at
     * its place (a dialog centred), with the dim a dialog casts on what is behind it.
     */
    fun draw(
        capture: Capture,
        width: Int,
        height: Int,
    ): Pair<Pixels, List<Placed>> {
        val bitmap = Bitmap.createBitmap(width, height, Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        canvas.drawColor(Color.BLACK)
        val placed = ArrayList<Placed>()
        for (shown in capture.windows) {
            val root = shown.root
            val params = root.layoutParams as? WindowManager.LayoutParams
            val dims = params != null && params.flags and WindowManager.LayoutParams.FLAG_DIM_BEHIND != 0
            if (dims) {
                canvas.drawColor(Color.argb((params.dimAmount * 255).toInt(), 0, 0, 0))
            }
            val x = (width - root.width) / 2
            val y = (height - root.height) / 2
            canvas.save()
            canvas.translate(x.toFloat(), y.toFloat())
            root.draw(canvas)
            canvas.restore()
            placed.add(Placed(shown, x, y, dims))
        }
        val rgb = IntArray(width * height)
        bitmap.getPixels(rgb, 0, width, 0, 0, width, height)
        for (i in rgb.indices) rgb[i] = rgb[i] and 0xFFFFFF
        bitmap.recycle()
        return Pixels(width, height, rgb) to placed
    }
}

/** Stands for the app's own screen behind the SDK's dialogs; follows the system theme as a modern app does. */
class HostActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        val night = resources.configuration.uiMode and Configuration.UI_MODE_NIGHT_MASK == Configuration.UI_MODE_NIGHT_YES
        setTheme(if (night) android.R.style.Theme_DeviceDefault else android.R.style.Theme_DeviceDefault_Light_DarkActionBar)
        super.onCreate(savedInstanceState)
        title = "Example app"
    }
}

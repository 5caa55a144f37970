package io.consentgate.screenshots

import java.awt.image.BufferedImage
import java.awt.image.IndexColorModel
import java.io.File
import javax.imageio.ImageIO
import kotlin.math.abs
import kotlin.math.max

/**
 * An opaque picture as 0xRRGGBB pixels, row by row. Plain JVM (java.desktop's ImageIO), so the
 * kept PNGs are read and written the same way whatever Android level rendered them.
 */
class Pixels(
    val width: Int,
    val height: Int,
    val rgb: IntArray,
) {
    init {
        require(rgb.size == width * height) { "${rgb.size} pixels for $width x $height" }
    }

    operator fun get(
        x: Int,
        y: Int,
    ): Int = rgb[y * width + x]

    /**
     * The same picture with at most 256 colours (each channel to 4 bits, then the most frequent
     * colours; a rarer one becomes its nearest): a third of the PNG bytes of the full colours,
     * indistinguishable for text and flat surfaces. Deterministic, so an unchanged screen gives
     * the same file.
     */
    fun reduced(): Pixels {
        val fourBit = IntArray(rgb.size) { (rgb[it] and 0xF0F0F0) or ((rgb[it] shr 4) and 0x0F0F0F) }
        val counts = HashMap<Int, Int>()
        for (c in fourBit) counts.merge(c, 1, Int::plus)
        if (counts.size <= MAX_COLOURS) return Pixels(width, height, fourBit)
        val palette =
            counts.entries
                .sortedWith(compareByDescending<Map.Entry<Int, Int>> { it.value }.thenBy { it.key })
                .take(MAX_COLOURS)
                .map { it.key }
        val kept = palette.toHashSet()
        val nearest = HashMap<Int, Int>()
        val out =
            IntArray(fourBit.size) { i ->
                fourBit[i].let { c ->
                    if (c in
                        kept
                    ) {
                        c
                    } else {
                        nearest.getOrPut(c) { palette.minBy { distance(it, c) } }
                    }
                }
            }
        return Pixels(width, height, out)
    }

    /** Written as an indexed-colour PNG (call on a [reduced] picture). */
    fun writePng(file: File) {
        val colours = rgb.distinct().sorted()
        require(colours.size <= MAX_COLOURS) { "${colours.size} colours: reduce first" }
        val index = HashMap<Int, Int>(colours.size * 2)
        colours.forEachIndexed { i, c -> index[c] = i }
        val model =
            IndexColorModel(
                8,
                colours.size,
                ByteArray(colours.size) { (colours[it] shr 16).toByte() },
                ByteArray(colours.size) { (colours[it] shr 8).toByte() },
                ByteArray(colours.size) { colours[it].toByte() },
            )
        val image = BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, model)
        val raster = image.raster
        for (y in 0 until height) for (x in 0 until width) raster.setSample(x, y, 0, index.getValue(this[x, y]))
        file.parentFile?.mkdirs()
        check(ImageIO.write(image, "png", file)) { "no PNG writer" }
    }

    companion object {
        private const val MAX_COLOURS = 256

        fun readPng(file: File): Pixels {
            val image = ImageIO.read(file) ?: throw IllegalArgumentException("$file: not a PNG")
            val rgb = image.getRGB(0, 0, image.width, image.height, null, 0, image.width)
            for (i in rgb.indices) rgb[i] = rgb[i] and 0xFFFFFF
            return Pixels(image.width, image.height, rgb)
        }

        /** The largest difference of one channel (0..255). */
        fun distance(
            a: Int,
            b: Int,
        ): Int =
            max(
                abs((a shr 16 and 0xFF) - (b shr 16 and 0xFF)),
                max(abs((a shr 8 and 0xFF) - (b shr 8 and 0xFF)), abs((a and 0xFF) - (b and 0xFF))),
            )
    }
}

/** How two pictures of the same screen differ, judged so that font anti-aliasing does not count. */
class PixelDiff(
    val kept: Pixels,
    val actual: Pixels,
) {
    /** Both pictures' sizes agree; otherwise every other answer is meaningless. */
    val sameSize: Boolean = kept.width == actual.width && kept.height == actual.height

    /**
     * Pixels that changed for real: more than [TOLERANCE] apart in a channel, and not explained by
     * anti-aliasing or a sub-pixel shift, i.e. no pixel within one step in the other picture is
     * close to it (checked both ways, so a new line of text cannot hide in a neighbour's edge).
     */
    val changed: List<Int> = if (sameSize) findChanged() else emptyList()

    /** More changed pixels than anti-aliasing ever makes: [MAX_CHANGED_PER_MILLION], at least [MIN_CHANGED]. */
    val allowed: Int = max(MIN_CHANGED, (kept.width.toLong() * kept.height * MAX_CHANGED_PER_MILLION / 1_000_000).toInt())

    val matches: Boolean get() = sameSize && changed.size <= allowed

    private fun findChanged(): List<Int> {
        val out = ArrayList<Int>()
        for (y in 0 until kept.height) {
            for (x in 0 until kept.width) {
                val a = kept[x, y]
                val b = actual[x, y]
                if (Pixels.distance(a, b) <= TOLERANCE) continue
                if (near(actual, x, y, a) && near(kept, x, y, b)) continue
                out.add(y * kept.width + x)
            }
        }
        return out
    }

    private fun near(
        p: Pixels,
        x: Int,
        y: Int,
        colour: Int,
    ): Boolean {
        for (dy in -1..1) {
            for (dx in -1..1) {
                val nx = x + dx
                val ny = y + dy
                if (nx in 0 until p.width && ny in 0 until p.height && Pixels.distance(p[nx, ny], colour) <= TOLERANCE) return true
            }
        }
        return false
    }

    /** Where the changes are, for the failure message: "x..x, y..y". */
    fun box(): String {
        if (changed.isEmpty()) return "none"
        val xs = changed.map { it % kept.width }
        val ys = changed.map { it / kept.width }
        return "x ${xs.min()}..${xs.max()}, y ${ys.min()}..${ys.max()}"
    }

    /** The actual picture, faded, with every changed pixel in red: what to look at. */
    fun picture(): Pixels {
        val out = IntArray(actual.rgb.size) { fade(actual.rgb[it]) }
        for (i in changed) out[i] = 0xFF0000
        return Pixels(actual.width, actual.height, out)
    }

    private fun fade(c: Int): Int {
        val r = (c shr 16 and 0xFF) / 4 + 191
        val g = (c shr 8 and 0xFF) / 4 + 191
        val b = (c and 0xFF) / 4 + 191
        return (r shl 16) or (g shl 8) or b
    }

    companion object {
        /** Per-channel difference that is noise (colour reduction rounds by up to 8). */
        const val TOLERANCE = 24
        const val MAX_CHANGED_PER_MILLION = 10
        const val MIN_CHANGED = 8
    }
}

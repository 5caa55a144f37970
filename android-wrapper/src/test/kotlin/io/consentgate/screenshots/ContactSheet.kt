package io.consentgate.screenshots

import java.io.File

/** All variants of one screen at one API level on one picture, for a person to look over (not kept). */
object ContactSheet {
    private const val GAP = 8

    /** Columns: language x theme; rows: device x font scale. */
    fun write(
        shots: List<Pair<Variant, Pixels>>,
        file: File,
    ) {
        if (shots.isEmpty()) return
        val columns = shots.map { it.first.language to it.first.theme }.distinct()
        val rows = shots.map { it.first.device to it.first.fontScale }.distinct()
        val cellWidth = shots.maxOf { it.second.width }
        val rowHeights = rows.map { row -> shots.filter { (it.first.device to it.first.fontScale) == row }.maxOf { it.second.height } }
        val width = columns.size * (cellWidth + GAP) + GAP
        val height = rowHeights.sum() + (rows.size + 1) * GAP
        val out = IntArray(width * height) { 0x808080 }
        var top = GAP
        rows.forEachIndexed { r, row ->
            columns.forEachIndexed { c, column ->
                val shot =
                    shots.firstOrNull {
                        (it.first.device to it.first.fontScale) == row &&
                            (it.first.language to it.first.theme) == column
                    }
                if (shot != null) {
                    val p = shot.second
                    val left = GAP + c * (cellWidth + GAP)
                    for (y in 0 until p.height) System.arraycopy(p.rgb, y * p.width, out, (top + y) * width + left, p.width)
                }
            }
            top += rowHeights[r] + GAP
        }
        Pixels(width, height, out).reduced().writePng(file)
    }
}

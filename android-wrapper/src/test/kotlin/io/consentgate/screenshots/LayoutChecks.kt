package io.consentgate.screenshots

import android.graphics.Color
import android.graphics.Rect
import android.view.View
import android.view.ViewGroup
import android.widget.AbsListView
import android.widget.Button
import android.widget.CompoundButton
import android.widget.HorizontalScrollView
import android.widget.ScrollView
import android.widget.TextView
import kotlin.math.max
import kotlin.math.min
import kotlin.math.pow

/**
 * What must hold on every screen of the SDK, read from the laid-out views (not from the picture
 * alone): nothing clipped, nothing overlapping, every control named for TalkBack and big enough to
 * touch, text readable against what is drawn behind it. Each function returns the problems found,
 * one readable line each ("" when none), so a run reports all of them at once.
 */
object LayoutChecks {
    /** WCAG AA for body text. */
    private const val MIN_CONTRAST = 4.5

    /** Android's accessibility guideline for touch targets. */
    private const val MIN_TOUCH_DP = 48

    /** The checks that need only the views. */
    fun layout(root: View): List<String> {
        val views = visible(root)
        return clipped(root, views) + overlapping(views) + unnamedControls(views) + smallTargets(views)
    }

    /** Visible views, depth first (a GONE or INVISIBLE view hides its subtree). */
    fun visible(root: View): List<View> {
        val out = ArrayList<View>()

        fun walk(v: View) {
            if (v.visibility != View.VISIBLE || v.width <= 0 || v.height <= 0) return
            out.add(v)
            if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
        }
        walk(root)
        return out
    }

    private fun name(v: View): String {
        fun short(s: CharSequence) = s.toString().replace('\n', ' ').take(40)
        val text = (v as? TextView)?.text?.let { " \"${short(it)}\"" } ?: ""
        val desc = v.contentDescription?.let { " [${short(it)}]" } ?: ""
        return v.javaClass.simpleName + text + desc
    }

    /** A view's bounds in the window. */
    private fun bounds(v: View): Rect {
        val at = IntArray(2)
        v.getLocationInWindow(at)
        return Rect(at[0], at[1], at[0] + v.width, at[1] + v.height)
    }

    private fun scrolls(v: View?) = v is ScrollView || v is HorizontalScrollView || v is AbsListView

    /**
     * A view reaching outside a parent that does not scroll is cut off; a text whose lines need
     * more room than its view has, or that is ellipsized, is cut off too.
     */
    fun clipped(
        root: View,
        views: List<View>,
    ): List<String> {
        val problems = ArrayList<String>()
        for (v in views) {
            val parent = v.parent as? ViewGroup
            if (v !== root && parent != null && !scrolls(parent) && parent.clipChildren) {
                if (v.left < 0 || v.top < 0 || v.right > parent.width || v.bottom > parent.height) {
                    problems.add(
                        "clipped: ${name(
                            v,
                        )} at ${v.left},${v.top}-${v.right},${v.bottom} outside its parent ${parent.width}x${parent.height}",
                    )
                }
            }
            if (v is TextView && v.text.isNotEmpty()) {
                val layout = v.layout ?: continue
                val roomH = v.height - v.compoundPaddingTop - v.compoundPaddingBottom
                val roomW = v.width - v.compoundPaddingLeft - v.compoundPaddingRight
                if (layout.height > roomH + 1) {
                    problems.add("text cut off: ${name(v)} needs ${layout.height} px of height, has $roomH")
                }
                for (line in 0 until layout.lineCount) {
                    if (layout.getEllipsisCount(line) > 0) problems.add("text ellipsized: ${name(v)} line $line")
                    if (!v.isHorizontallyScrollable() && layout.getLineMax(line) > roomW + 1) {
                        problems.add("text cut off: ${name(v)} line $line is ${layout.getLineMax(line)} px wide, has $roomW")
                    }
                }
            }
        }
        return problems
    }

    private fun View.isHorizontallyScrollable(): Boolean =
        (this as? TextView)?.let { it.canScrollHorizontally(1) || it.canScrollHorizontally(-1) } ?: false

    /** No two pieces of text or controls share pixels. */
    fun overlapping(views: List<View>): List<String> {
        val leaves = views.filter { it is TextView && (it.text.isNotEmpty() || it is CompoundButton) }
        // Only the parts on screen: what a scroll view has moved out of sight is not drawn.
        val shown = leaves.associateWith { v -> Rect().takeIf { v.getGlobalVisibleRect(it) } }
        val problems = ArrayList<String>()
        for (i in leaves.indices) {
            val a = shown[leaves[i]] ?: continue
            for (j in i + 1 until leaves.size) {
                val b = shown[leaves[j]] ?: continue
                if (Rect.intersects(a, b) && !contains(leaves[i], leaves[j]) && !contains(leaves[j], leaves[i])) {
                    problems.add("overlap: ${name(leaves[i])} $a and ${name(leaves[j])} $b")
                }
            }
        }
        return problems
    }

    private fun contains(
        ancestor: View,
        v: View,
    ): Boolean {
        var p = v.parent
        while (p != null) {
            if (p === ancestor) return true
            p = p.parent
        }
        return false
    }

    /** Every switch and button tells TalkBack what it is for, and no two say the same. */
    fun unnamedControls(views: List<View>): List<String> {
        val controls = views.filter { it is CompoundButton || it is Button }
        val problems = ArrayList<String>()
        for (c in controls) {
            if (c.contentDescription.isNullOrBlank()) problems.add("no content description: ${name(c)}")
        }
        controls
            .mapNotNull { it.contentDescription?.toString() }
            .groupBy { it }
            .filter { it.value.size > 1 }
            .forEach { problems.add("${it.value.size} controls share the content description \"${it.key}\"") }
        return problems
    }

    /** A dialog shows every one of its buttons whole: none scrolled out of sight (e.g. "Don't agree" below "Agree"). */
    fun hiddenButtons(root: View): List<String> =
        visible(root).filter { it is Button && it !is CompoundButton }.mapNotNull { b ->
            val r = Rect()
            if (b.getGlobalVisibleRect(r) &&
                r.width() >= b.width &&
                r.height() >= b.height
            ) {
                null
            } else {
                "button not fully on screen: ${name(b)}"
            }
        }

    /** Whatever reacts to a tap is at least 48 x 48 dp. */
    fun smallTargets(views: List<View>): List<String> {
        val problems = ArrayList<String>()
        for (v in views) {
            if (!v.isClickable || !v.isEnabled) continue
            val min = MIN_TOUCH_DP * v.resources.displayMetrics.density - 0.5f
            if (v.width < min || v.height < min) {
                val d = v.resources.displayMetrics.density
                problems.add("touch target ${"%.0f".format(v.width / d)} x ${"%.0f".format(v.height / d)} dp: ${name(v)}")
            }
        }
        return problems
    }

    /**
     * Each enabled text's colour against the colour drawn most often behind it in [picture] (where
     * the window sits at [offsetX], [offsetY]): contrast at least 4.5:1.
     */
    fun unreadable(
        views: List<View>,
        picture: Pixels,
        offsetX: Int,
        offsetY: Int,
    ): List<String> {
        val problems = ArrayList<String>()
        for (v in views) {
            if (v !is TextView || v.text.isEmpty() || v is CompoundButton || !v.isEnabled) continue
            val r = bounds(v)
            r.offset(offsetX, offsetY)
            val background = dominant(picture, r) ?: continue
            val text = blend(v.currentTextColor, background)
            val ratio = contrast(text, background)
            if (ratio < MIN_CONTRAST) {
                problems.add("contrast ${"%.1f".format(ratio)}:1 (text #%06X on #%06X): ${name(v)}".format(text, background))
            }
        }
        return problems
    }

    /**
     * The surfaces behind the window's text follow the system theme: dark in night mode, light in
     * day mode (relative luminance below 0.2, or above 0.5).
     */
    fun followsTheme(
        root: View,
        picture: Pixels,
        offsetX: Int,
        offsetY: Int,
        dark: Boolean,
    ): List<String> {
        val wrong =
            visible(root).filter { v ->
                if (v !is TextView || v.text.isEmpty()) return@filter false
                val r = bounds(v)
                r.offset(offsetX, offsetY)
                val background = dominant(picture, r) ?: return@filter false
                if (dark) luminance(background) > 0.2 else luminance(background) < 0.5
            }
        if (wrong.isEmpty()) return emptyList()
        return listOf(
            "${wrong.size} texts on a ${if (dark) "light" else "dark"} surface in ${if (dark) "dark" else "light"} mode, e.g. ${name(
                wrong[0],
            )}",
        )
    }

    private fun dominant(
        p: Pixels,
        r: Rect,
    ): Int? {
        val counts = HashMap<Int, Int>()
        for (y in max(
            0,
            r.top,
        ) until min(p.height, r.bottom)) {
            for (x in max(0, r.left) until min(p.width, r.right)) counts.merge(p[x, y], 1, Int::plus)
        }
        return counts.maxByOrNull { it.value }?.key
    }

    private fun blend(
        argb: Int,
        under: Int,
    ): Int {
        val a = Color.alpha(argb) / 255.0

        fun ch(shift: Int) = ((argb shr shift and 0xFF) * a + (under shr shift and 0xFF) * (1 - a)).toInt()
        return (ch(16) shl 16) or (ch(8) shl 8) or ch(0)
    }

    /** Relative luminance (WCAG 2). */
    fun luminance(rgb: Int): Double {
        fun ch(shift: Int): Double {
            val c = (rgb shr shift and 0xFF) / 255.0
            return if (c <= 0.03928) c / 12.92 else ((c + 0.055) / 1.055).pow(2.4)
        }
        return 0.2126 * ch(16) + 0.7152 * ch(8) + 0.0722 * ch(0)
    }

    fun contrast(
        a: Int,
        b: Int,
    ): Double {
        val la = luminance(a)
        val lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }
}

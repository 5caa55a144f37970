package io.consentgate.internal

import android.app.Activity
import android.graphics.Color
import android.graphics.Typeface
import android.util.TypedValue
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.FrameLayout
import android.widget.LinearLayout
import android.widget.TextView
import io.consentgate.Rationale

/**
 * The purpose on screen while Android's permission dialog is up: a panel at the top of the
 * request activity's own window (framework views, so no overlay permission), shown from the
 * `requestPermissions` call until Android answers. App stores in China reject apps whose
 * permission purpose disappears when the system dialog appears.
 *
 * Text sizes are in sp and the panel wraps its content, so it grows with the user's font size;
 * its colours follow the system's light or dark theme, like the SDK's other screens.
 */
internal object RequestBanner {
    /** The banner view's tag (tests and screenshots find it by this). */
    const val TAG = "io.consentgate.request_banner"

    /** Shows the banner for [r] in [activity]'s window (replacing one already shown). */
    fun show(
        activity: Activity,
        r: Rationale,
        s: UiStrings,
    ) {
        hide(activity)
        val density = activity.resources.displayMetrics.density
        val night = Themes.isNight(activity)
        val foreground = if (night) Color.rgb(0xE8, 0xEA, 0xED) else Color.rgb(0x20, 0x21, 0x24)

        fun dp(v: Int) = (v * density).toInt()

        fun text(
            value: String,
            sp: Float,
            bold: Boolean = false,
        ) = TextView(activity).apply {
            this.text = value
            setTextSize(TypedValue.COMPLEX_UNIT_SP, sp)
            setTextColor(foreground)
            if (bold) setTypeface(typeface, Typeface.BOLD)
            setPadding(0, dp(2), 0, dp(2))
        }
        val panel =
            LinearLayout(activity).apply {
                tag = TAG
                orientation = LinearLayout.VERTICAL
                setBackgroundColor(if (night) Color.rgb(0x20, 0x21, 0x24) else Color.WHITE)
                elevation = dp(6).toFloat()
                setPadding(dp(20), dp(32), dp(20), dp(16))
                // Read out by TalkBack as one piece while the system dialog has the focus.
                importantForAccessibility = View.IMPORTANT_FOR_ACCESSIBILITY_YES
            }
        panel.addView(text(s.bannerTitle, 14f, bold = true))
        panel.addView(text(r.description, 16f))
        panel.addView(text(labelled(s.rationaleUses, r.permissions.joinToString(s.listSeparator) { it.label }), 14f))
        val shared =
            if (r.recipients.isEmpty()) {
                s.rationaleNotShared
            } else {
                labelled(s.rationaleSharedWith, r.recipients.joinToString(s.listSeparator) { s.recipient(it.name, it.data) })
            }
        panel.addView(text(shared, 14f))
        panel.contentDescription = (0 until panel.childCount).joinToString("\n") { (panel.getChildAt(it) as TextView).text }
        activity.addContentView(
            panel,
            FrameLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT, Gravity.TOP),
        )
    }

    /** "Label: value"; a full-width colon (zh-CN "：") carries its own space, so none is added after it. */
    private fun labelled(
        label: String,
        value: String,
    ): String = if (label.endsWith('：')) label + value else "$label $value"

    /** Removes the banner from [activity]'s window, if it is there. */
    fun hide(activity: Activity) {
        val banner = activity.window?.decorView?.findViewWithTag<View>(TAG) ?: return
        (banner.parent as? ViewGroup)?.removeView(banner)
    }
}

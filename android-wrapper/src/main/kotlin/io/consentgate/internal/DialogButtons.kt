package io.consentgate.internal

import android.app.AlertDialog
import android.view.View

/** What the SDK's dialogs need beyond AlertDialog's defaults (call after `show()`). */
internal object DialogButtons {
    private val BUTTONS = intArrayOf(AlertDialog.BUTTON_POSITIVE, AlertDialog.BUTTON_NEGATIVE, AlertDialog.BUTTON_NEUTRAL)

    /** TalkBack reads each button with what it is for: "Agree: Find stores near you". */
    fun describe(
        dialog: AlertDialog,
        describe: (label: String) -> String,
    ) {
        for (which in BUTTONS) {
            val button = dialog.getButton(which) ?: continue
            if (button.text.isNullOrEmpty()) continue
            button.contentDescription = describe(button.text.toString())
        }
    }

    /**
     * With large text on a narrow screen AlertDialog stacks its buttons and, short of room, shows
     * only the first one and lets the others scroll out of sight: the refusal would hide below the
     * consent. Making the whole button bar the button panel's minimum height keeps every button
     * on screen; the message scrolls instead. (The button panel is the bar's parent in every
     * framework version's layout; if not, nothing changes.)
     */
    fun keepAllVisible(dialog: AlertDialog) {
        val bar = dialog.getButton(AlertDialog.BUTTON_POSITIVE)?.parent as? View ?: return
        val panel = bar.parent as? View ?: return
        bar.addOnLayoutChangeListener { _, _, top, _, bottom, _, _, _, _ ->
            val needed = bottom - top + panel.paddingTop + panel.paddingBottom
            if (panel.minimumHeight != needed) {
                panel.minimumHeight = needed
                panel.post { panel.requestLayout() }
            }
        }
    }
}

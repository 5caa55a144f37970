package io.consentgate

import android.app.Activity
import android.os.Bundle
import android.text.Html
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import io.consentgate.internal.DocumentStrings
import io.consentgate.internal.DocumentStringsFor
import io.consentgate.internal.Locales
import io.consentgate.internal.Themes
import java.io.IOException
import java.text.DateFormat
import java.util.Date

/**
 * The read-only screens reachable from the settings screen (policy schema 2): the privacy
 * policy's text from the app's assets, the collection and sharing lists drawn from the policy
 * file, and the user's own consent history from the journal. Framework views built in code, in
 * the user's language; each block carries a tag (`consentgate:doc:...`) for tests.
 */
public class ConsentDocumentActivity : Activity() {
    private lateinit var column: LinearLayout

    override fun onCreate(savedInstanceState: Bundle?) {
        Themes.applyTo(this)
        super.onCreate(savedInstanceState)
        val gate = ConsentGate.getOrNull() ?: return finish()
        val s = DocumentStringsFor.of(Locales.of(this))
        val pad = dp(16)
        column =
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(pad, pad, pad, pad)
            }
        setContentView(ScrollView(this).apply { addView(column) })
        try {
            when (intent.getStringExtra(EXTRA_MODE)) {
                MODE_LISTS -> showLists(gate, s)
                MODE_HISTORY -> showHistory(gate, s)
                MODE_POLICY_TEXT -> showPolicyText(gate, s)
                else -> finish()
            }
        } catch (e: ConsentGateException) {
            // Storage trouble: say so rather than show a partial (or an empty) history.
            text(s.unreadable, BODY).tag = "consentgate:doc:error"
        }
    }

    private fun showLists(
        gate: ConsentGate,
        s: DocumentStrings,
    ) {
        title = s.listsTitle
        val lists = gate.complianceLists()
        heading(s.collectionTitle, "consentgate:doc:collection")
        for (row in lists.collection) {
            val permissions = if (row.permissions.isEmpty()) s.none else row.permissions.joinToString("、") { it.label }
            block(
                "consentgate:doc:collection:${row.purposeId}",
                row.purpose,
                s.information + row.information,
                s.whenCollected + row.whenCollected,
                s.permission + permissions,
            )
        }
        heading(s.sharingTitle, "consentgate:doc:sharing")
        if (lists.sharing.isEmpty()) text(s.none, BODY)
        for (row in lists.sharing) {
            block(
                "consentgate:doc:sharing:${row.purposeId}:${row.recipient}",
                row.recipient,
                *listOfNotNull(
                    row.company?.let { s.company + it },
                    s.information + row.information,
                    row.purpose,
                    s.whenCollected + row.whenShared,
                    row.link?.let { s.rules + it },
                ).toTypedArray(),
            )
        }
    }

    private fun showHistory(
        gate: ConsentGate,
        s: DocumentStrings,
    ) {
        title = s.history
        // The action bar shows the title; a theme without one gets it as a heading instead.
        if (actionBar == null) heading(s.history, "consentgate:doc:history")
        val rows = gate.consentHistory()
        if (rows.isEmpty()) text(s.noHistory, BODY)
        val format = DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT, Locales.of(this))
        val separator = if (Locales.of(this).language == "zh") "：" else ": "
        rows.forEachIndexed { i, row ->
            val what = row.purpose ?: row.purposeId
            block("consentgate:doc:history:$i", s.event(row.event) + (what?.let { separator + it } ?: ""), format.format(Date(row.timeMs)))
        }
    }

    private fun showPolicyText(
        gate: ConsentGate,
        s: DocumentStrings,
    ) {
        title = s.privacyPolicy
        val asset = gate.privacyPolicyText()?.asset
        val body =
            asset?.let {
                try {
                    assets.open(it).bufferedReader().use { r -> r.readText() }
                } catch (e: IOException) {
                    null
                }
            }
        val view = text(s.noPolicyText, BODY).apply { tag = "consentgate:doc:policy" }
        if (body != null) {
            view.text =
                if (asset.endsWith(".html") || asset.endsWith(".htm")) Html.fromHtml(body, Html.FROM_HTML_MODE_LEGACY) else body
        }
    }

    private fun heading(
        text: String,
        tag: String,
    ) {
        column.addView(
            TextView(this).apply {
                setTextAppearance(android.R.style.TextAppearance_Material_Title)
                this.text = text
                this.tag = tag
                setPadding(0, dp(12), 0, dp(4))
            },
        )
    }

    private fun block(
        tag: String,
        title: String,
        vararg lines: String,
    ) {
        val box =
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                this.tag = tag
                setPadding(0, dp(8), 0, dp(8))
            }
        box.addView(
            TextView(this).apply {
                setTextAppearance(android.R.style.TextAppearance_Material_Subhead)
                text = title
            },
        )
        for (line in lines) {
            box.addView(
                TextView(this).apply {
                    setTextAppearance(BODY)
                    text = line
                },
            )
        }
        column.addView(box)
    }

    /** Text in one of the theme's text appearances (primary text colour: readable in light and dark). */
    private fun text(
        text: String,
        appearance: Int,
    ): TextView =
        TextView(this)
            .apply {
                setTextAppearance(appearance)
                this.text = text
            }.also { column.addView(it) }

    private fun dp(v: Int): Int = (v * resources.displayMetrics.density).toInt()

    internal companion object {
        private const val BODY = android.R.style.TextAppearance_Material_Body1
        const val EXTRA_MODE = "io.consentgate.extra.DOCUMENT"
        const val MODE_LISTS = "lists"
        const val MODE_HISTORY = "history"
        const val MODE_POLICY_TEXT = "policy_text"
    }
}

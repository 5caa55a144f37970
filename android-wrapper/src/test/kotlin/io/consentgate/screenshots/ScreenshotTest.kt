package io.consentgate.screenshots

import android.app.Activity
import android.content.Intent
import android.os.Build
import android.view.View
import android.widget.ScrollView
import android.widget.Switch
import io.consentgate.Actor
import io.consentgate.ConsentDocumentActivity
import io.consentgate.ConsentGate
import io.consentgate.ConsentSettingsActivity
import io.consentgate.Fixtures.BACKGROUND
import io.consentgate.Fixtures.CAMERA
import io.consentgate.Fixtures.COARSE
import io.consentgate.Fixtures.FINE
import io.consentgate.Fixtures.READ_CONTACTS
import io.consentgate.Fixtures.READ_MEDIA_IMAGES
import io.consentgate.Fixtures.READ_STORAGE
import io.consentgate.Surface
import io.consentgate.android.GateTest
import io.consentgate.android.clearDialogs
import io.consentgate.android.settingsSwitch
import org.json.JSONObject
import org.junit.After
import org.junit.Assert.assertNotNull
import org.junit.Assert.fail
import org.junit.Assume.assumeTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.ParameterizedRobolectricTestRunner
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import org.robolectric.shadows.ShadowDialog
import java.io.File
import java.util.TimeZone

/**
 * Every screen of [SCREENS] in every [Variant] at API 29 and 34, drawn by the real framework
 * (Robolectric's native graphics) over the real core:
 * - each variant is checked from its laid-out views ([LayoutChecks]): nothing clipped or
 *   overlapping (font scale 2.0 on the small screen included), every switch and button named for
 *   TalkBack, touch targets of 48 dp, readable text on backgrounds that follow the system theme;
 * - the [Variant.KEPT] and README variants are compared with the pictures kept in
 *   docs/screenshots/ ([PixelDiff]: anti-aliasing tolerated, a changed word is not).
 *
 * `-Dconsentgate.screenshots=record` writes the kept pictures instead of comparing
 * (`scripts/screenshots.sh accept`). Every run leaves what it drew in target/screenshots/: the
 * pictures, a contact sheet per screen and API level, and for each mismatch a picture of the change.
 */
@RunWith(ParameterizedRobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [29, 34])
class ScreenshotTest(
    private val screen: Screen,
) : GateTest(),
    Stage {
    private val controllers = ArrayList<ActivityController<*>>()
    private var defaultZone: TimeZone? = null
    private var journals = 0

    @Before
    fun fixTimeZone() {
        defaultZone = TimeZone.getDefault()
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Shanghai"))
    }

    @After
    fun restoreTimeZone() {
        defaultZone?.let { TimeZone.setDefault(it) }
    }

    @Test
    fun looksRightInEveryVariant() {
        val api = Build.VERSION.SDK_INT
        assumeTrue("${screen.name} does not exist at API $api", api in screen.apis)
        val kept = Variant.KEPT.toSet() + README_SHOTS[screen.name].orEmpty()
        val variants = (Variant.CHECKED + README_SHOTS[screen.name].orEmpty()).filter { it.api == api }
        val problems = ArrayList<String>()
        val sheet = ArrayList<Pair<Variant, Pixels>>()
        for (variant in variants) {
            val (picture, found) = render(variant)
            problems += found.map { "$variant: $it" }
            if (variant.density == Density.MDPI) sheet.add(variant to picture)
            if (variant in kept) compare(variant, picture)?.let { problems.add("$variant: $it") }
        }
        ContactSheet.write(sheet, File(OUT, "sheets/${screen.name}-api$api.png"))
        if (problems.isNotEmpty()) fail("${screen.name} at API $api, ${problems.size} problems:\n" + problems.joinToString("\n"))
    }

    /** Draws [variant] and checks the SDK's windows in it. */
    private fun render(variant: Variant): Pair<Pixels, List<String>> {
        RuntimeEnvironment.setQualifiers(variant.qualifiers)
        RuntimeEnvironment.setFontScale(variant.fontScale)
        val capture = screen.show(this)
        idle()
        val metrics =
            capture.windows
                .first()
                .root.resources.displayMetrics
        val (picture, placed) = Renderer.draw(capture, metrics.widthPixels, metrics.heightPixels)
        val problems = ArrayList<String>()
        placed.forEachIndexed { i, p ->
            if (!p.shown.ours) return@forEachIndexed
            val root = p.shown.root
            problems += LayoutChecks.layout(root)
            if (p.dialog) problems += LayoutChecks.hiddenButtons(root)
            if (p.x < 0 || p.y < 0) problems.add("a window of ${root.width} x ${root.height} px does not fit the screen")
            // Colours are judged where they are seen undimmed: not under a dialog.
            if (placed.drop(i + 1).none { it.dims }) {
                problems += LayoutChecks.unreadable(LayoutChecks.visible(root), picture, p.x, p.y)
                problems += LayoutChecks.followsTheme(root, picture, p.x, p.y, dark = variant.theme == Theme.DARK)
            }
        }
        tearDown()
        return picture to problems
    }

    /** Compares with the kept picture (or keeps it, when recording); the mismatch, or null. */
    private fun compare(
        variant: Variant,
        picture: Pixels,
    ): String? {
        val relative = "${screen.name}/${variant.fileName}"
        val reduced = picture.reduced()
        reduced.writePng(File(OUT, relative))
        val keptFile = File(KEPT_DIR, relative)
        if (RECORD) {
            reduced.writePng(keptFile)
            return null
        }
        if (!keptFile.exists()) return "no kept picture $keptFile (scripts/screenshots.sh accept keeps the new ones)"
        val diff = PixelDiff(Pixels.readPng(keptFile), reduced)
        if (diff.matches) return null
        val where = File(OUT, "diff/$relative")
        diff.picture().reduced().writePng(where)
        return if (!diff.sameSize) {
            "size ${picture.width} x ${picture.height}, kept ${diff.kept.width} x ${diff.kept.height}: see $where"
        } else {
            "${diff.changed.size} pixels changed (${diff.allowed} allowed) at ${diff.box()}: see $where; " +
                "if intended, scripts/screenshots.sh accept"
        }
    }

    private fun tearDown() {
        ShadowDialog.getShownDialogs().filter { it.isShowing }.forEach { it.dismiss() }
        for (c in controllers.asReversed()) {
            try {
                c.pause().stop().destroy()
            } catch (e: IllegalStateException) {
                // already finished by the flow
            }
        }
        controllers.clear()
        ConsentGate.getOrNull()?.close()
        idle()
    }

    // ---- Stage ---------------------------------------------------------------------------------

    private fun freshGate(
        json: String,
        dir: File,
    ): ConsentGate = initGate(json, dir).also { it.engineForSdk.setClockFixed(NOW_MS) }

    override fun gate(accepted: Boolean): ConsentGate {
        ConsentGate.getOrNull()?.close()
        clearDialogs()
        shadowOf(app).denyPermissions(*ALL_PERMISSIONS)
        return freshGate(policyJson(), tmp.newFolder("journal-${journals++}")).also { if (accepted) it.acceptPrivacyPolicy() }
    }

    override fun grantPermissions(vararg permissions: String) {
        shadowOf(app).grantPermissions(*permissions)
        ConsentGate.getOrNull()?.refresh()
    }

    override fun revokePermissions(vararg permissions: String) {
        shadowOf(app).denyPermissions(*permissions)
        ConsentGate.getOrNull()?.refresh()
    }

    override fun staleConsent(purposeId: String): ConsentGate {
        val dir = gate().journalDir
        ConsentGate.get().engineForSdk.grant(purposeId, io.consentgate.Surface.RATIONALE_DIALOG, "zh-CN")
        ConsentGate.get().close()
        val policy = JSONObject(policyJson())
        val purposes = policy.getJSONArray("purposes")
        val current = (0 until purposes.length()).map { purposes.getJSONObject(it) }.single { it.getString("id") == purposeId }
        val description = current.getJSONObject("description")
        for (tag in description.keys()) description.put(tag, description.getString(tag) + " (v2)")
        return freshGate(policy.toString(), dir)
    }

    override fun breakJournal(): ConsentGate {
        val dir = gate().journalDir
        ConsentGate.get().close()
        val journal = File(dir, "consent.journal")
        check(journal.delete() && journal.mkdir()) { "could not replace $journal by a folder" }
        return freshGate(policyJson(), dir)
    }

    override fun settings(then: (Activity) -> Unit): Capture {
        val controller = Robolectric.buildActivity(ConsentSettingsActivity::class.java).setup()
        controllers.add(controller)
        val activity = controller.get()
        then(activity)
        idle()
        val dialogs = ShadowDialog.getShownDialogs().filter { it.isShowing }.map { Shown(it.window!!.decorView.rootView, ours = true) }
        return Capture(listOf(Shown(activity.window.decorView.rootView, ours = true)) + dialogs)
    }

    override fun rationale(purposeId: String): Capture = requestScreen(purposeId, agree = false)

    override fun systemRequest(purposeId: String): Capture = requestScreen(purposeId, agree = true)

    /** A feature request for [purposeId] over the app's screen: the rationale, or after [agree] what is shown while Android asks. */
    private fun requestScreen(
        purposeId: String,
        agree: Boolean,
    ): Capture {
        val gate = ConsentGate.get()
        val hostController = Robolectric.buildActivity(HostActivity::class.java).setup()
        controllers.add(hostController)
        val host = hostController.get()
        gate.request(host, purposeId) {}
        idle()
        val intent = startedRequest(host)
        assertNotNull("a request activity was started for $purposeId", intent)
        val request = launch(intent!!)
        controllers.add(request)
        idle()
        val dialog = latestDialog()
        assertNotNull("the rationale dialog is shown for $purposeId", dialog)
        val below =
            listOf(
                Shown(host.window.decorView.rootView, ours = false),
                Shown(
                    request
                        .get()
                        .window.decorView.rootView,
                    ours = true,
                ),
            )
        if (!agree) return Capture(below + Shown(dialog!!.window!!.decorView.rootView, ours = true))
        clickAgree(dialog!!)
        assertNotNull("Android is asked for $purposeId", requested(request.get()))
        return Capture(below)
    }

    override fun history(): ConsentGate {
        val gate = gate(accepted = false)
        val engine = gate.engineForSdk

        fun daysAgo(days: Double) = engine.setClockFixed(NOW_MS - (days * DAY_MS).toLong())
        daysAgo(30.0)
        gate.acceptPrivacyPolicy()
        daysAgo(12.0)
        engine.grant("feedback_photo", Surface.RATIONALE_DIALOG, "zh-CN")
        daysAgo(3.0)
        engine.deny("import_contacts_to_dial", Surface.RATIONALE_DIALOG, "zh-CN")
        daysAgo(0.5)
        gate.withdraw("feedback_photo", Surface.SETTINGS_SCREEN, Actor.USER)
        engine.setClockFixed(NOW_MS)
        return gate
    }

    override fun document(
        mode: String,
        then: (Activity) -> Unit,
    ): Capture {
        val intent = Intent(app, ConsentDocumentActivity::class.java).putExtra(ConsentDocumentActivity.EXTRA_MODE, mode)
        val controller = Robolectric.buildActivity(ConsentDocumentActivity::class.java, intent).setup()
        controllers.add(controller)
        val activity = controller.get()
        idle()
        then(activity)
        idle()
        return Capture(listOf(Shown(activity.window.decorView.rootView, ours = true)))
    }

    override fun scrollTo(
        screen: Activity,
        tag: String,
    ) {
        idle()
        val target = screen.window.decorView.findViewWithTag<View>(tag) ?: throw AssertionError("no view tagged $tag")
        var scroll: View? = target
        var top = 0
        while (scroll != null && scroll !is ScrollView) {
            top += scroll.top
            scroll = scroll.parent as? View
        }
        (scroll as? ScrollView ?: throw AssertionError("$tag is not in a scroll view")).scrollTo(0, top)
    }

    override fun tap(
        screen: Activity,
        tag: String,
    ) {
        idle()
        val target = screen.window.decorView.findViewWithTag<View>(tag) ?: throw AssertionError("no view tagged $tag")
        check(target.performClick()) { "$tag does not react to a tap" }
    }

    override fun switchOf(
        screen: Activity,
        purposeId: String,
    ): Switch = settingsSwitch(screen, purposeId)

    companion object {
        /** 2026-03-02 09:30 UTC: a fixed clock, so that dates on screen do not change between runs. */
        const val NOW_MS = 1_772_443_800_000L
        private const val DAY_MS = 24 * 60 * 60 * 1000L

        private val ALL_PERMISSIONS = arrayOf(CAMERA, COARSE, FINE, BACKGROUND, READ_STORAGE, READ_MEDIA_IMAGES, READ_CONTACTS)

        val RECORD: Boolean = System.getProperty("consentgate.screenshots") == "record"

        /** docs/screenshots/ of the repository (the tests run in android-wrapper/). */
        val KEPT_DIR: File = File(System.getProperty("consentgate.screenshots.dir") ?: "../docs/screenshots").absoluteFile

        val OUT: File = File("target/screenshots").absoluteFile

        @JvmStatic
        @ParameterizedRobolectricTestRunner.Parameters(name = "{0}")
        fun screens(): List<Array<Any>> {
            // -Dconsentgate.screenshots.only=name,name: just those screens (while working on one).
            val only = System.getProperty("consentgate.screenshots.only")?.split(',')?.toSet()
            return SCREENS.filter { only == null || it.name in only }.map { arrayOf<Any>(it) }
        }
    }
}

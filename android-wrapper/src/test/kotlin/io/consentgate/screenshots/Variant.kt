package io.consentgate.screenshots

/** The language the device is set to: the SDK's two built-in languages. */
enum class Language(
    val tag: String,
    val qualifier: String,
) {
    ZH_CN("zh-CN", "zh-rCN"),
    EN("en", "en-rUS"),
}

enum class Theme(
    val label: String,
    val qualifier: String?,
) {
    LIGHT("light", null),
    DARK("dark", "night"),
}

/** A common phone (411 x 891 dp) and a small one (320 x 569 dp, the narrowest Android allows). */
enum class Device(
    val label: String,
    val qualifier: String,
) {
    PHONE("phone", "w411dp-h891dp"),
    SMALL("small", "w320dp-h569dp"),
}

/** Pixels per dp: the bulk is kept at mdpi (1x) to keep the repository small; the README's at xxhdpi (3x). */
enum class Density(
    val qualifier: String,
) {
    MDPI("mdpi"),
    XXHDPI("xxhdpi"),
}

/** One way a user sees a screen: API level, language, theme, text size and screen. */
data class Variant(
    val api: Int,
    val language: Language,
    val theme: Theme,
    val fontScale: Float,
    val device: Device,
    val density: Density = Density.MDPI,
) {
    /** Robolectric's resource qualifiers (font scale is set apart: it is not a qualifier). */
    val qualifiers: String
        get() = listOfNotNull(language.qualifier, device.qualifier, theme.qualifier, density.qualifier).joinToString("-")

    /** The kept file's name: what it shows. */
    val fileName: String
        get() = "api$api-${language.tag}-${theme.label}-font${"%.1f".format(
            java.util.Locale.ROOT,
            fontScale,
        )}-${device.label}-${density.qualifier}.png"

    override fun toString(): String = fileName.removeSuffix(".png")

    companion object {
        val APIS = listOf(29, 34)
        val FONT_SCALES = listOf(1.0f, 2.0f)

        /** Every combination of the five dimensions (32). */
        val ALL: List<Variant> =
            APIS.flatMap { api ->
                Language.entries.flatMap { language ->
                    Theme.entries.flatMap { theme ->
                        FONT_SCALES.flatMap { scale -> Device.entries.map { device -> Variant(api, language, theme, scale, device) } }
                    }
                }
            }

        /**
         * The combinations kept as pictures for every screen: six in which every pair of values of
         * any two dimensions appears (a pairwise covering, [KeptVariantsTest] checks it), so each
         * language is seen in each theme, at each text size, on each screen and at each API level,
         * without keeping all 32 of every screen in git.
         */
        val KEPT: List<Variant> =
            listOf(
                Variant(34, Language.ZH_CN, Theme.LIGHT, 1.0f, Device.PHONE),
                Variant(34, Language.EN, Theme.LIGHT, 1.0f, Device.PHONE),
                Variant(29, Language.ZH_CN, Theme.LIGHT, 2.0f, Device.SMALL),
                Variant(29, Language.ZH_CN, Theme.DARK, 1.0f, Device.SMALL),
                Variant(29, Language.EN, Theme.DARK, 2.0f, Device.PHONE),
                Variant(34, Language.EN, Theme.DARK, 2.0f, Device.SMALL),
            )

        /**
         * Laid out and checked in every run (theme, clipping, overlap, TalkBack, touch targets):
         * every combination on the small screen, where text runs out of room first, and the kept
         * ones (which include the phone in both languages, themes and font scales). 19 of the 32:
         * the other phone variants add run time, not findings.
         */
        val CHECKED: List<Variant> by lazy { (ALL.filter { it.device == Device.SMALL } + KEPT).distinct() }

        /** Full-resolution pictures for the README (phone, API 34). */
        fun readme(
            language: Language,
            theme: Theme,
            fontScale: Float = 1.0f,
        ) = Variant(34, language, theme, fontScale, Device.PHONE, Density.XXHDPI)
    }
}

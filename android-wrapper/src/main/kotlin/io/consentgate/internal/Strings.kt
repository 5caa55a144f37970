package io.consentgate.internal

import android.content.Context
import android.os.Build
import java.util.Locale

/**
 * The SDK's own UI text, in Chinese (zh, written for zh-CN) and English (everything else).
 *
 * Kept in Kotlin rather than `res/values*`: the host build (Maven) compiles no Android resources and
 * makes no `R` class, and keeping the text here means the AAR ships no resources that could clash
 * with the app's. The purpose descriptions and permission labels come from the policy and the
 * native core, in the same locale.
 */
internal class UiStrings(
    val rationaleTitle: String,
    val rationaleUses: String,
    val rationaleSharedWith: String,
    val rationaleNotShared: String,
    val rationaleWithdrawHint: String,
    val agree: String,
    val disagree: String,
    val settingsTitle: String,
    val settingsIntro: String,
    val settingsUses: String,
    val settingsSharedWith: String,
    val settingsNotShared: String,
    val settingsPolicyNotAccepted: String,
    val settingsGuardianRequired: String,
    val settingsStorageProblem: String,
    val settingsOsOff: String,
    val settingsStale: String,
    /** The settings row of a purpose refused within its cooldown; %s is when the cooldown ends. */
    val settingsCooldown: String,
    /** The settings row of a purpose whose permission the user switched off in Android's settings. */
    val settingsRevoked: String,
    /** The same within the cooldown; %s is when the cooldown ends. */
    val settingsRevokedCooldown: String,
    val openSystemSettingsDescription: String,
    val notNowDescription: String,
    val rationaleChanged: String,
    val listSeparator: String,
    val recipientSeparator: String,
    val systemSettingsTitle: String,
    val systemSettingsMessage: String,
    val openSystemSettings: String,
    val notNow: String,
    val bannerTitle: String,
    val guardianTitle: String,
    val guardianIntro: String,
    val guardianAgree: String,
    val guardianDisagree: String,
) {
    fun recipient(
        name: String,
        data: String,
    ): String = "$name$recipientSeparator$data"

    /** A button's label with what it acts on, for TalkBack: "Agree: Find stores near you". */
    fun labelled(
        label: String,
        subject: String,
    ): String = "$label$recipientSeparator$subject"
}

internal object Strings {
    val EN =
        UiStrings(
            rationaleTitle = "Before you continue",
            rationaleUses = "To do this the app needs to:",
            rationaleSharedWith = "The data is shared with:",
            rationaleNotShared = "This data is not shared with any third party.",
            rationaleWithdrawHint = "You can withdraw this consent at any time in the app's privacy settings.",
            agree = "Agree",
            disagree = "Don't agree",
            settingsTitle = "Privacy and permissions",
            settingsIntro =
                "Each feature uses your data only while its switch is on. Switching one off stops " +
                    "any further use; it does not undo what was already done with your earlier consent.",
            settingsUses = "Uses: ",
            settingsSharedWith = "Shared with: ",
            settingsNotShared = "Not shared with third parties",
            settingsPolicyNotAccepted = "Accept the privacy policy before turning on any feature.",
            settingsGuardianRequired = "A parent or guardian must agree before any feature can be turned on.",
            settingsStorageProblem = "Your consent records cannot be read right now, so every feature stays off.",
            settingsOsOff = "The permission is off in Android settings.",
            settingsStale = "This feature changed since you agreed: you will be asked again.",
            settingsCooldown = "You said no. The app will not ask again before %s; you can turn it on here at any time.",
            settingsRevoked = "You turned the permission off in Android settings.",
            settingsRevokedCooldown =
                "You turned the permission off in Android settings. The app will not ask again before %s; " +
                    "you can turn it on here at any time.",
            openSystemSettingsDescription = "Open this app's page in Android settings",
            notNowDescription = "Not now: leave Android's settings as they are",
            rationaleChanged = "This feature changed since you agreed to it. Please read it again.",
            listSeparator = ", ",
            recipientSeparator = ": ",
            systemSettingsTitle = "Turn off in Android too?",
            systemSettingsMessage =
                "Your consent is withdrawn and the app no longer uses this. Android keeps the " +
                    "permission granted until you switch it off on the app's system settings page.",
            openSystemSettings = "Open settings",
            notNow = "Not now",
            bannerTitle = "Why the app is asking for this permission",
            guardianTitle = "Ask a parent or guardian",
            guardianIntro = "Please hand the device to your parent or guardian. They decide for you:",
            guardianAgree = "Guardian agrees",
            guardianDisagree = "Guardian doesn't agree",
        )

    val ZH =
        UiStrings(
            rationaleTitle = "权限使用说明",
            rationaleUses = "为此需要：",
            rationaleSharedWith = "数据接收方：",
            rationaleNotShared = "这些数据不会提供给任何第三方。",
            rationaleWithdrawHint = "您可以随时在应用的隐私设置中撤回此授权。",
            agree = "同意",
            disagree = "不同意",
            settingsTitle = "隐私与权限",
            settingsIntro = "每项功能仅在开关打开时使用您的数据。关闭后将停止后续使用，但不影响此前基于您的授权已进行的处理。",
            settingsUses = "使用：",
            settingsSharedWith = "数据接收方：",
            settingsNotShared = "不向第三方提供",
            settingsPolicyNotAccepted = "请先同意隐私政策，再开启功能。",
            settingsGuardianRequired = "需要监护人同意后才能开启功能。",
            settingsStorageProblem = "暂时无法读取您的授权记录，所有功能保持关闭。",
            settingsOsOff = "该权限已在系统设置中关闭。",
            settingsStale = "此功能的说明已更新，使用前将再次征求您的同意。",
            settingsCooldown = "您已拒绝。应用在 %s 之前不会再次询问；您可以随时在此开启。",
            settingsRevoked = "您已在系统设置中关闭该权限。",
            settingsRevokedCooldown = "您已在系统设置中关闭该权限。应用在 %s 之前不会再次询问；您可以随时在此开启。",
            openSystemSettingsDescription = "打开本应用的系统设置页",
            notNowDescription = "暂不：保留系统设置不变",
            rationaleChanged = "此功能在您同意后有所变更，请重新阅读。",
            listSeparator = "、",
            recipientSeparator = "：",
            systemSettingsTitle = "同时在系统设置中关闭？",
            systemSettingsMessage = "授权已撤回，应用将不再使用此权限。系统仍保留该权限，您可以在应用的系统设置页中将其关闭。",
            openSystemSettings = "打开设置",
            notNow = "暂不",
            bannerTitle = "申请此权限的用途",
            guardianTitle = "需要监护人同意",
            guardianIntro = "请将设备交给您的父母或其他监护人，由其代为决定：",
            guardianAgree = "监护人同意",
            guardianDisagree = "监护人不同意",
        )

    fun forLocale(locale: Locale): UiStrings = if (locale.language == "zh") ZH else EN
}

internal object Locales {
    /** The locale the user reads [context] in (the first of the configuration's list). */
    fun of(context: Context): Locale {
        val config = context.resources.configuration
        return if (Build.VERSION.SDK_INT >= 24) {
            config.locales[0]
        } else {
            @Suppress("DEPRECATION")
            config.locale
        }
    }

    /**
     * A language tag the core records ("zh-CN", "en-US", "und") as proof of the language shown:
     * the core decides (its grammar and length limit live there), from the full tag and the language.
     */
    fun tag(locale: Locale): String = Native.localeTag(locale.toLanguageTag(), locale.language)
}

package io.consentgate.internal

import java.util.Locale

/**
 * The SDK's text for what policy schema 2 adds to its screens (third-party SDKs, the privacy
 * policy, the compliance lists, the consent history), in Chinese (zh) and English (the rest).
 */
internal class DocumentStrings(
    val sdks: String,
    val sdkLine: (name: String, company: String, data: String) -> String,
    val privacyPolicy: String,
    val lists: String,
    /** The lists screen's title: short enough for the action bar of a small phone. */
    val listsTitle: String,
    val history: String,
    val withdrawPolicy: String,
    val withdrawPolicyTitle: String,
    val withdrawPolicyMessage: String,
    val withdrawPolicyConfirm: String,
    val cancel: String,
    val collectionTitle: String,
    val sharingTitle: String,
    val information: String,
    val whenCollected: String,
    val permission: String,
    val company: String,
    val rules: String,
    val none: String,
    val noHistory: String,
    val unreadable: String,
    val noPolicyText: String,
    val events: Map<String, String>,
) {
    fun event(name: String): String = events[name] ?: name
}

internal object DocumentStringsFor {
    private val EN = table(chinese = false)
    private val ZH = table(chinese = true)

    fun of(locale: Locale): DocumentStrings = if (locale.language == "zh") ZH else EN

    /** Every text with its English and Chinese side by side (`t(en, zh)`): one cannot go without the other. */
    private fun table(chinese: Boolean): DocumentStrings {
        fun t(
            en: String,
            zh: String,
        ): String = if (chinese) zh else en

        return DocumentStrings(
            sdks = t("Third-party SDKs: ", "第三方 SDK："),
            sdkLine = { name, company, data -> t("$name ($company): $data", "$name（$company）：$data") },
            privacyPolicy = t("Privacy policy", "隐私政策"),
            lists = t("Information we collect and share", "个人信息收集与共享清单"),
            listsTitle = t("Data we collect and share", "个人信息收集与共享清单"),
            history = t("Your consent history", "我的授权记录"),
            withdrawPolicy = t("Withdraw consent to the privacy policy", "撤回对隐私政策的同意"),
            withdrawPolicyTitle = t("Withdraw your consent?", "撤回对隐私政策的同意？"),
            withdrawPolicyMessage =
                t(
                    en =
                        "Your consent to the privacy policy ends. Every feature that uses your personal " +
                            "information is turned off and the third-party SDKs are stopped. The app keeps " +
                            "working in its basic mode. What was already done with your earlier consent is not undone.",
                    zh =
                        "所有使用您个人信息的功能都将关闭，第三方 SDK 将停止运行，应用将以基本模式继续运行。" +
                            "撤回不影响此前基于您的同意已进行的处理。",
                ),
            withdrawPolicyConfirm = t("Withdraw", "撤回"),
            cancel = t("Cancel", "取消"),
            collectionTitle = t("Personal information we collect", "个人信息收集清单"),
            sharingTitle = t("Personal information shared with third parties", "第三方信息共享清单"),
            information = t("Information: ", "收集的信息："),
            whenCollected = t("When: ", "收集时机："),
            permission = t("Permission: ", "所需权限："),
            company = t("Company: ", "公司："),
            rules = t("Privacy rules: ", "隐私政策："),
            none = t("none", "无"),
            noHistory = t("No consent decisions recorded yet.", "暂无授权记录。"),
            unreadable = t("Your consent records cannot be read right now.", "暂时无法读取您的授权记录。"),
            noPolicyText = t("The privacy policy text is not available.", "暂时无法显示隐私政策全文。"),
            events =
                mapOf(
                    "policy_accepted" to t("Accepted the privacy policy", "同意隐私政策"),
                    "policy_withdrawn" to t("Withdrew consent to the privacy policy", "撤回对隐私政策的同意"),
                    "consent_granted" to t("Agreed", "同意"),
                    "consent_denied" to t("Refused", "拒绝"),
                    "consent_withdrawn" to t("Withdrew consent", "撤回同意"),
                    "permission_revoked" to t("Switched off in Android's settings", "在系统设置中关闭权限"),
                    "guardian_consent_given" to t("Guardian agreed", "监护人同意"),
                    "guardian_consent_withdrawn" to t("Guardian withdrew consent", "监护人撤回同意"),
                ),
        )
    }
}

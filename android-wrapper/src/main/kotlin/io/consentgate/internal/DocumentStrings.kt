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
    private val EN =
        DocumentStrings(
            sdks = "Third-party SDKs: ",
            sdkLine = { name, company, data -> "$name ($company): $data" },
            privacyPolicy = "Privacy policy",
            lists = "Information we collect and share",
            listsTitle = "Data we collect and share",
            history = "Your consent history",
            withdrawPolicy = "Withdraw consent to the privacy policy",
            withdrawPolicyTitle = "Withdraw your consent?",
            withdrawPolicyMessage =
                "Your consent to the privacy policy ends. Every feature that uses your personal " +
                    "information is turned off and the third-party SDKs are stopped. The app keeps " +
                    "working in its basic mode. What was already done with your earlier consent is not undone.",
            withdrawPolicyConfirm = "Withdraw",
            cancel = "Cancel",
            collectionTitle = "Personal information we collect",
            sharingTitle = "Personal information shared with third parties",
            information = "Information: ",
            whenCollected = "When: ",
            permission = "Permission: ",
            company = "Company: ",
            rules = "Privacy rules: ",
            none = "none",
            noHistory = "No consent decisions recorded yet.",
            unreadable = "Your consent records cannot be read right now.",
            noPolicyText = "The privacy policy text is not available.",
            events =
                mapOf(
                    "policy_accepted" to "Accepted the privacy policy",
                    "policy_withdrawn" to "Withdrew consent to the privacy policy",
                    "consent_granted" to "Agreed",
                    "consent_denied" to "Refused",
                    "consent_withdrawn" to "Withdrew consent",
                    "permission_revoked" to "Switched off in Android's settings",
                    "guardian_consent_given" to "Guardian agreed",
                    "guardian_consent_withdrawn" to "Guardian withdrew consent",
                ),
        )

    private val ZH =
        DocumentStrings(
            sdks = "第三方 SDK：",
            sdkLine = { name, company, data -> "$name（$company）：$data" },
            privacyPolicy = "隐私政策",
            lists = "个人信息收集与共享清单",
            listsTitle = "个人信息收集与共享清单",
            history = "我的授权记录",
            withdrawPolicy = "撤回对隐私政策的同意",
            withdrawPolicyTitle = "撤回对隐私政策的同意？",
            withdrawPolicyMessage =
                "所有使用您个人信息的功能都将关闭，第三方 SDK 将停止运行，应用将以基本模式继续运行。" +
                    "撤回不影响此前基于您的同意已进行的处理。",
            withdrawPolicyConfirm = "撤回",
            cancel = "取消",
            collectionTitle = "个人信息收集清单",
            sharingTitle = "第三方信息共享清单",
            information = "收集的信息：",
            whenCollected = "收集时机：",
            permission = "所需权限：",
            company = "公司：",
            rules = "隐私政策：",
            none = "无",
            noHistory = "暂无授权记录。",
            unreadable = "暂时无法读取您的授权记录。",
            noPolicyText = "暂时无法显示隐私政策全文。",
            events =
                mapOf(
                    "policy_accepted" to "同意隐私政策",
                    "policy_withdrawn" to "撤回对隐私政策的同意",
                    "consent_granted" to "同意",
                    "consent_denied" to "拒绝",
                    "consent_withdrawn" to "撤回同意",
                    "permission_revoked" to "在系统设置中关闭权限",
                    "guardian_consent_given" to "监护人同意",
                    "guardian_consent_withdrawn" to "监护人撤回同意",
                ),
        )

    fun of(locale: Locale): DocumentStrings = if (locale.language == "zh") ZH else EN
}

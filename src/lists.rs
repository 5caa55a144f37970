//! The compliance lists, generated from the policy so nobody keeps a second copy by hand:
//! the personal-information collection list (个人信息收集清单: information, purpose, when,
//! permission) and the third-party sharing list (第三方信息共享清单: recipient or SDK,
//! company, information, purpose, when, link to its rules). The CLI writes them as JSON,
//! Markdown or HTML; the wrapper shows them as screens.

use serde::Serialize;

use crate::engine::views::{permission_views, PermissionView, RecipientView, SdkView};
use crate::policy::{Policy, Purpose};

/// One row of the collection list: one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionRow {
    pub purpose_id: String,
    /// The purpose as the user reads it.
    pub purpose: String,
    /// The personal information collected (the purpose's `data`, else its permissions in words).
    pub information: String,
    /// When it is collected (the purpose's `when`, else "when you use the feature").
    pub when: String,
    /// Empty for a consent-only purpose.
    pub permissions: Vec<PermissionView>,
}

/// Who receives data: a declared recipient or a third-party SDK inside the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    Recipient,
    Sdk,
}

/// One row of the sharing list: one recipient or SDK for one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharingRow {
    pub kind: RecipientKind,
    pub recipient: String,
    /// The SDK's company (recipients declare none).
    pub company: Option<String>,
    pub information: String,
    pub purpose_id: String,
    pub purpose: String,
    pub when: String,
    /// The SDK's privacy rules.
    pub link: Option<String>,
}

/// Both lists in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lists {
    pub locale: String,
    pub policy_version: String,
    pub collection: Vec<CollectionRow>,
    pub sharing: Vec<SharingRow>,
}

/// Words the lists need that the policy does not give, in Chinese or English. The titles and
/// column names are for the tables only the CLI renders (`consentgate lists`).
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) struct Words {
    pub(crate) collection_title: &'static str,
    pub(crate) sharing_title: &'static str,
    pub(crate) information: &'static str,
    pub(crate) purpose: &'static str,
    pub(crate) when: &'static str,
    pub(crate) permission: &'static str,
    pub(crate) recipient: &'static str,
    pub(crate) company: &'static str,
    pub(crate) link: &'static str,
    pub(crate) none: &'static str,
    pub(crate) on_use: &'static str,
    pub(crate) separator: &'static str,
    pub(crate) policy_version: &'static str,
}

impl Words {
    pub(crate) fn for_locale(locale: &str) -> &'static Words {
        if locale.starts_with("zh") {
            &ZH
        } else {
            &EN
        }
    }
}

static ZH: Words = Words {
    collection_title: "个人信息收集清单",
    sharing_title: "第三方信息共享清单",
    information: "收集的信息",
    purpose: "使用目的",
    when: "收集时机",
    permission: "所需权限",
    recipient: "接收方",
    company: "公司",
    link: "隐私政策",
    none: "无",
    on_use: "使用该功能时",
    separator: "、",
    policy_version: "隐私政策版本",
};

static EN: Words = Words {
    collection_title: "Personal information we collect",
    sharing_title: "Personal information shared with third parties",
    information: "Information",
    purpose: "Purpose",
    when: "When",
    permission: "Permission",
    recipient: "Recipient",
    company: "Company",
    link: "Privacy rules",
    none: "none",
    on_use: "When you use this feature",
    separator: ", ",
    policy_version: "Privacy policy version",
};

fn information(purpose: &Purpose, policy: &Policy, locale: &str, words: &Words) -> String {
    if let Some(data) = &purpose.data {
        return data.for_locale(locale, &policy.default_locale).to_string();
    }
    if purpose.permissions.is_empty() {
        return purpose.description_for(locale, &policy.default_locale).to_string();
    }
    purpose.permissions.iter().map(|p| p.label(locale)).collect::<Vec<_>>().join(words.separator)
}

/// Both lists for `locale` (texts fall back like descriptions: same language, then default).
pub(crate) fn lists(policy: &Policy, locale: &str) -> Lists {
    let words = Words::for_locale(locale);
    let d = &policy.default_locale;
    let mut collection = Vec::with_capacity(policy.purposes.len());
    let mut sharing = Vec::new();
    for purpose in &policy.purposes {
        let text = purpose.description_for(locale, d).to_string();
        let when = purpose.when.as_ref().map_or(words.on_use, |w| w.for_locale(locale, d)).to_string();
        collection.push(CollectionRow {
            purpose_id: purpose.id.clone(),
            purpose: text.clone(),
            information: information(purpose, policy, locale, words),
            when: when.clone(),
            permissions: permission_views(&purpose.permissions, locale),
        });
        for r in &purpose.recipients {
            let r = RecipientView::of(r, locale, d);
            sharing.push(SharingRow {
                kind: RecipientKind::Recipient,
                recipient: r.name,
                company: None,
                information: r.data,
                purpose_id: purpose.id.clone(),
                purpose: text.clone(),
                when: when.clone(),
                link: None,
            });
        }
        for sdk in policy.sdks_of(purpose) {
            let sdk = SdkView::of(sdk, locale, d);
            sharing.push(SharingRow {
                kind: RecipientKind::Sdk,
                recipient: sdk.name,
                company: Some(sdk.company),
                information: sdk.data,
                purpose_id: purpose.id.clone(),
                purpose: text.clone(),
                when: when.clone(),
                link: Some(sdk.privacy_url),
            });
        }
    }
    Lists { locale: locale.to_string(), policy_version: policy.policy_version.clone(), collection, sharing }
}

/// The locales the policy's descriptions are written in, the default first.
#[cfg(feature = "cli")]
pub(crate) fn policy_locales(policy: &Policy) -> Vec<String> {
    let mut out = vec![policy.default_locale.clone()];
    for purpose in &policy.purposes {
        for tag in purpose.description.keys() {
            if !out.contains(tag) {
                out.push(tag.clone());
            }
        }
    }
    out
}

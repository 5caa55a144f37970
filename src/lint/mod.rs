//! `consentgate lint`: checks an app's `AndroidManifest.xml` against its policy file.
//! Pure (text in, findings out), so every rule is unit-tested without files; the CLI
//! only reads the files and prints. The codes are a stable contract (docs/cli.md):
//! a code is never reused for another rule.

pub(crate) mod manifest;
pub(crate) mod rules;

use std::fmt;

/// The target SDK when neither `--target-sdk` nor `<uses-sdk android:targetSdkVersion>`
/// gives one: the level Google Play requires of app updates since 31 August 2025.
pub(crate) const DEFAULT_TARGET_SDK: u32 = 35;

/// One rule of the lint. The number is the stable code (`CG1xx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The policy file fails the SDK's own validation (the error the app would get at init).
    PolicyInvalid = 100,
    /// A runtime permission in the manifest that no purpose declares.
    ManifestPermissionWithoutPurpose = 101,
    /// A purpose permission the manifest does not request (on any API level the app runs on).
    PurposePermissionNotInManifest = 102,
    /// A purpose lists an install-time or special (non-runtime) permission.
    PurposeListsNonRuntimePermission = 103,
    /// Storage read requested on Android 13+ while targeting 33+, without `READ_MEDIA_*`.
    StorageReadWithoutMediaPermissions = 104,
    /// Background location without foreground location.
    BackgroundLocationWithoutForeground = 105,
    /// A manifest entry the lint cannot read (no `android:name`, a non-numeric SDK level).
    ManifestEntryUnreadable = 106,
    /// Schema 2: a special permission in the manifest that no purpose declares.
    SpecialPermissionWithoutPurpose = 107,
    /// Schema 2: an SDK serves a purpose the policy does not declare.
    SdkServesUndeclaredPurpose = 108,
    /// Schema 2: an SDK lists no code packages, so a build-time scan cannot attribute its calls.
    SdkWithoutPackages = 109,
}

impl Code {
    pub(crate) const ALL: [Code; 10] = [
        Code::PolicyInvalid,
        Code::ManifestPermissionWithoutPurpose,
        Code::PurposePermissionNotInManifest,
        Code::PurposeListsNonRuntimePermission,
        Code::StorageReadWithoutMediaPermissions,
        Code::BackgroundLocationWithoutForeground,
        Code::ManifestEntryUnreadable,
        Code::SpecialPermissionWithoutPurpose,
        Code::SdkServesUndeclaredPurpose,
        Code::SdkWithoutPackages,
    ];

    /// A one-line summary, as in docs/cli.md.
    pub(crate) fn summary(self) -> &'static str {
        match self {
            Code::PolicyInvalid => "the policy file fails validation (JSON path and line in the message)",
            Code::ManifestPermissionWithoutPurpose => "a runtime permission in the manifest that no purpose declares",
            Code::PurposePermissionNotInManifest => "a purpose permission the manifest does not request",
            Code::PurposeListsNonRuntimePermission => "a purpose lists a normal (install-time) permission",
            Code::StorageReadWithoutMediaPermissions => {
                "READ_EXTERNAL_STORAGE requested on API 33+ while targeting 33+, and the purpose has no READ_MEDIA_*"
            }
            Code::BackgroundLocationWithoutForeground => {
                "ACCESS_BACKGROUND_LOCATION without ACCESS_COARSE/FINE_LOCATION"
            }
            Code::ManifestEntryUnreadable => {
                "a manifest entry the lint cannot read (no android:name, SDK level not a number)"
            }
            Code::SpecialPermissionWithoutPurpose => {
                "a special permission (settings page) in the manifest that no purpose declares (schema 2)"
            }
            Code::SdkServesUndeclaredPurpose => "an SDK serves a purpose the policy does not declare (schema 2)",
            Code::SdkWithoutPackages => "an SDK lists no code packages: a build-time scan cannot attribute its calls",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CG{}", *self as u32)
    }
}

/// Which input a finding points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum File {
    Policy,
    Manifest,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub file: File,
    /// 1-based.
    pub line: usize,
    pub code: Code,
    pub message: String,
}

/// Where the target SDK came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetSource {
    Flag,
    Manifest,
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Sorted: policy findings first, then manifest findings, each by line.
    pub findings: Vec<Finding>,
    pub target_sdk: u32,
    pub target_source: TargetSource,
    /// Purposes and manifest permission entries looked at.
    pub(crate) purposes: usize,
    pub(crate) manifest_permissions: usize,
}

/// An input the lint cannot work with at all (the CLI's exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    ManifestNotXml(manifest::NotAManifest),
    #[error("line {line}, column {column}: not valid JSON: {message}")]
    PolicyNotJson { line: usize, column: usize, message: String },
}

/// Lints `manifest` against `policy` (both file contents). `target_sdk` overrides the
/// manifest's `android:targetSdkVersion`.
pub fn lint(manifest: &str, policy: &str, target_sdk: Option<u32>) -> Result<Report, InputError> {
    let m = manifest::parse(manifest).map_err(InputError::ManifestNotXml)?;
    // A byte-order mark, as `Policy::parse` allows it.
    let policy = policy.strip_prefix('\u{feff}').unwrap_or(policy);
    let value: serde_json::Value = serde_json::from_str(policy).map_err(|e| InputError::PolicyNotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let (target_sdk, target_source) = match (target_sdk, m.target_sdk) {
        (Some(n), _) => (n, TargetSource::Flag),
        (None, Some(v)) => (v.value, TargetSource::Manifest),
        (None, None) => (DEFAULT_TARGET_SDK, TargetSource::Default),
    };
    let p = rules::PolicyPermissions::read(&value);
    let mut findings = rules::check(&m, &p, policy, target_sdk);
    findings.sort();
    findings.dedup();
    Ok(Report {
        findings,
        target_sdk,
        target_source,
        purposes: p.purposes.len(),
        manifest_permissions: m.permissions.len(),
    })
}

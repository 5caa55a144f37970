//! The lint rules. Each takes the parsed manifest and the policy's purposes as written
//! (read leniently from the JSON, so cross-checks still run when the policy has other
//! errors) and returns findings with their file and line.

use std::collections::HashSet;

use serde_json::Value;

use super::manifest::{Manifest, UsesPermission};
use super::{Code, File, Finding};
use crate::json_locate::JsonIndex;
use crate::permission::Permission;
use crate::policy::Policy;

/// The first API level with runtime permissions (and this SDK's minSdk).
const RUNTIME_PERMISSIONS_API: u32 = 23;
/// Android 13: `READ_EXTERNAL_STORAGE` is never granted to apps targeting this or later.
const MEDIA_PERMISSIONS_API: u32 = 33;

const READ_EXTERNAL_STORAGE: &str = "android.permission.READ_EXTERNAL_STORAGE";
const READ_MEDIA: [&str; 3] = [
    "android.permission.READ_MEDIA_IMAGES",
    "android.permission.READ_MEDIA_VIDEO",
    "android.permission.READ_MEDIA_AUDIO",
];

/// One permission name as a purpose lists it.
#[derive(Debug, Clone)]
pub(crate) struct ListedPermission {
    pub(crate) name: String,
    /// JSON path, e.g. `$.purposes[2].permissions[0]`.
    pub(crate) path: String,
}

/// A purpose as written, whatever else is wrong with it.
#[derive(Debug, Clone)]
pub(crate) struct ListedPurpose {
    /// The id, or `purposes[i]` when it has none.
    pub(crate) label: String,
    /// JSON path of its `permissions` array.
    pub(crate) path: String,
    pub(crate) permissions: Vec<ListedPermission>,
}

impl ListedSdk {
    fn read(sdk: &Value, i: usize) -> ListedSdk {
        let path = format!("$.sdks[{i}]");
        let label = match sdk.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => format!("sdks[{i}]"),
        };
        let purposes = sdk
            .get("purposes")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .enumerate()
                    .filter_map(|(j, id)| id.as_str().map(|id| (id.to_string(), format!("{path}.purposes[{j}]"))))
                    .collect()
            })
            .unwrap_or_default();
        let has_packages = sdk.get("packages").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
        ListedSdk { label, path, purposes, has_packages }
    }
}

impl ListedPurpose {
    fn lists(&self, name: &str) -> bool {
        self.permissions.iter().any(|p| p.name == name)
    }
}

/// An SDK as written (schema 2).
#[derive(Debug, Clone)]
pub(crate) struct ListedSdk {
    /// The id, or `sdks[i]` when it has none.
    pub(crate) label: String,
    /// JSON path of the SDK.
    pub(crate) path: String,
    /// Purpose ids it serves, with their JSON paths.
    pub(crate) purposes: Vec<(String, String)>,
    pub(crate) has_packages: bool,
}

/// The purposes' permission lists, read leniently from the policy JSON.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyPermissions {
    /// False when there is no readable `purposes` array: cross-checks are skipped
    /// (CG100 already says what is wrong).
    pub(crate) readable: bool,
    /// 2 when the file says so, else 1: permissions newer than the schema are left to CG100,
    /// so a schema-1 project gets the findings it always got.
    pub(crate) schema: u32,
    pub(crate) purposes: Vec<ListedPurpose>,
    pub(crate) sdks: Vec<ListedSdk>,
}

impl PolicyPermissions {
    pub(crate) fn read(value: &Value) -> PolicyPermissions {
        let schema = if value.get("schema").and_then(Value::as_u64) == Some(2) { 2 } else { 1 };
        let Some(items) = value.get("purposes").and_then(Value::as_array) else {
            return PolicyPermissions { schema, ..PolicyPermissions::default() };
        };
        let sdks = match value.get("sdks").and_then(Value::as_array) {
            Some(sdks) if schema >= 2 => sdks.iter().enumerate().map(|(i, sdk)| ListedSdk::read(sdk, i)).collect(),
            _ => Vec::new(),
        };
        let purposes = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let label = match item.get("id").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() => id.to_string(),
                    _ => format!("purposes[{i}]"),
                };
                let path = format!("$.purposes[{i}].permissions");
                let permissions = item
                    .get("permissions")
                    .and_then(Value::as_array)
                    .map(|names| {
                        names
                            .iter()
                            .enumerate()
                            .filter_map(|(j, n)| {
                                n.as_str().map(|name| ListedPermission {
                                    name: name.to_string(),
                                    path: format!("{path}[{j}]"),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ListedPurpose { label, path, permissions }
            })
            .collect();
        PolicyPermissions { readable: true, schema, purposes, sdks }
    }

    /// A permission this SDK governs for a policy of this schema.
    fn governed(&self, name: &str) -> Option<Permission> {
        Permission::parse(name).ok().filter(|p| p.since_schema() <= self.schema)
    }

    fn declares_purpose(&self, id: &str) -> bool {
        self.purposes.iter().any(|p| p.label == id)
    }

    fn declares(&self, name: &str) -> bool {
        self.purposes.iter().any(|p| p.lists(name))
    }
}

/// The API levels on which a manifest entry makes `perm` a permission the app can ask for
/// at runtime: from the app's minSdk (at least 23) and the permission's first runtime
/// level, up to the entry's `maxSdkVersion` and the permission's last meaningful level.
fn runtime_range(entry: &UsesPermission, perm: Permission, min_sdk: u32) -> Option<(u32, u32)> {
    let lo = min_sdk.max(RUNTIME_PERMISSIONS_API).max(perm.min_api());
    let hi = entry.max_sdk.unwrap_or(u32::MAX).min(perm.max_api());
    (lo <= hi).then_some((lo, hi))
}

/// A manifest entry of a permission this SDK governs, and its runtime API range.
type Governed<'a> = (&'a UsesPermission, Permission, Option<(u32, u32)>);

fn up_to(entry: &UsesPermission) -> String {
    match entry.max_sdk {
        Some(n) => format!(" (requested up to API {n})"),
        None => String::new(),
    }
}

/// Runs every rule.
pub(crate) fn check(
    manifest: &Manifest,
    policy: &PolicyPermissions,
    policy_source: &str,
    target_sdk: u32,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let min_sdk = manifest.min_sdk.map_or(1, |v| v.value);
    let index = JsonIndex::build(policy_source);
    let line = |path: &str| index.line_of(path).unwrap_or(1);
    let policy_finding = |out: &mut Vec<Finding>, path: &str, code: Code, message: String| {
        out.push(Finding { file: File::Policy, line: line(path), code, message });
    };
    let manifest_finding = |out: &mut Vec<Finding>, line: usize, code: Code, message: String| {
        out.push(Finding { file: File::Manifest, line, code, message });
    };

    // CG103 and CG105 (policy side) have their own codes: the SDK's validation also
    // rejects them, and its issue at the same path is not repeated as CG100.
    let mut own_code: HashSet<String> = HashSet::new();
    for purpose in &policy.purposes {
        for listed in &purpose.permissions {
            if Permission::is_known_non_runtime(&listed.name) {
                own_code.insert(listed.path.clone());
                policy_finding(
                    &mut out,
                    &listed.path,
                    Code::PurposeListsNonRuntimePermission,
                    format!(
                        "purpose \"{}\" lists {}, which is not a runtime permission (granted at install time): there is no runtime consent to ask for; remove it from the purpose",
                        purpose.label, listed.name
                    ),
                );
            }
        }
        let background = Permission::AccessBackgroundLocation;
        if purpose.lists(background.name()) && !background.needs_first().iter().any(|f| purpose.lists(f.name())) {
            own_code.insert(purpose.path.clone());
            policy_finding(
                &mut out,
                &purpose.path,
                Code::BackgroundLocationWithoutForeground,
                format!(
                    "purpose \"{}\" declares ACCESS_BACKGROUND_LOCATION without ACCESS_COARSE_LOCATION or ACCESS_FINE_LOCATION: background location is only granted after foreground location; add the foreground permission to the purpose",
                    purpose.label
                ),
            );
        }
    }

    // CG108 (an SDK's purposes exist; reported once, not again as CG100) and CG109.
    for sdk in &policy.sdks {
        for (id, path) in &sdk.purposes {
            if policy.readable && !policy.declares_purpose(id) {
                own_code.insert(path.clone());
                policy_finding(
                    &mut out,
                    path,
                    Code::SdkServesUndeclaredPurpose,
                    format!(
                        "SDK \"{}\" serves purpose \"{id}\", which the policy does not declare: its start code would never run; declare the purpose or fix the id",
                        sdk.label
                    ),
                );
            }
        }
        if !sdk.has_packages {
            policy_finding(
                &mut out,
                &sdk.path,
                Code::SdkWithoutPackages,
                format!(
                    "SDK \"{}\" lists no \"packages\" (e.g. [\"com.amap.api\"]): a build-time scan cannot tell its calls from the app's",
                    sdk.label
                ),
            );
        }
    }

    // CG100: the SDK's own validation, exactly as the app would get it at init.
    if let Err(e) = Policy::parse(policy_source) {
        for issue in e.issues.into_iter().filter(|i| !own_code.contains(&i.path)) {
            out.push(Finding {
                file: File::Policy,
                line: issue.line.unwrap_or(1),
                code: Code::PolicyInvalid,
                message: format!("{}: {}", issue.path, issue.message),
            });
        }
    }

    // CG106
    for problem in &manifest.problems {
        manifest_finding(&mut out, problem.line, Code::ManifestEntryUnreadable, problem.message.clone());
    }

    if !policy.readable {
        return out;
    }

    // Manifest entries of governed runtime permissions, with their runtime API range.
    let governed: Vec<Governed> = manifest
        .permissions
        .iter()
        .filter_map(|e| policy.governed(&e.name).map(|p| (e, p, runtime_range(e, p, min_sdk))))
        .collect();

    // CG107
    for &(entry, perm, range) in &governed {
        if perm.is_special() && range.is_some() && !policy.declares(&entry.name) {
            manifest_finding(
                &mut out,
                entry.line,
                Code::SpecialPermissionWithoutPurpose,
                format!(
                    "{}{} is a special permission (the user grants it on a settings page), but no purpose declares it: add it to the purpose that uses it, so the user agrees before being sent to that page, or remove it from the manifest",
                    entry.name,
                    up_to(entry)
                ),
            );
        }
    }

    // CG101
    for &(entry, perm, range) in &governed {
        if !perm.is_special() && range.is_some() && !policy.declares(&entry.name) {
            manifest_finding(
                &mut out,
                entry.line,
                Code::ManifestPermissionWithoutPurpose,
                format!(
                    "{}{} is a runtime permission, but no purpose declares it: add it to the purpose that uses it, or remove it from the manifest",
                    entry.name,
                    up_to(entry)
                ),
            );
        }
    }

    // CG102
    for purpose in &policy.purposes {
        for listed in &purpose.permissions {
            let Some(perm) = policy.governed(&listed.name) else { continue };
            let entries: Vec<_> = governed.iter().filter(|(e, _, _)| e.name == listed.name).collect();
            if entries.is_empty() {
                policy_finding(
                    &mut out,
                    &listed.path,
                    Code::PurposePermissionNotInManifest,
                    format!(
                        "purpose \"{}\" declares {}, but the manifest does not request it, so the OS refuses it without asking: add <uses-permission android:name=\"{}\" /> or remove it from the purpose",
                        purpose.label, listed.name, listed.name
                    ),
                );
            } else if entries.iter().all(|(_, _, range)| range.is_none()) {
                let lo = min_sdk.max(RUNTIME_PERMISSIONS_API).max(perm.min_api());
                let why = match entries.iter().filter_map(|(e, _, _)| e.max_sdk).max() {
                    Some(max) if max < lo => {
                        format!("the manifest requests it only up to API {max} (android:maxSdkVersion)")
                    }
                    _ => format!("it means nothing after API {}", perm.max_api()),
                };
                policy_finding(
                    &mut out,
                    &listed.path,
                    Code::PurposePermissionNotInManifest,
                    format!(
                        "purpose \"{}\" declares {}, but it is never requested at runtime: {why}, and the app runs on API {lo} and later",
                        purpose.label, listed.name
                    ),
                );
            }
        }
    }

    // CG104
    if target_sdk >= MEDIA_PERMISSIONS_API {
        for purpose in policy.purposes.iter().filter(|p| p.lists(READ_EXTERNAL_STORAGE)) {
            if READ_MEDIA.iter().any(|m| purpose.lists(m)) {
                continue;
            }
            for &(entry, _, range) in governed.iter().filter(|(e, _, _)| e.name == READ_EXTERNAL_STORAGE) {
                if range.is_none() || entry.max_sdk.is_some_and(|max| max < MEDIA_PERMISSIONS_API) {
                    continue;
                }
                manifest_finding(
                    &mut out,
                    entry.line,
                    Code::StorageReadWithoutMediaPermissions,
                    format!(
                        "READ_EXTERNAL_STORAGE{} is requested on Android 13+ (API 33), where apps targeting API {target_sdk} never get it, and purpose \"{}\" declares no READ_MEDIA_IMAGES, READ_MEDIA_VIDEO or READ_MEDIA_AUDIO: add the READ_MEDIA_* permission for the media it reads (manifest and purpose), or set android:maxSdkVersion=\"32\" if it reads no media (documents need no permission through ACTION_OPEN_DOCUMENT)",
                        up_to(entry),
                        purpose.label
                    ),
                );
            }
        }
    }

    // CG105 (manifest side)
    let foreground = governed.iter().any(|(_, p, range)| p.is_foreground_location() && range.is_some());
    for &(entry, _, range) in governed.iter().filter(|(_, p, _)| *p == Permission::AccessBackgroundLocation) {
        if range.is_some() && !foreground {
            manifest_finding(
                &mut out,
                entry.line,
                Code::BackgroundLocationWithoutForeground,
                "ACCESS_BACKGROUND_LOCATION is requested, but neither ACCESS_COARSE_LOCATION nor ACCESS_FINE_LOCATION is: Android grants background location only after foreground location".into(),
            );
        }
    }

    out
}

#[cfg(test)]
mod tests {
    use super::super::{lint, Code, File, Finding, InputError, TargetSource, DEFAULT_TARGET_SDK};

    fn manifest(body: &str) -> String {
        format!(
            "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" package=\"x\">\n<uses-sdk android:minSdkVersion=\"23\" />\n{body}\n</manifest>\n"
        )
    }

    fn perm(name: &str) -> String {
        format!("<uses-permission android:name=\"android.permission.{name}\" />")
    }

    /// A policy with one purpose per list of short permission names, one name per line.
    fn policy(purposes: &[&[&str]]) -> String {
        let mut out = String::from(
            "{\n\"schema\": 1,\n\"policy_version\": \"v1\",\n\"default_locale\": \"en\",\n\"purposes\": [\n",
        );
        for (i, perms) in purposes.iter().enumerate() {
            if i > 0 {
                out.push_str(",\n");
            }
            out.push_str(&format!(
                "{{\n\"id\": \"p{i}\",\n\"description\": {{ \"en\": \"Purpose {i}\" }},\n\"permissions\": [\n"
            ));
            let names: Vec<String> = perms.iter().map(|n| format!("\"android.permission.{n}\"")).collect();
            out.push_str(&names.join(",\n"));
            out.push_str("\n]\n}");
        }
        out.push_str("\n]\n}\n");
        out
    }

    fn codes(findings: &[Finding]) -> Vec<(File, usize, Code)> {
        findings.iter().map(|f| (f.file, f.line, f.code)).collect()
    }

    fn run(m: &str, p: &str, target: Option<u32>) -> Vec<Finding> {
        lint(m, p, target).unwrap().findings
    }

    #[test]
    fn matching_manifest_and_policy_are_clean() {
        let m = manifest(&[perm("CAMERA"), perm("INTERNET"), perm("ACCESS_COARSE_LOCATION")].join("\n"));
        let p = policy(&[&["CAMERA"], &["ACCESS_COARSE_LOCATION"]]);
        let report = lint(&m, &p, None).unwrap();
        assert_eq!(report.findings, vec![]);
        assert_eq!((report.target_sdk, report.target_source), (DEFAULT_TARGET_SDK, TargetSource::Default));
        assert_eq!((report.purposes, report.manifest_permissions), (2, 3));
    }

    #[test]
    fn cg101_dangerous_manifest_permission_without_purpose() {
        let m = manifest(&[perm("CAMERA"), perm("READ_SMS")].join("\n"));
        let f = run(&m, &policy(&[&["CAMERA"]]), None);
        assert_eq!(codes(&f), vec![(File::Manifest, 4, Code::ManifestPermissionWithoutPurpose)]);
        assert!(f[0].message.contains("android.permission.READ_SMS"), "{}", f[0].message);
    }

    #[test]
    fn cg101_ignores_entries_that_never_apply_at_runtime() {
        // maxSdkVersion below the app's minSdk: never requested anywhere it runs.
        let m = manifest(
            &[
                perm("CAMERA"),
                "<uses-permission android:name=\"android.permission.READ_SMS\" android:maxSdkVersion=\"22\"/>".into(),
            ]
            .join("\n"),
        );
        assert_eq!(run(&m, &policy(&[&["CAMERA"]]), None), vec![]);
    }

    #[test]
    fn cg102_purpose_permission_missing_from_manifest_points_at_the_policy_line() {
        let m = manifest(&perm("CAMERA"));
        let p = policy(&[&["CAMERA", "RECORD_AUDIO"]]);
        let f = run(&m, &p, None);
        let line = p.lines().position(|l| l.contains("RECORD_AUDIO")).unwrap() + 1;
        assert_eq!(codes(&f), vec![(File::Policy, line, Code::PurposePermissionNotInManifest)]);
        assert!(f[0].message.contains("\"p0\"") && f[0].message.contains("RECORD_AUDIO"), "{}", f[0].message);
    }

    #[test]
    fn cg102_when_max_sdk_version_excludes_every_runtime_level() {
        let m = manifest(
            "<uses-permission android:name=\"android.permission.READ_CONTACTS\" android:maxSdkVersion=\"22\"/>",
        );
        let f = run(&m, &policy(&[&["READ_CONTACTS"]]), None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, Code::PurposePermissionNotInManifest);
        assert!(f[0].message.contains("only up to API 22"), "{}", f[0].message);
    }

    #[test]
    fn cg103_normal_permission_in_a_purpose_has_its_own_code_and_line() {
        let m = manifest(&[perm("CAMERA"), perm("INTERNET")].join("\n"));
        let p = policy(&[&["CAMERA", "INTERNET"]]);
        let f = run(&m, &p, None);
        let line = p.lines().position(|l| l.contains("INTERNET")).unwrap() + 1;
        assert_eq!(codes(&f), vec![(File::Policy, line, Code::PurposeListsNonRuntimePermission)], "{f:?}");
    }

    #[test]
    fn cg104_storage_read_on_33_without_media_permissions() {
        let m = manifest(&perm("READ_EXTERNAL_STORAGE"));
        let p = policy(&[&["READ_EXTERNAL_STORAGE"]]);
        assert_eq!(codes(&run(&m, &p, Some(33))), vec![(File::Manifest, 3, Code::StorageReadWithoutMediaPermissions)]);
        assert_eq!(run(&m, &p, Some(32)), vec![], "targeting 32, READ_EXTERNAL_STORAGE still works on 13+");
        let capped = manifest(
            "<uses-permission android:name=\"android.permission.READ_EXTERNAL_STORAGE\" android:maxSdkVersion=\"32\"/>",
        );
        assert_eq!(run(&capped, &p, Some(34)), vec![]);
        let with_media = manifest(&[perm("READ_EXTERNAL_STORAGE"), perm("READ_MEDIA_IMAGES")].join("\n"));
        let p_media = policy(&[&["READ_EXTERNAL_STORAGE", "READ_MEDIA_IMAGES"]]);
        assert_eq!(run(&with_media, &p_media, Some(34)), vec![]);
        // The media permission in another purpose does not help this one.
        let p_split = policy(&[&["READ_EXTERNAL_STORAGE"], &["READ_MEDIA_IMAGES"]]);
        assert_eq!(
            codes(&run(&with_media, &p_split, Some(34))),
            vec![(File::Manifest, 3, Code::StorageReadWithoutMediaPermissions)]
        );
    }

    #[test]
    fn cg104_target_comes_from_uses_sdk_unless_the_flag_overrides() {
        let m = format!(
            "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n<uses-sdk android:minSdkVersion=\"23\" android:targetSdkVersion=\"32\"/>\n{}\n</manifest>",
            perm("READ_EXTERNAL_STORAGE")
        );
        let p = policy(&[&["READ_EXTERNAL_STORAGE"]]);
        let report = lint(&m, &p, None).unwrap();
        assert_eq!((report.target_sdk, report.target_source), (32, TargetSource::Manifest));
        assert_eq!(report.findings, vec![]);
        let report = lint(&m, &p, Some(33)).unwrap();
        assert_eq!((report.target_sdk, report.target_source), (33, TargetSource::Flag));
        assert_eq!(codes(&report.findings), vec![(File::Manifest, 3, Code::StorageReadWithoutMediaPermissions)]);
    }

    #[test]
    fn cg105_background_location_without_foreground_in_manifest_and_policy() {
        let m = manifest(&perm("ACCESS_BACKGROUND_LOCATION"));
        let p = policy(&[&["ACCESS_BACKGROUND_LOCATION"]]);
        let f = run(&m, &p, None);
        let line = p.lines().position(|l| l.contains("\"permissions\"")).unwrap() + 1;
        assert_eq!(
            codes(&f),
            vec![
                (File::Policy, line, Code::BackgroundLocationWithoutForeground),
                (File::Manifest, 3, Code::BackgroundLocationWithoutForeground),
            ],
            "{f:?}"
        );
        let m_ok = manifest(&[perm("ACCESS_FINE_LOCATION"), perm("ACCESS_BACKGROUND_LOCATION")].join("\n"));
        assert_eq!(run(&m_ok, &policy(&[&["ACCESS_FINE_LOCATION", "ACCESS_BACKGROUND_LOCATION"]]), None), vec![]);
    }

    #[test]
    fn cg100_reuses_the_policy_validation_with_path_and_line() {
        let m = manifest(&perm("CAMERA"));
        let p = policy(&[&["CAMERA"]]).replace("\"p0\"", "\"Bad Id\"");
        let f = run(&m, &p, None);
        let line = p.lines().position(|l| l.contains("Bad Id")).unwrap() + 1;
        assert_eq!(codes(&f), vec![(File::Policy, line, Code::PolicyInvalid)]);
        assert!(f[0].message.starts_with("$.purposes[0].id: "), "{}", f[0].message);
        // Typo in a permission: CG100 for the name, and the manifest's CAMERA is then undeclared.
        let p = policy(&[&["CAMERAA"]]);
        let f = run(&m, &p, None);
        assert_eq!(
            f.iter().map(|f| f.code).collect::<Vec<_>>(),
            vec![Code::PolicyInvalid, Code::ManifestPermissionWithoutPurpose],
            "{f:?}"
        );
    }

    #[test]
    fn cg106_unreadable_manifest_entries() {
        let m = manifest("<uses-permission />\n<uses-permission android:name=\"android.permission.CAMERA\" android:maxSdkVersion=\"latest\"/>");
        let f = run(&m, &policy(&[&["CAMERA"]]), None);
        assert_eq!(
            codes(&f),
            vec![
                (File::Manifest, 3, Code::ManifestEntryUnreadable),
                (File::Manifest, 4, Code::ManifestEntryUnreadable)
            ]
        );
    }

    #[test]
    fn cross_checks_are_skipped_when_there_are_no_purposes_to_read() {
        let m = manifest(&perm("CAMERA"));
        let f = run(&m, "{\"schema\": 1}", None);
        assert!(f.iter().all(|f| f.code == Code::PolicyInvalid), "{f:?}");
        assert!(!f.is_empty());
    }

    #[test]
    fn inputs_that_are_not_xml_or_json_are_input_errors() {
        let p = policy(&[&["CAMERA"]]);
        assert!(matches!(lint("not xml", &p, None), Err(InputError::ManifestNotXml(_))));
        let m = manifest(&perm("CAMERA"));
        match lint(&m, "{\n\"schema\": 1,,\n}", None) {
            Err(InputError::PolicyNotJson { line: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_core_still_rejects_what_cg103_and_cg105_recode() {
        // If the core stopped rejecting these, CG100 would no longer need filtering and
        // this test tells whoever changed it to look at the lint.
        let err = crate::policy::Policy::parse(&policy(&[&["INTERNET"]])).unwrap_err();
        assert_eq!(err.issues[0].path, "$.purposes[0].permissions[0]");
        let err = crate::policy::Policy::parse(&policy(&[&["ACCESS_BACKGROUND_LOCATION"]])).unwrap_err();
        assert_eq!(err.issues[0].path, "$.purposes[0].permissions");
    }

    /// `policy()` as schema 2, with `sdks` (a JSON array) after the purposes.
    fn policy2(purposes: &[&[&str]], sdks: &str) -> String {
        let p = policy(purposes).replacen("\"schema\": 1", "\"schema\": 2", 1);
        let end = p.rfind('}').unwrap();
        format!("{},\n\"sdks\": {sdks}\n}}\n", p[..end].trim_end())
    }

    #[test]
    fn schema_1_policies_get_the_findings_they_always_got() {
        // POST_NOTIFICATIONS and BODY_SENSORS were outside the gate for schema 1: no CG101.
        let m = manifest(&[perm("CAMERA"), perm("POST_NOTIFICATIONS"), perm("MANAGE_EXTERNAL_STORAGE")].join("\n"));
        assert_eq!(run(&m, &policy(&[&["CAMERA"]]), None), vec![]);
        // Schema 2 governs them: the runtime one is CG101, the special one CG107.
        let f = run(&m, &policy2(&[&["CAMERA"]], "[]"), None);
        assert_eq!(
            codes(&f),
            vec![
                (File::Manifest, 4, Code::ManifestPermissionWithoutPurpose),
                (File::Manifest, 5, Code::SpecialPermissionWithoutPurpose)
            ]
        );
        assert!(f[1].message.contains("MANAGE_EXTERNAL_STORAGE is a special permission"), "{}", f[1].message);
    }

    #[test]
    fn access_media_location_is_a_runtime_permission_from_29() {
        let m = manifest(&[perm("READ_MEDIA_IMAGES"), perm("ACCESS_MEDIA_LOCATION")].join("\n"));
        let p = policy2(&[&["READ_MEDIA_IMAGES", "ACCESS_MEDIA_LOCATION"]], "[]");
        assert_eq!(run(&m, &p, None), vec![], "not CG103 any more");
        let f = run(&m, &policy2(&[&["READ_MEDIA_IMAGES"]], "[]"), None);
        assert_eq!(codes(&f), vec![(File::Manifest, 4, Code::ManifestPermissionWithoutPurpose)]);
    }

    #[test]
    fn cg107_special_permission_in_the_manifest_without_a_purpose() {
        let m = manifest(&[perm("CAMERA"), perm("SYSTEM_ALERT_WINDOW")].join("\n"));
        assert_eq!(
            codes(&run(&m, &policy2(&[&["CAMERA"]], "[]"), None)),
            vec![(File::Manifest, 4, Code::SpecialPermissionWithoutPurpose)]
        );
        assert_eq!(run(&m, &policy2(&[&["CAMERA"], &["SYSTEM_ALERT_WINDOW"]], "[]"), None), vec![]);
        // A special permission a purpose declares must be in the manifest (CG102), like any other.
        let f = run(&manifest(&perm("CAMERA")), &policy2(&[&["CAMERA", "WRITE_SETTINGS"]], "[]"), None);
        assert_eq!(f.iter().map(|f| f.code).collect::<Vec<_>>(), vec![Code::PurposePermissionNotInManifest]);
    }

    #[test]
    fn a_consent_only_purpose_needs_no_manifest_entry() {
        let m = manifest(&perm("CAMERA"));
        assert_eq!(run(&m, &policy2(&[&["CAMERA"], &[]], "[]"), None), vec![]);
    }

    #[test]
    fn cg108_sdk_serving_an_undeclared_purpose_and_cg109_without_packages() {
        let m = manifest(&perm("CAMERA"));
        let sdk = r#"[{ "id": "amap", "name": "Amap", "company": "AutoNavi", "data": "location",
  "purposes": ["p0", "nearby"], "privacy_url": "https://lbs.amap.com/privacy" }]"#;
        let p = policy2(&[&["CAMERA"]], sdk);
        let f = run(&m, &p, None);
        assert_eq!(
            codes(&f),
            vec![(File::Policy, 14, Code::SdkWithoutPackages), (File::Policy, 15, Code::SdkServesUndeclaredPurpose)],
            "{f:#?}"
        );
        assert!(f[1].message.contains("\"nearby\""), "{}", f[1].message);
        let fixed = p.replace(", \"nearby\"]", "]").replace(
            "\"https://lbs.amap.com/privacy\"",
            "\"https://lbs.amap.com/privacy\", \"packages\": [\"com.amap.api\"]",
        );
        assert_eq!(run(&m, &fixed, None), vec![]);
    }
}

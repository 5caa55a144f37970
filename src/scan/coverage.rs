//! Who a call site belongs to (the app, or a third-party SDK the policy declares, by its
//! Java packages), and whether a declared purpose covers the data it touches.
//!
//! A site inside a declared SDK's packages counts only that SDK's purposes; anywhere else
//! (the app, or an SDK the policy does not declare) any purpose does. A purpose covers a
//! permission group when it declares a permission of that group. Data no runtime permission
//! guards (Android ID, MAC addresses, installed apps, clipboard) is covered only inside a
//! declared SDK that serves a purpose: the policy discloses what the SDK receives, and the
//! app starts it only once one of its purposes is allowed. In the app's own code nothing can
//! cover it (declaring that code as an SDK with its packages can).

use crate::policy::{Policy, Sdk};

use super::apis::DataGroup;

/// The owner of a call site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Owner {
    /// The app, or a library the policy does not declare as an SDK.
    App,
    /// A declared SDK (its id in the policy).
    Sdk(String),
}

/// Whether a site is covered, and by what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Covered {
        purposes: Vec<String>,
    },
    /// Why not, in words.
    Uncovered {
        reason: String,
    },
}

pub struct Coverage<'p> {
    policy: &'p Policy,
}

impl<'p> Coverage<'p> {
    pub fn new(policy: &'p Policy) -> Coverage<'p> {
        Coverage { policy }
    }

    /// The declared SDK whose package prefix is the longest match for `class` (a Java name).
    fn sdk_of(&self, class: &str) -> Option<&'p Sdk> {
        self.policy
            .sdks
            .iter()
            .flat_map(|sdk| sdk.packages.iter().map(move |p| (sdk, p)))
            .filter(|(_, p)| class.strip_prefix(p.as_str()).is_some_and(|rest| rest.starts_with('.')))
            .max_by_key(|(_, p)| p.len())
            .map(|(sdk, _)| sdk)
    }

    pub(crate) fn owner(&self, class: &str) -> Owner {
        self.sdk_of(class).map_or(Owner::App, |s| Owner::Sdk(s.id.clone()))
    }

    pub(crate) fn verdict(&self, class: &str, group: DataGroup) -> Verdict {
        let sdk = self.sdk_of(class);
        let Some(needed) = group.permission_group() else {
            return match sdk {
                Some(s) if !s.purposes.is_empty() => Verdict::Covered { purposes: s.purposes.clone() },
                _ => Verdict::Uncovered {
                    reason: format!(
                        "no runtime permission guards {}: only a declared SDK's purposes can cover it (declare the code's packages under \"sdks\")",
                        describe(group)
                    ),
                },
            };
        };
        let purposes: Vec<String> = self
            .policy
            .purposes
            .iter()
            .filter(|p| sdk.is_none_or(|s| s.purposes.contains(&p.id)))
            .filter(|p| p.permissions.iter().any(|perm| perm.group() == needed))
            .map(|p| p.id.clone())
            .collect();
        if !purposes.is_empty() {
            return Verdict::Covered { purposes };
        }
        Verdict::Uncovered {
            reason: match sdk {
                Some(s) => format!("no purpose of SDK {} declares a {group} permission", s.id),
                None => format!("no purpose declares a {group} permission"),
            },
        }
    }
}

fn describe(group: DataGroup) -> &'static str {
    match group {
        DataGroup::DeviceId => "the Android ID",
        DataGroup::HardwareAddress => "MAC addresses",
        DataGroup::InstalledApps => "the list of installed apps",
        DataGroup::Clipboard => "the clipboard",
        DataGroup::Permission(_) => "this data",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::Group;

    fn policy(sdks: &str) -> Policy {
        Policy::parse(&format!(
            r#"{{"schema":2,"policy_version":"1","default_locale":"en","purposes":[
              {{"id":"stores","permissions":["android.permission.ACCESS_FINE_LOCATION"],"description":{{"en":"Stores"}}}},
              {{"id":"photo","permissions":["android.permission.CAMERA"],"description":{{"en":"Photo"}}}},
              {{"id":"stats","permissions":[],"description":{{"en":"Statistics"}}}}]{sdks}}}"#
        ))
        .unwrap()
    }

    const MAPS: &str = r#","sdks":[{"id":"maps","name":"Maps","company":"Maps Inc.","data":"photos, device id",
        "purposes":["photo","stats"],"privacy_url":"https://maps.example/privacy","packages":["com.maps"]}]"#;

    #[test]
    fn a_purpose_with_a_permission_of_the_group_covers_it() {
        let p = policy("");
        let c = Coverage::new(&p);
        assert_eq!(
            c.verdict("com.example.Map", DataGroup::Permission(Group::Location)),
            Verdict::Covered { purposes: vec!["stores".into()] }
        );
        assert!(matches!(
            c.verdict("com.example.Map", DataGroup::Permission(Group::Contacts)),
            Verdict::Uncovered { .. }
        ));
        assert!(matches!(c.verdict("com.example.Map", DataGroup::DeviceId), Verdict::Uncovered { .. }));
        assert_eq!(c.owner("com.example.Map"), Owner::App);
    }

    #[test]
    fn an_sdk_counts_only_its_own_purposes() {
        let p = policy(MAPS);
        let c = Coverage::new(&p);
        assert_eq!(c.owner("com.maps.internal.Loc"), Owner::Sdk("maps".into()));
        assert_eq!(c.owner("com.mapsx.Loc"), Owner::App, "a prefix is a whole package");
        let Verdict::Uncovered { reason } = c.verdict("com.maps.internal.Loc", DataGroup::Permission(Group::Location))
        else {
            panic!("the app's location purpose does not cover the SDK")
        };
        assert!(reason.contains("SDK maps"), "{reason}");
        assert!(matches!(c.verdict("com.maps.Cam", DataGroup::Permission(Group::Camera)), Verdict::Covered { .. }));
        // Data without a permission: the declared SDK's purposes, never the app's own code.
        assert_eq!(
            c.verdict("com.maps.Id", DataGroup::DeviceId),
            Verdict::Covered { purposes: vec!["photo".into(), "stats".into()] }
        );
        assert!(matches!(c.verdict("com.example.Id", DataGroup::DeviceId), Verdict::Uncovered { .. }));
    }
}

//! From the references in one method's code to the sensitive call sites it contains.
//! Shared by the class-file and dex readers: both resolve a reference to names, classify
//! it once per constant pool (`Classified`), and feed a `MethodScan` per method.

use super::apis::{self, DataGroup, Reference, PROVIDERS};

/// A reference the scan cares about, with the name it is shown under.
#[derive(Debug, Clone)]
pub(crate) struct Classified {
    pub(crate) reference: Reference,
    /// `android.location.LocationManager.getLastKnownLocation`, `"content://sms"`...
    pub(crate) display: String,
}

impl Classified {
    pub(crate) fn call(class: &[u8], method: &[u8]) -> Option<Classified> {
        let reference = apis::classify_call(class, method)?;
        Some(Classified { reference, display: member_display(class, method) })
    }

    pub(crate) fn field(class: &[u8], field: &[u8]) -> Option<Classified> {
        let reference = apis::classify_field(class, field)?;
        Some(Classified { reference, display: member_display(class, field) })
    }

    pub(crate) fn string(s: &[u8]) -> Option<Classified> {
        let reference = apis::classify_string(s)?;
        Some(Classified { reference, display: format!("\"{}\"", String::from_utf8_lossy(s)) })
    }
}

fn member_display(class: &[u8], member: &[u8]) -> String {
    format!("{}.{}", apis::java_name(&String::from_utf8_lossy(class)), String::from_utf8_lossy(member))
}

/// One sensitive call site: which method of which class, calling what, touching which data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Site {
    /// Java name of the calling class (`com.example.Feedback$1`).
    pub(crate) class: String,
    /// Name of the calling method.
    pub(crate) method: String,
    /// The API, as `android.hardware.Camera.open` or
    /// `android.content.ContentResolver.query(android.provider.CallLog$Calls.CONTENT_URI)`.
    pub(crate) api: String,
    pub(crate) group: DataGroup,
}

/// The references found in one method, turned into sites when the method ends.
#[derive(Default)]
pub(crate) struct MethodScan {
    /// (api, group), deduplicated at the end.
    direct: Vec<(String, DataGroup)>,
    /// Provider URIs referenced: (display, group).
    uris: Vec<(String, DataGroup)>,
    resolver_calls: Vec<&'static str>,
    settings_get: Option<String>,
    android_id: bool,
}

impl MethodScan {
    pub(crate) fn add(&mut self, c: &Classified) {
        match c.reference {
            Reference::Call { calls, .. } => self.direct.push((c.display.clone(), apis::CALLS[calls].group)),
            Reference::ProviderField { provider } | Reference::ProviderLiteral { provider } => {
                self.uris.push((c.display.clone(), PROVIDERS[provider].group))
            }
            Reference::ResolverCall { method } => self.resolver_calls.push(method),
            Reference::SettingsGetString => self.settings_get = Some(c.display.clone()),
            Reference::AndroidIdLiteral => self.android_id = true,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.direct.is_empty() && self.uris.is_empty() && self.settings_get.is_none()
    }

    /// The sites of this method (each API once).
    pub(crate) fn finish(mut self, class: &str, method: &str, out: &mut Vec<Site>) {
        // A provider URI is named with the ContentResolver calls of the same method; the URI
        // may also travel to a call elsewhere (a loader, a helper), so it counts on its own.
        self.resolver_calls.sort_unstable();
        self.resolver_calls.dedup();
        for (uri, group) in self.uris.drain(..) {
            let api = if self.resolver_calls.is_empty() {
                uri
            } else {
                let calls: Vec<String> =
                    self.resolver_calls.iter().map(|m| format!("android.content.ContentResolver.{m}")).collect();
                format!("{}({uri})", calls.join("/"))
            };
            self.direct.push((api, group));
        }
        if let (Some(getter), true) = (self.settings_get.take(), self.android_id) {
            self.direct.push((format!("{getter}(ANDROID_ID)"), DataGroup::DeviceId));
        }
        self.direct.sort();
        self.direct.dedup();
        out.extend(self.direct.into_iter().map(|(api, group)| Site {
            class: class.to_string(),
            method: method.to_string(),
            api,
            group,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::Group;

    fn scan(refs: &[Classified]) -> Vec<Site> {
        let mut m = MethodScan::default();
        refs.iter().for_each(|r| m.add(r));
        let mut out = Vec::new();
        m.finish("com.example.A", "run", &mut out);
        out
    }

    #[test]
    fn a_provider_uri_is_named_with_the_resolver_call_of_its_method() {
        let sites = scan(&[
            Classified::call(b"android/content/ContentResolver", b"query").unwrap(),
            Classified::field(b"android/provider/CallLog$Calls", b"CONTENT_URI").unwrap(),
        ]);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].api, "android.content.ContentResolver.query(android.provider.CallLog$Calls.CONTENT_URI)");
        assert_eq!(sites[0].group, DataGroup::Permission(Group::CallLog));
    }

    #[test]
    fn android_id_needs_both_the_getter_and_the_name() {
        let getter = Classified::call(b"android/provider/Settings$Secure", b"getString").unwrap();
        let id = Classified::string(b"android_id").unwrap();
        assert!(scan(std::slice::from_ref(&getter)).is_empty(), "another setting is not an identifier");
        let sites = scan(&[getter, id]);
        assert_eq!(sites[0].api, "android.provider.Settings$Secure.getString(ANDROID_ID)");
        assert_eq!(sites[0].group, DataGroup::DeviceId);
    }

    #[test]
    fn a_repeated_call_is_one_site() {
        let c = Classified::call(b"android/hardware/Camera", b"open").unwrap();
        assert_eq!(scan(&[c.clone(), c]).len(), 1);
    }
}

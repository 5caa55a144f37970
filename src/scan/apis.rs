//! The sensitive framework APIs the scan looks for, and the data each one touches.
//!
//! Classes are in the JVM's internal form (`android/location/LocationManager`), the form
//! both class files and dex files name them in. A call is matched on class and method
//! name (every overload); fields and string literals mark content-provider URIs and
//! `Settings.Secure.ANDROID_ID` (a compile-time constant: javac and d8 inline it as the
//! string "android_id").

use std::fmt;

use crate::permission::Group;

/// What a finding touches: a runtime-permission group, or data no runtime permission guards
/// (app-store privacy reviews flag these all the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum DataGroup {
    /// Guarded by the runtime permissions of this group.
    Permission(Group),
    /// `Settings.Secure.ANDROID_ID`.
    DeviceId,
    /// Wi-Fi and Bluetooth MAC addresses, network interface hardware addresses.
    HardwareAddress,
    /// The list of installed apps.
    InstalledApps,
    /// The clipboard's content.
    Clipboard,
}

impl DataGroup {
    /// Stable name, used in the output and the JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            DataGroup::Permission(g) => match g {
                Group::Camera => "camera",
                Group::Contacts => "contacts",
                Group::Microphone => "microphone",
                Group::Sms => "sms",
                Group::CallLog => "call_log",
                Group::Phone => "phone",
                Group::Calendar => "calendar",
                Group::Location => "location",
                Group::Storage => "storage",
                Group::Notifications => "notifications",
                Group::NearbyDevices => "nearby_devices",
                Group::BodySensors => "body_sensors",
                Group::PhysicalActivity => "physical_activity",
                Group::SpecialAccess => "special_access",
            },
            DataGroup::DeviceId => "device_id",
            DataGroup::HardwareAddress => "hardware_address",
            DataGroup::InstalledApps => "installed_apps",
            DataGroup::Clipboard => "clipboard",
        }
    }

    /// The permission group a purpose must declare to cover this, if any.
    pub(crate) fn permission_group(self) -> Option<Group> {
        match self {
            DataGroup::Permission(g) => Some(g),
            _ => None,
        }
    }
}

impl fmt::Display for DataGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

use DataGroup::{Clipboard, HardwareAddress, InstalledApps};
const LOCATION: DataGroup = DataGroup::Permission(Group::Location);
const CAMERA: DataGroup = DataGroup::Permission(Group::Camera);
const MICROPHONE: DataGroup = DataGroup::Permission(Group::Microphone);
const PHONE: DataGroup = DataGroup::Permission(Group::Phone);
const CONTACTS: DataGroup = DataGroup::Permission(Group::Contacts);
const CALL_LOG: DataGroup = DataGroup::Permission(Group::CallLog);
const SMS: DataGroup = DataGroup::Permission(Group::Sms);
const CALENDAR: DataGroup = DataGroup::Permission(Group::Calendar);

/// Methods of one class that read sensitive data.
pub(crate) struct Calls {
    pub(crate) class: &'static str,
    pub(crate) methods: &'static [&'static str],
    pub(crate) group: DataGroup,
}

#[rustfmt::skip]
pub(crate) const CALLS: &[Calls] = &[
    // Location. Fused location: Google Play services' client asks its own process, so the app's
    // call site is the client API; the framework's FUSED_PROVIDER goes through LocationManager.
    Calls { class: "android/location/LocationManager", methods: &["requestLocationUpdates", "requestSingleUpdate", "getLastKnownLocation", "getCurrentLocation", "registerGnssStatusCallback", "addGpsStatusListener", "addNmeaListener", "registerGnssMeasurementsCallback", "addProximityAlert"], group: LOCATION },
    Calls { class: "com/google/android/gms/location/FusedLocationProviderClient", methods: &["getLastLocation", "getCurrentLocation", "requestLocationUpdates"], group: LOCATION },
    Calls { class: "com/google/android/gms/location/FusedLocationProviderApi", methods: &["getLastLocation", "requestLocationUpdates"], group: LOCATION },
    Calls { class: "android/telephony/TelephonyManager", methods: &["getCellLocation", "getAllCellInfo", "requestCellInfoUpdate", "getNeighboringCellInfo"], group: LOCATION },
    Calls { class: "android/net/wifi/WifiManager", methods: &["getScanResults"], group: LOCATION },
    // Camera.
    Calls { class: "android/hardware/Camera", methods: &["open"], group: CAMERA },
    Calls { class: "android/hardware/camera2/CameraManager", methods: &["openCamera"], group: CAMERA },
    // Microphone.
    Calls { class: "android/media/AudioRecord", methods: &["<init>", "startRecording"], group: MICROPHONE },
    Calls { class: "android/media/AudioRecord$Builder", methods: &["build"], group: MICROPHONE },
    Calls { class: "android/media/MediaRecorder", methods: &["setAudioSource"], group: MICROPHONE },
    Calls { class: "android/speech/SpeechRecognizer", methods: &["startListening"], group: MICROPHONE },
    // Phone state and identifiers.
    Calls { class: "android/telephony/TelephonyManager", methods: &["getDeviceId", "getImei", "getMeid", "getSubscriberId", "getSimSerialNumber", "getLine1Number", "getVoiceMailNumber", "getGroupIdLevel1"], group: PHONE },
    Calls { class: "android/telephony/SubscriptionManager", methods: &["getActiveSubscriptionInfoList", "getPhoneNumber"], group: PHONE },
    Calls { class: "android/os/Build", methods: &["getSerial"], group: PHONE },
    Calls { class: "android/accounts/AccountManager", methods: &["getAccounts", "getAccountsByType"], group: CONTACTS },
    // Hardware addresses.
    Calls { class: "android/net/wifi/WifiInfo", methods: &["getMacAddress"], group: HardwareAddress },
    Calls { class: "android/bluetooth/BluetoothAdapter", methods: &["getAddress"], group: HardwareAddress },
    Calls { class: "java/net/NetworkInterface", methods: &["getHardwareAddress"], group: HardwareAddress },
    // Installed apps.
    Calls { class: "android/content/pm/PackageManager", methods: &["getInstalledPackages", "getInstalledApplications", "queryIntentActivities", "queryIntentServices", "getPackagesHoldingPermissions"], group: InstalledApps },
    // Clipboard reads.
    Calls { class: "android/content/ClipboardManager", methods: &["getPrimaryClip", "getText", "getPrimaryClipDescription"], group: Clipboard },
    Calls { class: "android/text/ClipboardManager", methods: &["getText"], group: Clipboard },
];

/// Content providers whose URIs mark a read of personal data.
pub(crate) struct Provider {
    /// Classes whose `*_URI` fields are this provider's URIs (and every nested class).
    pub(crate) class_prefix: &'static str,
    /// `content://` URI prefixes written as literals.
    pub(crate) uri_prefixes: &'static [&'static str],
    pub(crate) group: DataGroup,
}

#[rustfmt::skip]
pub(crate) const PROVIDERS: &[Provider] = &[
    Provider { class_prefix: "android/provider/ContactsContract", uri_prefixes: &["content://com.android.contacts", "content://contacts"], group: CONTACTS },
    Provider { class_prefix: "android/provider/CallLog", uri_prefixes: &["content://call_log"], group: CALL_LOG },
    Provider { class_prefix: "android/provider/Telephony$Sms", uri_prefixes: &["content://sms", "content://mms-sms"], group: SMS },
    Provider { class_prefix: "android/provider/Telephony$Mms", uri_prefixes: &["content://mms"], group: SMS },
    Provider { class_prefix: "android/provider/Telephony$Threads", uri_prefixes: &[], group: SMS },
    Provider { class_prefix: "android/provider/CalendarContract", uri_prefixes: &["content://com.android.calendar"], group: CALENDAR },
];

/// `ContentResolver` methods that use a provider URI (named in a finding when the same
/// method also references one).
pub(crate) const RESOLVER_CLASS: &str = "android/content/ContentResolver";
pub(crate) const RESOLVER_METHODS: &[&str] = &[
    "query",
    "insert",
    "bulkInsert",
    "update",
    "delete",
    "applyBatch",
    "call",
    "openInputStream",
    "registerContentObserver",
    "acquireContentProviderClient",
    "acquireUnstableContentProviderClient",
];

/// `Settings.Secure.getString(resolver, "android_id")`: the call and the inlined constant.
pub(crate) const SETTINGS_CLASSES: &[&str] = &["android/provider/Settings$Secure", "android/provider/Settings$System"];
pub(crate) const SETTINGS_GETTER: &str = "getString";
pub(crate) const ANDROID_ID: &str = "android_id";

/// Class names that can start a match; everything else is skipped without a lookup.
pub(crate) fn may_match_class(class: &[u8]) -> bool {
    class.starts_with(b"android/") || class.starts_with(b"java/net/") || class.starts_with(b"com/google/android/gms/")
}

/// What one reference in a method's code is, as far as the scan cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reference {
    /// A call of a sensitive API (index into `CALLS`).
    Call { calls: usize, method: &'static str },
    /// A provider URI field (`ContactsContract.Contacts.CONTENT_URI`); index into `PROVIDERS`.
    ProviderField { provider: usize },
    /// A `content://` literal of a provider.
    ProviderLiteral { provider: usize },
    /// A `ContentResolver` call that takes a URI.
    ResolverCall { method: &'static str },
    /// `Settings.Secure.getString` / `Settings.System.getString`.
    SettingsGetString,
    /// The string "android_id".
    AndroidIdLiteral,
}

/// Classifies a method reference (class in internal form).
pub(crate) fn classify_call(class: &[u8], method: &[u8]) -> Option<Reference> {
    if !may_match_class(class) {
        return None;
    }
    if class == RESOLVER_CLASS.as_bytes() {
        return RESOLVER_METHODS.iter().find(|m| m.as_bytes() == method).map(|m| Reference::ResolverCall { method: m });
    }
    if SETTINGS_CLASSES.iter().any(|c| c.as_bytes() == class) && method == SETTINGS_GETTER.as_bytes() {
        return Some(Reference::SettingsGetString);
    }
    CALLS.iter().enumerate().find_map(|(i, c)| {
        if c.class.as_bytes() != class {
            return None;
        }
        c.methods.iter().find(|m| m.as_bytes() == method).map(|m| Reference::Call { calls: i, method: m })
    })
}

/// Classifies a static field read: provider URI fields end in `_URI` (`CONTENT_URI`,
/// `CONTENT_FILTER_URI`, `CONTENT_LOOKUP_URI`...).
pub(crate) fn classify_field(class: &[u8], field: &[u8]) -> Option<Reference> {
    if !class.starts_with(b"android/provider/") || !field.ends_with(b"_URI") {
        return None;
    }
    PROVIDERS
        .iter()
        .position(|p| class.starts_with(p.class_prefix.as_bytes()))
        .map(|provider| Reference::ProviderField { provider })
}

/// Classifies a string literal.
pub(crate) fn classify_string(s: &[u8]) -> Option<Reference> {
    if s == ANDROID_ID.as_bytes() {
        return Some(Reference::AndroidIdLiteral);
    }
    if !s.starts_with(b"content://") {
        return None;
    }
    PROVIDERS
        .iter()
        .position(|p| {
            p.uri_prefixes.iter().any(|u| {
                // "content://sms" matches "content://sms/inbox", not "content://smsfoo".
                s.starts_with(u.as_bytes()) && matches!(s.get(u.len()), None | Some(b'/'))
            })
        })
        .map(|provider| Reference::ProviderLiteral { provider })
}

/// `android/location/LocationManager` -> `android.location.LocationManager` (nested classes keep `$`).
pub(crate) fn java_name(internal: &str) -> String {
    internal.replace('/', ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_matched_by_class_and_method() {
        assert!(matches!(
            classify_call(b"android/location/LocationManager", b"getLastKnownLocation"),
            Some(Reference::Call { method: "getLastKnownLocation", .. })
        ));
        assert_eq!(classify_call(b"android/location/LocationManager", b"getProviders"), None);
        assert_eq!(classify_call(b"com/example/LocationManager", b"getLastKnownLocation"), None);
        assert_eq!(
            classify_call(b"android/content/ContentResolver", b"query"),
            Some(Reference::ResolverCall { method: "query" })
        );
    }

    #[test]
    fn provider_fields_and_literals_name_their_group() {
        let Some(Reference::ProviderField { provider }) =
            classify_field(b"android/provider/ContactsContract$CommonDataKinds$Phone", b"CONTENT_URI")
        else {
            panic!("contacts URI not recognised")
        };
        assert_eq!(PROVIDERS[provider].group, CONTACTS);
        assert_eq!(classify_field(b"android/provider/ContactsContract$Contacts", b"DISPLAY_NAME"), None);
        let Some(Reference::ProviderLiteral { provider }) = classify_string(b"content://sms/inbox") else {
            panic!("sms literal not recognised")
        };
        assert_eq!(PROVIDERS[provider].group, SMS);
        assert_eq!(classify_string(b"content://smsfoo"), None);
        assert_eq!(classify_string(b"content://media/external"), None);
        assert_eq!(classify_string(b"android_id"), Some(Reference::AndroidIdLiteral));
    }

    #[test]
    fn every_table_class_passes_the_prefix_filter() {
        for c in CALLS {
            assert!(may_match_class(c.class.as_bytes()), "{}", c.class);
        }
        assert!(may_match_class(RESOLVER_CLASS.as_bytes()));
    }
}

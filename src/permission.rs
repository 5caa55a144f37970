//! Android permissions this SDK governs (every runtime permission of API 35 and the special
//! permissions granted on a settings page), their groups, and the API-level rules app
//! teams get wrong (what to actually request where).

use std::fmt;

/// The permission groups a purpose can touch; every one is sensitive personal
/// information under PIPL art. 28 and GDPR art. 9-adjacent guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Group {
    Camera,
    Contacts,
    Microphone,
    Sms,
    CallLog,
    Phone,
    Calendar,
    Location,
    Storage,
    // Schema 2:
    Notifications,
    NearbyDevices,
    BodySensors,
    PhysicalActivity,
    /// Granted on a settings page, not in a dialog (all-files access, overlays, ...).
    SpecialAccess,
}

/// How Android grants a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The system permission dialog (`requestPermissions`).
    Runtime,
    /// A settings page the app opens; the app checks the grant with a dedicated API.
    Special,
}

/// Every runtime permission in scope. Discriminants index into `ALL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    Camera,
    ReadContacts,
    WriteContacts,
    GetAccounts,
    RecordAudio,
    SendSms,
    ReceiveSms,
    ReadSms,
    ReceiveWapPush,
    ReceiveMms,
    ReadCallLog,
    WriteCallLog,
    ProcessOutgoingCalls,
    ReadPhoneState,
    ReadPhoneNumbers,
    CallPhone,
    AnswerPhoneCalls,
    AddVoicemail,
    UseSip,
    AcceptHandover,
    ReadCalendar,
    WriteCalendar,
    AccessCoarseLocation,
    AccessFineLocation,
    AccessBackgroundLocation,
    ReadExternalStorage,
    WriteExternalStorage,
    ReadMediaImages,
    ReadMediaVideo,
    ReadMediaAudio,
    ReadMediaVisualUserSelected,
    // Schema 2: the rest of API 35's runtime permissions...
    AccessMediaLocation,
    PostNotifications,
    BluetoothScan,
    BluetoothConnect,
    BluetoothAdvertise,
    NearbyWifiDevices,
    UwbRanging,
    BodySensors,
    BodySensorsBackground,
    ActivityRecognition,
    // ...and the special permissions granted on a settings page.
    ManageExternalStorage,
    SystemAlertWindow,
    ScheduleExactAlarm,
    RequestInstallPackages,
    PackageUsageStats,
    WriteSettings,
}

/// Second steps: each permission on the left is asked only after one on the right is granted.
/// The one statement of the rule: validation, the request plan, the OS-grant check and the
/// lint all read it.
pub(crate) const BACKGROUND_STEPS: &[(Permission, &[Permission])] = &[
    (Permission::AccessBackgroundLocation, &[Permission::AccessCoarseLocation, Permission::AccessFineLocation]),
    (Permission::BodySensorsBackground, &[Permission::BodySensors]),
];

/// Static facts about one permission.
struct Info {
    perm: Permission,
    name: &'static str,
    // Read only by `consentgate scan` (feature "cli").
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    group: Group,
    /// First API level at which the OS knows this as a runtime permission.
    min_api: u32,
    /// Last API level at which requesting it has any effect.
    max_api: u32,
    /// Plain words for the rationale dialog and settings screen.
    label_en: &'static str,
    label_zh: &'static str,
    /// The policy schema that introduced it.
    schema: u32,
    kind: Kind,
}

const ANY: u32 = u32::MAX;

#[rustfmt::skip]
const TABLE: &[Info] = &[
    Info { perm: Permission::Camera, name: "android.permission.CAMERA", group: Group::Camera, min_api: 23, max_api: ANY, label_en: "take photos and videos", label_zh: "拍摄照片和视频", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadContacts, name: "android.permission.READ_CONTACTS", group: Group::Contacts, min_api: 23, max_api: ANY, label_en: "read your contacts", label_zh: "读取通讯录", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::WriteContacts, name: "android.permission.WRITE_CONTACTS", group: Group::Contacts, min_api: 23, max_api: ANY, label_en: "change your contacts", label_zh: "修改通讯录", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::GetAccounts, name: "android.permission.GET_ACCOUNTS", group: Group::Contacts, min_api: 23, max_api: ANY, label_en: "find accounts on the device", label_zh: "查找设备上的账号", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::RecordAudio, name: "android.permission.RECORD_AUDIO", group: Group::Microphone, min_api: 23, max_api: ANY, label_en: "record audio", label_zh: "录音", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::SendSms, name: "android.permission.SEND_SMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "send text messages", label_zh: "发送短信", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReceiveSms, name: "android.permission.RECEIVE_SMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "receive text messages", label_zh: "接收短信", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadSms, name: "android.permission.READ_SMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "read your text messages", label_zh: "读取短信", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReceiveWapPush, name: "android.permission.RECEIVE_WAP_PUSH", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "receive WAP push messages", label_zh: "接收 WAP 推送", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReceiveMms, name: "android.permission.RECEIVE_MMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "receive MMS messages", label_zh: "接收彩信", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadCallLog, name: "android.permission.READ_CALL_LOG", group: Group::CallLog, min_api: 23, max_api: ANY, label_en: "read your call log", label_zh: "读取通话记录", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::WriteCallLog, name: "android.permission.WRITE_CALL_LOG", group: Group::CallLog, min_api: 23, max_api: ANY, label_en: "change your call log", label_zh: "修改通话记录", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ProcessOutgoingCalls, name: "android.permission.PROCESS_OUTGOING_CALLS", group: Group::CallLog, min_api: 23, max_api: ANY, label_en: "see outgoing calls", label_zh: "查看拨出的电话", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadPhoneState, name: "android.permission.READ_PHONE_STATE", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "read phone status", label_zh: "读取电话状态", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadPhoneNumbers, name: "android.permission.READ_PHONE_NUMBERS", group: Group::Phone, min_api: 26, max_api: ANY, label_en: "read your phone numbers", label_zh: "读取本机号码", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::CallPhone, name: "android.permission.CALL_PHONE", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "make phone calls", label_zh: "拨打电话", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::AnswerPhoneCalls, name: "android.permission.ANSWER_PHONE_CALLS", group: Group::Phone, min_api: 26, max_api: ANY, label_en: "answer phone calls", label_zh: "接听电话", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::AddVoicemail, name: "com.android.voicemail.permission.ADD_VOICEMAIL", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "add voicemail", label_zh: "添加语音邮件", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::UseSip, name: "android.permission.USE_SIP", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "make internet (SIP) calls", label_zh: "拨打网络电话", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::AcceptHandover, name: "android.permission.ACCEPT_HANDOVER", group: Group::Phone, min_api: 28, max_api: ANY, label_en: "continue a call from another app", label_zh: "继续其他应用的通话", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadCalendar, name: "android.permission.READ_CALENDAR", group: Group::Calendar, min_api: 23, max_api: ANY, label_en: "read your calendar", label_zh: "读取日历", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::WriteCalendar, name: "android.permission.WRITE_CALENDAR", group: Group::Calendar, min_api: 23, max_api: ANY, label_en: "change your calendar", label_zh: "修改日历", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::AccessCoarseLocation, name: "android.permission.ACCESS_COARSE_LOCATION", group: Group::Location, min_api: 23, max_api: ANY, label_en: "approximate location", label_zh: "大致位置", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::AccessFineLocation, name: "android.permission.ACCESS_FINE_LOCATION", group: Group::Location, min_api: 23, max_api: ANY, label_en: "precise location", label_zh: "精确位置", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::AccessBackgroundLocation, name: "android.permission.ACCESS_BACKGROUND_LOCATION", group: Group::Location, min_api: 29, max_api: ANY, label_en: "location while the app is in the background", label_zh: "后台访问位置", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadExternalStorage, name: "android.permission.READ_EXTERNAL_STORAGE", group: Group::Storage, min_api: 23, max_api: 32, label_en: "read files in shared storage", label_zh: "读取共享存储中的文件", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::WriteExternalStorage, name: "android.permission.WRITE_EXTERNAL_STORAGE", group: Group::Storage, min_api: 23, max_api: 29, label_en: "save files to shared storage", label_zh: "向共享存储写入文件", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadMediaImages, name: "android.permission.READ_MEDIA_IMAGES", group: Group::Storage, min_api: 33, max_api: ANY, label_en: "read photos", label_zh: "读取照片", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadMediaVideo, name: "android.permission.READ_MEDIA_VIDEO", group: Group::Storage, min_api: 33, max_api: ANY, label_en: "read videos", label_zh: "读取视频", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadMediaAudio, name: "android.permission.READ_MEDIA_AUDIO", group: Group::Storage, min_api: 33, max_api: ANY, label_en: "read music and audio", label_zh: "读取音乐和音频", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::ReadMediaVisualUserSelected, name: "android.permission.READ_MEDIA_VISUAL_USER_SELECTED", group: Group::Storage, min_api: 34, max_api: ANY, label_en: "read photos and videos you select", label_zh: "读取您选择的照片和视频", schema: 1, kind: Kind::Runtime },
    Info { perm: Permission::AccessMediaLocation, name: "android.permission.ACCESS_MEDIA_LOCATION", group: Group::Storage, min_api: 29, max_api: ANY, label_en: "read locations saved in your photos", label_zh: "读取照片中的位置信息", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::PostNotifications, name: "android.permission.POST_NOTIFICATIONS", group: Group::Notifications, min_api: 33, max_api: ANY, label_en: "send you notifications", label_zh: "向您发送通知", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::BluetoothScan, name: "android.permission.BLUETOOTH_SCAN", group: Group::NearbyDevices, min_api: 31, max_api: ANY, label_en: "find nearby Bluetooth devices", label_zh: "查找附近的蓝牙设备", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::BluetoothConnect, name: "android.permission.BLUETOOTH_CONNECT", group: Group::NearbyDevices, min_api: 31, max_api: ANY, label_en: "connect to paired Bluetooth devices", label_zh: "连接已配对的蓝牙设备", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::BluetoothAdvertise, name: "android.permission.BLUETOOTH_ADVERTISE", group: Group::NearbyDevices, min_api: 31, max_api: ANY, label_en: "make this device visible to nearby Bluetooth devices", label_zh: "让附近的蓝牙设备发现本机", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::NearbyWifiDevices, name: "android.permission.NEARBY_WIFI_DEVICES", group: Group::NearbyDevices, min_api: 33, max_api: ANY, label_en: "find and connect to nearby Wi-Fi devices", label_zh: "查找并连接附近的 WLAN 设备", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::UwbRanging, name: "android.permission.UWB_RANGING", group: Group::NearbyDevices, min_api: 31, max_api: ANY, label_en: "measure the distance to nearby ultra-wideband devices", label_zh: "测量与附近超宽带设备的距离", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::BodySensors, name: "android.permission.BODY_SENSORS", group: Group::BodySensors, min_api: 23, max_api: ANY, label_en: "read body sensor data such as heart rate", label_zh: "读取心率等身体传感器数据", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::BodySensorsBackground, name: "android.permission.BODY_SENSORS_BACKGROUND", group: Group::BodySensors, min_api: 33, max_api: ANY, label_en: "read body sensor data while the app is in the background", label_zh: "在后台读取身体传感器数据", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::ActivityRecognition, name: "android.permission.ACTIVITY_RECOGNITION", group: Group::PhysicalActivity, min_api: 29, max_api: ANY, label_en: "recognise your physical activity (steps, cycling)", label_zh: "识别您的身体活动（步数、骑行等）", schema: 2, kind: Kind::Runtime },
    Info { perm: Permission::ManageExternalStorage, name: "android.permission.MANAGE_EXTERNAL_STORAGE", group: Group::SpecialAccess, min_api: 30, max_api: ANY, label_en: "access all files on the device", label_zh: "访问设备上的所有文件", schema: 2, kind: Kind::Special },
    Info { perm: Permission::SystemAlertWindow, name: "android.permission.SYSTEM_ALERT_WINDOW", group: Group::SpecialAccess, min_api: 23, max_api: ANY, label_en: "display over other apps", label_zh: "显示在其他应用的上层", schema: 2, kind: Kind::Special },
    Info { perm: Permission::ScheduleExactAlarm, name: "android.permission.SCHEDULE_EXACT_ALARM", group: Group::SpecialAccess, min_api: 31, max_api: ANY, label_en: "set alarms and reminders at exact times", label_zh: "设置精确的闹钟和提醒", schema: 2, kind: Kind::Special },
    Info { perm: Permission::RequestInstallPackages, name: "android.permission.REQUEST_INSTALL_PACKAGES", group: Group::SpecialAccess, min_api: 26, max_api: ANY, label_en: "install other apps", label_zh: "安装其他应用", schema: 2, kind: Kind::Special },
    Info { perm: Permission::PackageUsageStats, name: "android.permission.PACKAGE_USAGE_STATS", group: Group::SpecialAccess, min_api: 23, max_api: ANY, label_en: "see which apps you use and for how long", label_zh: "查看您使用哪些应用及使用时长", schema: 2, kind: Kind::Special },
    Info { perm: Permission::WriteSettings, name: "android.permission.WRITE_SETTINGS", group: Group::SpecialAccess, min_api: 23, max_api: ANY, label_en: "change system settings", label_zh: "修改系统设置", schema: 2, kind: Kind::Special },
];

/// Common install-time ("normal") permissions, so a policy that lists one
/// gets "not a runtime permission" rather than "unknown".
const NON_RUNTIME: &[&str] = &[
    "android.permission.INTERNET",
    "android.permission.ACCESS_NETWORK_STATE",
    "android.permission.ACCESS_WIFI_STATE",
    "android.permission.CHANGE_WIFI_STATE",
    "android.permission.BLUETOOTH",
    "android.permission.BLUETOOTH_ADMIN",
    "android.permission.VIBRATE",
    "android.permission.WAKE_LOCK",
    "android.permission.RECEIVE_BOOT_COMPLETED",
    "android.permission.FOREGROUND_SERVICE",
    "android.permission.FOREGROUND_SERVICE_LOCATION",
    "android.permission.FOREGROUND_SERVICE_CAMERA",
    "android.permission.FOREGROUND_SERVICE_MICROPHONE",
    "android.permission.NFC",
    "android.permission.USE_BIOMETRIC",
    "android.permission.USE_FINGERPRINT",
    "android.permission.QUERY_ALL_PACKAGES",
    "android.permission.USE_FULL_SCREEN_INTENT",
    "android.permission.READ_PRIVILEGED_PHONE_STATE",
    "android.permission.MODIFY_AUDIO_SETTINGS",
    "android.permission.CHANGE_NETWORK_STATE",
    "android.permission.ACCESS_NOTIFICATION_POLICY",
    "android.permission.EXPAND_STATUS_BAR",
    "android.permission.SET_WALLPAPER",
    "android.permission.DISABLE_KEYGUARD",
    "android.permission.TRANSMIT_IR",
    "android.permission.READ_SYNC_SETTINGS",
    "android.permission.WRITE_SYNC_SETTINGS",
];

/// Why a permission string is not something a purpose may declare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermissionError {
    #[error("unknown permission \"{0}\" (use the full name, e.g. android.permission.CAMERA)")]
    Unknown(String),
    #[error(
        "\"{0}\" is not a runtime permission, nor a special one, that this SDK governs (it is granted at install time)"
    )]
    NotRuntime(String),
}

impl Permission {
    /// Every permission in scope, in declaration order.
    pub(crate) fn all() -> impl Iterator<Item = Permission> {
        TABLE.iter().map(|i| i.perm)
    }

    fn info(self) -> &'static Info {
        // TABLE is in discriminant order (checked by a test).
        &TABLE[self as usize]
    }

    /// Parses a full Android permission name.
    pub fn parse(name: &str) -> Result<Permission, PermissionError> {
        if let Some(info) = TABLE.iter().find(|i| i.name == name) {
            return Ok(info.perm);
        }
        if NON_RUNTIME.contains(&name) {
            return Err(PermissionError::NotRuntime(name.to_string()));
        }
        Err(PermissionError::Unknown(name.to_string()))
    }

    /// True when `name` is a known install-time or special permission.
    #[cfg(feature = "cli")] // the manifest lint
    pub(crate) fn is_known_non_runtime(name: &str) -> bool {
        NON_RUNTIME.contains(&name)
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    #[cfg(feature = "cli")]
    pub(crate) fn group(self) -> Group {
        self.info().group
    }

    /// The name without its `android.permission.` prefix, for messages.
    pub(crate) fn short_name(self) -> &'static str {
        let name = self.name();
        name.rsplit('.').next().unwrap_or(name)
    }

    /// How Android grants it: a dialog, or a settings page.
    pub fn kind(self) -> Kind {
        self.info().kind
    }

    pub(crate) fn is_special(self) -> bool {
        self.kind() == Kind::Special
    }

    /// The policy schema a file must declare to use it.
    pub(crate) fn since_schema(self) -> u32 {
        self.info().schema
    }

    /// First API level where this is a runtime permission.
    #[cfg(feature = "cli")] // the manifest lint
    pub(crate) fn min_api(self) -> u32 {
        self.info().min_api
    }

    /// Last API level where requesting this has any effect (`u32::MAX` if none).
    #[cfg(feature = "cli")] // the manifest lint
    pub(crate) fn max_api(self) -> u32 {
        self.info().max_api
    }

    /// The permission in plain words, for `locale` ("zh*" gets Chinese, anything else English).
    pub(crate) fn label(self, locale: &str) -> &'static str {
        if locale.starts_with("zh") {
            self.info().label_zh
        } else {
            self.info().label_en
        }
    }

    pub fn is_foreground_location(self) -> bool {
        Permission::AccessBackgroundLocation.needs_first().contains(&self)
    }

    /// For a second step (background location, background body sensors): the permissions one
    /// of which must be granted first. Empty for every other permission.
    pub(crate) fn needs_first(self) -> &'static [Permission] {
        BACKGROUND_STEPS.iter().find(|(p, _)| *p == self).map_or(&[], |(_, first)| first)
    }

    /// Whether asking the OS for this permission means anything on `api`.
    pub fn requestable_on(self, api: u32) -> bool {
        let info = self.info();
        api >= info.min_api && api <= info.max_api
    }
}

/// Serialized as its full Android name.
impl serde::Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to ask the OS for, in order, for a purpose's declared permissions on a device API level.
///
/// Background location (and background body sensors) is never in the first step: on API 29+ it is asked separately and only
/// after a foreground location permission is granted; below 29 it is implied by foreground
/// location and is not requested at all. Storage: `READ_EXTERNAL_STORAGE` on 32 and below,
/// `READ_MEDIA_*` on 33 and up, `WRITE_EXTERNAL_STORAGE` only on 29 and below.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestPlan {
    /// Asked together in the first system dialog.
    pub first: Vec<Permission>,
    /// Asked afterwards, only if a foreground location permission was granted.
    pub(crate) background_location: Option<Permission>,
    /// `BODY_SENSORS_BACKGROUND`: asked afterwards, only if `BODY_SENSORS` was granted.
    pub(crate) background_sensors: Option<Permission>,
    /// Special permissions: one settings page each, after the dialogs.
    pub special: Vec<Permission>,
}

impl RequestPlan {
    pub fn for_api(declared: &[Permission], api: u32, already_granted: &[Permission]) -> RequestPlan {
        let mut plan = RequestPlan::default();
        for &p in declared {
            if !p.requestable_on(api) || already_granted.contains(&p) {
                continue;
            }
            if p == Permission::AccessBackgroundLocation {
                plan.background_location = Some(p);
            } else if p == Permission::BodySensorsBackground {
                plan.background_sensors = Some(p);
            } else if p.is_special() {
                plan.special.push(p);
            } else if !plan.first.contains(&p) {
                plan.first.push(p);
            }
        }
        // API 34+: asking for full photo or video access again while only user-selected
        // media is granted must include that permission too, so Android shows its photo
        // picker (where the user can change the selection) instead of answering at once.
        let user_selected = Permission::ReadMediaVisualUserSelected;
        if declared.contains(&user_selected)
            && user_selected.requestable_on(api)
            && !plan.first.contains(&user_selected)
            && plan.first.iter().any(|p| matches!(p, Permission::ReadMediaImages | Permission::ReadMediaVideo))
        {
            plan.first.push(user_selected);
        }
        plan
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
            && self.background_location.is_none()
            && self.background_sensors.is_none()
            && self.special.is_empty()
    }

    /// The second step, if any (a purpose declares at most one: validation).
    pub fn background(&self) -> Option<Permission> {
        self.background_location.or(self.background_sensors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_discriminant_order() {
        for (i, info) in TABLE.iter().enumerate() {
            assert_eq!(info.perm as usize, i, "{} out of order", info.name);
        }
    }

    #[test]
    fn parse_round_trips_every_permission() {
        for p in Permission::all() {
            assert_eq!(Permission::parse(p.name()), Ok(p));
        }
    }

    #[test]
    fn unknown_and_normal_permissions_are_named() {
        let err = Permission::parse("android.permission.CAMERAA").unwrap_err();
        assert!(err.to_string().contains("android.permission.CAMERAA"));
        assert!(matches!(err, PermissionError::Unknown(_)));
        let err = Permission::parse("android.permission.INTERNET").unwrap_err();
        assert!(matches!(err, PermissionError::NotRuntime(_)));
        assert!(err.to_string().contains("not a runtime permission"));
        assert!(matches!(Permission::parse("CAMERA"), Err(PermissionError::Unknown(_))));
    }

    #[test]
    fn storage_read_switches_to_media_permissions_on_33() {
        let declared =
            [Permission::ReadExternalStorage, Permission::ReadMediaImages, Permission::ReadMediaVisualUserSelected];
        assert_eq!(RequestPlan::for_api(&declared, 32, &[]).first, vec![Permission::ReadExternalStorage]);
        assert_eq!(RequestPlan::for_api(&declared, 33, &[]).first, vec![Permission::ReadMediaImages]);
        assert_eq!(
            RequestPlan::for_api(&declared, 34, &[]).first,
            vec![Permission::ReadMediaImages, Permission::ReadMediaVisualUserSelected]
        );
    }

    #[test]
    fn selected_photos_are_asked_again_with_full_access_so_the_picker_shows() {
        let declared = [Permission::ReadMediaImages, Permission::ReadMediaVisualUserSelected];
        let plan = RequestPlan::for_api(&declared, 34, &[Permission::ReadMediaVisualUserSelected]);
        assert_eq!(plan.first, declared.to_vec());
        let plan = RequestPlan::for_api(&declared, 33, &[]);
        assert_eq!(plan.first, vec![Permission::ReadMediaImages], "no photo picker permission before 34");
    }

    #[test]
    fn write_external_storage_means_nothing_on_30_and_up() {
        let declared = [Permission::WriteExternalStorage];
        assert_eq!(RequestPlan::for_api(&declared, 29, &[]).first, declared.to_vec());
        assert!(RequestPlan::for_api(&declared, 30, &[]).is_empty());
        assert!(RequestPlan::for_api(&declared, 35, &[]).is_empty());
    }

    #[test]
    fn background_location_is_a_separate_second_step_from_29() {
        let declared = [Permission::AccessFineLocation, Permission::AccessBackgroundLocation];
        let plan = RequestPlan::for_api(&declared, 29, &[]);
        assert_eq!(plan.first, vec![Permission::AccessFineLocation]);
        assert_eq!(plan.background_location, Some(Permission::AccessBackgroundLocation));
        let plan = RequestPlan::for_api(&declared, 28, &[]);
        assert_eq!(plan.first, vec![Permission::AccessFineLocation]);
        assert_eq!(plan.background_location, None, "implied by foreground below 29");
    }

    #[test]
    fn already_granted_permissions_are_not_asked_again() {
        let declared = [Permission::ReadContacts, Permission::WriteContacts];
        let plan = RequestPlan::for_api(&declared, 34, &[Permission::ReadContacts]);
        assert_eq!(plan.first, vec![Permission::WriteContacts]);
    }

    #[test]
    fn labels_follow_locale() {
        assert_eq!(Permission::Camera.label("zh-CN"), "拍摄照片和视频");
        assert_eq!(Permission::Camera.label("en-GB"), "take photos and videos");
    }
}

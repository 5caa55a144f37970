//! Android runtime permissions this SDK governs, their groups, and the
//! API-level rules app teams get wrong (what to actually request where).

use std::fmt;

/// The permission groups a purpose can touch; every one is sensitive personal
/// information under PIPL art. 28 and GDPR art. 9-adjacent guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Camera,
    Contacts,
    Microphone,
    Sms,
    CallLog,
    Phone,
    Calendar,
    Location,
    Storage,
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
}

/// Static facts about one permission.
struct Info {
    perm: Permission,
    name: &'static str,
    group: Group,
    /// First API level at which the OS knows this as a runtime permission.
    min_api: u32,
    /// Last API level at which requesting it has any effect.
    max_api: u32,
    /// Plain words for the rationale dialog and settings screen.
    label_en: &'static str,
    label_zh: &'static str,
}

const ANY: u32 = u32::MAX;

#[rustfmt::skip]
const TABLE: &[Info] = &[
    Info { perm: Permission::Camera, name: "android.permission.CAMERA", group: Group::Camera, min_api: 23, max_api: ANY, label_en: "take photos and videos", label_zh: "拍摄照片和视频" },
    Info { perm: Permission::ReadContacts, name: "android.permission.READ_CONTACTS", group: Group::Contacts, min_api: 23, max_api: ANY, label_en: "read your contacts", label_zh: "读取通讯录" },
    Info { perm: Permission::WriteContacts, name: "android.permission.WRITE_CONTACTS", group: Group::Contacts, min_api: 23, max_api: ANY, label_en: "change your contacts", label_zh: "修改通讯录" },
    Info { perm: Permission::GetAccounts, name: "android.permission.GET_ACCOUNTS", group: Group::Contacts, min_api: 23, max_api: ANY, label_en: "find accounts on the device", label_zh: "查找设备上的账号" },
    Info { perm: Permission::RecordAudio, name: "android.permission.RECORD_AUDIO", group: Group::Microphone, min_api: 23, max_api: ANY, label_en: "record audio", label_zh: "录音" },
    Info { perm: Permission::SendSms, name: "android.permission.SEND_SMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "send text messages", label_zh: "发送短信" },
    Info { perm: Permission::ReceiveSms, name: "android.permission.RECEIVE_SMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "receive text messages", label_zh: "接收短信" },
    Info { perm: Permission::ReadSms, name: "android.permission.READ_SMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "read your text messages", label_zh: "读取短信" },
    Info { perm: Permission::ReceiveWapPush, name: "android.permission.RECEIVE_WAP_PUSH", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "receive WAP push messages", label_zh: "接收 WAP 推送" },
    Info { perm: Permission::ReceiveMms, name: "android.permission.RECEIVE_MMS", group: Group::Sms, min_api: 23, max_api: ANY, label_en: "receive MMS messages", label_zh: "接收彩信" },
    Info { perm: Permission::ReadCallLog, name: "android.permission.READ_CALL_LOG", group: Group::CallLog, min_api: 23, max_api: ANY, label_en: "read your call log", label_zh: "读取通话记录" },
    Info { perm: Permission::WriteCallLog, name: "android.permission.WRITE_CALL_LOG", group: Group::CallLog, min_api: 23, max_api: ANY, label_en: "change your call log", label_zh: "修改通话记录" },
    Info { perm: Permission::ProcessOutgoingCalls, name: "android.permission.PROCESS_OUTGOING_CALLS", group: Group::CallLog, min_api: 23, max_api: ANY, label_en: "see outgoing calls", label_zh: "查看拨出的电话" },
    Info { perm: Permission::ReadPhoneState, name: "android.permission.READ_PHONE_STATE", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "read phone status", label_zh: "读取电话状态" },
    Info { perm: Permission::ReadPhoneNumbers, name: "android.permission.READ_PHONE_NUMBERS", group: Group::Phone, min_api: 26, max_api: ANY, label_en: "read your phone numbers", label_zh: "读取本机号码" },
    Info { perm: Permission::CallPhone, name: "android.permission.CALL_PHONE", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "make phone calls", label_zh: "拨打电话" },
    Info { perm: Permission::AnswerPhoneCalls, name: "android.permission.ANSWER_PHONE_CALLS", group: Group::Phone, min_api: 26, max_api: ANY, label_en: "answer phone calls", label_zh: "接听电话" },
    Info { perm: Permission::AddVoicemail, name: "com.android.voicemail.permission.ADD_VOICEMAIL", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "add voicemail", label_zh: "添加语音邮件" },
    Info { perm: Permission::UseSip, name: "android.permission.USE_SIP", group: Group::Phone, min_api: 23, max_api: ANY, label_en: "make internet (SIP) calls", label_zh: "拨打网络电话" },
    Info { perm: Permission::AcceptHandover, name: "android.permission.ACCEPT_HANDOVER", group: Group::Phone, min_api: 28, max_api: ANY, label_en: "continue a call from another app", label_zh: "继续其他应用的通话" },
    Info { perm: Permission::ReadCalendar, name: "android.permission.READ_CALENDAR", group: Group::Calendar, min_api: 23, max_api: ANY, label_en: "read your calendar", label_zh: "读取日历" },
    Info { perm: Permission::WriteCalendar, name: "android.permission.WRITE_CALENDAR", group: Group::Calendar, min_api: 23, max_api: ANY, label_en: "change your calendar", label_zh: "修改日历" },
    Info { perm: Permission::AccessCoarseLocation, name: "android.permission.ACCESS_COARSE_LOCATION", group: Group::Location, min_api: 23, max_api: ANY, label_en: "approximate location", label_zh: "大致位置" },
    Info { perm: Permission::AccessFineLocation, name: "android.permission.ACCESS_FINE_LOCATION", group: Group::Location, min_api: 23, max_api: ANY, label_en: "precise location", label_zh: "精确位置" },
    Info { perm: Permission::AccessBackgroundLocation, name: "android.permission.ACCESS_BACKGROUND_LOCATION", group: Group::Location, min_api: 29, max_api: ANY, label_en: "location while the app is in the background", label_zh: "后台访问位置" },
    Info { perm: Permission::ReadExternalStorage, name: "android.permission.READ_EXTERNAL_STORAGE", group: Group::Storage, min_api: 23, max_api: 32, label_en: "read files in shared storage", label_zh: "读取共享存储中的文件" },
    Info { perm: Permission::WriteExternalStorage, name: "android.permission.WRITE_EXTERNAL_STORAGE", group: Group::Storage, min_api: 23, max_api: 29, label_en: "save files to shared storage", label_zh: "向共享存储写入文件" },
    Info { perm: Permission::ReadMediaImages, name: "android.permission.READ_MEDIA_IMAGES", group: Group::Storage, min_api: 33, max_api: ANY, label_en: "read photos", label_zh: "读取照片" },
    Info { perm: Permission::ReadMediaVideo, name: "android.permission.READ_MEDIA_VIDEO", group: Group::Storage, min_api: 33, max_api: ANY, label_en: "read videos", label_zh: "读取视频" },
    Info { perm: Permission::ReadMediaAudio, name: "android.permission.READ_MEDIA_AUDIO", group: Group::Storage, min_api: 33, max_api: ANY, label_en: "read music and audio", label_zh: "读取音乐和音频" },
    Info { perm: Permission::ReadMediaVisualUserSelected, name: "android.permission.READ_MEDIA_VISUAL_USER_SELECTED", group: Group::Storage, min_api: 34, max_api: ANY, label_en: "read photos and videos you select", label_zh: "读取您选择的照片和视频" },
];

/// Common install-time ("normal") or special permissions, so a policy that lists one
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
    "android.permission.REQUEST_INSTALL_PACKAGES",
    "android.permission.SYSTEM_ALERT_WINDOW",
    "android.permission.WRITE_SETTINGS",
    "android.permission.MANAGE_EXTERNAL_STORAGE",
    "android.permission.QUERY_ALL_PACKAGES",
    "android.permission.SCHEDULE_EXACT_ALARM",
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
    "android.permission.ACCESS_MEDIA_LOCATION",
];

/// Why a permission string is not something a purpose may declare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermissionError {
    #[error("unknown permission \"{0}\" (use the full name, e.g. android.permission.CAMERA)")]
    Unknown(String),
    #[error("\"{0}\" is not a runtime permission this SDK governs (it is granted at install time or through a special settings page)")]
    NotRuntime(String),
}

impl Permission {
    /// Every permission in scope, in declaration order.
    pub fn all() -> impl Iterator<Item = Permission> {
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
    pub fn is_known_non_runtime(name: &str) -> bool {
        NON_RUNTIME.contains(&name)
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn group(self) -> Group {
        self.info().group
    }

    /// First API level where this is a runtime permission.
    pub fn min_api(self) -> u32 {
        self.info().min_api
    }

    /// Last API level where requesting this has any effect (`u32::MAX` if none).
    pub fn max_api(self) -> u32 {
        self.info().max_api
    }

    /// The permission in plain words, for `locale` ("zh*" gets Chinese, anything else English).
    pub fn label(self, locale: &str) -> &'static str {
        if locale.starts_with("zh") {
            self.info().label_zh
        } else {
            self.info().label_en
        }
    }

    pub fn is_foreground_location(self) -> bool {
        matches!(self, Permission::AccessCoarseLocation | Permission::AccessFineLocation)
    }

    /// Whether asking the OS for this permission means anything on `api`.
    pub fn requestable_on(self, api: u32) -> bool {
        let info = self.info();
        api >= info.min_api && api <= info.max_api
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to ask the OS for, in order, for a purpose's declared permissions on a device API level.
///
/// Background location is never in the first step: on API 29+ it is asked separately and only
/// after a foreground location permission is granted; below 29 it is implied by foreground
/// location and is not requested at all. Storage: `READ_EXTERNAL_STORAGE` on 32 and below,
/// `READ_MEDIA_*` on 33 and up, `WRITE_EXTERNAL_STORAGE` only on 29 and below.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestPlan {
    /// Asked together in the first system dialog.
    pub first: Vec<Permission>,
    /// Asked afterwards, only if a foreground location permission was granted.
    pub background_location: Option<Permission>,
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
            } else if !plan.first.contains(&p) {
                plan.first.push(p);
            }
        }
        plan
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty() && self.background_location.is_none()
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

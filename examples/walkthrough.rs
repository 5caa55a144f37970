//! The life of one user's consent, told by the real ConsentGate core.
//!
//!     cargo run --example walkthrough -- [--dir DIR]
//!
//! Drives the engine on `examples/phone-backup/policy.json` with a simulated clock, prints
//! what happens at each step, and checks every decision it prints: if the core ever
//! answered differently, the walkthrough stops and exits 1. The consent journal and the
//! exported proof (`proof.json`) are left in DIR (by default a new temporary folder,
//! whose path is printed) for `consentgate journal show|verify|export`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use consentgate::engine::state::ConsentState;
use consentgate::journal::scan::scan;
use consentgate::journal::JOURNAL_FILE;
use consentgate::{
    Actor, AgeBracket, BlockReason, Clock, ConsentReason, Context, Decision, Engine, JournalOptions, ManualClock,
    OsResult, Policy, SettingsState, Source, Surface,
};

/// The policy the story runs on (seed 004, the phone-backup app).
pub const POLICY: &str = include_str!("phone-backup/policy.json");

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
/// Monday 20 May 2024, 09:00 UTC: where the simulated clock starts.
const START_MS: i64 = 1_716_195_600_000;
/// The refusal cooldown the story expects the policy to set.
const COOLDOWN_HOURS: i64 = 48;
/// The device's Android version in the story (Android 14).
const API: u32 = 34;

/// What the walkthrough leaves behind.
#[derive(Debug)]
pub struct Outcome {
    pub journal: PathBuf,
    pub proof: PathBuf,
    pub events: usize,
    pub head_hash: String,
}

const NEVER_ASKED: Decision = Decision::NeedsConsent { reason: ConsentReason::NeverAsked };
const STALE: Decision = Decision::NeedsConsent { reason: ConsentReason::Stale };
const ASK_AGAIN: Decision = Decision::NeedsConsent { reason: ConsentReason::AskAgain };
const NOT_ACCEPTED: Decision = Decision::Blocked { reason: BlockReason::PolicyNotAccepted };
const GUARDIAN_REQUIRED: Decision = Decision::Blocked { reason: BlockReason::GuardianRequired };

/// `2024-05-20 09:00 UTC`
fn utc(ms: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    let full = humantime::format_rfc3339_seconds(at).to_string(); // 2024-05-20T09:00:00Z
    format!("{} UTC", full[..16].replace('T', " "))
}

fn describe(d: Decision) -> String {
    match d {
        Decision::Allowed => "allowed".into(),
        Decision::NeedsConsent { reason: ConsentReason::NeverAsked } => "needs consent (never asked)".into(),
        Decision::NeedsConsent { reason: ConsentReason::Stale } => {
            "needs consent (the purpose changed since the user agreed)".into()
        }
        Decision::NeedsConsent { reason: ConsentReason::AskAgain } => "needs consent (may ask again)".into(),
        Decision::Blocked { reason: BlockReason::PolicyNotAccepted } => "blocked: privacy policy not accepted".into(),
        Decision::Blocked { reason: BlockReason::GuardianRequired } => "blocked: a guardian must agree first".into(),
        Decision::Blocked { reason: BlockReason::Cooldown { until_ms } } => {
            format!("blocked: the user said no; the app may not ask again before {}", utc(until_ms))
        }
        Decision::Blocked { reason: BlockReason::Storage } => "blocked: consent journal unusable".into(),
    }
}

/// Prints the story and checks each claim it makes.
struct Story<'a> {
    out: &'a mut dyn Write,
    clock: Arc<ManualClock>,
    chapter: usize,
}

impl Story<'_> {
    fn print(&mut self, text: &str) -> Result<(), String> {
        writeln!(self.out, "{text}").map_err(|e| format!("cannot write the transcript: {e}"))
    }

    fn chapter(&mut self, title: &str) -> Result<(), String> {
        self.chapter += 1;
        let when = utc(self.clock.now_ms());
        let heading = format!("{}. {title}", self.chapter);
        self.print("")?;
        self.print(&format!("{heading}  ({when})"))?;
        self.print(&"-".repeat(heading.chars().count() + when.len() + 4))
    }

    /// Narration, wrapped by hand in the source.
    fn say(&mut self, text: &str) -> Result<(), String> {
        for line in text.lines() {
            self.print(&format!("   {line}"))?;
        }
        Ok(())
    }

    /// Prints `label -> decision`, and fails the walkthrough unless it is `want`.
    fn expect(&mut self, label: &str, got: Decision, want: Decision) -> Result<(), String> {
        if got != want {
            return Err(format!(
                "chapter {}: {label}: the core answered \"{}\", the walkthrough expected \"{}\"",
                self.chapter,
                describe(got),
                describe(want)
            ));
        }
        self.print(&format!("     {label:<42} -> {}  [ok]", describe(got)))
    }

    /// Asks the core `decide(purpose, source)` and [`Self::expect`]s `want`; the answer for what follows.
    fn decides(
        &mut self,
        engine: &mut Engine,
        purpose: &str,
        source: Source,
        want: Decision,
    ) -> Result<Decision, String> {
        let d = core("decide", engine.decide(purpose, source))?;
        let source = match source {
            Source::Feature => "feature",
            Source::Settings => "settings",
        };
        self.expect(&format!("decide({purpose}, {source})"), d, want)?;
        Ok(d)
    }

    fn check(&mut self, what: &str, ok: bool) -> Result<(), String> {
        if !ok {
            return Err(format!("chapter {}: {what}: not so", self.chapter));
        }
        self.print(&format!("     {what}  [ok]"))
    }

    fn advance(&mut self, ms: i64) {
        self.clock.advance(ms);
    }
}

fn core<T>(step: &str, result: consentgate::Result<T>) -> Result<T, String> {
    result.map_err(|e| format!("{step}: {e}"))
}

fn user(surface: Surface) -> Context {
    Context::new(surface, "zh-CN", Actor::User)
}

fn guardian(surface: Surface) -> Context {
    Context::new(surface, "zh-CN", Actor::Guardian)
}

/// The user allows `permission` in Android's dialog; the answer is journaled for `purpose`.
fn android_grants(engine: &mut Engine, purpose: &str, permission: &str) -> Result<(), String> {
    core("os result", engine.record_os_result(purpose, permission, OsResult::Granted, &user(Surface::SystemDialog)))
}

fn open(policy: Policy, dir: &Path, clock: &Arc<ManualClock>) -> Result<Engine, String> {
    core("open the engine", Engine::open(policy, dir, clock.clone(), JournalOptions::default()))
}

/// Shows the rationale dialog for `purpose` in each locale.
fn show_rationale(story: &mut Story, engine: &Engine, purpose: &str, locales: &[&str]) -> Result<(), String> {
    for locale in locales {
        let r = core("rationale", engine.rationale(purpose, locale))?;
        let zh = locale.starts_with("zh");
        story.print(&format!("     | {locale:<6} {}", r.description))?;
        let perms: Vec<String> = r.permissions.iter().map(|p| format!("{} ({})", p.label, p.name)).collect();
        let perms = match (perms.is_empty(), zh) {
            (true, true) => "无（仅需您的同意）".to_string(),
            (true, false) => "none (your consent only)".to_string(),
            _ => perms.join(", "),
        };
        story.print(&format!("     |        {} {perms}", if zh { "使用权限:" } else { "uses:" }))?;
        let mut parties: Vec<String> = r.recipients.iter().map(|x| format!("{}: {}", x.name, x.data)).collect();
        parties.extend(r.sdks.iter().map(|x| format!("{} ({}): {}", x.name, x.company, x.data)));
        let shared = if parties.is_empty() {
            if zh {
                "不与第三方共享".to_string()
            } else {
                "nobody".to_string()
            }
        } else {
            parties.join("; ")
        };
        story.print(&format!("     |        {} {shared}", if zh { "共享给:" } else { "shared with:" }))?;
    }
    Ok(())
}

/// `policy_source` with the English and Chinese text of `purpose` replaced.
fn with_new_text(policy_source: &str, purpose: &str, zh: &str, en: &str) -> Result<String, String> {
    let mut value: serde_json::Value = serde_json::from_str(policy_source).map_err(|e| format!("policy: {e}"))?;
    let entry = value["purposes"]
        .as_array_mut()
        .and_then(|items| items.iter_mut().find(|p| p["id"] == purpose))
        .ok_or_else(|| format!("the policy has no purpose \"{purpose}\""))?;
    entry["description"] = serde_json::json!({ "zh-CN": zh, "en": en });
    serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
}

/// Runs the whole story in `dir` (which must not hold a journal yet).
pub fn run(policy_source: &str, dir: &Path, out: &mut dyn Write) -> Result<Outcome, String> {
    if dir.join(JOURNAL_FILE).exists() {
        return Err(format!("{} already holds a consent journal: give the walkthrough an empty folder", dir.display()));
    }
    let policy = Policy::parse(policy_source).map_err(|e| format!("the policy does not parse: {e}"))?;
    let clock = Arc::new(ManualClock::new(START_MS));
    let mut story = Story { out, clock: clock.clone(), chapter: 0 };
    let ids: Vec<String> = policy.purposes.iter().map(|p| p.id.clone()).collect();

    story.print("ConsentGate walkthrough: the life of one user's consent")?;
    story.print("=======================================================")?;
    story.say(&format!(
        "App:      the phone-backup app of seed 004 (examples/phone-backup/policy.json)\n\
         Policy:   privacy policy {}, {} purposes, cooldown after a refusal: {} h\n\
         Journal:  {}\n\
         Device:   Android 14 (API {API}); the clock is simulated and moves only when the story says so.\n\
         Every decision below is the core's own answer, checked against what the story says [ok].",
        policy.policy_version,
        policy.purposes.len(),
        policy.denial_cooldown_hours,
        dir.join(JOURNAL_FILE).display()
    ))?;

    // 1 ---------------------------------------------------------------------------------
    let mut engine = open(policy.clone(), dir, &clock)?;
    story.chapter("First launch, before the privacy policy is accepted")?;
    story.say(
        "The app starts. The user has not accepted the privacy policy yet, so every purpose is\n\
         blocked, and the SDK asks for nothing: no rationale, no system dialog, no permission check.",
    )?;
    for id in &ids {
        let d = core("decide", engine.decide(id, Source::Feature))?;
        story.expect(id, d, NOT_ACCEPTED)?;
    }
    let journal_path = dir.join(JOURNAL_FILE);
    let nothing_recorded = std::fs::metadata(&journal_path).map_or(true, |m| m.len() == 0);
    story.check("the journal is still empty: nothing was asked, nothing recorded", nothing_recorded)?;

    // 2 ---------------------------------------------------------------------------------
    story.advance(MINUTE_MS);
    story.chapter(&format!("The user accepts privacy policy {}", policy.policy_version))?;
    core("accept", engine.accept_policy(&user(Surface::App)))?;
    story.say(
        "Accepting the policy is not consent to any purpose (seed 004: no bundled consent).\n\
         Every purpose still needs its own \"yes\", asked when the user starts that feature.",
    )?;
    for id in &ids {
        let d = core("decide", engine.decide(id, Source::Feature))?;
        story.expect(id, d, NEVER_ASKED)?;
    }

    // 3 ---------------------------------------------------------------------------------
    story.advance(4 * MINUTE_MS);
    story.chapter("Feedback with a photo: the camera")?;
    story.say("The user taps \"attach a photo\" in the feedback form. The app asks the SDK first:")?;
    story.decides(&mut engine, "feedback_photo", Source::Feature, NEVER_ASKED)?;
    story.say("So the SDK shows its rationale dialog, in the user's language and in English:")?;
    show_rationale(&mut story, &engine, "feedback_photo", &["zh-CN", "en"])?;
    core("grant", engine.grant("feedback_photo", &user(Surface::RationaleDialog)))?;
    let plan = core("plan", engine.request_plan("feedback_photo", API, &[]))?;
    let asked: Vec<&str> = plan.first.iter().map(|p| p.name()).collect();
    story.say(&format!(
        "The user taps \"agree\" (journaled: consent_granted, rationale dialog, user, zh-CN).\n\
         Only now does the app ask Android. The system dialog on API {API} asks for: {}",
        asked.join(", ")
    ))?;
    story.check("the system dialog asks for the camera and nothing else", asked == ["android.permission.CAMERA"])?;
    android_grants(&mut engine, "feedback_photo", "android.permission.CAMERA")?;
    story.say("The user allows it; the OS answer is journaled too (os_result CAMERA granted).")?;
    let d = story.decides(&mut engine, "feedback_photo", Source::Feature, Decision::Allowed)?;
    let index = engine.policy().index_of("feedback_photo").ok_or("feedback_photo is not declared")?;
    story.check(
        "at the point of use: SDK consent AND the OS grant -> the camera may open",
        d.is_allowed() && engine.os_grants_satisfy(index, API, &["android.permission.CAMERA"]),
    )?;
    story.check(
        "without the OS grant (revoked in system settings) it may not",
        !engine.os_grants_satisfy(index, API, &[]),
    )?;

    // 4 ---------------------------------------------------------------------------------
    story.advance(5 * MINUTE_MS);
    story.chapter("Importing contacts: the user says no")?;
    story.say("The user opens \"import contacts to dial\". The SDK explains before Android is asked:")?;
    story.decides(&mut engine, "import_contacts_to_dial", Source::Feature, NEVER_ASKED)?;
    show_rationale(&mut story, &engine, "import_contacts_to_dial", &["zh-CN", "en"])?;
    let refused_at = clock.now_ms();
    core("deny", engine.deny("import_contacts_to_dial", &user(Surface::RationaleDialog)))?;
    story.say(
        "The user taps \"no\". Android is never asked, and the refusal is respected: the app may not\n\
         ask again on its own for the policy's cooldown (seed 004: refusing does not affect anything else).",
    )?;
    let until = refused_at + COOLDOWN_HOURS * HOUR_MS;
    let cooldown = Decision::Blocked { reason: BlockReason::Cooldown { until_ms: until } };
    story.decides(&mut engine, "import_contacts_to_dial", Source::Feature, cooldown)?;
    story.say(&format!("That is {COOLDOWN_HOURS} hours after the refusal at {}.", utc(refused_at)))?;
    let d = core("decide", engine.decide("import_contacts_to_dial", Source::Settings))?;
    story.say("The user can still change their mind in the consent settings screen at any time:")?;
    story.expect("decide(import_contacts_to_dial, settings)", d, ASK_AGAIN)?;
    story.decides(&mut engine, "feedback_photo", Source::Feature, Decision::Allowed)?;

    // 5 ---------------------------------------------------------------------------------
    story.advance(COOLDOWN_HOURS * HOUR_MS - 60 * MINUTE_MS);
    story.chapter("One hour before the cooldown ends, and after it")?;
    story.decides(&mut engine, "import_contacts_to_dial", Source::Feature, cooldown)?;
    story.advance(61 * MINUTE_MS);
    story.say(&format!("{}: the cooldown is over, so the app may ask again.", utc(clock.now_ms())))?;
    story.decides(&mut engine, "import_contacts_to_dial", Source::Feature, ASK_AGAIN)?;
    core("grant", engine.grant("import_contacts_to_dial", &user(Surface::RationaleDialog)))?;
    android_grants(&mut engine, "import_contacts_to_dial", "android.permission.READ_CONTACTS")?;
    story.say("This time the user agrees, and Android grants READ_CONTACTS.")?;
    story.decides(&mut engine, "import_contacts_to_dial", Source::Feature, Decision::Allowed)?;
    let d = core("decide", engine.decide("sync_customers_to_contacts", Source::Feature))?;
    story.say("Writing contacts is a different purpose, with its own consent (seed 004: written, never read):")?;
    story.expect("decide(sync_customers_to_contacts, feature)", d, NEVER_ASKED)?;

    // 5b --------------------------------------------------------------------------------
    story.advance(2 * HOUR_MS);
    story.chapter("Call recording: the user agrees, then says no in Android's dialog")?;
    show_rationale(&mut story, &engine, "call_quality_recording", &["en"])?;
    core("grant", engine.grant("call_quality_recording", &user(Surface::RationaleDialog)))?;
    let os_refused_at = clock.now_ms();
    let refused = core(
        "os results",
        engine.record_os_results(
            "call_quality_recording",
            &[("android.permission.RECORD_AUDIO", OsResult::Denied)],
            &user(Surface::SystemDialog),
        ),
    )?;
    story.say(
        "The user taps \"agree\" in the SDK's dialog, then \"Don't allow\" in Android's dialog. That\n\
         \"no\" counts as the user's refusal of the purpose, like one in the SDK's own dialog: the\n\
         journal gets os_result RECORD_AUDIO denied and consent_denied (surface system_dialog), and\n\
         the next tap on the feature asks nothing for the cooldown (app-store rule: no re-asking\n\
         within 48 hours after a refusal, whichever dialog it came from).",
    )?;
    story.check("the system dialog's \"no\" was recorded as a refusal", refused)?;
    let after_os_no =
        Decision::Blocked { reason: BlockReason::Cooldown { until_ms: os_refused_at + COOLDOWN_HOURS * HOUR_MS } };
    story.decides(&mut engine, "call_quality_recording", Source::Feature, after_os_no)?;
    story.decides(&mut engine, "call_quality_recording", Source::Settings, ASK_AGAIN)?;

    // 6 ---------------------------------------------------------------------------------
    story.advance(24 * HOUR_MS);
    story.chapter("An app update changes what the photo is used for")?;
    let new_zh = "用户问题反馈拍照上传照片，并用于改进图像识别";
    let new_en = "Take a photo to attach to your feedback; photos also help improve image recognition";
    let updated_source = with_new_text(policy_source, "feedback_photo", new_zh, new_en)?;
    let updated = Policy::parse(&updated_source).map_err(|e| format!("the updated policy does not parse: {e}"))?;
    let (old_fp, new_fp) = (
        policy.purpose("feedback_photo").map(|p| p.fingerprint.clone()),
        updated.purpose("feedback_photo").map(|p| p.fingerprint.clone()),
    );
    drop(engine);
    let mut engine = open(updated, dir, &clock)?;
    story.say(&format!(
        "The new version words feedback_photo differently. Its fingerprint changes from\n\
         {} to {},\n\
         and the consent on record was given for the old text (seed 004 1.8: a changed purpose is asked again).",
        old_fp.as_deref().unwrap_or("?"),
        new_fp.as_deref().unwrap_or("?")
    ))?;
    story.decides(&mut engine, "feedback_photo", Source::Feature, STALE)?;
    story.decides(&mut engine, "import_contacts_to_dial", Source::Feature, Decision::Allowed)?;
    story.say("The next time the user attaches a photo, the SDK shows the new text:")?;
    show_rationale(&mut story, &engine, "feedback_photo", &["zh-CN"])?;
    core("grant", engine.grant("feedback_photo", &user(Surface::RationaleDialog)))?;
    story.say("The user agrees to the new text.")?;
    story.decides(&mut engine, "feedback_photo", Source::Feature, Decision::Allowed)?;

    // 7 ---------------------------------------------------------------------------------
    story.advance(2 * HOUR_MS);
    story.chapter("The user turns out to be 13 (every bracket under 18 needs a guardian)")?;
    core("age", engine.set_age_bracket(AgeBracket::Under14, &user(Surface::App)))?;
    story.say(
        "The app's age check says the user is under 14. Seed 004 7.1: a minor's information is used\n\
         only with a parent's or guardian's explicit consent. Until then every purpose is blocked,\n\
         including those the user had agreed to:",
    )?;
    for id in ["feedback_photo", "import_contacts_to_dial", "location_service"] {
        let d = core("decide", engine.decide(id, Source::Feature))?;
        story.expect(id, d, GUARDIAN_REQUIRED)?;
    }
    let minor_rationale = core("rationale", engine.rationale("location_service", "en"))?;
    story.check(
        "the rationale dialog now addresses the guardian (both seeds: minors are under 18)",
        minor_rationale.guardian_required,
    )?;
    story.advance(30 * MINUTE_MS);
    core("guardian", engine.set_guardian_consent(true, &guardian(Surface::App)))?;
    story.say("A parent reads the policy with the child and agrees (journaled with actor = guardian):")?;
    let d = core("decide", engine.decide("feedback_photo", Source::Feature))?;
    story.expect("feedback_photo", d, Decision::Allowed)?;
    let d = core("decide", engine.decide("location_service", Source::Feature))?;
    story.expect("location_service", d, NEVER_ASKED)?;
    story.say("Then the child wants the store finder; the parent reads the rationale, which names the Amap SDK:")?;
    show_rationale(&mut story, &engine, "location_service", &["en"])?;
    let sdk_before = core("sdk", engine.sdk_allowed("amap_location"))?;
    story.check("the Amap SDK may not start yet (the app's start code waits: ConsentGate.onAllowed)", !sdk_before)?;
    core("grant", engine.grant("location_service", &guardian(Surface::RationaleDialog)))?;
    let sdk_after = core("sdk", engine.sdk_allowed("amap_location"))?;
    story.check("the Amap SDK may start now that location_service is agreed to", sdk_after)?;
    for perm in ["android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION"] {
        core(
            "os result",
            engine.record_os_result("location_service", perm, OsResult::Granted, &guardian(Surface::SystemDialog)),
        )?;
    }
    let d = core("decide", engine.decide("location_service", Source::Feature))?;
    story.expect("location_service", d, Decision::Allowed)?;
    let by_guardian = engine.state().purposes.get("location_service").is_some_and(|r| r.actor == Actor::Guardian);
    story.check("the journal records that the guardian gave this consent", by_guardian)?;

    // 8 ---------------------------------------------------------------------------------
    story.advance(3 * HOUR_MS);
    story.chapter("Withdrawing consent in the settings screen")?;
    let withdrawn_at = clock.now_ms();
    let revoke = core("withdraw", engine.withdraw("import_contacts_to_dial", &user(Surface::SettingsScreen)))?;
    let names: Vec<&str> = revoke.iter().map(|p| p.name()).collect();
    story.say(&format!(
        "The user switches off \"import contacts to dial\". The withdrawal is journaled (earlier\n\
         events stay: seed 004 6.2.2), and the SDK returns the permissions no other purpose still needs:\n\
         \x20 to revoke: {}\n\
         On Android 13+ the wrapper hands them to revokeSelfPermissionsOnKill; below 13 it opens\n\
         the app's system settings page so the user can turn them off.",
        names.join(", ")
    ))?;
    story.check("READ_CONTACTS is to be revoked, and nothing else", names == ["android.permission.READ_CONTACTS"])?;
    story.say("The consent settings screen now shows (first four purposes):")?;
    for row in engine.settings("en").iter().take(4) {
        let state = serde_json::to_value(row.state).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        story.print(&format!(
            "     {:<28} {:<12} {}",
            row.id,
            state,
            if row.allowed { "switch on" } else { "switch off" }
        ))?;
    }
    let row_off = engine
        .settings("en")
        .iter()
        .any(|r| r.id == "import_contacts_to_dial" && r.state == SettingsState::Withdrawn && !r.allowed);
    story.check("import_contacts_to_dial shows \"withdrawn\", switched off", row_off)?;
    let d = core("decide", engine.decide("import_contacts_to_dial", Source::Feature))?;
    let after_withdrawal =
        Decision::Blocked { reason: BlockReason::Cooldown { until_ms: withdrawn_at + COOLDOWN_HOURS * HOUR_MS } };
    story.expect("decide(import_contacts_to_dial, feature)", d, after_withdrawal)?;
    story.decides(&mut engine, "feedback_photo", Source::Feature, Decision::Allowed)?;

    // 8b --------------------------------------------------------------------------------
    story.advance(HOUR_MS);
    story.chapter("The camera switched off in Android's settings")?;
    story.say(
        "The user opens Android's settings for the app and turns Camera off. Android stops the app's\n\
         process; at the next start the SDK refreshes, sees CAMERA no longer granted while the journal\n\
         last saw it granted, and records one permission_revoked event (format version 3, surface\n\
         system_settings) for the purpose that needed it (seed 004 6.2.1: turning a permission off\n\
         in the system settings withdraws the consent). READ_CONTACTS, given back to Android after\n\
         the withdrawal above, is noted as off too, in an event without a purpose (nothing to withdraw).",
    )?;
    let revoked_at = clock.now_ms();
    let still_granted = ["android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION"];
    let revoked = core("refresh", engine.record_revocations(API, &still_granted, &user(Surface::SystemSettings)))?;
    story.say(&format!("  revoked: {}", revoked.join(", ")))?;
    story.check("feedback_photo is revoked, and nothing else", revoked == ["feedback_photo"])?;
    let again = core("refresh", engine.record_revocations(API, &still_granted, &user(Surface::SystemSettings)))?;
    story.check("refreshing again (another resume) records nothing more", again.is_empty())?;
    let d = core("decide", engine.decide("feedback_photo", Source::Feature))?;
    let after_revocation =
        Decision::Blocked { reason: BlockReason::Cooldown { until_ms: revoked_at + COOLDOWN_HOURS * HOUR_MS } };
    story.expect("decide(feedback_photo, feature)", d, after_revocation)?;
    story.decides(&mut engine, "feedback_photo", Source::Settings, ASK_AGAIN)?;
    story.decides(&mut engine, "location_service", Source::Feature, Decision::Allowed)?;

    // 9 ---------------------------------------------------------------------------------
    story.advance(MINUTE_MS);
    story.chapter("One-key login: a consent that needs no permission")?;
    story.say(
        "Seed 004 1.1.1f: with the user's explicit consent the carrier sends the phone number for\n\
         one-key login. The purpose declares \"permissions\": [] (policy schema 2): same dialog,\n\
         cooldown, fingerprint, withdrawal and proof; nothing to ask Android.",
    )?;
    show_rationale(&mut story, &engine, "one_key_login", &["zh-CN"])?;
    let plan = core("plan", engine.request_plan("one_key_login", 34, &[]))?;
    story.check("nothing to ask Android for", plan.is_empty())?;
    core("grant", engine.grant("one_key_login", &user(Surface::RationaleDialog)))?;
    story.decides(&mut engine, "one_key_login", Source::Feature, Decision::Allowed)?;
    let login = engine.policy().index_of("one_key_login").unwrap_or(usize::MAX);
    story.check("allowed is the consent alone (no OS grant needed)", engine.os_grants_satisfy(login, 34, &[]))?;
    story.say("The compliance lists come from the same policy (consentgate lists; the settings screen shows them):")?;
    let lists = engine.lists("zh-CN");
    for row in lists.collection.iter().filter(|r| r.purpose_id == "one_key_login" || r.purpose_id == "location_service")
    {
        story.print(&format!("     个人信息收集清单 | {} | {} | {}", row.information, row.when, row.purpose_id))?;
    }
    for row in &lists.sharing {
        story.print(&format!(
            "     第三方信息共享清单 | {} | {} | {} | {}",
            row.recipient,
            row.company.as_deref().unwrap_or("-"),
            row.information,
            row.link.as_deref().unwrap_or("-")
        ))?;
    }
    story.check(
        "the sharing list names the Amap SDK with its company",
        lists.sharing.iter().any(|r| r.company.as_deref() == Some("高德软件有限公司")),
    )?;

    // 10 --------------------------------------------------------------------------------
    story.advance(MINUTE_MS);
    story.chapter("Exporting the proof of consent")?;
    let proof = core("export", engine.export_proof())?;
    let proof_path = dir.join("proof.json");
    let text = serde_json::to_string_pretty(&proof).map_err(|e| e.to_string())?;
    std::fs::write(&proof_path, text + "\n").map_err(|e| format!("cannot write {}: {e}", proof_path.display()))?;
    let events = proof["journal"]["events"].as_u64().unwrap_or(0) as usize;
    let head = proof["journal"]["head_hash"].as_str().unwrap_or("").to_string();
    story.say(&format!(
        "Written to {}: who agreed to which purpose text, when, where and as whom,\n\
         {events} events with their hash chain (head {head}).",
        proof_path.display()
    ))?;
    let states = proof["policy"]["purposes"].as_array().cloned().unwrap_or_default();
    for p in states.iter().take(4) {
        story.print(&format!("     {:<28} {}", p["id"].as_str().unwrap_or("?"), p["state"].as_str().unwrap_or("?")))?;
    }
    let state_of = |id: &str| states.iter().find(|p| p["id"] == id).and_then(|p| p["state"].as_str().map(String::from));
    story.check(
        "the proof shows feedback_photo (revoked in Android's settings) and import_contacts_to_dial withdrawn",
        state_of("feedback_photo").as_deref() == Some("withdrawn")
            && state_of("import_contacts_to_dial").as_deref() == Some("withdrawn"),
    )?;
    let history = proof["history"].as_array().cloned().unwrap_or_default();
    let revocations: Vec<_> =
        history.iter().filter(|e| e["event"] == "permission_revoked" && e["purpose"] == "feedback_photo").collect();
    story.check(
        "the proof holds feedback_photo's revocation once, with when it was seen",
        revocations.len() == 1 && revocations[0]["ts"].as_i64() == Some(revoked_at) && revocations[0]["v"] == 3,
    )?;

    // 10 --------------------------------------------------------------------------------
    story.chapter("Verifying the journal")?;
    let bytes = std::fs::read(&journal_path).map_err(|e| format!("cannot read {}: {e}", journal_path.display()))?;
    let scanned =
        scan(&bytes, None).map_err(|c| format!("the journal does not verify: line {}: {}", c.line, c.reason))?;
    let mut folded = ConsentState::default();
    let readable = scanned.records.iter().all(|r| folded.apply(r));
    let scanned_head = scanned.end.as_ref().map(|p| p.hash.clone()).unwrap_or_default();
    story.say(&format!(
        "The same check as `consentgate journal verify` (the scanner the engine loads with):\n\
         {}: {} events, seq 1-{}, every checksum and link of the hash chain intact.",
        journal_path.display(),
        scanned.records.len(),
        scanned.records.last().map_or(0, |r| r.seq)
    ))?;
    story.check("no torn or bad line", scanned.torn_tail == 0 && readable)?;
    story.check("the state folded from the file is the engine's state", &folded == engine.state())?;
    story.check(
        "the proof covers every event and ends at the same chain head",
        events == scanned.records.len() && head == scanned_head,
    )?;

    story.print("")?;
    story.print("Done. Everything above was checked against the core. To look at the journal yourself:")?;
    story
        .print(&format!("   cargo run --features cli --bin consentgate -- journal show {}", journal_path.display()))?;
    story.print(&format!(
        "   cargo run --features cli --bin consentgate -- journal verify {}",
        journal_path.display()
    ))?;
    story.print(&format!(
        "   cargo run --features cli --bin consentgate -- journal export {} --policy examples/phone-backup/policy.json",
        journal_path.display()
    ))?;
    Ok(Outcome { journal: journal_path, proof: proof_path, events, head_hash: head })
}

const USAGE: &str = "usage: cargo run --example walkthrough -- [--dir DIR]\n\
\x20 DIR: where to leave the consent journal and proof.json (an empty or new folder);\n\
\x20 default: a new temporary folder, whose path is printed.";

fn main() {
    let mut args = std::env::args_os().skip(1);
    let mut dir: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return;
            }
            Some("--dir") if dir.is_none() => match args.next() {
                Some(d) => dir = Some(PathBuf::from(d)),
                None => exit_usage("--dir needs a folder"),
            },
            Some(s) if s.starts_with("--dir=") && dir.is_none() => dir = Some(PathBuf::from(&s[6..])),
            _ => exit_usage(&format!("unexpected argument '{}'", arg.to_string_lossy())),
        }
    }
    let dir = match dir {
        Some(d) if d.join(JOURNAL_FILE).exists() => exit_usage(&format!(
            "{} already holds a consent journal: give the walkthrough an empty folder",
            d.display()
        )),
        Some(d) => d,
        None => match tempfile::Builder::new().prefix("consentgate-walkthrough-").tempdir() {
            Ok(t) => t.keep(),
            Err(e) => {
                eprintln!("walkthrough: cannot create a temporary folder: {e}");
                std::process::exit(2);
            }
        },
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = run(POLICY, &dir, &mut out) {
        let _ = out.flush();
        eprintln!("\nwalkthrough FAILED: {e}");
        std::process::exit(1);
    }
}

fn exit_usage(message: &str) -> ! {
    eprintln!("walkthrough: {message}\n{USAGE}");
    std::process::exit(2);
}

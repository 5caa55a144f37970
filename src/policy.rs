//! The app's declared purposes (policy file, schema 1 and 2): parsing, validation with
//! precise JSON-path errors, and purpose fingerprints.
//!
//! Schema 2 adds, all optional: consent-only purposes (`"permissions": []`), every runtime
//! and special permission, texts per locale for recipients, a purpose's `data` and `when`
//! (the collection list), third-party `sdks`, and the `privacy_policy` text. A schema-1 file
//! is read exactly as before (same fingerprints); schema-2 additions in it are errors.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use crate::permission::{Permission, PermissionError};

mod fingerprint;
pub(crate) mod json;

use json::{Json, Object};

/// Allowed range of `denial_cooldown_hours` (one hour to one year).
pub const COOLDOWN_HOURS_RANGE: std::ops::RangeInclusive<u64> = 1..=8760;
/// Used when a policy does not set `denial_cooldown_hours`.
pub(crate) const DEFAULT_COOLDOWN_HOURS: u32 = 48;
/// More purposes than this is a generated file gone wrong, not a real app.
pub const MAX_PURPOSES: usize = 1024;

/// A text the user reads: one string for every language, or one per locale tag (schema 2).
/// A single string serializes as a string, so schema-1 recipients keep their fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    /// Locale tag -> text. Always contains the policy's default locale.
    PerLocale(BTreeMap<String, String>),
}

impl Text {
    /// The text for `locale`, with the same fallback as descriptions.
    pub fn for_locale<'a>(&'a self, locale: &str, default_locale: &str) -> &'a str {
        match self {
            Text::Plain(s) => s,
            Text::PerLocale(map) => pick_locale(map, locale, default_locale),
        }
    }
}

/// Exact tag, then same language, then the default locale (validation guarantees it).
fn pick_locale<'a>(map: &'a BTreeMap<String, String>, locale: &str, default_locale: &str) -> &'a str {
    if let Some(text) = map.get(locale) {
        return text;
    }
    let lang = language_of(locale);
    if let Some((_, text)) = map.iter().find(|(tag, _)| language_of(tag) == lang) {
        return text;
    }
    map.get(default_locale).map_or("", String::as_str)
}

/// A third party that receives data for a purpose.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recipient {
    pub name: Text,
    pub data: Text,
}

/// A third-party SDK inside the app that receives personal information (schema 2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sdk {
    /// The app's name for it (`amap_location`): same rules as a purpose id, distinct from them.
    pub id: String,
    pub name: Text,
    pub company: Text,
    /// The personal information it receives.
    pub data: Text,
    /// Ids of the purposes it serves: it may run only while one of them is allowed.
    pub purposes: Vec<String>,
    /// Its own privacy rules.
    pub privacy_url: Text,
    /// Java package prefixes of its code (`com.amap.api`), for build-time scans.
    pub packages: Vec<String>,
}

/// Where the privacy policy's full text is (schema 2): a web page and/or an asset of the app.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyText {
    pub url: Option<Text>,
    /// Path under the app's `assets/` folder.
    pub asset: Option<Text>,
}

/// One declared purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    pub id: String,
    /// Empty for a consent-only purpose (schema 2): `isAllowed` is the consent alone.
    pub permissions: Vec<Permission>,
    /// Locale tag -> text. Always contains the policy's default locale.
    pub description: BTreeMap<String, String>,
    pub recipients: Vec<Recipient>,
    /// The personal information it collects, for the collection list (schema 2).
    pub data: Option<Text>,
    /// When it is collected, for the collection list (schema 2).
    pub when: Option<Text>,
    /// Indexes into `Policy::sdks` of the SDKs that serve it.
    pub sdks: Vec<usize>,
    /// What the purpose cannot work without: each entry is a set of alternatives (any one
    /// granted satisfies it). Declared permissions in no entry are optional. Schema 2 may
    /// state it (`needs`); otherwise [`default_needs`] derives it.
    pub needs: Vec<Vec<Permission>>,
    /// Hash of the canonical content; a consent given for another fingerprint is stale.
    pub fingerprint: String,
    /// Per description locale: the hash of what a reader of that translation saw (the
    /// purpose with only that translation). A consent stays current while the translation
    /// it was given in is unchanged, whatever happens to the others.
    pub seen_fingerprints: BTreeMap<String, String>,
}

impl Purpose {
    /// The description for `locale`: exact tag, then same language, then the default locale.
    pub fn description_for<'a>(&'a self, locale: &str, default_locale: &str) -> &'a str {
        pick_locale(&self.description, locale, default_locale)
    }

    pub fn declares(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// A purpose that needs the user's consent but no Android permission.
    pub fn is_consent_only(&self) -> bool {
        self.permissions.is_empty()
    }

    /// The description locale a reader of `locale` is shown (the same choice as `description_for`).
    pub(crate) fn description_locale_for<'a>(&'a self, locale: &'a str, default_locale: &'a str) -> &'a str {
        if self.description.contains_key(locale) {
            return locale;
        }
        let lang = language_of(locale);
        self.description.keys().find(|tag| language_of(tag) == lang).map_or(default_locale, String::as_str)
    }

    /// The fingerprint of what a reader of `locale` is shown.
    pub(crate) fn seen_fingerprint_for(&self, locale: &str, default_locale: &str) -> &str {
        self.seen_fingerprints.get(self.description_locale_for(locale, default_locale)).map_or("", String::as_str)
    }

    /// Whether a consent recorded with `fp` (whole purpose) and `seen_fp` (the translation
    /// read) covers the purpose as declared now.
    pub(crate) fn consent_is_current(&self, fp: &str, seen_fp: Option<&str>) -> bool {
        fp == self.fingerprint
            || seen_fp.is_some_and(|s| !s.is_empty() && self.seen_fingerprints.values().any(|v| v == s))
    }

    /// Whether `permission` is in one of the purpose's needs (not optional).
    pub(crate) fn needs_permission(&self, permission: Permission) -> bool {
        self.needs.iter().any(|group| group.contains(&permission))
    }
}

/// The needs of a purpose that does not state them: every declared permission, except that
/// a background step (background location, background body sensors) is optional, coarse or
/// fine location satisfies foreground location, and user-selected photos and videos (API
/// 34+) satisfy full photo or video access.
pub(crate) fn default_needs(permissions: &[Permission]) -> Vec<Vec<Permission>> {
    use Permission::*;
    let mut needs: Vec<Vec<Permission>> = Vec::new();
    for &p in permissions {
        if !p.needs_first().is_empty() {
            continue;
        }
        let group = match p {
            AccessCoarseLocation | AccessFineLocation => {
                permissions.iter().copied().filter(|q| q.is_foreground_location()).collect()
            }
            ReadMediaImages | ReadMediaVideo => vec![p, ReadMediaVisualUserSelected],
            ReadMediaVisualUserSelected => vec![p, ReadMediaImages, ReadMediaVideo],
            _ => vec![p],
        };
        if !needs.contains(&group) {
            needs.push(group);
        }
    }
    needs
}

fn language_of(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// A parsed and validated policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// 1 or 2: what the file declared.
    pub schema: u32,
    pub policy_version: String,
    pub default_locale: String,
    pub denial_cooldown_hours: u32,
    pub purposes: Vec<Purpose>,
    /// Third-party SDKs (schema 2; empty otherwise).
    pub sdks: Vec<Sdk>,
    /// The privacy policy's text (schema 2).
    pub privacy_policy: Option<PolicyText>,
}

/// One thing wrong with a policy file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIssue {
    /// JSON path, e.g. `$.purposes[2].permissions[0]`.
    pub path: String,
    /// 1-based line in the source, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PolicyIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Every problem found in a policy file (never empty): the first, and how many more.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid policy: {}{}", .issues[0], and_more(.issues.len()))]
pub struct PolicyError {
    pub issues: Vec<PolicyIssue>,
}

fn and_more(issues: usize) -> String {
    match issues {
        0 | 1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    }
}

impl Policy {
    /// Parses and validates a policy. Collects every problem it can find.
    pub fn parse(source: &str) -> Result<Policy, PolicyError> {
        // A byte-order mark is allowed (RFC 8259 lets parsers ignore it); editors on
        // Windows add one. Lines are unchanged: it sits before line 1's first character.
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let arena = bumpalo::Bump::new();
        let (value, repeats_keys) = json::parse(source, &arena).map_err(|e| PolicyError {
            issues: vec![PolicyIssue {
                path: "$".into(),
                line: Some(e.line()),
                message: format!("not valid JSON: {e}"),
            }],
        })?;
        // One index of the whole text serves every issue's line and lists repeated keys with
        // their lines. A valid file (the case at every app start) does not need it: reading
        // the JSON said whether a key repeats.
        let mut index = None;
        let text_has_backslash = memchr::memchr(b'\\', source.as_bytes()).is_some();
        let mut v = Validator { issues: Vec::new(), schema: 1, default_locale: None, text_has_backslash };
        if repeats_keys {
            let built = crate::json_locate::JsonIndex::build(source);
            for dup in built.duplicate_keys() {
                v.issue(
                    dup.path.clone(),
                    format!(
                        "duplicate key \"{}\": a key may appear once in an object (JSON readers disagree about which value counts)",
                        dup.key
                    ),
                );
            }
            index = Some(built);
        }
        let policy = v.policy(&value);
        if v.issues.is_empty() {
            Ok(policy.expect("no issues means a policy was built"))
        } else {
            let index = index.unwrap_or_else(|| crate::json_locate::JsonIndex::build(source));
            let duplicates = index.duplicate_keys().len();
            for (i, issue) in v.issues.iter_mut().enumerate() {
                issue.line =
                    if i < duplicates { Some(index.duplicate_keys()[i].line) } else { index.line_of(&issue.path) };
            }
            Err(PolicyError { issues: v.issues })
        }
    }

    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.purposes.iter().position(|p| p.id == id)
    }

    pub fn cooldown_ms(&self) -> i64 {
        i64::from(self.denial_cooldown_hours) * 3_600_000
    }

    pub fn sdk(&self, id: &str) -> Option<&Sdk> {
        self.sdks.iter().find(|s| s.id == id)
    }

    /// The SDKs that serve `purpose`.
    pub fn sdks_of<'a>(&'a self, purpose: &'a Purpose) -> impl Iterator<Item = &'a Sdk> + 'a {
        purpose.sdks.iter().map(|&i| &self.sdks[i])
    }
}

fn is_valid_purpose_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

pub(crate) fn is_valid_locale(tag: &str) -> bool {
    // BCP-47-ish: a 2-3 letter language, then optional alphanumeric subtags.
    // Split as bytes: `str::split` runs a char searcher, a measurable part of a parse.
    let mut parts = tag.as_bytes().split(|&b| b == b'-');
    let lang = parts.next().unwrap_or_default();
    (2..=3).contains(&lang.len())
        && lang.iter().all(u8::is_ascii_lowercase)
        && parts.all(|p| (1..=8).contains(&p.len()) && p.iter().all(u8::is_ascii_alphanumeric))
}

/// Empty or only whitespace (`trim().is_empty()` in one pass that stops at the first letter).
fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

fn is_web_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.chars().any(char::is_whitespace))
}

/// A relative path inside `assets/`, without `..` or empty parts.
fn is_asset_path(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A Java package prefix such as `com.amap.api`.
fn is_package_prefix(name: &str) -> bool {
    name.split('.').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Where the validator is in the document, e.g. `$.purposes[2].id`: formatted only when an
/// issue is reported, so a valid file (every app start) builds no path strings.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("$"),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

const SCHEMA_2: &str = "needs \"schema\": 2";

struct Validator {
    issues: Vec<PolicyIssue>,
    /// The schema the file declares (1 when missing or unknown, to report everything once).
    schema: u32,
    default_locale: Option<String>,
    /// Whether some string of the text may hold an escape (fingerprints check only then).
    text_has_backslash: bool,
}

impl Validator {
    fn issue(&mut self, path: impl fmt::Display, message: impl Into<String>) {
        self.issues.push(PolicyIssue { path: path.to_string(), line: None, message: message.into() });
    }

    /// True if the file may use a schema-2 addition; otherwise reports it at `path`.
    fn allows_schema_2(&mut self, path: &Path<'_>, what: &str) -> bool {
        if self.schema >= 2 {
            return true;
        }
        self.issue(path, format!("{what} {SCHEMA_2}"));
        false
    }

    fn object<'a, 's>(&mut self, value: &'a Json<'s>, path: &Path<'_>) -> Option<&'a Object<'s>> {
        match value {
            Json::Object(map) => Some(map),
            other => {
                self.issue(path, format!("expected an object, found {}", kind_of(other)));
                None
            }
        }
    }

    /// Unknown fields are errors; `schema_2` fields are errors in a schema-1 file.
    fn only_fields(&mut self, map: &Object<'_>, path: &Path<'_>, allowed: &[&str], schema_2: &[&str]) {
        for key in map.keys() {
            if schema_2.contains(&key) {
                if self.schema < 2 {
                    self.issue(path.key(key), format!("the field \"{key}\" {SCHEMA_2}"));
                }
            } else if !allowed.contains(&key) {
                let known: Vec<&str> =
                    allowed.iter().chain(if self.schema >= 2 { schema_2 } else { &[] }).copied().collect();
                self.issue(path.key(key), format!("unknown field \"{key}\" (expected one of: {})", known.join(", ")));
            }
        }
    }

    fn string(&mut self, map: &Object<'_>, path: &Path<'_>, field: &str) -> Option<String> {
        let p = path.key(field);
        match map.get(field) {
            None => {
                self.issue(p, "missing required field");
                None
            }
            Some(value) => self.string_value(value, &p),
        }
    }

    fn string_value(&mut self, value: &Json<'_>, path: &Path<'_>) -> Option<String> {
        match value {
            Json::String(s) if is_blank(s) => {
                self.issue(path, "must not be empty");
                None
            }
            Json::String(s) => Some((*s).to_owned()),
            other => {
                self.issue(path, format!("expected a string, found {}", kind_of(other)));
                None
            }
        }
    }

    fn policy(&mut self, value: &Json<'_>) -> Option<Policy> {
        let map = self.object(value, &Path::Root)?;
        match map.get("schema") {
            None => self.issue("$.schema", "missing required field (this SDK reads schema 1 and 2)"),
            Some(v) => match v.as_u64() {
                Some(n @ (1 | 2)) => self.schema = n as u32,
                _ => self.issue("$.schema", format!("unknown schema {v} (this SDK reads schema 1 and 2)")),
            },
        }
        self.only_fields(
            map,
            &Path::Root,
            &["schema", "policy_version", "default_locale", "denial_cooldown_hours", "purposes"],
            &["sdks", "privacy_policy"],
        );
        let policy_version = self.string(map, &Path::Root, "policy_version");
        let default_locale = self.string(map, &Path::Root, "default_locale");
        if let Some(tag) = &default_locale {
            if !is_valid_locale(tag) {
                self.issue("$.default_locale", format!("\"{tag}\" is not a locale tag like \"zh-CN\" or \"en\""));
            }
        }
        self.default_locale = default_locale.clone();
        let cooldown = match map.get("denial_cooldown_hours") {
            None => Some(DEFAULT_COOLDOWN_HOURS),
            Some(v) => match v.as_u64() {
                Some(h) if COOLDOWN_HOURS_RANGE.contains(&h) => Some(h as u32),
                _ => {
                    self.issue(
                        "$.denial_cooldown_hours",
                        format!(
                            "{v} is out of range: a whole number of hours from {} to {}",
                            COOLDOWN_HOURS_RANGE.start(),
                            COOLDOWN_HOURS_RANGE.end()
                        ),
                    );
                    None
                }
            },
        };
        let purposes = match map.get("purposes") {
            None => {
                self.issue("$.purposes", "missing required field");
                None
            }
            Some(Json::Array([])) => {
                self.issue("$.purposes", "declare at least one purpose");
                None
            }
            Some(Json::Array(items)) if items.len() > MAX_PURPOSES => {
                self.issue("$.purposes", format!("{} purposes is more than the limit of {MAX_PURPOSES}", items.len()));
                None
            }
            Some(Json::Array(items)) => {
                // The ids as the text holds them (no copy of each).
                let mut seen = HashSet::with_capacity(items.len());
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let purposes = Path::Root.key("purposes");
                    let path = purposes.index(i);
                    if let Some(p) = self.purpose(item, &path) {
                        if !seen.insert(id_in_text(item)) {
                            self.issue(format!("{path}.id"), format!("duplicate purpose id \"{}\"", p.id));
                        }
                        out.push(p);
                    }
                }
                Some(out)
            }
            Some(other) => {
                self.issue("$.purposes", format!("expected an array, found {}", kind_of(other)));
                None
            }
        };
        let sdks = match map.get("sdks") {
            Some(v) if self.schema >= 2 => self.sdks(v, purposes.as_deref()),
            _ => Some(Vec::new()),
        };
        let privacy_policy = match map.get("privacy_policy") {
            Some(v) if self.schema >= 2 => self.policy_text(v, &Path::Root.key("privacy_policy")).map(Some),
            _ => Some(None),
        };
        let (sdks, mut purposes) = (sdks?, purposes?);
        let mut scratch = fingerprint::Scratch::new(self.text_has_backslash);
        for purpose in &mut purposes {
            purpose.sdks = (0..sdks.len()).filter(|&i| sdks[i].purposes.contains(&purpose.id)).collect();
            (purpose.fingerprint, purpose.seen_fingerprints) = fingerprint::fingerprints(purpose, &sdks, &mut scratch);
        }
        Some(Policy {
            schema: self.schema,
            policy_version: policy_version?,
            default_locale: default_locale?,
            denial_cooldown_hours: cooldown?,
            purposes,
            sdks,
            privacy_policy: privacy_policy?,
        })
    }

    fn purpose(&mut self, value: &Json<'_>, path: &Path<'_>) -> Option<Purpose> {
        let map = self.object(value, path)?;
        self.only_fields(map, path, &["id", "permissions", "description", "recipients"], &["data", "when", "needs"]);
        let id = self.string(map, path, "id");
        if let Some(id) = &id {
            if !is_valid_purpose_id(id) {
                self.issue(
                    format!("{path}.id"),
                    format!(
                        "\"{id}\" is not a valid purpose id (lowercase letter first, then a-z, 0-9 or _, at most 64)"
                    ),
                );
            }
        }
        let permissions = self.permissions(map.get("permissions"), &path.key("permissions"));
        let description = self.description(map.get("description"), &path.key("description"));
        let recipients = self.recipients(map.get("recipients"), &path.key("recipients"));
        let data = self.optional_text(map, path, "data");
        let when = self.optional_text(map, path, "when");
        let permissions = permissions?;
        let needs = match map.get("needs") {
            Some(value) if self.schema >= 2 => self.needs(value, &path.key("needs"), &permissions)?,
            _ => default_needs(&permissions),
        };
        Some(Purpose {
            id: id?,
            permissions,
            needs,
            seen_fingerprints: BTreeMap::new(),
            description: description?,
            recipients: recipients?,
            data: data?,
            when: when?,
            sdks: Vec::new(),
            // Set once the SDKs are known.
            fingerprint: String::new(),
        })
    }

    /// Schema 2 `needs`: each item a permission name or an array of alternatives, all of them
    /// declared by the purpose, none listed twice.
    fn needs(&mut self, value: &Json<'_>, path: &Path<'_>, declared: &[Permission]) -> Option<Vec<Vec<Permission>>> {
        let Json::Array(items) = value else {
            self.issue(
                path,
                format!("expected an array of permission names (or arrays of alternatives), found {}", kind_of(value)),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut seen = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = path.index(i);
            // (index among the alternatives, name)
            let names: Vec<(Option<usize>, &Json<'_>)> = match item {
                Json::Array(alts) if !alts.is_empty() => alts.iter().enumerate().map(|(j, v)| (Some(j), v)).collect(),
                Json::Array(_) => {
                    self.issue(p, "an empty list of alternatives");
                    ok = false;
                    continue;
                }
                other => vec![(None, other)],
            };
            let mut group = Vec::with_capacity(names.len());
            for (j, v) in names {
                let at = match j {
                    Some(j) => p.index(j),
                    None => p,
                };
                let Json::String(name) = v else {
                    self.issue(at, format!("expected a permission name, found {}", kind_of(v)));
                    ok = false;
                    continue;
                };
                match Permission::parse(name) {
                    Ok(perm) if !declared.contains(&perm) => {
                        self.issue(at, format!("{name} is not in this purpose's permissions"));
                        ok = false;
                    }
                    Ok(perm) if seen.contains(&perm) => {
                        self.issue(at, format!("{name} is listed twice in needs"));
                        ok = false;
                    }
                    Ok(perm) => {
                        seen.push(perm);
                        group.push(perm);
                    }
                    Err(e) => {
                        self.issue(at, e.to_string());
                        ok = false;
                    }
                }
            }
            out.push(group);
        }
        ok.then_some(out)
    }

    fn permissions(&mut self, value: Option<&Json<'_>>, path: &Path<'_>) -> Option<Vec<Permission>> {
        let items = match value {
            None => {
                self.issue(path, "missing required field");
                return None;
            }
            Some(Json::Array(items)) => items,
            Some(other) => {
                self.issue(path, format!("expected an array of permission names, found {}", kind_of(other)));
                return None;
            }
        };
        if items.is_empty() {
            if self.schema < 2 {
                self.issue(
                    path,
                    format!("a purpose needs at least one permission (a consent-only purpose {SCHEMA_2})"),
                );
                return None;
            }
            return Some(Vec::new());
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = path.index(i);
            match item {
                Json::String(name) => match Permission::parse(name) {
                    Ok(perm) if out.contains(&perm) => {
                        self.issue(p, format!("{name} is listed twice"));
                        ok = false;
                    }
                    Ok(perm) if perm.since_schema() > self.schema => {
                        self.issue(p, format!("{name} {SCHEMA_2}"));
                        ok = false;
                    }
                    Ok(perm) => out.push(perm),
                    Err(e @ (PermissionError::Unknown(_) | PermissionError::NotRuntime(_))) => {
                        self.issue(p, e.to_string());
                        ok = false;
                    }
                },
                other => {
                    self.issue(p, format!("expected a permission name, found {}", kind_of(other)));
                    ok = false;
                }
            }
        }
        for (background, foreground) in crate::permission::BACKGROUND_STEPS {
            if out.contains(background) && !out.iter().any(|p| foreground.contains(p)) {
                let names: Vec<&str> = foreground.iter().map(|p| p.short_name()).collect();
                self.issue(
                    path,
                    format!(
                        "{} needs {} in the same purpose (it is only asked after that is granted)",
                        background.short_name(),
                        names.join(" or ")
                    ),
                );
                ok = false;
            }
        }
        if out.contains(&Permission::AccessBackgroundLocation) && out.contains(&Permission::BodySensorsBackground) {
            self.issue(
                path,
                "ACCESS_BACKGROUND_LOCATION and BODY_SENSORS_BACKGROUND are separate second steps: declare them in separate purposes",
            );
            ok = false;
        }
        ok.then_some(out)
    }

    fn description(&mut self, value: Option<&Json<'_>>, path: &Path<'_>) -> Option<BTreeMap<String, String>> {
        let map = match value {
            None => {
                self.issue(path, "missing required field");
                return None;
            }
            Some(v) => self.object(v, path)?,
        };
        self.locale_map(map, path, "description text")
    }

    /// `{ "zh-CN": "...", "en": "..." }`: valid tags, non-empty texts, the default locale present.
    fn locale_map(&mut self, map: &Object<'_>, path: &Path<'_>, what: &str) -> Option<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (tag, text) in map.iter() {
            let p = path.key(tag);
            if !is_valid_locale(tag) {
                self.issue(p, format!("\"{tag}\" is not a locale tag like \"zh-CN\" or \"en\""));
                ok = false;
            }
            match text {
                Json::String(s) if !is_blank(s) => {
                    out.insert(tag.to_owned(), (*s).to_owned());
                }
                Json::String(_) => {
                    self.issue(p, format!("{what} must not be empty"));
                    ok = false;
                }
                other => {
                    self.issue(p, format!("expected a string, found {}", kind_of(other)));
                    ok = false;
                }
            }
        }
        let missing_default = self.default_locale.as_ref().filter(|tag| ok && !out.contains_key(*tag)).cloned();
        if let Some(default) = missing_default {
            let what = what.strip_suffix(" text").unwrap_or(what);
            self.issue(path, format!("no {what} in the default locale \"{default}\""));
            ok = false;
        }
        ok.then_some(out)
    }

    /// A string, or (schema 2) an object of locale tag -> string.
    fn text(&mut self, value: &Json<'_>, path: &Path<'_>) -> Option<Text> {
        match value {
            Json::Object(map) => {
                if !self.allows_schema_2(path, "text per locale") {
                    return None;
                }
                self.locale_map(map, path, "text").map(Text::PerLocale)
            }
            other => self.string_value(other, path).map(Text::Plain),
        }
    }

    /// An optional schema-2 text field: `Some(None)` when absent.
    fn optional_text(&mut self, map: &Object<'_>, path: &Path<'_>, field: &str) -> Option<Option<Text>> {
        match map.get(field) {
            None => Some(None),
            Some(_) if self.schema < 2 => None,
            Some(v) => self.text(v, &path.key(field)).map(Some),
        }
    }

    fn required_text(&mut self, map: &Object<'_>, path: &Path<'_>, field: &str) -> Option<Text> {
        match map.get(field) {
            None => {
                self.issue(format!("{path}.{field}"), "missing required field");
                None
            }
            Some(v) => self.text(v, &path.key(field)),
        }
    }

    fn recipients(&mut self, value: Option<&Json<'_>>, path: &Path<'_>) -> Option<Vec<Recipient>> {
        let items = match value {
            None => return Some(Vec::new()),
            Some(Json::Array(items)) => items,
            Some(other) => {
                self.issue(path, format!("expected an array, found {}", kind_of(other)));
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = path.index(i);
            let Some(map) = self.object(item, &p) else {
                ok = false;
                continue;
            };
            self.only_fields(map, &p, &["name", "data"], &[]);
            match (self.required_text(map, &p, "name"), self.required_text(map, &p, "data")) {
                (Some(name), Some(data)) => out.push(Recipient { name, data }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn sdks(&mut self, value: &Json<'_>, purposes: Option<&[Purpose]>) -> Option<Vec<Sdk>> {
        let Json::Array(items) = value else {
            self.issue("$.sdks", format!("expected an array, found {}", kind_of(value)));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let sdks = Path::Root.key("sdks");
            let path = sdks.index(i);
            match self.sdk(item, &path, purposes) {
                Some(sdk) if out.iter().any(|s: &Sdk| s.id == sdk.id) => {
                    self.issue(format!("{path}.id"), format!("duplicate SDK id \"{}\"", sdk.id));
                    ok = false;
                }
                Some(sdk) => out.push(sdk),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn sdk(&mut self, value: &Json<'_>, path: &Path<'_>, purposes: Option<&[Purpose]>) -> Option<Sdk> {
        let map = self.object(value, path)?;
        self.only_fields(map, path, &["id", "name", "company", "data", "purposes", "privacy_url", "packages"], &[]);
        let id = self.string(map, path, "id");
        if let Some(id) = &id {
            if !is_valid_purpose_id(id) {
                self.issue(
                    format!("{path}.id"),
                    format!("\"{id}\" is not a valid SDK id (lowercase letter first, then a-z, 0-9 or _, at most 64)"),
                );
            } else if purposes.is_some_and(|ps| ps.iter().any(|p| &p.id == id)) {
                // Start and stop code is registered by purpose or SDK id: one name, one thing.
                self.issue(format!("{path}.id"), format!("\"{id}\" is already a purpose id"));
            }
        }
        let name = self.required_text(map, path, "name");
        let company = self.required_text(map, path, "company");
        let data = self.required_text(map, path, "data");
        let privacy_url = self.required_text(map, path, "privacy_url");
        if let Some(url) = &privacy_url {
            self.check_each(url, &path.key("privacy_url"), is_web_url, "is not an http(s) URL");
        }
        let served = self.string_list(map.get("purposes"), &path.key("purposes"), "a purpose id", true);
        if let (Some(served), Some(purposes)) = (&served, purposes) {
            for (i, id) in served.iter().enumerate() {
                if !purposes.iter().any(|p| &p.id == id) {
                    self.issue(format!("{path}.purposes[{i}]"), format!("no purpose \"{id}\" is declared"));
                }
            }
        }
        let packages = self.string_list(map.get("packages"), &path.key("packages"), "a package prefix", false);
        if let Some(packages) = &packages {
            for (i, name) in packages.iter().enumerate() {
                if !is_package_prefix(name) {
                    self.issue(
                        format!("{path}.packages[{i}]"),
                        format!("\"{name}\" is not a Java package prefix like \"com.amap.api\""),
                    );
                }
            }
        }
        Some(Sdk {
            id: id?,
            name: name?,
            company: company?,
            data: data?,
            purposes: served?,
            privacy_url: privacy_url?,
            packages: packages?,
        })
    }

    /// An array of distinct non-empty strings; `required` means present and non-empty.
    fn string_list(
        &mut self,
        value: Option<&Json<'_>>,
        path: &Path<'_>,
        what: &str,
        required: bool,
    ) -> Option<Vec<String>> {
        let items = match value {
            None if required => {
                self.issue(path, "missing required field");
                return None;
            }
            None => return Some(Vec::new()),
            Some(Json::Array(items)) => items,
            Some(other) => {
                self.issue(path, format!("expected an array, found {}", kind_of(other)));
                return None;
            }
        };
        if required && items.is_empty() {
            self.issue(path, format!("list at least {what}"));
            return None;
        }
        let mut out: Vec<String> = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = path.index(i);
            match self.string_value(item, &p) {
                Some(s) if out.contains(&s) => {
                    self.issue(p, format!("\"{s}\" is listed twice"));
                    ok = false;
                }
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Reports every string of `text` that fails `valid`.
    fn check_each(&mut self, text: &Text, path: &Path<'_>, valid: fn(&str) -> bool, problem: &str) -> bool {
        let bad: Vec<(String, String)> = match text {
            Text::Plain(s) => (!valid(s)).then(|| (path.to_string(), s.clone())).into_iter().collect(),
            Text::PerLocale(map) => {
                map.iter().filter(|(_, s)| !valid(s)).map(|(tag, s)| (format!("{path}.{tag}"), s.clone())).collect()
            }
        };
        for (p, s) in &bad {
            self.issue(p.clone(), format!("\"{s}\" {problem}"));
        }
        bad.is_empty()
    }

    fn policy_text(&mut self, value: &Json<'_>, path: &Path<'_>) -> Option<PolicyText> {
        let map = self.object(value, path)?;
        self.only_fields(map, path, &["url", "asset"], &[]);
        let url = self.optional_text(map, path, "url")?;
        let asset = self.optional_text(map, path, "asset")?;
        let mut ok = true;
        if let Some(url) = &url {
            ok &= self.check_each(url, &path.key("url"), is_web_url, "is not an http(s) URL");
        }
        if let Some(asset) = &asset {
            ok &= self.check_each(
                asset,
                &path.key("asset"),
                is_asset_path,
                "is not a path inside the app's assets folder (like \"privacy/zh-CN.html\")",
            );
        }
        if url.is_none() && asset.is_none() {
            self.issue(path, "give the text's \"url\", \"asset\" or both");
            ok = false;
        }
        ok.then_some(PolicyText { url, asset })
    }
}

/// The `id` string of a purpose object (one `Validator::purpose` accepted, so it has one).
fn id_in_text<'a>(purpose: &'a Json<'_>) -> Option<&'a str> {
    match purpose {
        Json::Object(map) => match map.get("id") {
            Some(Json::String(id)) => Some(id),
            _ => None,
        },
        _ => None,
    }
}

fn kind_of(value: &Json<'_>) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

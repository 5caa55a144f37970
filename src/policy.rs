//! The app's declared purposes (policy file, schema 1): parsing, validation with
//! precise JSON-path errors, and purpose fingerprints.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::permission::{Permission, PermissionError};

/// Allowed range of `denial_cooldown_hours` (one hour to one year).
pub const COOLDOWN_HOURS_RANGE: std::ops::RangeInclusive<u64> = 1..=8760;
/// Used when a policy does not set `denial_cooldown_hours`.
pub const DEFAULT_COOLDOWN_HOURS: u32 = 48;
/// More purposes than this is a generated file gone wrong, not a real app.
pub const MAX_PURPOSES: usize = 1024;

/// A third party that receives data for a purpose.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recipient {
    pub name: String,
    pub data: String,
}

/// One declared purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    pub id: String,
    pub permissions: Vec<Permission>,
    /// Locale tag -> text. Always contains the policy's default locale.
    pub description: BTreeMap<String, String>,
    pub recipients: Vec<Recipient>,
    /// Hash of the canonical content; a consent given for another fingerprint is stale.
    pub fingerprint: String,
}

impl Purpose {
    /// The description for `locale`: exact tag, then same language, then the default locale.
    pub fn description_for<'a>(&'a self, locale: &str, default_locale: &str) -> &'a str {
        if let Some(text) = self.description.get(locale) {
            return text;
        }
        let lang = language_of(locale);
        if let Some((_, text)) = self.description.iter().find(|(tag, _)| language_of(tag) == lang) {
            return text;
        }
        &self.description[default_locale]
    }

    pub fn declares(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

fn language_of(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// A parsed and validated policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub policy_version: String,
    pub default_locale: String,
    pub denial_cooldown_hours: u32,
    pub purposes: Vec<Purpose>,
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

/// Every problem found in a policy file (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub issues: Vec<PolicyIssue>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid policy: {}", self.issues[0])?;
        if self.issues.len() > 1 {
            write!(f, " (and {} more)", self.issues.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Parses and validates a schema-1 policy. Collects every problem it can find.
    pub fn parse(source: &str) -> Result<Policy, PolicyError> {
        let value: Value = serde_json::from_str(source).map_err(|e| PolicyError {
            issues: vec![PolicyIssue {
                path: "$".into(),
                line: Some(e.line()),
                message: format!("not valid JSON: {e}"),
            }],
        })?;
        let mut v = Validator { issues: Vec::new() };
        let policy = v.policy(&value);
        if v.issues.is_empty() {
            Ok(policy.expect("no issues means a policy was built"))
        } else {
            for issue in &mut v.issues {
                issue.line = crate::json_locate::line_of(source, &issue.path);
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
}

/// The canonical content hashed into a fingerprint: order-independent where order
/// carries no meaning (permissions, description locales).
fn fingerprint(
    id: &str,
    permissions: &[Permission],
    description: &BTreeMap<String, String>,
    recipients: &[Recipient],
) -> String {
    let mut names: Vec<&str> = permissions.iter().map(|p| p.name()).collect();
    names.sort_unstable();
    let canonical = serde_json::json!({
        "id": id,
        "permissions": names,
        "description": description,
        "recipients": recipients,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    hex(&digest[..16])
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
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
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

struct Validator {
    issues: Vec<PolicyIssue>,
}

impl Validator {
    fn issue(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(PolicyIssue { path: path.into(), line: None, message: message.into() });
    }

    fn object<'a>(&mut self, value: &'a Value, path: &str) -> Option<&'a Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.issue(path, format!("expected an object, found {}", kind_of(other)));
                None
            }
        }
    }

    fn only_fields(&mut self, map: &Map<String, Value>, path: &str, allowed: &[&str]) {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.issue(
                    format!("{path}.{key}"),
                    format!("unknown field \"{key}\" (expected one of: {})", allowed.join(", ")),
                );
            }
        }
    }

    fn string(&mut self, map: &Map<String, Value>, path: &str, field: &str) -> Option<String> {
        let p = format!("{path}.{field}");
        match map.get(field) {
            None => {
                self.issue(p, "missing required field");
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.issue(p, "must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.issue(p, format!("expected a string, found {}", kind_of(other)));
                None
            }
        }
    }

    fn policy(&mut self, value: &Value) -> Option<Policy> {
        let map = self.object(value, "$")?;
        self.only_fields(
            map,
            "$",
            &["schema", "policy_version", "default_locale", "denial_cooldown_hours", "purposes"],
        );
        match map.get("schema") {
            None => self.issue("$.schema", "missing required field (this SDK reads schema 1)"),
            Some(v) if v.as_u64() == Some(1) => {}
            Some(v) => self.issue("$.schema", format!("unknown schema {v} (this SDK reads schema 1)")),
        }
        let policy_version = self.string(map, "$", "policy_version");
        let default_locale = self.string(map, "$", "default_locale");
        if let Some(tag) = &default_locale {
            if !is_valid_locale(tag) {
                self.issue("$.default_locale", format!("\"{tag}\" is not a locale tag like \"zh-CN\" or \"en\""));
            }
        }
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
            Some(Value::Array(items)) if items.is_empty() => {
                self.issue("$.purposes", "declare at least one purpose");
                None
            }
            Some(Value::Array(items)) if items.len() > MAX_PURPOSES => {
                self.issue("$.purposes", format!("{} purposes is more than the limit of {MAX_PURPOSES}", items.len()));
                None
            }
            Some(Value::Array(items)) => {
                let mut seen = HashSet::new();
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let path = format!("$.purposes[{i}]");
                    if let Some(p) = self.purpose(item, &path, default_locale.as_deref()) {
                        if !seen.insert(p.id.clone()) {
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
        Some(Policy {
            policy_version: policy_version?,
            default_locale: default_locale?,
            denial_cooldown_hours: cooldown?,
            purposes: purposes?,
        })
    }

    fn purpose(&mut self, value: &Value, path: &str, default_locale: Option<&str>) -> Option<Purpose> {
        let map = self.object(value, path)?;
        self.only_fields(map, path, &["id", "permissions", "description", "recipients"]);
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
        let permissions = self.permissions(map.get("permissions"), &format!("{path}.permissions"));
        let description = self.description(map.get("description"), &format!("{path}.description"), default_locale);
        let recipients = self.recipients(map.get("recipients"), &format!("{path}.recipients"));
        let (id, permissions, description, recipients) = (id?, permissions?, description?, recipients?);
        let fingerprint = fingerprint(&id, &permissions, &description, &recipients);
        Some(Purpose { id, permissions, description, recipients, fingerprint })
    }

    fn permissions(&mut self, value: Option<&Value>, path: &str) -> Option<Vec<Permission>> {
        let items = match value {
            None => {
                self.issue(path, "missing required field");
                return None;
            }
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.issue(path, format!("expected an array of permission names, found {}", kind_of(other)));
                return None;
            }
        };
        if items.is_empty() {
            self.issue(path, "a purpose needs at least one permission");
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match item {
                Value::String(name) => match Permission::parse(name) {
                    Ok(perm) if out.contains(&perm) => {
                        self.issue(p, format!("{name} is listed twice"));
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
        if out.contains(&Permission::AccessBackgroundLocation) && !out.iter().any(|p| p.is_foreground_location()) {
            self.issue(
                path,
                "ACCESS_BACKGROUND_LOCATION needs ACCESS_COARSE_LOCATION or ACCESS_FINE_LOCATION in the same purpose (background location is only asked after foreground location is granted)",
            );
            ok = false;
        }
        ok.then_some(out)
    }

    fn description(
        &mut self,
        value: Option<&Value>,
        path: &str,
        default_locale: Option<&str>,
    ) -> Option<BTreeMap<String, String>> {
        let map = match value {
            None => {
                self.issue(path, "missing required field");
                return None;
            }
            Some(v) => self.object(v, path)?,
        };
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (tag, text) in map {
            let p = format!("{path}.{tag}");
            if !is_valid_locale(tag) {
                self.issue(p.clone(), format!("\"{tag}\" is not a locale tag like \"zh-CN\" or \"en\""));
                ok = false;
            }
            match text {
                Value::String(s) if !s.trim().is_empty() => {
                    out.insert(tag.clone(), s.clone());
                }
                Value::String(_) => {
                    self.issue(p, "description text must not be empty");
                    ok = false;
                }
                other => {
                    self.issue(p, format!("expected a string, found {}", kind_of(other)));
                    ok = false;
                }
            }
        }
        if let Some(default) = default_locale {
            if ok && !out.contains_key(default) {
                self.issue(path, format!("no description in the default locale \"{default}\""));
                ok = false;
            }
        }
        ok.then_some(out)
    }

    fn recipients(&mut self, value: Option<&Value>, path: &str) -> Option<Vec<Recipient>> {
        let items = match value {
            None => return Some(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.issue(path, format!("expected an array, found {}", kind_of(other)));
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let Some(map) = self.object(item, &p) else {
                ok = false;
                continue;
            };
            self.only_fields(map, &p, &["name", "data"]);
            match (self.string(map, &p, "name"), self.string(map, &p, "data")) {
                (Some(name), Some(data)) => out.push(Recipient { name, data }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

//! `consentgate scan --policy FILE [--format text|json] ARTIFACT...`: the call sites of
//! sensitive Android APIs in compiled code, checked against the policy's purposes.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{
    read_text, show, unknown_option, usage, Args, CommandArg, Output, Stop, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE,
};
use crate::policy::Policy;
use crate::scan::{self, ArtifactScan, Coverage, Finding, Limits, Owner, Verdict};

const ME: &str = "consentgate scan";

pub(crate) const HELP: &str = "\
consentgate scan: list every call site of a sensitive Android API in compiled code (the
app's and its SDKs') and check that a purpose of the policy covers it.

Usage:
  consentgate scan --policy FILE [--format text|json] ARTIFACT...

Arguments:
  ARTIFACT          an .apk, .aar (classes.jar and libs/*.jar), .jar, .dex or .class
                    file, or a folder of .class files

Options:
  --policy FILE     the policy file the app ships (policy.json)
  --format FORMAT   text (default): one line per call site, `ARTIFACT: CODE: message`;
                    json: one document for tools
  -h, --help        this help

What is found: location (LocationManager, fused location client, cell and Wi-Fi scan
location), camera, microphone, contacts / call log / SMS / calendar provider URIs and the
ContentResolver calls made with them, TelephonyManager device and subscriber ids and
line number, Settings.Secure ANDROID_ID, Wi-Fi / Bluetooth / network MAC addresses,
installed-app queries and clipboard reads. A site inside the packages of an SDK the
policy declares (schema 2 \"sdks\", \"packages\") is that SDK's and only its purposes
count; anything else is the app's. Only direct calls are visible: reflection, native
code and code downloaded at run time are not.

Codes:
  CG300  a call site a purpose covers (the purpose is named)
  CG301  a call site no purpose covers: no purpose (of its SDK, if declared) declares a
         permission of its group
  CG302  a call site reading data no runtime permission guards (Android ID, MAC
         addresses, installed apps, clipboard) outside a declared SDK: only a
         declared SDK's purposes cover it
  CG309  the artifact could not be read (missing, not code, malformed, or past a
         size limit: zip bombs and hostile files stop here)

Exit: 0 every call site is covered; 1 a call site is not; 2 usage error, the policy
missing or invalid, or an artifact unreadable.
";

enum Format {
    Text,
    Json,
}

pub(crate) fn command(args: &mut Args) -> Result<Output, Stop> {
    let (mut policy, mut format, mut artifacts) = (None, None, Vec::new());
    while let Some(arg) = args.next_of(ME, HELP)? {
        match arg {
            CommandArg::Long(name, inline) => match name.as_str() {
                "--policy" => args.path_once(ME, &name, inline, &mut policy)?,
                "--format" => {
                    let v = args.value(ME, &name, inline)?;
                    if format.is_some() {
                        return Err(usage(ME, "--format given twice"));
                    }
                    format = Some(match v.to_str() {
                        Some("text") => Format::Text,
                        Some("json") => Format::Json,
                        _ => return Err(usage(ME, format!("--format expects text or json (got '{}')", show(&v)))),
                    });
                }
                _ => return Err(unknown_option(ME, &name)),
            },
            CommandArg::Positional(p) => artifacts.push(PathBuf::from(p)),
        }
    }
    let Some(policy) = policy else {
        return Err(usage(ME, "needs --policy FILE"));
    };
    if artifacts.is_empty() {
        return Err(usage(ME, "needs at least one ARTIFACT (.apk, .aar, .jar, .dex, .class or a folder)"));
    }
    Ok(run(&policy, &artifacts, format.unwrap_or(Format::Text)))
}

fn run(policy_path: &Path, artifacts: &[PathBuf], format: Format) -> Output {
    let text = match read_text(policy_path, "policy") {
        Ok(t) => t,
        Err(message) => return Output::error(EXIT_USAGE, format!("{ME}: {message}")),
    };
    let policy = match Policy::parse(&text) {
        Ok(p) => p,
        Err(e) => {
            let mut out = Output { code: EXIT_USAGE, ..Output::default() };
            for issue in &e.issues {
                out.err_line(format!("{}: {issue}", policy_path.display()));
            }
            out.err_line(format!("{ME}: the policy {} is invalid (run consentgate lint)", policy_path.display()));
            return out;
        }
    };
    let coverage = Coverage::new(&policy);
    let limits = Limits::default();
    let scans: Vec<ArtifactScan> = artifacts.iter().map(|a| scan::scan_artifact(a, &coverage, &limits)).collect();
    let unreadable = scans.iter().filter(|s| s.error.is_some()).count();
    let findings: usize = scans.iter().map(|s| s.findings.len()).sum();
    let uncovered = scans.iter().flat_map(|s| &s.findings).filter(|f| !is_covered(f)).count();
    let code = if unreadable > 0 {
        EXIT_USAGE
    } else if uncovered > 0 {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    };
    let mut out = Output { code, ..Output::default() };
    match format {
        Format::Text => {
            for s in &scans {
                if let Some(error) = &s.error {
                    out.line(format!("{}: CG309: cannot scan: {error}", s.path.display()));
                }
                for f in &s.findings {
                    out.line(format!("{}: {}: {}", s.path.display(), code_of(f), message(f)));
                }
            }
        }
        Format::Json => out.line(to_json(&scans).to_string()),
    }
    out.err_line(format!(
        "{ME}: {} call site{} in {} artifact{}: {} covered, {uncovered} not covered{}",
        findings,
        if findings == 1 { "" } else { "s" },
        scans.len(),
        if scans.len() == 1 { "" } else { "s" },
        findings - uncovered,
        if unreadable > 0 { format!(", {unreadable} unreadable") } else { String::new() }
    ));
    out
}

fn is_covered(f: &Finding) -> bool {
    matches!(f.verdict, Verdict::Covered { .. })
}

fn code_of(f: &Finding) -> &'static str {
    match (&f.verdict, f.located.site.group.permission_group()) {
        (Verdict::Covered { .. }, _) => "CG300",
        (Verdict::Uncovered { .. }, Some(_)) => "CG301",
        (Verdict::Uncovered { .. }, None) => "CG302",
    }
}

fn owner_text(owner: &Owner) -> String {
    match owner {
        Owner::App => "app".to_string(),
        Owner::Sdk(name) => format!("SDK {name}"),
    }
}

fn message(f: &Finding) -> String {
    let site = &f.located.site;
    let head = format!("{}.{} uses {} ({}, {})", site.class, site.method, site.api, site.group, owner_text(&f.owner));
    match &f.verdict {
        Verdict::Covered { purposes } => format!("{head}: covered by purpose {}", purposes.join(", ")),
        Verdict::Uncovered { reason } => format!("{head}: not covered: {reason}"),
    }
}

fn to_json(scans: &[ArtifactScan]) -> serde_json::Value {
    let artifacts: Vec<_> = scans
        .iter()
        .map(|s| {
            json!({
                "path": s.path.display().to_string(),
                "readable": s.error.is_none(),
                "error": s.error,
                "class_files": s.class_files,
                "dex_files": s.dex_files,
            })
        })
        .collect();
    let findings: Vec<_> = scans
        .iter()
        .flat_map(|s| s.findings.iter().map(move |f| (s, f)))
        .map(|(s, f)| {
            let site = &f.located.site;
            let (sdk, purposes, reason) = match (&f.owner, &f.verdict) {
                (owner, Verdict::Covered { purposes }) => (sdk_name(owner), purposes.clone(), None),
                (owner, Verdict::Uncovered { reason }) => (sdk_name(owner), Vec::new(), Some(reason.clone())),
            };
            json!({
                "code": code_of(f),
                "artifact": s.path.display().to_string(),
                "entry": f.located.entry,
                "class": site.class,
                "method": site.method,
                "api": site.api,
                "group": site.group.name(),
                "permission_group": site.group.permission_group().is_some(),
                "owner": if sdk.is_some() { "sdk" } else { "app" },
                "sdk": sdk,
                "covered": is_covered(f),
                "purposes": purposes,
                "reason": reason,
            })
        })
        .collect();
    json!({ "artifacts": artifacts, "findings": findings })
}

fn sdk_name(owner: &Owner) -> Option<String> {
    match owner {
        Owner::App => None,
        Owner::Sdk(name) => Some(name.clone()),
    }
}

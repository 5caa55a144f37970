//! The `consentgate` command line (feature `cli`). `run` takes the arguments and returns
//! what to print and the exit code, so the whole tool is testable in-process; the binary
//! only prints. Commands, options and exit codes are a stable contract (docs/cli.md).
//!
//! Exit codes: 0 ok; 1 problems found (lint findings, or a journal whose only damage is
//! a torn last line); 2 usage error or an input that is missing, unreadable, or not
//! XML/JSON; 3 journal corrupt or tampered.

mod journal;
mod lists;
mod scan;
mod utc;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::lint::{self, manifest::api_level, Code, TargetSource};

pub(crate) const EXIT_OK: i32 = 0;
pub(crate) const EXIT_PROBLEMS: i32 = 1;
pub(crate) const EXIT_USAGE: i32 = 2;
pub(crate) const EXIT_CORRUPT: i32 = 3;

/// The largest input file read (manifest, policy, journal): the journal's own size cap.
const MAX_INPUT_BYTES: u64 = crate::journal::MAX_JOURNAL_BYTES;

/// What a command prints, and how it exits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn error(code: i32, message: impl Into<String>) -> Output {
        let mut out = Output { code, ..Output::default() };
        out.err_line(message.into());
        out
    }

    fn line(&mut self, text: impl AsRef<str>) {
        self.stdout.push_str(text.as_ref());
        self.stdout.push('\n');
    }

    fn err_line(&mut self, text: impl AsRef<str>) {
        self.stderr.push_str(text.as_ref());
        self.stderr.push('\n');
    }
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

const HELP: &str = "\
consentgate: check an Android app's permission manifest against its ConsentGate policy,
read the consent journal pulled from a device, and write the policy's compliance lists.

Usage:
  consentgate lint --manifest FILE --policy FILE [--target-sdk N]
  consentgate journal show FILE
  consentgate journal verify FILE
  consentgate journal export FILE [--policy FILE]
  consentgate lists --policy FILE [--locale TAG] [--format md|html|json]
  consentgate scan --policy FILE [--format text|json] ARTIFACT...
  consentgate --help | --version

Run 'consentgate COMMAND --help' for one command.

Exit codes: 0 ok; 1 problems found (lint findings, a journal with only a torn last
line, call sites the policy does not cover); 2 usage error or an input missing,
unreadable, or not XML/JSON/code; 3 journal corrupt or tampered.
";

const LINT_HELP: &str = "\
consentgate lint: check AndroidManifest.xml against the ConsentGate policy file.

Usage:
  consentgate lint --manifest FILE --policy FILE [--target-sdk N]

Options:
  --manifest FILE   the app's AndroidManifest.xml (the source manifest)
  --policy FILE     the policy file the app ships (policy.json, schema 1 or 2)
  --target-sdk N    the API level the app targets; default: the manifest's
                    <uses-sdk android:targetSdkVersion>, else 35
  -h, --help        this help

Prints one line per problem, `FILE:LINE: CODE: message`, on standard output, and a
summary on standard error. android:maxSdkVersion on <uses-permission> is honoured;
entries with tools:node=\"remove\" are not requests.

Codes:
  CG100  the policy file fails validation (JSON path and line in the message)
  CG101  a runtime permission in the manifest that no purpose declares
  CG102  a purpose permission the manifest does not request
  CG103  a purpose lists a normal (install-time) permission
  CG104  READ_EXTERNAL_STORAGE requested on API 33+ while targeting 33+, and the
         purpose has no READ_MEDIA_* permission
  CG105  ACCESS_BACKGROUND_LOCATION without ACCESS_COARSE/FINE_LOCATION
  CG106  a manifest entry the lint cannot read (no android:name, SDK level not a number)
  CG107  a special permission (settings page) in the manifest that no purpose declares
         (schema 2)
  CG108  an SDK serves a purpose the policy does not declare (schema 2)
  CG109  an SDK lists no code packages: a build-time scan cannot attribute its calls

Exit: 0 clean; 1 problems found; 2 usage error, or an input missing, unreadable,
or not XML/JSON.
";

const JOURNAL_HELP: &str = "\
consentgate journal: read a consent journal file pulled from a device
(files/no_backup/.../consent.journal, or an archive consent.journal.N.archive).

Usage:
  consentgate journal show FILE                   the history as a timeline (UTC)
  consentgate journal verify FILE                 check checksums and the hash chain
  consentgate journal export FILE [--policy FILE] the proof-of-consent JSON

Exit: 0 intact; 1 only the last line is torn (an unfinished write the app never
acknowledged: recoverable, nothing lost); 2 usage error or file missing/unreadable;
3 corrupt or tampered (the first bad line is named).
";

const SHOW_HELP: &str = "\
consentgate journal show: print a consent journal as a timeline.

Usage:
  consentgate journal show FILE

One row per event: UTC time, seq, purpose, event, surface, actor, locale and details
(purpose-text fingerprint, OS answer, age bracket). The journal holds no other personal
data, and neither does this output.

Exit: 0 intact; 1 torn last line (not shown); 2 file missing or unreadable;
3 corrupt (the events before the first bad line are shown, and the line is named).
";

const VERIFY_HELP: &str = "\
consentgate journal verify: check a consent journal's line checksums, sequence
numbers and hash chain, with the same code the app loads it with.

Usage:
  consentgate journal verify FILE

Exit: 0 intact; 1 only the last line is torn (an unfinished write, never acknowledged:
the app drops it on load and nothing acknowledged is lost); 2 file missing or
unreadable; 3 corrupt or tampered (an edited, removed, reordered or inserted line:
the first bad line is named).
";

const EXPORT_HELP: &str = "\
consentgate journal export: print the proof-of-consent document (JSON) for a journal.

Usage:
  consentgate journal export FILE [--policy FILE]

Options:
  --policy FILE   also list the policy's purposes with their fingerprints and each
                  purpose's state (granted, stale, denied, withdrawn, never asked)
  -h, --help      this help

The document is the one the app's export produces: every event with its hash chain,
the folded state and the chain head. A corrupt journal is not exported.

Exit: 0 exported; 1 exported, but the last line was a torn write (left out);
2 usage error, or a file missing, unreadable or invalid; 3 journal corrupt or tampered.
";

const LISTS_HELP: &str = "\
consentgate lists: write the personal-information collection list (个人信息收集清单)
and the third-party sharing list (第三方信息共享清单) of a policy file.

Usage:
  consentgate lists --policy FILE [--locale TAG] [--format md|html|json]

Options:
  --policy FILE     the policy file the app ships (policy.json, schema 1 or 2)
  --locale TAG      one language (zh-CN, en, ...); default: every locale the policy's
                    descriptions are written in, the default locale first
  --format F        md (Markdown, the default), html (a standalone page) or json (for tools)
  -h, --help        this help

Collection list: information, purpose, when it is collected, permission. Sharing list:
recipient or SDK, company, information shared, purpose, when, link to its rules. Texts
fall back like the app's screens: the exact locale, the same language, the default locale.

Exit: 0 written; 2 usage error, or the policy missing, unreadable or invalid.
";

/// Why a command stops before it runs: its help was asked for (the text to print), or a
/// usage error (the message, and which command's help to point at).
enum Stop {
    Help(&'static str),
    Usage { message: String, command: &'static str },
}

fn usage(command: &'static str, message: impl Into<String>) -> Stop {
    Stop::Usage { message: message.into(), command }
}

/// `name` is an option `command` does not take (`--name` or `-x`).
fn unknown_option(command: &'static str, name: &str) -> Stop {
    usage(command, format!("unknown option '{name}'"))
}

enum Arg {
    /// `--name` or `--name=value` (value kept for the option to take or refuse).
    Long(String, Option<OsString>),
    /// `-x`
    Short(char),
    Positional(OsString),
}

/// An argument of a command that takes long options (lint, lists, scan), once
/// [`Args::next_of`] has answered what they all answer alike.
enum CommandArg {
    /// `--name` or `--name=value`.
    Long(String, Option<OsString>),
    Positional(OsString),
}

/// The arguments, tokenized by lexopt (`--`, `--name=value`, `-x`), in the shapes the
/// commands match on.
struct Args {
    parser: lexopt::Parser,
}

impl Args {
    fn next(&mut self, command: &'static str) -> Result<Option<Arg>, Stop> {
        // Not UTF-8: only a file name can be that, whatever it starts with.
        if let Ok(mut raw) = self.parser.raw_args() {
            if let Some(name) = raw.next_if(|a| a.to_str().is_none()) {
                return Ok(Some(Arg::Positional(name)));
            }
        }
        let arg = match self.parser.next() {
            Ok(None) => return Ok(None),
            Ok(Some(lexopt::Arg::Value(value))) => Arg::Positional(value),
            Ok(Some(lexopt::Arg::Long(name))) => {
                let name = format!("--{name}");
                Arg::Long(name, self.parser.optional_value())
            }
            // `-abc` is one unknown option, not three.
            Ok(Some(lexopt::Arg::Short(c))) => match self.parser.optional_value() {
                None => Arg::Short(c),
                Some(rest) => return Err(usage(command, format!("unknown option '-{c}{}'", rest.to_string_lossy()))),
            },
            Err(e) => return Err(usage(command, e.to_string())),
        };
        Ok(Some(arg))
    }

    /// The next argument of a command that takes long options: `-h` and `--help` (with or
    /// without a value) stop with `help_text`, and any other short option is unknown.
    fn next_of(&mut self, command: &'static str, help_text: &'static str) -> Result<Option<CommandArg>, Stop> {
        Ok(match self.next(command)? {
            None => None,
            Some(Arg::Short('h')) => return Err(Stop::Help(help_text)),
            Some(Arg::Long(name, _)) if name == "--help" => return Err(Stop::Help(help_text)),
            Some(Arg::Short(c)) => return Err(unknown_option(command, &format!("-{c}"))),
            Some(Arg::Long(name, inline)) => Some(CommandArg::Long(name, inline)),
            Some(Arg::Positional(p)) => Some(CommandArg::Positional(p)),
        })
    }

    /// The value of an option: inline (`--x=v`) or the next argument, unless that is
    /// another long option.
    fn value(&mut self, command: &'static str, name: &str, inline: Option<OsString>) -> Result<OsString, Stop> {
        if let Some(v) = inline {
            return Ok(v);
        }
        match self.parser.value() {
            Ok(v) if !v.to_str().is_some_and(|s| s.starts_with("--")) => Ok(v),
            _ => Err(usage(command, format!("{name} needs a value"))),
        }
    }

    /// The file named by option `name` (its value) into `slot`; a usage error if given twice.
    fn path_once(
        &mut self,
        command: &'static str,
        name: &str,
        inline: Option<OsString>,
        slot: &mut Option<PathBuf>,
    ) -> Result<(), Stop> {
        let value = self.value(command, name, inline)?;
        if slot.is_some() {
            return Err(usage(command, format!("{name} given twice")));
        }
        *slot = Some(PathBuf::from(value));
        Ok(())
    }
}

fn show(os: &OsStr) -> String {
    os.to_string_lossy().into_owned()
}

/// Runs the tool on `args` (without the program name).
pub fn run<I: IntoIterator<Item = OsString>>(args: I) -> Output {
    let mut args = Args { parser: lexopt::Parser::from_args(args) };
    // `-h=x` is the unknown option '-h=x', as written.
    args.parser.set_short_equals(false);
    match dispatch(&mut args) {
        Ok(out) => out,
        Err(Stop::Help(text)) => help(text),
        Err(Stop::Usage { message, command }) => {
            Output::error(EXIT_USAGE, format!("{command}: {message}\nRun '{command} --help' for usage."))
        }
    }
}

fn help(text: &str) -> Output {
    Output { code: EXIT_OK, stdout: text.to_string(), stderr: String::new() }
}

fn dispatch(args: &mut Args) -> Result<Output, Stop> {
    const ME: &str = "consentgate";
    match args.next(ME)? {
        None => Err(usage(ME, "no command given (lint, journal, lists, scan)")),
        Some(Arg::Short('h')) => Ok(help(HELP)),
        Some(Arg::Long(name, None)) if name == "--help" => Ok(help(HELP)),
        Some(Arg::Short('V')) => Ok(help(&format!("consentgate {VERSION}\n"))),
        Some(Arg::Long(name, None)) if name == "--version" => Ok(help(&format!("consentgate {VERSION}\n"))),
        Some(Arg::Long(name, _)) => Err(unknown_option(ME, &name)),
        Some(Arg::Short(c)) => Err(unknown_option(ME, &format!("-{c}"))),
        Some(Arg::Positional(cmd)) => match cmd.to_str() {
            Some("lint") => lint_command(args),
            Some("journal") => journal_command(args),
            Some("lists") => lists_command(args),
            Some("scan") => scan::command(args),
            Some("help") => Ok(help(HELP)),
            _ => Err(usage(ME, format!("unknown command '{}' (expected lint, journal, lists or scan)", show(&cmd)))),
        },
    }
}

fn lint_command(args: &mut Args) -> Result<Output, Stop> {
    const ME: &str = "consentgate lint";
    let (mut manifest, mut policy, mut target) = (None, None, None);
    while let Some(arg) = args.next_of(ME, LINT_HELP)? {
        match arg {
            CommandArg::Long(name, inline) => match name.as_str() {
                "--manifest" => args.path_once(ME, &name, inline, &mut manifest)?,
                "--policy" => args.path_once(ME, &name, inline, &mut policy)?,
                "--target-sdk" => {
                    let v = args.value(ME, &name, inline)?;
                    if target.is_some() {
                        return Err(usage(ME, "--target-sdk given twice"));
                    }
                    let level = v.to_str().and_then(api_level).ok_or_else(|| {
                        usage(
                            ME,
                            format!("--target-sdk expects an API level from 1 to 1000, like 34 (got '{}')", show(&v)),
                        )
                    })?;
                    target = Some(level);
                }
                _ => return Err(unknown_option(ME, &name)),
            },
            CommandArg::Positional(p) => {
                return Err(usage(
                    ME,
                    format!("unexpected argument '{}' (use --manifest FILE --policy FILE)", show(&p)),
                ))
            }
        }
    }
    let (Some(manifest), Some(policy)) = (manifest, policy) else {
        return Err(usage(ME, "needs both --manifest FILE and --policy FILE"));
    };
    Ok(run_lint(&manifest, &policy, target))
}

fn run_lint(manifest_path: &Path, policy_path: &Path, target: Option<u32>) -> Output {
    const ME: &str = "consentgate lint";
    let manifest = match read_text(manifest_path, "manifest") {
        Ok(t) => t,
        Err(message) => return Output::error(EXIT_USAGE, format!("{ME}: {message}")),
    };
    let policy = match read_text(policy_path, "policy") {
        Ok(t) => t,
        Err(message) => return Output::error(EXIT_USAGE, format!("{ME}: {message}")),
    };
    let report = match lint::lint(&manifest, &policy, target) {
        Ok(r) => r,
        Err(e @ lint::InputError::ManifestNotXml(_)) => {
            return Output::error(
                EXIT_USAGE,
                format!("{ME}: the manifest {} is not usable: {e}", manifest_path.display()),
            )
        }
        Err(e @ lint::InputError::PolicyNotJson { .. }) => {
            return Output::error(EXIT_USAGE, format!("{ME}: the policy {} is not JSON: {e}", policy_path.display()))
        }
    };
    let mut out = Output::default();
    for f in &report.findings {
        let file = match f.file {
            lint::File::Manifest => manifest_path,
            lint::File::Policy => policy_path,
        };
        out.line(format!("{}:{}: {}: {}", file.display(), f.line, f.code, f.message));
    }
    let source = match report.target_source {
        TargetSource::Flag => "from --target-sdk",
        TargetSource::Manifest => "from the manifest's android:targetSdkVersion",
        TargetSource::Default => "the default: the manifest sets none",
    };
    let what = format!(
        "{}, {}, target SDK {} ({source})",
        plural(report.purposes, "purpose"),
        plural(report.manifest_permissions, "manifest permission"),
        report.target_sdk
    );
    if report.findings.is_empty() {
        out.err_line(format!("{ME}: no problems ({what})"));
        out.code = EXIT_OK;
    } else {
        out.err_line(format!("{ME}: {} ({what})", plural(report.findings.len(), "problem")));
        out.code = EXIT_PROBLEMS;
    }
    out
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn lists_command(args: &mut Args) -> Result<Output, Stop> {
    const ME: &str = "consentgate lists";
    let (mut policy, mut locale, mut format) = (None, None::<String>, None);
    while let Some(arg) = args.next_of(ME, LISTS_HELP)? {
        match arg {
            CommandArg::Long(name, inline) => match name.as_str() {
                "--policy" => args.path_once(ME, &name, inline, &mut policy)?,
                "--locale" => {
                    let v = show(&args.value(ME, &name, inline)?);
                    if locale.replace(v.clone()).is_some() {
                        return Err(usage(ME, "--locale given twice"));
                    }
                    lists::check_locale(&v).map_err(|m| usage(ME, m))?;
                }
                "--format" => {
                    let v = show(&args.value(ME, &name, inline)?);
                    let f = lists::Format::parse(&v)
                        .ok_or_else(|| usage(ME, format!("--format expects md, html or json (got '{v}')")))?;
                    if format.replace(f).is_some() {
                        return Err(usage(ME, "--format given twice"));
                    }
                }
                _ => return Err(unknown_option(ME, &name)),
            },
            CommandArg::Positional(p) => {
                return Err(usage(ME, format!("unexpected argument '{}' (use --policy FILE)", show(&p))))
            }
        }
    }
    let Some(policy) = policy else {
        return Err(usage(ME, "needs --policy FILE"));
    };
    Ok(lists::run(&policy, locale.as_deref(), format.unwrap_or(lists::Format::Markdown)))
}

fn journal_command(args: &mut Args) -> Result<Output, Stop> {
    const ME: &str = "consentgate journal";
    let sub = match args.next(ME)? {
        None => return Err(usage(ME, "needs a subcommand: show, verify or export")),
        Some(Arg::Short('h')) => return Ok(help(JOURNAL_HELP)),
        Some(Arg::Long(name, None)) if name == "--help" => return Ok(help(JOURNAL_HELP)),
        Some(Arg::Long(name, _)) => return Err(unknown_option(ME, &name)),
        Some(Arg::Short(c)) => return Err(unknown_option(ME, &format!("-{c}"))),
        Some(Arg::Positional(sub)) => sub,
    };
    let (me, help_text): (&'static str, &str) = match sub.to_str() {
        Some("show") => ("consentgate journal show", SHOW_HELP),
        Some("verify") => ("consentgate journal verify", VERIFY_HELP),
        Some("export") => ("consentgate journal export", EXPORT_HELP),
        _ => return Err(usage(ME, format!("unknown subcommand '{}' (expected show, verify or export)", show(&sub)))),
    };
    let takes_policy = me.ends_with("export");
    let (mut file, mut policy) = (None, None);
    while let Some(arg) = args.next(me)? {
        match arg {
            Arg::Short('h') => return Ok(help(help_text)),
            Arg::Long(name, None) if name == "--help" => return Ok(help(help_text)),
            Arg::Long(name, inline) if name == "--policy" && takes_policy => {
                args.path_once(me, &name, inline, &mut policy)?
            }
            Arg::Long(name, _) => return Err(unknown_option(me, &name)),
            Arg::Short(c) => return Err(unknown_option(me, &format!("-{c}"))),
            Arg::Positional(p) => {
                if file.is_some() {
                    return Err(usage(me, format!("unexpected argument '{}' (one journal FILE)", show(&p))));
                }
                file = Some(PathBuf::from(p));
            }
        }
    }
    let Some(file) = file else {
        return Err(usage(me, "needs the journal FILE"));
    };
    let ran = match me {
        "consentgate journal show" => journal::show(&file),
        "consentgate journal verify" => journal::verify(&file),
        _ => journal::export(&file, policy.as_deref()),
    };
    Ok(ran.unwrap_or_else(|stopped_early| stopped_early))
}

/// Reads a file, or says which input could not be read and why.
fn read_bytes(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    use crate::input_file::{self, InputError};
    input_file::read(path, MAX_INPUT_BYTES).map_err(|e| match e {
        InputError::NotFound => format!("the {what} file {} does not exist", path.display()),
        InputError::Io(e) => format!("cannot read the {what} {}: {e}", path.display()),
        InputError::TooLarge { .. } => {
            format!("the {what} {} {e} (a consent journal is kept far smaller)", path.display())
        }
        InputError::Directory | InputError::NotRegular => format!("the {what} {} {e}", path.display()),
    })
}

fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let bytes = read_bytes(path, what)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the {what} {} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads and validates a policy file, or the exit-2 output naming every issue with its line.
fn load_policy(path: &Path, command: &str) -> Result<crate::policy::Policy, Output> {
    let text =
        read_text(path, "policy").map_err(|message| Output::error(EXIT_USAGE, format!("{command}: {message}")))?;
    crate::policy::Policy::parse(&text).map_err(|e| {
        let mut out = Output::error(EXIT_USAGE, format!("{command}: the policy {} is not valid:", path.display()));
        for issue in &e.issues {
            out.err_line(format!("{}:{}: {}: {}", path.display(), issue.line.unwrap_or(1), issue.path, issue.message));
        }
        out
    })
}

/// The lint codes with their summaries, for docs and tests.
pub fn lint_codes() -> Vec<(String, &'static str)> {
    Code::ALL.iter().map(|c| (c.to_string(), c.summary())).collect()
}

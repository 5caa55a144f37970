//! Runs the `consentgate` binary (feature `cli`) for the CLI test suites.
// Each suite uses some of these.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_consentgate");

/// What one run of the binary printed, and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args`; fails the test if it panicked.
pub fn cg<S: AsRef<OsStr>>(args: &[S]) -> Run {
    finish(Command::new(BIN).args(args))
}

/// Runs the binary with `args` in the folder `dir` (relative paths are read from there).
pub fn cg_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Run {
    finish(Command::new(BIN).args(args).current_dir(dir))
}

fn finish(command: &mut Command) -> Run {
    let out = command.output().expect("the consentgate binary runs");
    let run = Run {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    assert!(!run.stderr.contains("panicked"), "the CLI panicked:\n{}", run.stderr);
    run
}

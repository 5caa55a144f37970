//! Runs the `consentgate` binary (feature `cli`) for the CLI test suites.

use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_consentgate");

/// What one run of the binary printed, and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args`; fails the test if it panicked.
pub fn cg<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(BIN).args(args).output().expect("the consentgate binary runs");
    let run = Run {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    assert!(!run.stderr.contains("panicked"), "the CLI panicked:\n{}", run.stderr);
    run
}

//! The `consentgate` command line: a thin shell around `consentgate::cli::run`.
//! Built only with the `cli` feature, so the Android library does not carry it.

use std::io::Write;

fn main() {
    let out = consentgate::cli::run(std::env::args_os().skip(1));
    // A closed pipe (`consentgate journal show F | head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(out.stdout.as_bytes());
    let _ = std::io::stderr().lock().write_all(out.stderr.as_bytes());
    std::process::exit(out.code);
}

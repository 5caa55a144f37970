#![no_main]
//! Fuzz target `manifest_lint`: see `consentgate_fuzz::manifest_lint` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    consentgate_fuzz::manifest_lint(data);
});

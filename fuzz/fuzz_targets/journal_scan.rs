#![no_main]
//! Fuzz target `journal_scan`: see `consentgate_fuzz::journal_scan` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    consentgate_fuzz::journal_scan(data);
});

#![no_main]
//! Fuzz target `journal_resigned`: see `consentgate_fuzz::journal_resigned` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    consentgate_fuzz::journal_resigned(data);
});

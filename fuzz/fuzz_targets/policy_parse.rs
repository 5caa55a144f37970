#![no_main]
//! Fuzz target `policy_parse`: see `consentgate_fuzz::policy_parse` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    consentgate_fuzz::policy_parse(data);
});

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smartkey_fuzzing::bank_profiles(data));

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecpa_fuzz::tbs_package(data));

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecpa_fuzz::rest_body(data));

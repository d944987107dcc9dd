//! The fuzz targets' bodies: each takes arbitrary bytes to one of the real parsers and
//! checks what must hold whatever the input (no panic, and the stated round trips).
//! `fuzz/` (cargo-fuzz, outside the workspace) runs them under libFuzzer; the
//! `corpus` test replays every stored input through them on the stable toolchain.

mod agent;
mod certs;
mod hipki;
mod portal;

pub use agent::{agent_sign_form, tbs_package};
pub use certs::{cert, crl};
pub use hipki::{challenge_text, hipki_message};
pub use portal::{csv_import, rest_body};

/// A target: any bytes in, a panic when something that must hold does not.
pub type Target = fn(&[u8]);

/// Every target by the name of its corpus folder (`fuzz/corpus/NAME`).
pub const TARGETS: [(&str, Target); 8] = [
    ("cert", cert),
    ("crl", crl),
    ("csv_import", csv_import),
    ("rest_body", rest_body),
    ("agent_sign_form", agent_sign_form),
    ("tbs_package", tbs_package),
    ("hipki_message", hipki_message),
    ("challenge_text", challenge_text),
];

//! PEM files with any number of blocks; DER files are passed through.

use crate::PortalError;

/// The DER of every PEM block labelled `label` in `bytes`, or `bytes` itself when it
/// is not PEM text (a DER file).
pub fn pem_blocks(bytes: &[u8], label: &str) -> Result<Vec<Vec<u8>>, PortalError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(vec![bytes.to_vec()]);
    };
    if !text.contains("-----BEGIN ") {
        return Ok(vec![bytes.to_vec()]);
    }
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start..];
        let stop = after
            .find(&end)
            .ok_or_else(|| PortalError::Config(format!("unterminated PEM block {label}")))?;
        let block = &after[..stop + end.len()];
        let (_, der) = der::pem::decode_vec(block.as_bytes())
            .map_err(|e| PortalError::Config(format!("bad PEM block {label}: {e}")))?;
        out.push(der);
        rest = &after[stop + end.len()..];
    }
    Ok(out)
}

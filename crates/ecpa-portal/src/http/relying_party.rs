//! The WebAuthn relying party: its ID is the host of the public origin, the one origin
//! it accepts is the public origin.

use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

/// Shown by authenticators next to the account.
const RP_NAME: &str = "ECPA";

/// The relying party for `public_origin`; an origin whose host is not a domain name
/// (an IP address) cannot have passkeys.
pub fn for_origin(public_origin: &str) -> Result<Webauthn, String> {
    let origin = Url::parse(public_origin).map_err(|e| format!("{public_origin}: {e}"))?;
    let rp_id = origin
        .domain()
        .ok_or_else(|| format!("{public_origin}: passkeys need a domain name, not an address"))?
        .to_owned();
    WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|builder| builder.rp_name(RP_NAME).build())
        .map_err(|e| format!("{public_origin}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_origin_has_a_relying_party_and_an_address_does_not() {
        assert!(for_origin("http://localhost:8080").is_ok());
        assert!(for_origin("https://ecpa.example.gov.tw").is_ok());
        assert!(for_origin("http://127.0.0.1:8080").is_err());
        assert!(for_origin("not a url").is_err());
    }
}

//! Whether an employee may register a card of a kind, judged before any card is read
//! by the same rules registration applies (see [`crate::domain::registration`]).

use ecpa_wire::api::Eligibility;
use ecpa_wire::{AgencyCode, CardKind, ErrorCode, NationalId};

use super::principal;
use crate::PortalError;
use crate::domain::registration;
use crate::http::state::AppState;

/// Today's answer for `registrant`: a citizen card needs a current employee; an
/// organization card a current personnel officer and, when `agency` is named, an agency
/// the portal knows and their personnel office serves.
pub async fn before_card(
    state: &AppState,
    registrant: &NationalId,
    kind: CardKind,
    agency: Option<&AgencyCode>,
) -> Result<Eligibility, PortalError> {
    let standing = principal::standing(state, registrant).await?;
    let refusal = match kind {
        CardKind::Citizen => registration::citizen_registrant(&standing).err(),
        CardKind::Organization => match registration::organization_claim(&standing, agency) {
            Err(refusal) => Some(refusal),
            Ok(_) if agency.is_none() => None,
            Ok(claim) => {
                let known = state.db().known_agency(claim.agency_code).await?;
                claim.agency_allowed(known.as_ref()).err()
            }
        },
    };
    Ok(Eligibility::from_refusal(refusal.map(ErrorCode::from)))
}

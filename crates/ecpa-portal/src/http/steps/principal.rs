//! Who a session or a login stands for, re-read from the personnel data on every use.

use ecpa_wire::api::{LoginMethod, Principal};
use ecpa_wire::{AgencyCode, CardKind, ErrorCode, NationalId};

use crate::PortalError;
use crate::clock::taipei_today;
use crate::db::{CardHolder, RegistrationRow, SessionKind, SessionRow};
use crate::domain::registration::{citizen_login, organization_login};
use crate::domain::{KnownAgency, PersonnelRecord, Standing};
use crate::http::state::AppState;

/// A person's standing today (Taiwan time).
pub async fn standing(state: &AppState, national_id: &NationalId) -> Result<Standing, PortalError> {
    let records = state.db().personnel_records(national_id).await?;
    Ok(Standing::on(&records, taipei_today(state.now())))
}

pub fn stored_national_id(text: Option<&str>) -> Result<NationalId, PortalError> {
    text.and_then(|t| NationalId::parse(t).ok()).ok_or_else(|| {
        PortalError::Internal("session or account without a valid national ID".into())
    })
}

/// An employee as the personnel data shows them today; `can_add_passkey` as their
/// session allows (see [`super::step_up`]).
pub async fn employee(
    state: &AppState,
    national_id: &NationalId,
    method: LoginMethod,
    can_add_passkey: bool,
) -> Result<Principal, PortalError> {
    let standing = standing(state, national_id).await?;
    employee_as_standing(state, national_id, &standing, method, can_add_passkey).await
}

async fn employee_as_standing(
    state: &AppState,
    national_id: &NationalId,
    standing: &Standing,
    method: LoginMethod,
    can_add_passkey: bool,
) -> Result<Principal, PortalError> {
    let record = standing
        .login_record()
        .ok_or(ErrorCode::NOT_CURRENT_EMPLOYEE)?;
    let agency_name = state
        .db()
        .agency(&record.agency_code)
        .await?
        .map(|a| a.name);
    Ok(employee_principal(
        national_id,
        standing,
        record,
        agency_name,
        method,
        can_add_passkey,
    ))
}

/// An employee as `record` (their standing's login record) shows them.
fn employee_principal(
    national_id: &NationalId,
    standing: &Standing,
    record: &PersonnelRecord,
    agency_name: Option<String>,
    method: LoginMethod,
    can_add_passkey: bool,
) -> Principal {
    Principal::Employee {
        name: record.name.clone(),
        national_id_masked: national_id.masked(),
        agency_code: record.agency_code.to_string(),
        agency_name,
        is_personnel_officer: standing.is_personnel_officer(),
        login_method: method,
        can_add_passkey,
    }
}

/// The owner of a registered citizen card, or of a passkey added under one, while a
/// current employee (the same rule for both). A card login may add a passkey next.
pub async fn citizen_card_owner(
    state: &AppState,
    owner: &NationalId,
    method: LoginMethod,
) -> Result<Principal, PortalError> {
    let standing = standing(state, owner).await?;
    citizen_login(&standing).map_err(ErrorCode::from)?;
    let fresh_card = method == LoginMethod::Certificate;
    employee_as_standing(state, owner, &standing, method, fresh_card).await
}

/// An agency's personnel-only area, open while the registering officer is still a
/// personnel officer of that agency or of the agency whose personnel office serves it.
pub async fn organization(
    state: &AppState,
    registration: &RegistrationRow,
) -> Result<Principal, PortalError> {
    let officer = stored_national_id(Some(&registration.owner_national_id))?;
    let standing = standing(state, &officer).await?;
    let agency = state
        .db()
        .known_agency(registration_agency(registration)?)
        .await?;
    organization_as_standing(registration, &standing, agency)
}

fn registration_agency(registration: &RegistrationRow) -> Result<&AgencyCode, PortalError> {
    registration
        .agency_code
        .as_ref()
        .ok_or_else(|| PortalError::Internal("organization registration without agency".into()))
}

fn organization_as_standing(
    registration: &RegistrationRow,
    standing: &Standing,
    agency: Option<KnownAgency>,
) -> Result<Principal, PortalError> {
    let agency_code = registration_agency(registration)?;
    let authority = agency.as_ref().and_then(|a| a.personnel_authority.as_ref());
    let record = organization_login(standing, agency_code, authority).map_err(ErrorCode::from)?;
    let agency_name = agency.map(|a| a.agency.name);
    Ok(Principal::Organization {
        agency_code: agency_code.to_string(),
        agency_name,
        officer_name: record.name.clone(),
        card: Some(crate::http::registrations::to_wire(registration.clone())),
    })
}

/// Who a certificate login of `holder`'s card (owned by `owner`) stands for, by the
/// same rules as [`citizen_card_owner`] and [`organization`], and the session it opens.
pub fn card_login(
    state: &AppState,
    owner: &NationalId,
    holder: CardHolder,
) -> Result<(Principal, SessionKind), PortalError> {
    let standing = Standing::on(&holder.records, taipei_today(state.now()));
    match holder.registration.kind {
        CardKind::Citizen => {
            citizen_login(&standing).map_err(ErrorCode::from)?;
            let record = standing
                .login_record()
                .ok_or(ErrorCode::NOT_CURRENT_EMPLOYEE)?;
            let agency_name = holder.agency_name(&record.agency_code);
            let method = LoginMethod::Certificate;
            let who = employee_principal(owner, &standing, record, agency_name, method, true);
            Ok((who, SessionKind::Employee))
        }
        CardKind::Organization => {
            let who = organization_as_standing(
                &holder.registration,
                &standing,
                holder.registration_agency,
            )?;
            Ok((who, SessionKind::Organization))
        }
    }
}

/// The principal of a logged-in session (re-checked now), or `UNAUTHENTICATED`.
pub async fn of_session(
    state: &AppState,
    session: Option<&SessionRow>,
) -> Result<Principal, PortalError> {
    let session = session.ok_or(ErrorCode::UNAUTHENTICATED)?;
    match session.kind {
        SessionKind::Anonymous => Err(ErrorCode::UNAUTHENTICATED.into()),
        SessionKind::Employee => {
            let id = stored_national_id(session.national_id.as_deref())?;
            let method = session.login_method.ok_or_else(|| {
                PortalError::Internal("employee session without login method".into())
            })?;
            let can_add_passkey =
                super::step_up::is_fresh_card_login(session, state.now().unix_timestamp());
            employee(state, &id, method, can_add_passkey).await
        }
        SessionKind::Organization => {
            let id = session.registration_id.ok_or_else(|| {
                PortalError::Internal("organization session without registration".into())
            })?;
            let registration = state
                .db()
                .registration(id)
                .await?
                .ok_or(ErrorCode::UNAUTHENTICATED)?;
            organization(state, &registration).await
        }
    }
}

/// The employee a session belongs to, for calls only an employee may make.
pub fn session_employee(session: Option<&SessionRow>) -> Result<NationalId, PortalError> {
    match session {
        Some(s) if s.kind == SessionKind::Employee => stored_national_id(s.national_id.as_deref()),
        _ => Err(ErrorCode::UNAUTHENTICATED.into()),
    }
}

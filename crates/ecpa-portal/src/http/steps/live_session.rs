//! Resolving a request's session: it exists, has not expired, and its person has not
//! left since it was opened (a departure ends every session they had open).

use time::OffsetDateTime;

use crate::PortalError;
use crate::clock::taipei_today;
use crate::db::SessionRow;
use crate::domain::Standing;
use crate::http::state::AppState;

/// The live session stored under `token_hash` at `now`, or `None`.
pub async fn resolve(
    state: &AppState,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<SessionRow>, PortalError> {
    let db = state.db();
    let Some(session) = db.session(token_hash, now.unix_timestamp()).await? else {
        return Ok(None);
    };
    let Some(national_id) = session.national_id.as_deref() else {
        return Ok(Some(session));
    };
    let id = super::principal::stored_national_id(Some(national_id))?;
    let records = db.personnel_records(&id).await?;
    if Standing::on(&records, taipei_today(now))
        .departed_since()
        .is_none()
    {
        return Ok(Some(session));
    }
    // No login lets a departed person in, so every session they still have was opened
    // before the departure took effect: all of them go, not only this one.
    db.delete_sessions_of_person(national_id, i64::MAX).await?;
    Ok(None)
}

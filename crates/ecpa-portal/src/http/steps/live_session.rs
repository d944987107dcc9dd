//! Resolving a request's session: it exists, has not expired, and its person has not
//! left since it was opened (a departure ends every session they had open).

use time::OffsetDateTime;

use crate::PortalError;
use crate::clock::{TAIPEI, taipei_today};
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
    let opened = OffsetDateTime::from_unix_timestamp(session.created_at)
        .map_err(|e| PortalError::Internal(format!("session created_at: {e}")))?;
    let id = super::principal::stored_national_id(Some(national_id))?;
    let records = db.personnel_records(&id).await?;
    let standing = Standing::on(&records, taipei_today(now));
    let since = standing.departed_since();
    match since.filter(|_| standing.departed_after(taipei_today(opened))) {
        None => Ok(Some(session)),
        Some(day) => {
            // Every session opened before the departure took effect goes, not only this.
            let cutoff = day.midnight().assume_offset(TAIPEI).unix_timestamp();
            db.delete_sessions_of_person(national_id, cutoff).await?;
            Ok(None)
        }
    }
}

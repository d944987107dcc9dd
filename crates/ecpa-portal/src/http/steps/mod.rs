//! The steps handlers share: verify a card's signed answer to a challenge, take the
//! challenge back, keep passkey ceremony state, resolve who a session or a login stands
//! for, judge whether an employee may register before any card is read or add a passkey,
//! start a session, and write the audit log. Handlers use these and never each other.

pub mod audit;
pub mod card;
pub mod ceremony;
pub mod challenge;
pub mod eligibility;
pub mod live_session;
pub mod passkey;
pub mod principal;
pub mod purge;
pub mod sessions;
pub mod step_up;

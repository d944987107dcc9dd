//! 憑證註冊精靈導引: the three-step registration wizard as one enum with pure
//! transitions. The view renders a state; effects (agent, portal) feed events back.
//!
//! A transition that does not apply to the current state leaves it unchanged.

use ecpa_wire::api::{self, Agency, CardKind, Eligibility, Registration, RegistrationRequest};
use ecpa_wire::{AgencyCode, ErrorCode, Nonce, Pin};
use serde::{Deserialize, Serialize};

use crate::certificate::CardCertificate;
use crate::failure::Failure;

/// A card read before the wizard started (Method 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRef {
    /// The agent's `slotDescription`, to sign with the same card.
    pub slot: String,
    /// The signing certificate, read when the card was.
    pub certificate: CardCertificate,
}

/// What the wizard is for; fixed when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WizardContext {
    /// Method 1: the card already read. Method 2 (`None`): the card inserted at
    /// step 1, whichever signs.
    pub card: Option<CardRef>,
    /// The card type this page registers (`citizen` for 我的專區).
    pub kind: CardKind,
    /// Prefill for the agency code of an organization card.
    pub agency_code: Option<String>,
}

/// The card's signature over the portal's register challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub nonce: Nonce,
    /// Base64, as the agent returned it.
    pub signature: String,
    /// The certificate that signed: what step 2 shows and registers.
    pub certificate: CardCertificate,
}

/// 「查詢機關名稱」.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyLookup {
    Idle,
    Pending,
    Found(Agency),
    /// The agency exists, but the signed-in officer may not register its card.
    NotAllowed(Agency, Failure),
    Unknown,
    Failed(Failure),
}

/// The wizard's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wizard {
    /// No session yet: 「請輸入帳號密碼登入」 before step 1.
    SignIn {
        ctx: WizardContext,
        busy: bool,
        error: Option<Failure>,
    },
    /// Signed in: the portal is asked whether this person may register this kind of
    /// card, before any PIN is asked for.
    Vetting { ctx: WizardContext },
    /// The portal said no before the PIN: the reason and the next step, no PIN field.
    Refused {
        ctx: WizardContext,
        failure: Failure,
    },
    /// 步驟一. 憑證檢測: PIN, then the card signs the register challenge.
    Check {
        ctx: WizardContext,
        busy: bool,
        error: Option<Failure>,
    },
    /// 步驟二. 將憑證註冊到 ECPA: confirm what was read, organization cards add an agency code.
    Confirm {
        ctx: WizardContext,
        signed: Signed,
        agency_code: String,
        lookup: AgencyLookup,
        busy: bool,
        error: Option<Failure>,
    },
    /// 步驟三. 上傳結果.
    Done {
        ctx: WizardContext,
        outcome: Result<Registration, Failure>,
    },
}

/// The step indicator's three steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Check = 1,
    Confirm = 2,
    Result = 3,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Check, Step::Confirm, Step::Result];

    pub fn number(self) -> u8 {
        self as u8
    }
}

impl Wizard {
    /// Starts at the sign-in screen without a session, else asks whether this person
    /// may register (see [`Wizard::vetted`]).
    pub fn start(ctx: WizardContext, has_session: bool) -> Self {
        if has_session {
            Wizard::Vetting { ctx }
        } else {
            Wizard::SignIn {
                ctx,
                busy: false,
                error: None,
            }
        }
    }

    pub fn context(&self) -> &WizardContext {
        match self {
            Wizard::SignIn { ctx, .. }
            | Wizard::Vetting { ctx }
            | Wizard::Refused { ctx, .. }
            | Wizard::Check { ctx, .. }
            | Wizard::Confirm { ctx, .. }
            | Wizard::Done { ctx, .. } => ctx,
        }
    }

    /// Which step the indicator marks as current (sign-in and the eligibility answer
    /// belong to step 1).
    pub fn step(&self) -> Step {
        match self {
            Wizard::SignIn { .. }
            | Wizard::Vetting { .. }
            | Wizard::Refused { .. }
            | Wizard::Check { .. } => Step::Check,
            Wizard::Confirm { .. } => Step::Confirm,
            Wizard::Done { .. } => Step::Result,
        }
    }

    /// The failure shown in the error area of the current screen.
    pub fn error(&self) -> Option<&Failure> {
        match self {
            Wizard::SignIn { error, .. }
            | Wizard::Check { error, .. }
            | Wizard::Confirm { error, .. } => error.as_ref(),
            Wizard::Vetting { .. } => None,
            Wizard::Refused { failure, .. } => Some(failure),
            Wizard::Done { outcome, .. } => outcome.as_ref().err(),
        }
    }

    /// True while a request to the agent or the portal is in flight.
    pub fn is_busy(&self) -> bool {
        match self {
            Wizard::SignIn { busy, .. }
            | Wizard::Check { busy, .. }
            | Wizard::Confirm { busy, .. } => *busy,
            Wizard::Vetting { .. } => true,
            Wizard::Refused { .. } | Wizard::Done { .. } => false,
        }
    }

    /// The password form was sent.
    pub fn sign_in_started(self) -> Self {
        match self {
            Wizard::SignIn {
                ctx, busy: false, ..
            } => Wizard::SignIn {
                ctx,
                busy: true,
                error: None,
            },
            other => other,
        }
    }

    /// The password login succeeded: ask whether this person may register (see
    /// [`Wizard::vetted`]). The employee's agency code, when known, becomes the
    /// prefill for an organization card.
    pub fn signed_in(self, agency_code: Option<String>) -> Self {
        match self {
            Wizard::SignIn { mut ctx, .. } => {
                if agency_code.is_some() {
                    ctx.agency_code = agency_code;
                }
                Wizard::Vetting { ctx }
            }
            other => other,
        }
    }

    /// The portal answered whether this person may register this kind of card: step 1
    /// when yes, the refusal when no. A session that is gone is a refusal too (log in
    /// again); any other failure to ask leaves the decision to registration.
    pub fn vetted(self, answer: Result<Eligibility, Failure>) -> Self {
        let Wizard::Vetting { ctx } = self else {
            return self;
        };
        let refusal = match answer {
            Ok(answer) => Failure::from_eligibility(answer),
            Err(failure) if failure.needs_login() => Some(failure),
            Err(_) => None,
        };
        match refusal {
            Some(failure) => Wizard::Refused { ctx, failure },
            None => Wizard::Check {
                ctx,
                busy: false,
                error: None,
            },
        }
    }

    pub fn sign_in_failed(self, failure: Failure) -> Self {
        match self {
            Wizard::SignIn { ctx, .. } => Wizard::SignIn {
                ctx,
                busy: false,
                error: Some(failure),
            },
            other => other,
        }
    }

    /// 「下一步」 on step 1: the PIN gate. `Some(pin)` means: have the card sign now.
    /// A PIN of the wrong length is refused here, before anything is sent.
    pub fn submit_pin(self, input: &str) -> (Self, Option<Pin>) {
        match self {
            Wizard::Check {
                ctx, busy: false, ..
            } => match Pin::parse(input) {
                Ok(pin) => (
                    Wizard::Check {
                        ctx,
                        busy: true,
                        error: None,
                    },
                    Some(pin),
                ),
                Err(e) => (
                    Wizard::Check {
                        ctx,
                        busy: false,
                        error: Some(Failure::Input(e)),
                    },
                    None,
                ),
            },
            other => (other, None),
        }
    }

    /// The card or the portal refused the signature: stay on step 1 and say why.
    pub fn sign_failed(self, failure: Failure) -> Self {
        match self {
            Wizard::Check { ctx, .. } => Wizard::Check {
                ctx,
                busy: false,
                error: Some(failure),
            },
            other => other,
        }
    }

    /// The card signed the challenge: on to step 2, the agency code prefilled.
    /// `card_kind` is what the signing certificate is; another type than the page
    /// asked for stays on step 1 with [`Failure::WrongCardType`].
    pub fn signed(self, signed: Signed, card_kind: Option<CardKind>) -> Self {
        match self {
            Wizard::Check {
                ctx, busy: true, ..
            } if card_kind != Some(ctx.kind) => {
                let expected = ctx.kind;
                Wizard::Check {
                    ctx,
                    busy: false,
                    error: Some(Failure::WrongCardType { expected }),
                }
            }
            Wizard::Check {
                ctx, busy: true, ..
            } => {
                let agency_code = match ctx.kind {
                    CardKind::Organization => ctx.agency_code.clone().unwrap_or_default(),
                    CardKind::Citizen => String::new(),
                };
                Wizard::Confirm {
                    ctx,
                    signed,
                    agency_code,
                    lookup: AgencyLookup::Idle,
                    busy: false,
                    error: None,
                }
            }
            other => other,
        }
    }

    /// The agency code field changed; an earlier look-up no longer applies.
    pub fn edit_agency_code(mut self, text: String) -> Self {
        if let Wizard::Confirm {
            agency_code,
            lookup,
            ..
        } = &mut self
        {
            *agency_code = text;
            *lookup = AgencyLookup::Idle;
        }
        self
    }

    /// 「查詢機關名稱」: `Some(code)` means: ask the portal for this agency.
    pub fn lookup_agency(mut self) -> (Self, Option<AgencyCode>) {
        let code = match &mut self {
            Wizard::Confirm {
                ctx,
                agency_code,
                lookup,
                ..
            } if ctx.kind == CardKind::Organization && *lookup != AgencyLookup::Pending => {
                match AgencyCode::parse(agency_code) {
                    Ok(code) => {
                        *lookup = AgencyLookup::Pending;
                        Some(code)
                    }
                    Err(e) => {
                        *lookup = AgencyLookup::Failed(Failure::Input(e));
                        None
                    }
                }
            }
            _ => None,
        };
        (self, code)
    }

    /// The portal answered a look-up for `code`; ignored if the field changed since.
    pub fn agency_looked_up(
        mut self,
        code: &AgencyCode,
        answer: Result<api::AgencyLookup, Failure>,
    ) -> Self {
        if let Wizard::Confirm {
            agency_code,
            lookup,
            ..
        } = &mut self
            && *lookup == AgencyLookup::Pending
            && AgencyCode::parse(agency_code).as_ref() == Ok(code)
        {
            *lookup = match answer {
                Ok(found) => match found.registration.and_then(Failure::from_eligibility) {
                    None => AgencyLookup::Found(found.agency),
                    Some(refusal) => AgencyLookup::NotAllowed(found.agency, refusal),
                },
                Err(Failure::Api(ErrorCode::AGENCY_UNKNOWN | ErrorCode::NOT_FOUND)) => {
                    AgencyLookup::Unknown
                }
                Err(failure) => AgencyLookup::Failed(failure),
            };
        }
        self
    }

    /// 「確認上傳」 on step 2: `Some(request)` means: send it to the portal.
    pub fn confirm(mut self) -> (Self, Option<RegistrationRequest>) {
        let request = match &mut self {
            Wizard::Confirm {
                ctx,
                signed,
                agency_code,
                busy,
                error,
                ..
            } if !*busy => {
                let code = match ctx.kind {
                    CardKind::Citizen => Ok(None),
                    CardKind::Organization => AgencyCode::parse(agency_code).map(Some),
                };
                match code {
                    Ok(code) => {
                        *busy = true;
                        *error = None;
                        Some(RegistrationRequest {
                            nonce: signed.nonce.clone(),
                            certificate: signed.certificate.base64().to_owned(),
                            signature: signed.signature.clone(),
                            kind: ctx.kind,
                            agency_code: code,
                        })
                    }
                    Err(e) => {
                        *error = Some(Failure::Input(e));
                        None
                    }
                }
            }
            _ => None,
        };
        (self, request)
    }

    /// The portal answered the registration: step 3 either way.
    pub fn registered(self, outcome: Result<Registration, Failure>) -> Self {
        match self {
            Wizard::Confirm {
                ctx, busy: true, ..
            } => Wizard::Done { ctx, outcome },
            other => other,
        }
    }

    /// 「上一步」 from step 2, or 「重新操作」 after a failed upload: back to step 1.
    /// A challenge is single use, so the card signs a fresh one.
    pub fn back(self) -> Self {
        match self {
            Wizard::Confirm {
                ctx, busy: false, ..
            }
            | Wizard::Done {
                ctx,
                outcome: Err(_),
            } => Wizard::Check {
                ctx,
                busy: false,
                error: None,
            },
            other => other,
        }
    }

    /// Whether 「上一步」 is offered.
    pub fn can_go_back(&self) -> bool {
        matches!(
            self,
            Wizard::Confirm { busy: false, .. }
                | Wizard::Done {
                    outcome: Err(_),
                    ..
                }
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#[path = "wizard_tests.rs"]
mod tests;

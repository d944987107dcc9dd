//! Every transition and error path of the wizard, without a browser.

use super::*;
use ecpa_wire::IdError;
use ecpa_wire::agent::AgentFailure;

fn ctx(kind: CardKind) -> WizardContext {
    WizardContext {
        card: Some(CardRef {
            slot: "Reader 0".into(),
            certificate: CardCertificate::read("MIIB".into()),
        }),
        kind,
        agency_code: Some("3230000".into()),
    }
}

fn signed() -> Signed {
    Signed {
        nonce: Nonce::from_bytes([9; 32]),
        signature: "c2ln".into(),
        certificate: CardCertificate::read("MIIB".into()),
    }
}

fn registration(kind: CardKind) -> Registration {
    Registration {
        id: 7,
        kind,
        serial: "88d0".into(),
        subject: "C=TW, CN=測試人".into(),
        issuer: "C=TW, O=行政院".into(),
        fingerprint: "ab".into(),
        not_before: "2024-07-08T03:21:43Z".into(),
        not_after: "2024-09-08T15:59:59Z".into(),
        agency_code: None,
        registered_at: "2024-07-09T00:00:00Z".into(),
    }
}

/// The portal's answer to 查詢機關名稱; `refusal` when the officer may not register it.
fn lookup_of(agency: Agency, refusal: Option<ErrorCode>) -> ecpa_wire::api::AgencyLookup {
    ecpa_wire::api::AgencyLookup {
        agency,
        registration: Some(Eligibility::from_refusal(refusal)),
    }
}

/// Signed in, and the portal said this person may register: step 1.
fn at_check(ctx: WizardContext) -> Wizard {
    let eligible = Eligibility::from_refusal(None);
    Wizard::start(ctx, true).vetted(Ok(eligible))
}

/// Step 1, PIN accepted, card signed: step 2.
fn at_confirm(kind: CardKind) -> Wizard {
    let (w, pin) = at_check(ctx(kind)).submit_pin("123456");
    assert!(pin.is_some());
    w.signed(signed(), Some(kind))
}

#[test]
fn start_without_session_asks_for_password_first() {
    let w = Wizard::start(ctx(CardKind::Citizen), false);
    assert!(matches!(w, Wizard::SignIn { busy: false, .. }));
    assert_eq!(w.step(), Step::Check);
    let w = w.sign_in_started();
    assert!(w.is_busy());
    let w = w.sign_in_failed(Failure::Api(ErrorCode::INVALID_CREDENTIALS));
    assert!(!w.is_busy());
    assert_eq!(
        w.error(),
        Some(&Failure::Api(ErrorCode::INVALID_CREDENTIALS))
    );
    let w = w.sign_in_started();
    assert_eq!(w.error(), None);
    let w = w.signed_in(Some("A09000000E".into()));
    assert!(
        matches!(w, Wizard::Vetting { .. }),
        "no PIN before the answer"
    );
    assert!(w.is_busy());
    assert_eq!(w.context().agency_code.as_deref(), Some("A09000000E"));
    let w = w.vetted(Ok(Eligibility::from_refusal(None)));
    assert!(matches!(
        w,
        Wizard::Check {
            busy: false,
            error: None,
            ..
        }
    ));
}

#[test]
fn a_refusal_before_the_pin_ends_the_wizard_with_its_reason() {
    for code in [
        ErrorCode::NOT_CURRENT_EMPLOYEE,
        ErrorCode::NOT_PERSONNEL_OFFICER,
        ErrorCode::NOT_YET_EFFECTIVE,
    ] {
        for w in [
            Wizard::start(ctx(CardKind::Citizen), true),
            Wizard::start(ctx(CardKind::Citizen), false).signed_in(None),
        ] {
            let refusal = Eligibility::from_refusal(Some(code));
            let w = w.vetted(Ok(refusal));
            assert!(matches!(w, Wizard::Refused { .. }));
            assert_eq!(w.error(), Some(&Failure::Api(code)));
            assert_eq!(w.step(), Step::Check);
            assert!(!w.is_busy());
            // No PIN is taken, and nothing leads back to step 1.
            assert_eq!(w.clone().submit_pin("123456"), (w.clone(), None));
            assert!(!w.can_go_back());
            assert_eq!(w.clone().back(), w);
        }
    }
}

#[test]
fn an_unknown_refusal_keeps_the_portals_sentence() {
    let answer = Eligibility {
        eligible: false,
        error: Some("SOMETHING_NEW".into()),
        message: Some("新的規定".into()),
    };
    let w = Wizard::start(ctx(CardKind::Organization), true).vetted(Ok(answer));
    assert_eq!(
        w.error(),
        Some(&Failure::ApiOther {
            code: "SOMETHING_NEW".into(),
            message: "新的規定".into()
        })
    );
}

#[test]
fn without_an_answer_the_portal_decides_at_registration() {
    let w = Wizard::start(ctx(CardKind::Citizen), true).vetted(Err(Failure::Network));
    assert!(matches!(w, Wizard::Check { error: None, .. }));
    let gone = Failure::Api(ErrorCode::UNAUTHENTICATED);
    let w = Wizard::start(ctx(CardKind::Citizen), true).vetted(Err(gone.clone()));
    assert_eq!(
        w.error(),
        Some(&gone),
        "a lost session means logging in again"
    );
    // An answer only applies while one is awaited.
    let check = at_check(ctx(CardKind::Citizen));
    let refusal = Eligibility::from_refusal(Some(ErrorCode::NOT_CURRENT_EMPLOYEE));
    assert_eq!(check.clone().vetted(Ok(refusal)), check);
}

#[test]
fn start_with_session_is_step_one() {
    let w = at_check(ctx(CardKind::Citizen));
    assert!(matches!(w, Wizard::Check { .. }));
    assert_eq!(w.step(), Step::Check);
    assert!(!w.can_go_back());
}

#[test]
fn pin_gate_refuses_short_and_long_pins_before_sending() {
    for bad in ["", "12345", "123456789"] {
        let (w, pin) = at_check(ctx(CardKind::Citizen)).submit_pin(bad);
        assert_eq!(pin, None, "{bad:?} must not be sent");
        assert_eq!(w.error(), Some(&Failure::Input(IdError::PinLength)));
        assert!(!w.is_busy());
    }
    let (w, pin) = at_check(ctx(CardKind::Citizen)).submit_pin("12 456");
    assert_eq!(pin, None);
    assert_eq!(w.error(), Some(&Failure::Input(IdError::PinCharacters)));
    for good in ["123456", "12345678"] {
        let (w, pin) = at_check(ctx(CardKind::Citizen)).submit_pin(good);
        assert_eq!(pin.as_ref().map(Pin::expose), Some(good));
        assert!(w.is_busy());
        assert_eq!(w.error(), None);
    }
}

#[test]
fn a_second_pin_while_signing_is_ignored() {
    let (w, _) = at_check(ctx(CardKind::Citizen)).submit_pin("123456");
    let (w2, pin) = w.clone().submit_pin("654321");
    assert_eq!(pin, None);
    assert_eq!(w2, w);
}

#[test]
fn card_failures_keep_step_one_with_the_reason() {
    let failures = [
        Failure::Agent(AgentFailure::WrongPin {
            tries_left: Some(2),
        }),
        Failure::Agent(AgentFailure::PinLocked),
        Failure::Agent(AgentFailure::SiteNotTrusted),
        Failure::AgentNotRunning,
        Failure::PopupBlocked,
        Failure::Agent(AgentFailure::NoCard),
        Failure::Network,
        Failure::Api(ErrorCode::UNAUTHENTICATED),
    ];
    for failure in failures {
        let (w, _) = at_check(ctx(CardKind::Citizen)).submit_pin("123456");
        let w = w.sign_failed(failure.clone());
        assert_eq!(w.step(), Step::Check);
        assert!(!w.is_busy());
        assert_eq!(w.error(), Some(&failure));
        // The user can try again at once.
        let (_, pin) = w.submit_pin("123456");
        assert!(pin.is_some());
    }
}

#[test]
fn signature_only_counts_while_signing() {
    let idle = at_check(ctx(CardKind::Citizen));
    assert_eq!(idle.clone().signed(signed(), Some(CardKind::Citizen)), idle);
}

#[test]
fn another_card_type_than_asked_for_stays_on_step_one() {
    for (asked, card) in [
        (CardKind::Citizen, Some(CardKind::Organization)),
        (CardKind::Organization, Some(CardKind::Citizen)),
        (CardKind::Citizen, None),
    ] {
        let (w, _) = at_check(ctx(asked)).submit_pin("123456");
        let w = w.signed(signed(), card);
        assert_eq!(w.step(), Step::Check);
        assert!(!w.is_busy());
        assert_eq!(w.error(), Some(&Failure::WrongCardType { expected: asked }));
    }
}

#[test]
fn method_two_registers_the_certificate_that_signed() {
    let method2 = WizardContext {
        card: None,
        ..ctx(CardKind::Citizen)
    };
    let (w, _) = at_check(method2).submit_pin("123456");
    let from_card = Signed {
        certificate: CardCertificate::read("MIIC-from-the-card".into()),
        ..signed()
    };
    let (_, request) = w.signed(from_card, Some(CardKind::Citizen)).confirm();
    assert_eq!(request.unwrap().certificate, "MIIC-from-the-card");
}

#[test]
fn citizen_card_goes_to_step_two_without_agency_code() {
    let w = at_confirm(CardKind::Citizen);
    assert_eq!(w.step(), Step::Confirm);
    assert!(matches!(&w, Wizard::Confirm { agency_code, .. } if agency_code.is_empty()));
    assert!(w.can_go_back());
    let (w, request) = w.confirm();
    let request = request.unwrap();
    assert_eq!(request.kind, CardKind::Citizen);
    assert_eq!(request.agency_code, None);
    assert_eq!(request.certificate, "MIIB");
    assert_eq!(request.signature, "c2ln");
    assert_eq!(request.nonce, Nonce::from_bytes([9; 32]));
    assert!(w.is_busy());
    assert!(!w.can_go_back());
    // A double click sends nothing more.
    let (_, again) = w.confirm();
    assert_eq!(again, None);
}

#[test]
fn organization_card_prefills_and_looks_up_the_agency() {
    let w = at_confirm(CardKind::Organization);
    assert!(matches!(&w, Wizard::Confirm { agency_code, .. } if agency_code == "3230000"));
    let (w, code) = w.lookup_agency();
    let code = code.unwrap();
    assert_eq!(code.as_str(), "3230000");
    // A second click while waiting asks nothing more.
    let (w, again) = w.lookup_agency();
    assert_eq!(again, None);
    let agency = Agency {
        code: "3230000".into(),
        name: "行政院人事行政總處".into(),
        oid: None,
    };
    let w = w.agency_looked_up(&code, Ok(lookup_of(agency.clone(), None)));
    assert!(matches!(&w, Wizard::Confirm { lookup: AgencyLookup::Found(a), .. } if *a == agency));
    let (_, request) = w.confirm();
    assert_eq!(
        request.unwrap().agency_code.map(|c| c.as_str().to_owned()),
        Some("3230000".into())
    );
}

#[test]
fn an_agency_the_officer_may_not_register_is_named_and_refused() {
    let (w, code) = at_confirm(CardKind::Organization)
        .edit_agency_code("3790000".into())
        .lookup_agency();
    let taipei = Agency {
        code: "3790000".into(),
        name: "臺北市政府".into(),
        oid: None,
    };
    let answer = lookup_of(taipei.clone(), Some(ErrorCode::AGENCY_NOT_YOURS));
    let w = w.agency_looked_up(&code.unwrap(), Ok(answer));
    let refusal = Failure::Api(ErrorCode::AGENCY_NOT_YOURS);
    assert!(
        matches!(&w, Wizard::Confirm { lookup: AgencyLookup::NotAllowed(a, f), .. } if *a == taipei && *f == refusal)
    );
    // Without a `registration` (no employee session) the name alone is shown.
    let (w, code) = w.lookup_agency();
    let bare = ecpa_wire::api::AgencyLookup {
        agency: taipei.clone(),
        registration: None,
    };
    let w = w.agency_looked_up(&code.unwrap(), Ok(bare));
    assert!(matches!(&w, Wizard::Confirm { lookup: AgencyLookup::Found(a), .. } if *a == taipei));
}

#[test]
fn unknown_agency_and_failed_lookup() {
    let (w, code) = at_confirm(CardKind::Organization)
        .edit_agency_code("9999999".into())
        .lookup_agency();
    let code = code.unwrap();
    let w = w.agency_looked_up(&code, Err(Failure::Api(ErrorCode::AGENCY_UNKNOWN)));
    assert!(matches!(
        &w,
        Wizard::Confirm {
            lookup: AgencyLookup::Unknown,
            ..
        }
    ));
    let (w, code) = w.lookup_agency();
    let w = w.agency_looked_up(&code.unwrap(), Err(Failure::Network));
    assert!(matches!(
        &w,
        Wizard::Confirm {
            lookup: AgencyLookup::Failed(Failure::Network),
            ..
        }
    ));
}

#[test]
fn stale_lookup_answer_is_dropped_after_an_edit() {
    let (w, code) = at_confirm(CardKind::Organization).lookup_agency();
    let w = w.edit_agency_code("A09000000E".into());
    let answer = Agency {
        code: "3230000".into(),
        name: "x".into(),
        oid: None,
    };
    let w = w.agency_looked_up(&code.unwrap(), Ok(lookup_of(answer, None)));
    assert!(
        matches!(&w, Wizard::Confirm { lookup: AgencyLookup::Idle, agency_code, .. } if agency_code == "A09000000E")
    );
}

#[test]
fn malformed_agency_code_is_refused_locally() {
    let w = at_confirm(CardKind::Organization).edit_agency_code("32".into());
    let (w, code) = w.lookup_agency();
    assert_eq!(code, None);
    assert!(matches!(
        &w,
        Wizard::Confirm {
            lookup: AgencyLookup::Failed(Failure::Input(IdError::AgencyCode)),
            ..
        }
    ));
    let (w, request) = w.confirm();
    assert_eq!(request, None);
    assert_eq!(w.error(), Some(&Failure::Input(IdError::AgencyCode)));
    assert!(!w.is_busy());
}

#[test]
fn citizen_card_has_no_agency_lookup() {
    let w = at_confirm(CardKind::Citizen);
    let (w2, code) = w.clone().lookup_agency();
    assert_eq!(code, None);
    assert_eq!(w2, w);
}

#[test]
fn upload_success_is_step_three() {
    let (w, _) = at_confirm(CardKind::Citizen).confirm();
    let w = w.registered(Ok(registration(CardKind::Citizen)));
    assert_eq!(w.step(), Step::Result);
    assert_eq!(w.error(), None);
    assert!(!w.can_go_back());
    assert_eq!(w.clone().back(), w);
}

#[test]
fn upload_failures_are_step_three_and_lead_back_to_step_one() {
    let codes = [
        ErrorCode::NOT_CURRENT_EMPLOYEE,
        ErrorCode::NOT_PERSONNEL_OFFICER,
        ErrorCode::NOT_YET_EFFECTIVE,
        ErrorCode::CERT_ALREADY_REGISTERED,
        ErrorCode::CHALLENGE_EXPIRED,
        ErrorCode::UNTRUSTED_ISSUER,
        ErrorCode::CERT_EXPIRED,
        ErrorCode::CERT_NOT_YET_VALID,
        ErrorCode::AGENCY_UNKNOWN,
        ErrorCode::WRONG_CERT_TYPE,
        ErrorCode::ID_MISMATCH,
    ];
    for code in codes {
        let (w, _) = at_confirm(CardKind::Organization).confirm();
        let w = w.registered(Err(Failure::Api(code)));
        assert_eq!(w.step(), Step::Result);
        assert_eq!(w.error(), Some(&Failure::Api(code)));
        assert!(w.can_go_back());
        let w = w.back();
        assert!(matches!(
            w,
            Wizard::Check {
                busy: false,
                error: None,
                ..
            }
        ));
    }
}

#[test]
fn back_from_step_two_discards_the_signature() {
    let w = at_confirm(CardKind::Citizen).back();
    assert!(matches!(w, Wizard::Check { busy: false, .. }));
    // The old signature cannot be confirmed any more.
    let (_, request) = w.confirm();
    assert_eq!(request, None);
}

#[test]
fn answers_out_of_order_leave_the_state_alone() {
    let check = at_check(ctx(CardKind::Citizen));
    assert_eq!(
        check
            .clone()
            .registered(Ok(registration(CardKind::Citizen))),
        check
    );
    assert_eq!(check.clone().signed_in(None), check);
    assert_eq!(check.clone().edit_agency_code("1".into()), check);
    let confirm = at_confirm(CardKind::Citizen);
    assert_eq!(confirm.clone().sign_failed(Failure::Network), confirm);
    assert_eq!(
        confirm.clone().registered(Err(Failure::Network)),
        confirm,
        "no answer is expected before 確認上傳"
    );
    let sign_in = Wizard::start(ctx(CardKind::Citizen), false);
    assert_eq!(sign_in.clone().submit_pin("123456").0, sign_in);
}

#[test]
fn steps_are_numbered() {
    assert_eq!(Step::ALL.map(Step::number), [1, 2, 3]);
}

//! ECPA certificate registration: the browser SPA (Leptos, client-side rendered).
//!
//! Plain logic, tested natively: [`wizard`] (the registration wizard's state
//! machine), [`certificate`] (a card's certificate, parsed once), [`certificate_reader`]
//! (in the browser, a worker of its own parses certificates, so the login page's
//! bundle carries no X.509 code), [`display`] (step-2
//! certificate fields), [`messages`] (zh-TW/English words, a message for every
//! failure), [`failure`], [`cards`] (which certificate to use), [`protocol`] (the
//! agent's popup-bridge messages), [`passkey`] (passkey names, who may add one).
//! Browser parts: [`api`] (portal REST), [`bridge`] (the agent's `/popupForm`
//! window), [`webauthn`] (`navigator.credentials`), [`flows`] (every effect: agent,
//! portal, state changes), [`view`] (components that render and call [`flows`]),
//! [`handover`] (the login page's module gives the page to the full module).
//!
//! Two modules are built from this crate: `ecpa-web` (`src/main.rs`, [`LoginApp`]) is
//! what the login page loads, with the login screens only; `ecpa-web-full`
//! (`src/bin/ecpa-web-full.rs`, every screen) is loaded when the page first shows a
//! screen after the login page.
//!
//! # Stable element ids (end-to-end tests rely on them)
//!
//! * Frame: `#lang` (language switch), `#main`, `#error` (role=alert, aria-live; its
//!   `.error-message` has `data-code`), `#add-site` (open the agent's addDomain, shown
//!   for 「請先將 ECPA 網站加入信任的網站」), `#relogin` (session expired).
//! * Login page `#login`: `#login-heading`, `#account` (also offers passkeys:
//!   `autocomplete="username webauthn"`), `#password`, `#login-submit`, `#cert-login`
//!   (「使用憑證登入」), `#passkey-login` (「使用通行密鑰登入」).
//! * Card chooser `#choose-card`: `#choose-card-heading`, `#card-choice-0`, `#card-choice-1`, …,
//!   `#choose-card-cancel`.
//! * PIN prompt for a registered card `#cert-pin`: `#pin-heading` (「請輸入您的 PIN Code」),
//!   `#card-subject` (the card certificate's subject), `#pin`, `#pin-submit`, `#pin-cancel`.
//! * Wizard `#wizard`: `#not-registered` (Method 1 notice, until step 1 is done),
//!   `#card-picture` (the kind of card, pictured), `#wizard-title`,
//!   `#step-indicator` with `#step-indicator-1..3` (`aria-current="step"` on the
//!   current one, class `failed` when the wizard ended there refused); sign-in before
//!   step 1: `#wizard-login-heading`, `#account`, `#password`, `#login-submit`; then
//!   `#vetting` while the portal is asked whether this person may register, and, when
//!   not, `#refused-heading` with the reason in `#error` and `#wizard-finish` (no PIN
//!   field); step 1: `#step-1-heading`, `#check-prompt`, `#pin`, `#wizard-next`;
//!   step 2: `#step-2-heading`, `#step-2-notes` (numbered: `#confirm-data`,
//!   `#keep-card`, `#agency-note` for organization cards), `#cert-details`,
//!   `#cert-type`, `#cert-serial`, `#cert-agency-oid` (organization cards),
//!   `#cert-subject` (most specific first), `#cert-not-before`, `#cert-not-after`,
//!   `#agency-code`, `#agency-lookup`, `#agency-name`, `#agency-refusal` (role=alert,
//!   `data-code`: the officer may not register this agency's card), `#wizard-back`,
//!   `#wizard-next` (確認上傳); step 3: `#step-3-heading`, `#result` (`data-code` =
//!   `OK` or the error code; role=alert when refused), `#wizard-back` (重新操作, after
//!   a failure), `#relogin` (session expired), `#wizard-finish`.
//! * 我的專區 `#my-area`: `#my-area-heading`, `#me-name`, `#me-agency`, `#me-officer`,
//!   `#upload-citizen` (「自然人憑證上傳」), `#my-certificates` (items
//!   `#certificate-{id}` with `#withdraw-{id}`), `#no-certificates`, `#logout`.
//! * Passkeys `#passkeys` (in 我的專區; 步驟三 shows `#passkey-offer` with the same
//!   add part): `#passkey-add` (「新增通行密鑰」, a card login within 5 minutes) or
//!   `#passkey-step-up` with `#passkey-cert-login` (「使用憑證登入」); `#passkey-added`;
//!   `#passkey-error` (role=alert, like `#error`); `#passkey-list` with items
//!   `#passkey-{id}` (`#passkey-name-{id}`, `#passkey-rename-{id}`,
//!   `#passkey-remove-{id}`), the rename form (`#passkey-new-name-{id}`,
//!   `#passkey-rename-save-{id}`, `#passkey-rename-cancel-{id}`) and the removal
//!   question (`#passkey-remove-question-{id}`, `#passkey-remove-confirm-{id}`,
//!   `#passkey-remove-cancel-{id}`); `#no-passkeys`.
//! * Organization area `#org-area`: `#org-area-heading`, `#org-agency`, `#org-officer`, `#logout`.

pub mod api;
pub mod bridge;
pub mod cards;
pub mod certificate;
pub mod certificate_reader;
pub mod display;
pub mod failure;
pub mod flows;
pub mod handover;
pub mod messages;
pub mod passkey;
pub mod protocol;
pub mod view;
pub mod webauthn;
pub mod wizard;

pub use view::app::{App, LoginApp};

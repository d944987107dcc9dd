//! `spawn_app()`: the real router over a fresh database (SQLite file, or a PostgreSQL
//! database created for the test when `ECPA_TEST_POSTGRES_URL` is set), a demo PKI,
//! a fixed clock and a seeded RNG; and `Browser`, a cookie-keeping client.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::{DemoPki, LeafSpec, LeafSubject, LeafUsage, RootAlgorithm, SoftwareCard};
use ecpa_portal::db::{AuditEntry, Db};
use ecpa_portal::import::{ImportKind, import_text};
pub use ecpa_portal::pki::TrustFiles;
use ecpa_portal::pki::{IssuerKinds, ParsedCert};
use ecpa_portal::{AppState, Entropy, FixedClock, Settings, TrustedProxies, router};
use http_body_util::BodyExt;
use rand::{SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

/// 10:00 on 2026-03-10 in Taipei.
pub const NOW: OffsetDateTime = datetime!(2026-03-10 02:00 UTC);
pub const TODAY: &str = "2026-03-10";
pub const YESTERDAY: &str = "2026-03-09";
pub const LONG_AGO: &str = "2025-01-01";
pub const ORIGIN: &str = "http://localhost:8080";
/// 行政院人事行政總處, with an agency OID.
pub const AGENCY: &str = "3230000";
pub const AGENCY_OID: &str = "2.16.886.101.20003.20012";
/// Another agency, without an OID.
pub const OTHER_AGENCY: &str = "A09000000E";
pub const PASSWORD: &str = "correct horse 1";

/// A national ID with a valid check digit: `A1` + seven digits of `n` + check.
pub fn national_id(n: u32) -> String {
    let body = format!("1{:07}", n % 10_000_000);
    // A = 10: 1 + 0 * 9 = 1.
    let mut sum = 1;
    for (i, d) in body.bytes().enumerate() {
        sum += u32::from(d - b'0') * (8 - i as u32);
    }
    format!("A{body}{}", (10 - sum % 10) % 10)
}

/// The demo PKIs shared by all tests (RSA key generation is slow), and a few card keys.
pub struct Pkis {
    pub rsa: DemoPki,
    pub ecdsa: DemoPki,
    /// Same names as `rsa`, other keys: never configured as trusted.
    pub untrusted: DemoPki,
    keys: Vec<rsa::RsaPrivateKey>,
    next_key: AtomicUsize,
}

pub fn pkis() -> &'static Pkis {
    static PKIS: OnceLock<Pkis> = OnceLock::new();
    PKIS.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(7);
        let now = NOW - Duration::days(400);
        Pkis {
            rsa: DemoPki::generate(RootAlgorithm::Rsa2048, "G9", now, &mut rng).unwrap(),
            ecdsa: DemoPki::generate(RootAlgorithm::EcdsaP384, "G8", now, &mut rng).unwrap(),
            untrusted: DemoPki::generate(RootAlgorithm::Rsa2048, "G9", now, &mut rng).unwrap(),
            keys: (0..4)
                .map(|_| rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap())
                .collect(),
            next_key: AtomicUsize::new(0),
        }
    })
}

/// A personnel officer (number `n`, account `hr`), logged in, who has registered the
/// agency's organization card: their national ID, the card and their browser.
pub async fn officer_with_organization_card(
    app: &TestApp,
    n: u32,
) -> (String, SoftwareCard, Browser<'_>) {
    let id = national_id(n);
    app.add_employee("hr", Person::officer(&id, "人事丙")).await;
    let card = organization_card(AGENCY_OID);
    let mut officer = app.browser();
    officer.password_login("hr").await.assert_ok();
    officer
        .register(&card, "organization", Some(AGENCY))
        .await
        .assert_status(201);
    (id, card, officer)
}

/// A card from `ca` valid from `not_before` to `not_after`.
pub fn card_from(
    ca: &ecpa_devcard::Ca,
    subject: LeafSubject,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> SoftwareCard {
    let p = pkis();
    let key = p.keys[p.next_key.fetch_add(1, Ordering::Relaxed) % p.keys.len()].clone();
    let mut rng = StdRng::from_entropy();
    SoftwareCard::issue_for_key(ca, subject, key, not_before, not_after, &mut rng).unwrap()
}

/// A citizen card from the RSA MOICA-profile CA whose authorityInfoAccess names the
/// OCSP responder `ocsp_url`, valid from 30 days before `now` for a year.
pub fn citizen_card_with_ocsp(
    name: &str,
    id: &str,
    ocsp_url: &str,
    now: OffsetDateTime,
) -> SoftwareCard {
    let p = pkis();
    let key = p.keys[p.next_key.fetch_add(1, Ordering::Relaxed) % p.keys.len()].clone();
    let mut rng = StdRng::from_entropy();
    let spec = LeafSpec {
        subject: citizen_subject(name, Some(&id[6..])),
        usage: LeafUsage::Signing,
        serial: ecpa_devcard::pki::random_serial(&mut rng),
        not_before: now - Duration::days(30),
        not_after: now + Duration::days(365),
        ocsp_url: Some(ocsp_url.to_owned()),
    };
    SoftwareCard::issue_spec(&p.rsa.moica, spec, key, &mut rng).unwrap()
}

pub fn citizen_subject(name: &str, last4: Option<&str>) -> LeafSubject {
    LeafSubject::Citizen {
        name: name.into(),
        card_serial: "1234567890123456".into(),
        id_last4: last4.map(str::to_owned),
    }
}

pub fn organization_subject(agency_oid: &str) -> LeafSubject {
    LeafSubject::Organization {
        org: "行政院".into(),
        unit: Some("人事行政總處".into()),
        agency_oid: agency_oid.into(),
    }
}

/// A browser logged in with a password as employee `emp` (national ID `id`, `name`).
pub async fn clerk_logged_in<'a>(app: &'a TestApp, id: &str, name: &str) -> Browser<'a> {
    app.add_employee("emp", Person::clerk(id, name)).await;
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    browser
}

/// A valid citizen card (MOICA profile) for `name` with ID last-4 `last4`.
pub fn citizen_card(name: &str, id: &str) -> SoftwareCard {
    card_from(
        &pkis().rsa.moica,
        citizen_subject(name, Some(&id[6..])),
        NOW - Duration::days(30),
        NOW + Duration::days(365),
    )
}

/// A valid organization card (GCA profile) for the agency OID.
pub fn organization_card(agency_oid: &str) -> SoftwareCard {
    card_from(
        &pkis().rsa.gca,
        organization_subject(agency_oid),
        NOW - Duration::days(30),
        NOW + Duration::days(365),
    )
}

pub fn serial_of(der: &[u8]) -> Vec<u8> {
    ParsedCert::parse(der).unwrap().serial_bytes()
}

/// Drops the test's PostgreSQL database when the test ends, even on failure.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut conn = AnyConnection::connect(&admin).await.unwrap();
                sqlx::query(&sql).execute(&mut conn).await.unwrap();
            });
        })
        .join();
    }
}

/// The database URL for one test: a fresh SQLite file, or a fresh PostgreSQL database.
pub async fn fresh_database(dir: &tempfile::TempDir) -> (String, Option<PgDatabase>) {
    sqlx::any::install_default_drivers();
    match std::env::var("ECPA_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("ecpa_test_{}", hex::encode(rand::random::<[u8; 8]>()));
            let mut conn = AnyConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("ECPA_TEST_POSTGRES_URL={admin_url:?}: {e}"));
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let (base, query) = admin_url
                .split_once('?')
                .map_or((admin_url.as_str(), ""), |(b, q)| (b, q));
            let slash = base.rfind('/').unwrap();
            let mut url = format!("{}{name}", &base[..=slash]);
            if !query.is_empty() {
                url = format!("{url}?{query}");
            }
            (url, Some(PgDatabase { admin_url, name }))
        }
        _ => {
            let path = dir.path().join("portal.db");
            (format!("sqlite://{}?mode=rwc", path.display()), None)
        }
    }
}

/// What a test can change before the app starts.
pub struct Options {
    /// Serials the MOICA-profile CA lists in its CRL.
    pub revoked: Vec<Vec<u8>>,
    /// Challenges per minute per client address.
    pub challenges_per_minute: u32,
    /// Reverse proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<&'static str>,
    /// The portal's public origin, which its browsers send as `Origin`.
    pub public_origin: &'static str,
    /// The built SPA's `dist/index.html`, written before the portal starts.
    pub index_html: Option<&'static str>,
    /// The app's clock at start; the CRLs are issued a day before it.
    pub now: OffsetDateTime,
    /// Ask OCSP responders named in cards.
    pub ocsp: bool,
    /// Which CAs may issue which kind of card.
    pub issuer_kinds: IssuerKinds,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            revoked: Vec::new(),
            challenges_per_minute: 120,
            trusted_proxies: Vec::new(),
            public_origin: ORIGIN,
            index_html: None,
            now: NOW,
            ocsp: false,
            issuer_kinds: IssuerKinds::default(),
        }
    }
}

pub struct TestApp {
    /// The database's URL, to open it again.
    pub url: String,
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub db: Db,
    pub dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// The trust anchor and CRL files of the app whose directory is `dir`.
fn trust_files(dir: &Path) -> TrustFiles {
    TrustFiles::new(
        vec![dir.join("anchors.pem")],
        vec![dir.join(MOICA_CRL), dir.join(OTHER_CRLS)],
    )
}

/// File name of the RSA MOICA-profile CA's CRL, the one tests change.
const MOICA_CRL: &str = "moica.crl";
/// File name of the other issuing CAs' CRLs (none revoked): every issuing CA has one.
pub const OTHER_CRLS: &str = "issuers.crl";

/// Writes empty CRLs of the RSA GCA-profile CA and both P-384 issuing CAs into `dir`.
pub fn write_other_crls(dir: &Path, this_update: OffsetDateTime, next_update: OffsetDateTime) {
    let p = pkis();
    let pem: String = [&p.rsa.gca, &p.ecdsa.moica, &p.ecdsa.gca]
        .iter()
        .map(|ca| ca.crl_pem(&[], this_update, next_update).unwrap())
        .collect();
    std::fs::write(dir.join(OTHER_CRLS), pem).unwrap();
}

/// Writes the MOICA-profile CA's CRL listing `revoked` into `dir`.
fn write_moica_crl(
    dir: &Path,
    revoked: &[Vec<u8>],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
) {
    let pem = pkis()
        .rsa
        .moica
        .crl_pem(revoked, this_update, next_update)
        .unwrap();
    std::fs::write(dir.join(MOICA_CRL), pem).unwrap();
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(&dir).await;
    let db = Db::connect(&url).await.unwrap();
    let p = pkis();
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(
        &anchors,
        format!(
            "{}{}",
            p.rsa.trust_anchors_pem(),
            p.ecdsa.trust_anchors_pem()
        ),
    )
    .unwrap();
    let (this_update, next_update) = (
        options.now - Duration::days(1),
        options.now + Duration::days(7),
    );
    write_moica_crl(dir.path(), &options.revoked, this_update, next_update);
    write_other_crls(dir.path(), this_update, next_update);
    if let Some(page) = options.index_html {
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(dir.path().join("dist/index.html"), page).unwrap();
    }
    let trust = trust_files(dir.path()).load().unwrap();
    let clock = Arc::new(FixedClock::new(options.now));
    let settings = Settings {
        public_origin: options.public_origin.into(),
        agent_origin: "http://127.0.0.1:61161".into(),
        dist_dir: dir.path().join("dist"),
        challenges_per_minute: options.challenges_per_minute,
        trusted_proxies: TrustedProxies::parse(&options.trusted_proxies).unwrap(),
        audit_retention_days: 365,
        ocsp: options.ocsp,
        issuer_kinds: options.issuer_kinds,
    };
    let state = app_state(settings, db.clone(), trust, clock.clone());
    let app = TestApp {
        url,
        router: router(state.clone()),
        state,
        clock,
        db,
        dir,
        _pg: pg,
    };
    app.import(
        ImportKind::Agencies,
        &format!(
            "code,name,oid\n{AGENCY},行政院人事行政總處,{AGENCY_OID}\n{OTHER_AGENCY},法務部,\n"
        ),
    )
    .await;
    app
}

fn app_state(
    settings: Settings,
    db: Db,
    trust: ecpa_portal::pki::TrustStore,
    clock: Arc<FixedClock>,
) -> AppState {
    AppState::new(
        settings,
        db,
        trust,
        clock,
        Arc::new(Entropy::seeded(rand::random())),
    )
    .unwrap()
}

/// One personnel CSV row.
pub struct Person<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub agency: &'a str,
    pub unit: &'a str,
    pub category: &'a str,
    pub duty: &'a str,
    pub status: &'a str,
    pub filed_on: &'a str,
}

impl<'a> Person<'a> {
    /// A current clerk in 資訊室 (not a personnel officer), filed long ago.
    pub fn clerk(id: &'a str, name: &'a str) -> Self {
        Self {
            id,
            name,
            agency: AGENCY,
            unit: "資訊室",
            category: "01",
            duty: "",
            status: "current",
            filed_on: LONG_AGO,
        }
    }

    /// A current personnel officer (category 08, 人事室), filed long ago.
    pub fn officer(id: &'a str, name: &'a str) -> Self {
        Self {
            unit: "人事室",
            category: "08",
            ..Self::clerk(id, name)
        }
    }

    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{}",
            self.id,
            self.name,
            self.agency,
            self.unit,
            self.category,
            self.duty,
            self.status,
            self.filed_on
        )
    }
}

impl TestApp {
    pub async fn import(&self, kind: ImportKind, text: &str) -> usize {
        self.try_import(kind, text).await.unwrap()
    }

    pub async fn try_import(
        &self,
        kind: ImportKind,
        text: &str,
    ) -> Result<usize, ecpa_portal::PortalError> {
        import_text(&self.db, kind, text, &Entropy::seeded(1)).await
    }

    pub async fn add_people(&self, people: &[Person<'_>]) {
        let mut text = ImportKind::Personnel.header().join(",");
        for p in people {
            text.push('\n');
            text.push_str(&p.csv_row());
        }
        self.import(ImportKind::Personnel, &text).await;
    }

    /// A person with an account named after them (password [`PASSWORD`]).
    pub async fn add_employee(&self, account: &str, person: Person<'_>) {
        self.add_people(&[person]).await;
        let id = self.last_person_id().await;
        self.import(
            ImportKind::Accounts,
            &format!("account,national_id,password\n{account},{id},{PASSWORD}\n"),
        )
        .await;
    }

    async fn last_person_id(&self) -> String {
        use sqlx::Row;
        sqlx::query("SELECT national_id FROM personnel_records ORDER BY id DESC LIMIT 1")
            .fetch_one(self.db.pool())
            .await
            .unwrap()
            .get::<String, _>(0)
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .unwrap()
            .get::<i64, _>(0)
    }

    /// The files the app's trust store was loaded from.
    pub fn trust_files(&self) -> TrustFiles {
        trust_files(self.dir.path())
    }

    pub fn crl_path(&self) -> std::path::PathBuf {
        self.dir.path().join(MOICA_CRL)
    }

    /// Publishes a new MOICA-profile CRL (see [`write_moica_crl`]); the app sees it
    /// once its trust store is reloaded.
    pub fn publish_crl(
        &self,
        revoked: &[Vec<u8>],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) {
        write_moica_crl(self.dir.path(), revoked, this_update, next_update);
    }

    /// The audit log's entries for `event`, oldest first.
    pub async fn audit_of(&self, event: &str) -> Vec<AuditEntry> {
        let mut entries = self.db.audit_entries().await.unwrap();
        entries.retain(|e| e.event == event);
        entries
    }

    /// The newest audit log entry.
    pub async fn last_audit(&self) -> AuditEntry {
        self.db.audit_entries().await.unwrap().pop().unwrap()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Another portal instance on this app's database, with the same settings, trust
    /// files and clock, as a second replica behind a load balancer: its router.
    pub async fn second_instance(&self) -> Router {
        let db = Db::connect(&self.url).await.unwrap();
        let trust = self.trust_files().load().unwrap();
        let settings = self.state.settings().clone();
        router(app_state(settings, db, trust, self.clock.clone()))
    }

    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            router: self.router.clone(),
            cookie: None,
            origin: Some(self.state.settings().public_origin.clone()),
            addr: "127.0.0.1:50000".parse().unwrap(),
            forwarded_for: None,
        }
    }
}

/// An answer: status, JSON body (or `Null`), and the session cookie it set.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub set_cookie: Option<String>,
}

impl Answer {
    /// The error code, checking the `{"error","message"}` shape on the way.
    pub fn code(&self) -> &str {
        let code = self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error: {self:?}"));
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{self:?}"
        );
        assert_eq!(self.body.as_object().map(|o| o.len()), Some(2), "{self:?}");
        code
    }

    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "{self:?}"
        );
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
    }

    #[track_caller]
    pub fn assert_ok(&self) {
        assert!(self.status.is_success(), "{self:?}");
    }
}

/// A browser: keeps the session cookie, sends the portal's Origin.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    /// The portal instance it talks to (the app's own unless changed).
    pub router: Router,
    /// The session cookie as `name=value`.
    pub cookie: Option<String>,
    pub origin: Option<String>,
    pub addr: SocketAddr,
    /// Sent as X-Forwarded-For, as a reverse proxy would.
    pub forwarded_for: Option<String>,
}

impl Browser<'_> {
    pub async fn send_raw(&mut self, method: Method, path: &str, body: Body, json: bool) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if json {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(origin) = &self.origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(hops) = &self.forwarded_for {
            request = request.header("x-forwarded-for", hops);
        }
        let mut request = request.body(body).unwrap();
        request.extensions_mut().insert(ConnectInfo(self.addr));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let set_cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_owned());
        if let Some(set) = &set_cookie {
            let pair = set.split(';').next().unwrap();
            let (_, value) = pair.split_once('=').unwrap();
            self.cookie = (!value.is_empty()).then(|| pair.to_owned());
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            set_cookie,
        }
    }

    pub async fn send(&mut self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let json = body.is_some();
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        self.send_raw(method, path, body, json).await
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&mut self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn password_login(&mut self, account: &str) -> Answer {
        self.post(
            "/api/session/password",
            json!({"account": account, "password": PASSWORD}),
        )
        .await
    }

    /// `(nonce, tbs)` of a new challenge.
    pub async fn challenge(&mut self, purpose: &str) -> (String, String) {
        let answer = self
            .post("/api/challenges", json!({"purpose": purpose}))
            .await;
        answer.assert_ok();
        (
            answer.body["nonce"].as_str().unwrap().to_owned(),
            answer.body["tbs"].as_str().unwrap().to_owned(),
        )
    }

    /// Gets a challenge, has the card sign it, sends it with `extra` fields.
    pub async fn signed(
        &mut self,
        path: &str,
        purpose: &str,
        card: &SoftwareCard,
        extra: Value,
    ) -> Answer {
        let body = self.signed_body(purpose, card, extra).await;
        self.post(path, body).await
    }

    /// Gets a challenge and has the card sign it: the body that answers it, with
    /// `extra` fields, not sent yet.
    pub async fn signed_body(&mut self, purpose: &str, card: &SoftwareCard, extra: Value) -> Value {
        let (nonce, tbs) = self.challenge(purpose).await;
        let mut body = json!({
            "nonce": nonce,
            "certificate": STANDARD.encode(&card.signing_cert_der),
            "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    }

    /// Another browser with this one's session cookie, as a second tab would be.
    pub fn twin(&self) -> Self {
        Browser {
            cookie: self.cookie.clone(),
            ..self.app.browser()
        }
    }

    pub async fn register(
        &mut self,
        card: &SoftwareCard,
        kind: &str,
        agency: Option<&str>,
    ) -> Answer {
        let extra = match agency {
            Some(code) => json!({"kind": kind, "agency_code": code}),
            None => json!({"kind": kind}),
        };
        self.signed("/api/registrations", "register", card, extra)
            .await
    }

    pub async fn certificate_login(&mut self, card: &SoftwareCard) -> Answer {
        self.signed("/api/session/certificate", "login", card, json!({}))
            .await
    }
}

/// Runs `a` and `b` on two threads at once, both let go by one barrier, so that their
/// requests really overlap. Needs a multi-threaded test runtime.
pub fn race<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future + Send,
    A::Output: Send,
    B: std::future::Future + Send,
    B::Output: Send,
{
    let runtime = tokio::runtime::Handle::current();
    let barrier = std::sync::Barrier::new(2);
    tokio::task::block_in_place(|| {
        std::thread::scope(|s| {
            let a = s.spawn(|| {
                barrier.wait();
                runtime.block_on(a)
            });
            let b = s.spawn(|| {
                barrier.wait();
                runtime.block_on(b)
            });
            (a.join().unwrap(), b.join().unwrap())
        })
    })
}

/// Seeds the database at `url` for the portal as a process: the agency, `count`
/// current employees (national IDs from `national_id(first)`, accounts `emp0`…, all
/// with [`PASSWORD`]), and `dir/anchors.pem` with the RSA demo PKI's CAs. Returns the
/// employees' national IDs.
pub async fn seed_employees(url: &str, dir: &Path, first: u32, count: u32) -> Vec<String> {
    let db = Db::connect(url).await.unwrap();
    let seed = Entropy::seeded(3);
    let ids: Vec<String> = (0..count).map(|n| national_id(first + n)).collect();
    let mut people = ImportKind::Personnel.header().join(",");
    let mut accounts = String::from("account,national_id,password");
    for (n, id) in ids.iter().enumerate() {
        people.push_str(&format!(
            "\n{id},員工{n},{AGENCY},資訊室,01,,current,{LONG_AGO}"
        ));
        accounts.push_str(&format!("\nemp{n},{id},{PASSWORD}"));
    }
    let agencies = format!("code,name,oid\n{AGENCY},人事總處,\n");
    for (kind, text) in [
        (ImportKind::Agencies, agencies.as_str()),
        (ImportKind::Personnel, people.as_str()),
        (ImportKind::Accounts, accounts.as_str()),
    ] {
        import_text(&db, kind, text, &seed).await.unwrap();
    }
    db.close().await;
    std::fs::write(dir.join("anchors.pem"), pkis().rsa.trust_anchors_pem()).unwrap();
    ids
}

/// Writes the RSA MOICA CA's current CRL (revoking nothing, a week's validity) into
/// `dir` for a portal process, and returns its path.
pub fn moica_crl_file(dir: &std::path::Path, now: time::OffsetDateTime) -> std::path::PathBuf {
    let path = dir.join("moica.crl");
    let crl = pkis().rsa.moica.crl_pem(
        &[],
        now - time::Duration::days(1),
        now + time::Duration::days(7),
    );
    std::fs::write(&path, crl.unwrap()).unwrap();
    path
}

//! `ecpa-portal serve` and `ecpa-portal import personnel|agencies|accounts FILE.csv`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ecpa_portal::db::{Backend, Db};
use ecpa_portal::import::{ImportKind, import_file};
use ecpa_portal::pki::{IssuerKinds, TrustFiles, TrustStore};
use ecpa_portal::precompress::precompress_dir;
use ecpa_portal::trust_reload::keep_trust_current;
use ecpa_portal::{
    AppState, Clock, Entropy, PortalError, Settings, StartedClock, SystemClock, TrustedProxies,
    router,
};
use ecpa_serve::Limits;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Parser)]
#[command(
    name = "ecpa-portal",
    version,
    about = "ECPA portal: certificate registration and login"
)]
struct Cli {
    /// Database: `sqlite://FILE` (created when missing) or `postgres://…`.
    #[arg(
        long,
        env = "ECPA_DATABASE_URL",
        default_value = "sqlite://ecpa.db?mode=rwc",
        global = true
    )]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the REST API and the built SPA.
    Serve(Box<ServeArgs>),
    /// Import a UTF-8 CSV file (one transaction; a bad row rejects the file).
    Import { kind: ImportKind, file: PathBuf },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ECPA_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The origin users see; written into every challenge and required as `Origin`.
    #[arg(
        long,
        env = "ECPA_PUBLIC_ORIGIN",
        default_value = "http://localhost:8080"
    )]
    public_origin: String,
    /// Comma-separated PEM files of trusted CA certificates.
    #[arg(
        long,
        env = "ECPA_TRUST_ANCHORS",
        value_delimiter = ',',
        default_value = ""
    )]
    trust_anchors: Vec<String>,
    /// Comma-separated PEM (or DER) CRL files.
    #[arg(long, env = "ECPA_CRLS", value_delimiter = ',', default_value = "")]
    crls: Vec<String>,
    /// How often (seconds) the anchor and CRL files are looked at; changed files
    /// are loaded without a restart.
    #[arg(long, env = "ECPA_TRUST_RELOAD_SECONDS", default_value_t = 60)]
    trust_reload_seconds: u64,
    /// Hours past its nextUpdate that a CRL is still relied on; after that its
    /// issuer's cards are refused (REVOCATION_UNKNOWN) until a newer CRL is installed.
    #[arg(long, env = "ECPA_CRL_GRACE_HOURS", default_value_t = 24)]
    crl_grace_hours: u32,
    /// Accept cards under the GPKI test-assurance policy (2.16.886.101.0.3.0); for
    /// test setups only: they are refused (CERT_TEST_POLICY) unless this is true.
    #[arg(
        long,
        env = "ECPA_ALLOW_TEST_CERTIFICATES",
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    allow_test_certificates: bool,
    /// Ask the OCSP responder named in a card's authorityInfoAccess (2 s at most; a
    /// good answer is kept until its nextUpdate); the CRL decides when it does not answer.
    #[arg(
        long,
        env = "ECPA_OCSP",
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    ocsp: bool,
    /// Comma-separated CAs that may issue citizen cards (MOICA): certificate files
    /// (PEM or DER) or hex key identifiers. Empty: any configured CA (warned at start).
    #[arg(
        long,
        env = "ECPA_CITIZEN_CAS",
        value_delimiter = ',',
        default_value = ""
    )]
    citizen_cas: Vec<String>,
    /// Comma-separated CAs that may issue organization cards (GCA), as `--citizen-cas`.
    #[arg(
        long,
        env = "ECPA_ORGANIZATION_CAS",
        value_delimiter = ',',
        default_value = ""
    )]
    organization_cas: Vec<String>,
    /// The built SPA.
    #[arg(long, env = "ECPA_DIST_DIR", default_value = "dist")]
    dist_dir: PathBuf,
    /// The card agent's origin, handed to the SPA.
    #[arg(
        long,
        env = "ECPA_AGENT_ORIGIN",
        default_value = "http://127.0.0.1:61161"
    )]
    agent_origin: String,
    /// Challenges one client address may ask for per minute (one per card login or
    /// registration; an agency behind one NAT address shares it).
    #[arg(long, env = "ECPA_CHALLENGES_PER_MINUTE", default_value_t = 120)]
    challenges_per_minute: u32,
    /// Comma-separated addresses or CIDR networks of reverse proxies in front of the
    /// portal; their X-Forwarded-For names the client (throttles, audit log).
    #[arg(
        long,
        env = "ECPA_TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = ""
    )]
    trusted_proxies: Vec<String>,
    /// Days the audit log keeps a row; older rows are deleted (wrong-password records
    /// go after a day).
    #[arg(long, env = "ECPA_AUDIT_RETENTION_DAYS", default_value_t = 365)]
    audit_retention_days: u32,
    /// Shift the clock by whole days (to try records that take effect tomorrow).
    #[arg(
        long,
        env = "ECPA_CLOCK_OFFSET_DAYS",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    clock_offset_days: i64,
    /// Seconds a client has to send a request's header, counted from the connection's
    /// start or the end of its last answer (so an idle kept-alive connection is closed
    /// after as long); then the connection is closed.
    #[arg(long, env = "ECPA_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
    header_timeout_seconds: u64,
    /// Seconds a client has to send a request's body once its header is in; then the
    /// request is refused (MALFORMED_REQUEST) and the connection closed. Also the
    /// longest an answer waits on a client that reads none of it; then the connection
    /// is closed.
    #[arg(long, env = "ECPA_BODY_TIMEOUT_SECONDS", default_value_t = 30)]
    body_timeout_seconds: u64,
    /// Client connections open at once; more wait in the listen queue until one
    /// closes. Default: three quarters of the process's open-file limit.
    #[arg(long, env = "ECPA_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Start the clock at this instant (RFC 3339, e.g. 2026-03-01T12:00:00+08:00)
    /// instead of the computer's time; it runs on from there in real time, and
    /// ECPA_CLOCK_OFFSET_DAYS still shifts it. For test setups that need a fixed date.
    /// Empty: the computer's clock.
    #[arg(long, env = "ECPA_CLOCK_START", default_value = "", value_parser = clock_start)]
    clock_start: ClockStart,
}

/// `ECPA_CLOCK_START`: an instant, or none when empty.
#[derive(Debug, Clone, Copy)]
struct ClockStart(Option<OffsetDateTime>);

fn clock_start(text: &str) -> Result<ClockStart, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(ClockStart(None));
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|start| ClockStart(Some(start)))
        .map_err(|e| format!("not an RFC 3339 instant ({e})"))
}

fn files(list: &[String]) -> Vec<PathBuf> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed before this returns, so
/// a signal sent as soon as the portal says it is ready is not lost.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl Future<Output = ()>, PortalError> {
    use tokio::signal::unix::{SignalKind, signal};
    let install = |kind| {
        signal(kind).map_err(|source| PortalError::File {
            path: "signal handler".into(),
            source,
        })
    };
    let mut interrupt = install(SignalKind::interrupt())?;
    let mut terminate = install(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl Future<Output = ()>, PortalError> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}

/// Makes the SPA's Brotli and gzip copies if this build has none yet; until they
/// exist the files are served uncompressed.
fn precompress_in_background(dist: PathBuf) {
    tokio::task::spawn_blocking(move || match precompress_dir(&dist) {
        Ok(0) => {}
        Ok(written) => tracing::info!(written, dist = %dist.display(), "SPA files compressed"),
        Err(error) => {
            tracing::warn!(%error, "SPA files not compressed; they are served as they are");
        }
    });
}

/// Says which issuing CAs have no CRL: their cards are refused (REVOCATION_UNKNOWN),
/// or with OCSP on accepted only on a responder's answer.
fn warn_missing_revocation(trust: &TrustStore, ocsp: bool) {
    let without = trust.issuing_cas_without_crl();
    if without.is_empty() {
        return;
    }
    if ocsp {
        tracing::warn!(
            cas = ?without,
            "issuing CAs without a CRL (ECPA_CRLS): their cards are accepted only on a good OCSP answer"
        );
    } else {
        tracing::warn!(
            cas = ?without,
            "issuing CAs without a revocation source (no CRL in ECPA_CRLS, ECPA_OCSP off): their cards are refused (REVOCATION_UNKNOWN)"
        );
    }
}

async fn serve(db: Db, args: ServeArgs) -> Result<(), PortalError> {
    let mut trust_files = TrustFiles::new(files(&args.trust_anchors), files(&args.crls))
        .with_crl_grace(i64::from(args.crl_grace_hours) * 3600)
        .with_test_certificates(args.allow_test_certificates);
    let trust = trust_files.load()?;
    if args.allow_test_certificates {
        tracing::warn!(
            "ECPA_ALLOW_TEST_CERTIFICATES is on: test-assurance cards are accepted (test setups only)"
        );
    }
    if trust.is_empty() {
        tracing::warn!(
            "no trust anchors configured (ECPA_TRUST_ANCHORS): every certificate will be refused"
        );
    }
    warn_missing_revocation(&trust, args.ocsp);
    let issuer_kinds = IssuerKinds::parse(&args.citizen_cas, &args.organization_cas)?;
    let unrestricted = issuer_kinds.unrestricted();
    if !unrestricted.is_empty() {
        tracing::warn!(
            kinds = ?unrestricted,
            "ECPA_CITIZEN_CAS / ECPA_ORGANIZATION_CAS not set: these kinds of card are accepted from any configured CA"
        );
    }
    precompress_in_background(args.dist_dir.clone());
    let settings = Settings {
        public_origin: args.public_origin.trim_end_matches('/').to_owned(),
        agent_origin: args.agent_origin.trim_end_matches('/').to_owned(),
        dist_dir: args.dist_dir,
        challenges_per_minute: args.challenges_per_minute,
        trusted_proxies: TrustedProxies::parse(&args.trusted_proxies)?,
        audit_retention_days: args.audit_retention_days,
        ocsp: args.ocsp,
        issuer_kinds,
    };
    let clock: Arc<dyn Clock> = match args.clock_start.0 {
        Some(start) => {
            tracing::warn!(%start, "the clock starts at a set instant (ECPA_CLOCK_START)");
            Arc::new(StartedClock::new(start, args.clock_offset_days))
        }
        None => Arc::new(SystemClock {
            offset_days: args.clock_offset_days,
        }),
    };
    let state = AppState::new(settings, db.clone(), trust, clock, Arc::new(Entropy::os()))?;
    let reload = tokio::spawn(keep_trust_current(
        state.clone(),
        trust_files,
        Duration::from_secs(args.trust_reload_seconds.max(1)),
    ));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| PortalError::File {
            path: args.listen.to_string(),
            source,
        })?;
    let limits = Limits {
        header_timeout: Duration::from_secs(args.header_timeout_seconds.max(1)),
        body_timeout: Duration::from_secs(args.body_timeout_seconds.max(1)),
        max_connections: args
            .max_connections
            .unwrap_or_else(ecpa_serve::default_max_connections),
    };
    let shutdown = shutdown_signal()?;
    let listen = listener.local_addr().unwrap_or(args.listen);
    tracing::info!(
        header_timeout_s = limits.header_timeout.as_secs(),
        body_timeout_s = limits.body_timeout.as_secs(),
        max_connections = limits.max_connections,
        "connection limits"
    );
    let runtime_threads = tokio::runtime::Handle::current().metrics().num_workers();
    tracing::info!(%listen, origin = %state.settings().public_origin, runtime_threads, "portal ready");
    ecpa_serve::serve(listener, router(state), limits, shutdown).await;
    reload.abort();
    db.close().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<(), PortalError> {
    let db = Db::connect(&cli.database_url).await?;
    match cli.command {
        Command::Serve(args) => serve(db, *args).await,
        Command::Import { kind, file } => {
            let result = import_file(&db, kind, &file, &Entropy::os()).await;
            db.close().await;
            let count = result?;
            println!("{count} rows imported from {}", file.display());
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match runtime(Backend::of_url(&cli.database_url).ok()) {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ecpa-portal: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match run(cli).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("ecpa-portal: {error}");
                ExitCode::FAILURE
            }
        }
    })
}

/// The runtime that serves requests, with [`request_workers`] threads unless
/// `TOKIO_WORKER_THREADS` says how many.
fn runtime(backend: Option<Backend>) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        builder.worker_threads(request_workers(cores, backend));
    }
    builder.build()
}

/// On SQLite, one runtime thread fewer than the machine has cores, at least one: the
/// writer connection's thread, where every write is committed, keeps a core of its
/// own, and a request needs no wake-up of a second runtime thread to be served
/// (docs/PERFORMANCE.md, "One core for the writer"). On PostgreSQL, whose server does
/// the writing, one per core.
fn request_workers(cores: usize, backend: Option<Backend>) -> usize {
    match backend {
        Some(Backend::Sqlite) => cores.saturating_sub(1).max(1),
        Some(Backend::Postgres) | None => cores.max(1),
    }
}

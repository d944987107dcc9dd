//! `ecpa-devcard`: the demo PKI, demo cards on SoftHSM2 tokens, and the demo set.
//!
//! ```text
//! ecpa-devcard pki  --dir D [--root rsa|p384]
//! ecpa-devcard card --pki D [--softhsm-conf F] --label L --pin P --kind citizen|organization
//!                   --name N [--national-id ID] [--org O --unit U --agency-oid OID]
//!                   [--not-before T] [--not-after T] [--issuer moica|gca|untrusted] [--revoked]
//! ecpa-devcard demo --dir D
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use ecpa_devcard::RootAlgorithm;
use ecpa_devcard::card::{self, CardRequest, Holder};
use ecpa_devcard::pki_dir::{self, IssuerChoice};
use ecpa_devcard::token::TokenStore;
use ecpa_devcard::{demo_set, softhsm};
use ecpa_wire::NationalId;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

/// Set when this program re-runs itself with `SOFTHSM2_CONF` pointing where asked.
const REEXEC_MARK: &str = "ECPA_DEVCARD_REEXEC";

#[derive(Debug, Parser)]
#[command(version, about = "Demo PKI and demo smart cards (SoftHSM2) for ECPA")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Makes (or reuses) the demo PKI in DIR and (re)writes its CRL.
    Pki {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = Root::Rsa)]
        root: Root,
    },
    /// Puts a new card (key pairs made on a fresh token, and certificates) on SoftHSM2.
    Card(Box<CardArgs>),
    /// Provisions the whole demo set in DIR (idempotent).
    Demo {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, env = "ECPA_PKCS11_MODULE")]
        module: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Root {
    Rsa,
    P384,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    Citizen,
    Organization,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Issuer {
    Moica,
    Gca,
    Untrusted,
}

#[derive(Debug, clap::Args)]
struct CardArgs {
    /// The PKI folder (made if missing).
    #[arg(long)]
    pki: PathBuf,
    /// SoftHSM2 configuration (default: the SOFTHSM2_CONF environment variable).
    #[arg(long)]
    softhsm_conf: Option<PathBuf>,
    #[arg(long, env = "ECPA_PKCS11_MODULE")]
    module: Option<PathBuf>,
    /// Token label.
    #[arg(long)]
    label: String,
    /// User PIN of the new token.
    #[arg(long)]
    pin: String,
    #[arg(long, value_enum)]
    kind: Kind,
    /// Holder's name (citizen CN); for an organization, the default `--org`.
    #[arg(long)]
    name: String,
    /// National ID: its last four digits go into the certificate.
    #[arg(long)]
    national_id: Option<String>,
    /// The card number in the citizen subject's serialNumber (16 digits; random by default).
    #[arg(long)]
    card_serial: Option<String>,
    #[arg(long)]
    org: Option<String>,
    #[arg(long)]
    unit: Option<String>,
    #[arg(long)]
    agency_oid: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD (UTC); default yesterday.
    #[arg(long)]
    not_before: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD (UTC); default five years on.
    #[arg(long)]
    not_after: Option<String>,
    /// Default: moica for citizen cards, gca for organization cards.
    #[arg(long, value_enum)]
    issuer: Option<Issuer>,
    /// Lists the signing certificate in the PKI's CRL.
    #[arg(long)]
    revoked: bool,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ecpa-devcard: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let now = OffsetDateTime::now_utc();
    let mut rng = rand::rngs::OsRng;
    match cli.command {
        Command::Pki { dir, root } => {
            let root = match root {
                Root::Rsa => RootAlgorithm::Rsa2048,
                Root::P384 => RootAlgorithm::EcdsaP384,
            };
            pki_dir::open_or_create(&dir, root, now, &mut rng)?;
            println!("demo PKI in {}: trust-anchors.pem, crl.pem", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Card(args) => {
            match &args.softhsm_conf {
                Some(conf) => {
                    if let Some(code) = reexec_with_conf(conf)? {
                        return Ok(code);
                    }
                }
                // Never fall back to the system-wide token store by accident.
                None if std::env::var_os("SOFTHSM2_CONF").is_none() => {
                    bail!("set SOFTHSM2_CONF or pass --softhsm-conf");
                }
                None => {}
            }
            let request = card_request(&args, now)?;
            let pki = pki_dir::open_or_create(&args.pki, RootAlgorithm::Rsa2048, now, &mut rng)?;
            let store = TokenStore::open(&module(args.module.as_deref())?)?;
            let issued = card::provision(&store, &args.pki, &pki, &request, now, &mut rng)?;
            println!(
                "card {}: signing certificate {} on the token",
                request.label, issued.signing_serial_hex
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { dir, module: path } => {
            let conf = softhsm::create_token_store(&dir)
                .with_context(|| format!("creating a SoftHSM2 token store in {}", dir.display()))?;
            if let Some(code) = reexec_with_conf(&conf)? {
                return Ok(code);
            }
            let store = TokenStore::open(&module(path.as_deref())?)?;
            let readme = demo_set::provision(&dir, &store, now, &mut rng)?;
            println!("{readme}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn card_request(args: &CardArgs, now: OffsetDateTime) -> anyhow::Result<CardRequest> {
    let holder = match args.kind {
        Kind::Citizen => Holder::Citizen {
            name: args.name.clone(),
            national_id: args
                .national_id
                .as_deref()
                .map(NationalId::parse)
                .transpose()
                .context("--national-id")?,
            card_serial: args.card_serial.clone(),
        },
        Kind::Organization => Holder::Organization {
            org: args.org.clone().unwrap_or_else(|| args.name.clone()),
            unit: args.unit.clone(),
            agency_oid: args
                .agency_oid
                .clone()
                .context("an organization card needs --agency-oid")?,
        },
    };
    let issuer = match (args.issuer, args.kind) {
        (Some(Issuer::Moica), _) | (None, Kind::Citizen) => IssuerChoice::Moica,
        (Some(Issuer::Gca), _) | (None, Kind::Organization) => IssuerChoice::Gca,
        (Some(Issuer::Untrusted), _) => IssuerChoice::Untrusted,
    };
    let not_before = match &args.not_before {
        Some(text) => parse_time(text).context("--not-before")?,
        None => now - Duration::days(1),
    };
    let not_after = match &args.not_after {
        Some(text) => parse_time(text).context("--not-after")?,
        None => now + Duration::days(5 * 365),
    };
    Ok(CardRequest {
        label: args.label.clone(),
        pin: args.pin.clone(),
        holder,
        issuer,
        not_before,
        not_after,
        revoked: args.revoked,
    })
}

/// RFC 3339, or a date (midnight UTC).
fn parse_time(text: &str) -> anyhow::Result<OffsetDateTime> {
    if let Ok(time) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(time);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(text, &format)
        .with_context(|| format!("{text} is neither RFC 3339 nor YYYY-MM-DD"))?;
    Ok(date.midnight().assume_utc())
}

/// SoftHSM2 reads `SOFTHSM2_CONF` from the environment only: when it does not name
/// `conf`, runs this same command again with it set and returns that run's exit code.
fn reexec_with_conf(conf: &Path) -> anyhow::Result<Option<ExitCode>> {
    let wanted = conf
        .canonicalize()
        .with_context(|| format!("SoftHSM2 configuration {}", conf.display()))?;
    let current =
        std::env::var_os("SOFTHSM2_CONF").and_then(|c| PathBuf::from(c).canonicalize().ok());
    if current.as_deref() == Some(wanted.as_path()) {
        return Ok(None);
    }
    if std::env::var_os(REEXEC_MARK).is_some() {
        bail!("SOFTHSM2_CONF could not be set to {}", wanted.display());
    }
    let status = std::process::Command::new(std::env::current_exe()?)
        .args(std::env::args_os().skip(1))
        .env("SOFTHSM2_CONF", &wanted)
        .env(REEXEC_MARK, "1")
        .status()
        .context("re-running with SOFTHSM2_CONF")?;
    Ok(Some(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }))
}

/// `--module`, or SoftHSM2's module where Debian puts it.
fn module(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    given
        .map(Path::to_owned)
        .or_else(softhsm::installed_module)
        .context("SoftHSM2 is not installed (scripts/setup.sh installs it); or pass --module")
}

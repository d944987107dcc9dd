//! `ecpa-agent serve --module PATH [--listen 127.0.0.1:61161] [--trusted-sites FILE]
//! [--header-timeout-seconds 10] [--body-timeout-seconds 30] [--max-connections N]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use ecpa_agent::{
    AgentState, Pkcs11Card, SystemClock, TrustedSites, default_trusted_sites_file, router,
};
use ecpa_serve::Limits;
use ecpa_wire::agent::DEFAULT_PORT;

/// The ECPA card agent: the HiPKI Local Server protocol over a PKCS#11 module.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serves the protocol on a loopback address.
    Serve {
        /// The PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so).
        #[arg(long, env = "ECPA_AGENT_MODULE")]
        module: PathBuf,
        /// 127.0.0.1:PORT (port 0 picks a free one and prints it).
        #[arg(long, env = "ECPA_AGENT_LISTEN", default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
        listen: SocketAddr,
        /// Trusted sites, one origin a line; `/addDomain` appends to it. Default:
        /// `$XDG_CONFIG_HOME/ecpa-agent/trusted-sites` or `~/.config/ecpa-agent/trusted-sites`.
        #[arg(long, env = "ECPA_AGENT_TRUSTED_SITES")]
        trusted_sites: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

/// What one client may hold of the agent.
#[derive(Debug, clap::Args)]
struct LimitArgs {
    /// Seconds a client has to send a request's header, counted from the connection's
    /// start or the end of its last answer (so an idle kept-alive connection is closed
    /// after as long); then the connection is closed.
    #[arg(long, env = "ECPA_AGENT_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
    header_timeout_seconds: u64,
    /// Seconds a client has to send a request's body once its header is in; then the
    /// request is refused and the connection closed. Also the longest an answer waits
    /// on a client that reads none of it; then the connection is closed.
    #[arg(long, env = "ECPA_AGENT_BODY_TIMEOUT_SECONDS", default_value_t = 30)]
    body_timeout_seconds: u64,
    /// Client connections open at once; more wait in the listen queue until one
    /// closes. Default: three quarters of the process's open-file limit.
    #[arg(long, env = "ECPA_AGENT_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(self.header_timeout_seconds.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout_seconds.max(1)),
            max_connections: self
                .max_connections
                .unwrap_or_else(ecpa_serve::default_max_connections),
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let Command::Serve {
        module,
        listen,
        trusted_sites,
        limits,
    } = Cli::parse().command;
    let limits = limits.limits();
    // Loopback only; and exactly 127.0.0.1, the one address the Host check accepts.
    if listen.ip() != std::net::IpAddr::from([127, 0, 0, 1]) {
        bail!("--listen must be 127.0.0.1:PORT (loopback only), not {listen}");
    }
    let trusted_sites = match trusted_sites {
        Some(file) => file,
        None => default_trusted_sites_file(
            std::env::var_os("XDG_CONFIG_HOME"),
            std::env::var_os("HOME"),
        )
        .context("neither XDG_CONFIG_HOME nor HOME is set: give --trusted-sites FILE")?,
    };
    let card = Pkcs11Card::open(&module)
        .with_context(|| format!("loading the PKCS#11 module {}", module.display()))?;
    let trusted = TrustedSites::load(trusted_sites.clone())
        .with_context(|| format!("reading {}", trusted_sites.display()))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let bound = listener.local_addr()?;
    let state = AgentState {
        card: Arc::new(card),
        trusted: Arc::new(trusted),
        clock: Arc::new(SystemClock),
        port: bound.port(),
    };
    tracing::info!(%bound, module = %module.display(), trusted_sites = %trusted_sites.display(), "card agent listening");
    tracing::info!(
        header_timeout_s = limits.header_timeout.as_secs(),
        body_timeout_s = limits.body_timeout.as_secs(),
        max_connections = limits.max_connections,
        "connection limits"
    );
    println!("ecpa-agent listening on http://{bound}");
    ecpa_serve::serve(listener, router(state), limits, shutdown()).await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

//! `ecpa-agent serve --module PATH [--listen 127.0.0.1:61161] [--trusted-sites FILE]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use ecpa_agent::{
    AgentState, Pkcs11Card, SystemClock, TrustedSites, default_trusted_sites_file, router,
};
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
    },
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
    } = Cli::parse().command;
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
    println!("ecpa-agent listening on http://{bound}");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
        .context("serving")?;
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

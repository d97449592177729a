//! `setia`: one binary for the server and its administration commands.

use clap::Parser;
use setia::cli::{self, Cli, Command};
use setia::{server, telemetry};
use setia_backend::config::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            // One line, the whole chain of causes, no panic or backtrace.
            eprintln!("setia: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::from_env()?;
    telemetry::init(&config.log, config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            tracing::info!(database = %config.database_url, addr = %config.addr, "starting Setia");
            let addr = config.addr;
            let state = server::prepare(config).await?;
            if setia_backend::staff::count_admins(&state.db).await? == 0 {
                tracing::warn!("no admin account yet: create one with `setia create-admin --email you@store.example`");
            }
            let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
            let shutdown = server::shutdown_signal();
            tracing::info!("listening on http://{}", listener.local_addr().unwrap_or(addr));
            let cleanup = server::spawn_session_cleanup(&state);
            let scheduler = setia_backend::jobs::spawn_scheduler(
                state.db.clone(),
                vec![setia_backend::orders::expiry::job(), setia_backend::db_maintenance::job(), setia_backend::spending_index::job()],
                setia_backend::jobs::instance_name(),
            );
            server::serve_on(listener, state, shutdown).await?;
            scheduler.abort();
            cleanup.abort();
            tracing::info!("stopped");
        }
        Command::Migrate => {
            cli::migrate(&config).await?;
            println!("database is up to date ({})", config.database_url);
        }
        Command::CreateAdmin { email, name, password } => {
            cli::create_admin(&config, &email, &name, password).await?;
        }
        Command::Token { action } => cli::token(&config, action).await?,
        Command::DemoData { customers, orders, seed } => cli::demo_data(&config, customers, orders, seed).await?,
        Command::HasAdmin => {
            return Ok(if cli::has_admin(&config).await? { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
    }
    Ok(ExitCode::SUCCESS)
}

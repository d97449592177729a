//! The command line: `setia serve | migrate | create-admin | has-admin | token | demo-data`.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use setia_backend::audit::Actor;
use setia_backend::config::Config;
use setia_backend::staff::{self, NewStaff, StaffError};
use setia_backend::Db;
use setia_domain::{Email, NewPassword, Role};

#[derive(Debug, Parser)]
#[command(name = "setia", version, about = "Setia: promotions, membership and voucher back office for retail stores")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the admin UI and API (the default). Migrates the database first.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create an admin account. The password comes from --password,
    /// SETIA_ADMIN_PASSWORD, or a prompt.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Admin")]
        name: String,
        #[arg(long, env = "SETIA_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Exit 0 when an active admin exists, 1 otherwise (for setup scripts).
    HasAdmin,
    /// Fill an empty database with a demo store: Indonesian customers, IDR
    /// products, tiers and a year of orders in every status.
    DemoData {
        #[arg(long, default_value_t = 2_000)]
        customers: u64,
        #[arg(long, default_value_t = 20_000)]
        orders: u64,
        /// The same seed gives the same store.
        #[arg(long, default_value_t = 62)]
        seed: u64,
    },
    /// API tokens for POS terminals and integrations.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it once (only its hash is stored).
    Create {
        #[arg(long)]
        name: String,
        /// `pos` (customers, orders, points) or `admin` (everything).
        #[arg(long, value_parser = ["pos", "admin"])]
        scope: String,
    },
    /// List tokens (never their values).
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

pub async fn token(config: &Config, action: TokenAction) -> anyhow::Result<()> {
    use setia_backend::api_tokens::{self, Scope};
    let db = Db::connect(&config.database_url, 2).await?;
    db.migrate().await?;
    let actor = Actor::system("cli");
    match action {
        TokenAction::Create { name, scope } => {
            let scope = Scope::parse(&scope).context("--scope must be pos or admin")?;
            let (t, plain) = api_tokens::create_token(&db, &name, scope, &actor).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", plain.expose());
            eprintln!("created token {} `{}` (scope {}); it is shown only now", t.id, t.name, t.scope);
        }
        TokenAction::List => {
            println!("{:>5}  {:<24} {:<6} {:<25} {:<25} revoked", "id", "name", "scope", "created", "last used");
            for t in api_tokens::list_tokens(&db).await? {
                let fmt = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_else(|| "-".into());
                println!(
                    "{:>5}  {:<24} {:<6} {:<25} {:<25} {}",
                    t.id,
                    t.name,
                    t.scope,
                    t.created_at.to_rfc3339(),
                    fmt(t.last_used_at),
                    fmt(t.revoked_at)
                );
            }
        }
        TokenAction::Revoke { id } => {
            if !api_tokens::revoke_token(&db, id, &actor).await? {
                bail!("no token with id {id}");
            }
            println!("token {id} revoked");
        }
    }
    db.close().await;
    Ok(())
}

pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url, 2).await?;
    db.migrate().await?;
    setia_backend::sessions::DbSessionStore::new(&db).migrate().await.context("create the session table")?;
    db.close().await;
    Ok(())
}

pub async fn create_admin(config: &Config, email: &str, name: &str, password: Option<String>) -> anyhow::Result<()> {
    let email = Email::parse(email).context("--email")?;
    let password = match password {
        Some(p) => p,
        None => {
            let p = rpassword::prompt_password("Password for the new admin: ").context("read password")?;
            let again = rpassword::prompt_password("Again: ").context("read password")?;
            if p != again {
                bail!("the two passwords differ");
            }
            p
        }
    };
    let password = NewPassword::parse(&password).context("password")?;
    let db = Db::connect(&config.database_url, 2).await?;
    db.migrate().await?;
    let new = NewStaff { email, name: name.to_string(), role: Role::Admin, password };
    match staff::create_staff(&db, new, &Actor::system("cli"), None).await {
        Ok(u) => println!("created admin {} (id {})", u.email, u.id),
        Err(StaffError::EmailTaken) => bail!("a staff user with this email already exists"),
        Err(e) => return Err(e.into()),
    }
    db.close().await;
    Ok(())
}

pub async fn has_admin(config: &Config) -> anyhow::Result<bool> {
    let db = Db::connect(&config.database_url, 2).await?;
    db.migrate().await?;
    let n = staff::count_admins(&db).await?;
    db.close().await;
    Ok(n > 0)
}

pub async fn demo_data(config: &Config, customers: u64, orders: u64, seed: u64) -> anyhow::Result<()> {
    use setia_backend::demo_data::{fill, DemoSize};
    let db = Db::connect(&config.database_url, 2).await?;
    db.migrate().await?;
    let started = std::time::Instant::now();
    let report = fill(&db, DemoSize { customers, orders, seed }, chrono::Utc::now(), &|step| eprintln!("demo-data: {step}")).await?;
    db.close().await;
    println!(
        "demo store ready in {:.1} s: {} customers, {} orders ({} lines, {} refunds), {} products, {} tiers",
        started.elapsed().as_secs_f64(),
        report.customers,
        report.orders,
        report.lines,
        report.refunds,
        report.products,
        report.tiers
    );
    Ok(())
}

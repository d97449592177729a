//! The command line: `setia serve | migrate | create-admin`.

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

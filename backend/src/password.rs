//! Password hashing: argon2id with the crate's default (OWASP) parameters, run in a
//! blocking task so a login never stalls the async runtime.

use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use setia_domain::NewPassword;
use std::fmt;
use std::sync::OnceLock;

/// A stored PHC hash string. Deliberately not `Serialize`, and Debug hides it,
/// so it cannot leave the server by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        PasswordHash(phc)
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

fn hash_blocking(password: &str) -> anyhow::Result<PasswordHash> {
    let salt = SaltString::generate(&mut OsRng);
    let phc = hasher().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?.to_string();
    Ok(PasswordHash(phc))
}

pub async fn hash_password(password: &NewPassword) -> anyhow::Result<PasswordHash> {
    let pw = password.expose().to_string();
    tokio::task::spawn_blocking(move || hash_blocking(&pw)).await.context("password hashing task")?
}

/// A hash of a random password, verified when the email is unknown so that a
/// login for a missing account takes as long as one with a wrong password.
fn dummy_hash() -> &'static PasswordHash {
    static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = SaltString::generate(&mut OsRng);
        hash_blocking(random.as_str()).expect("hashing a random dummy password")
    })
}

/// Verifies `candidate` against `stored`, or against a dummy hash when there is
/// no account (the answer is then always false).
pub async fn verify_password(candidate: String, stored: Option<PasswordHash>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || verify_blocking(&candidate, stored.as_ref())).await.context("password verification task")?
}

fn verify_blocking(candidate: &str, stored: Option<&PasswordHash>) -> anyhow::Result<bool> {
    let (phc, real) = match stored {
        Some(h) => (h.as_phc(), true),
        None => (dummy_hash().as_phc(), false),
    };
    let parsed = argon2::PasswordHash::new(phc).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    // Verification uses the parameters recorded in the hash itself.
    let ok = Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok();
    Ok(ok && real)
}

/// At most `n` password verifications at once in this instance: each takes
/// 19 MiB and tens of milliseconds of a core, and sign-in is open to anyone.
#[derive(Debug)]
pub struct PasswordChecks {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// No check could start within the wait: the caller answers 503 `busy`.
    #[error("too many sign-ins at once; try again in a moment")]
    Busy,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl PasswordChecks {
    pub fn new(n: usize, wait: std::time::Duration) -> Self {
        PasswordChecks { permits: std::sync::Arc::new(tokio::sync::Semaphore::new(n.max(1))), wait }
    }

    /// [`verify_password`] once a slot is free, or [`CheckError::Busy`] after the
    /// wait. The slot goes with the hash into its blocking task and is freed when
    /// the hash ends: a client that disconnects mid-check does not free it early
    /// (else hashes would pile up behind clients that hang up at once).
    pub async fn verify(&self, candidate: String, stored: Option<PasswordHash>) -> Result<bool, CheckError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await.map_err(|_| CheckError::Busy)?;
        let permit = permit.context("password check slots closed")?;
        let check = tokio::task::spawn_blocking(move || {
            let _slot = permit;
            verify_blocking(&candidate, stored.as_ref())
        });
        Ok(check.await.context("password verification task")??)
    }
}

impl Default for PasswordChecks {
    fn default() -> Self {
        PasswordChecks::new(2, std::time::Duration::from_secs(2))
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_check_abandoned_by_its_caller_keeps_its_slot_until_the_hash_ends() {
        let checks = std::sync::Arc::new(super::PasswordChecks::new(1, std::time::Duration::from_millis(1)));
        super::dummy_hash(); // made once, outside the timing below
        let first = {
            let checks = checks.clone();
            tokio::spawn(async move { checks.verify("a guess".into(), None).await })
        };
        // Let it take the slot and start hashing, then hang up as a client would.
        while checks.permits.available_permits() == 1 {
            tokio::task::yield_now().await;
        }
        first.abort();
        let second = checks.verify("another guess".into(), None).await;
        assert!(matches!(second, Err(super::CheckError::Busy)), "{second:?}");
    }

    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let pw = NewPassword::parse("correct horse battery").unwrap();
        let a = hash_password(&pw).await.unwrap();
        let b = hash_password(&pw).await.unwrap();
        assert!(a.as_phc().starts_with("$argon2id$v=19$"), "{}", a.as_phc());
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("correct horse battery".into(), Some(a.clone())).await.unwrap());
        assert!(!verify_password("wrong horse battery".into(), Some(a)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        assert!(!verify_password("anything at all".into(), None).await.unwrap());
    }

    #[test]
    fn debug_hides_the_hash() {
        let h = PasswordHash::from_stored("$argon2id$v=19$secretstuff".into());
        assert!(!format!("{h:?}").contains("secretstuff"));
    }
}

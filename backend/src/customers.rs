//! Customers (docs/SPEC.md §2.1): stored facts only. Spending, loyal and tier are derived
//! in `customer_facts`, never stored here.

use crate::audit::{self, Actor, AuditEntry};
use crate::db::{is_unique_violation, Db, Tx};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use setia_domain::text;
use setia_domain::{Email, Invalid, Phone};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub address: Option<String>,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, phone, email, birth_date, address, external_id, created_at";

/// A customer's fields: phone, email and birth date already parsed; the free
/// text is read by [`upsert_customer`] under the one text rule.
#[derive(Debug, Clone)]
pub struct CustomerInput {
    pub name: String,
    pub phone: Phone,
    pub email: Option<Email>,
    pub birth_date: Option<NaiveDate>,
    pub address: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upserted {
    Created(Customer),
    Updated(Customer),
}

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("this phone number belongs to another customer")]
    PhoneTaken,
    #[error("this email belongs to another customer")]
    EmailTaken,
    #[error("this external id belongs to another customer")]
    ExternalIdTaken,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Creates the customer, or updates the one with the same external id (when
/// given) or else the same phone: a re-sent registration is the same customer.
#[tracing::instrument(skip_all)]
pub async fn upsert_customer(db: &Db, input: CustomerInput, actor: &Actor) -> Result<Upserted, CustomerError> {
    let input = parse_text(input)?;
    // A concurrent insert of the same phone or external id can win the race on
    // PostgreSQL; the second attempt then finds that row and updates it.
    match try_upsert(db, &input, actor).await {
        Err(CustomerError::ExternalIdTaken) => try_upsert(db, &input, actor).await,
        Err(CustomerError::Unexpected(e)) if e.downcast_ref::<sqlx::Error>().is_some_and(is_unique_violation) => {
            try_upsert(db, &input, actor).await
        }
        other => other,
    }
}

/// The text fields as stored, so that the lookup and the write use one value
/// (` EXT-1 ` and `EXT-1` are one external id).
fn parse_text(input: CustomerInput) -> Result<CustomerInput, CustomerError> {
    let name = text::parse_name(&input.name)?;
    let address = text::ADDRESS.parse_optional("address", input.address.as_deref()).map_err(Invalid::from)?;
    let external_id = text::REFERENCE.parse_optional("external_id", input.external_id.as_deref()).map_err(Invalid::from)?;
    Ok(CustomerInput { name, address, external_id, ..input })
}

async fn find_existing(tx: &mut Tx, input: &CustomerInput) -> anyhow::Result<Option<Customer>> {
    if let Some(ext) = &input.external_id {
        let by_ext = dispatch!(tx tx, |c| sqlx::query_as::<_, Customer>(&format!("SELECT {COLUMNS} FROM customers WHERE external_id = $1"))
            .bind(ext)
            .fetch_optional(c)
            .await)
        .context("find customer by external id")?;
        if by_ext.is_some() {
            return Ok(by_ext);
        }
    }
    dispatch!(tx tx, |c| sqlx::query_as::<_, Customer>(&format!("SELECT {COLUMNS} FROM customers WHERE phone = $1"))
        .bind(input.phone.as_str())
        .fetch_optional(c)
        .await)
    .context("find customer by phone")
}

async fn try_upsert(db: &Db, input: &CustomerInput, actor: &Actor) -> Result<Upserted, CustomerError> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let existing = find_existing(&mut tx, input).await?;
    let name = input.name.as_str();
    let email = input.email.as_ref().map(Email::as_str);
    let address = input.address.as_deref();
    let external_id = input.external_id.as_deref();
    let result = match &existing {
        Some(before) => dispatch!(tx &mut tx, |c| sqlx::query_as::<_, Customer>(&format!(
            "UPDATE customers SET name = $1, phone = $2, email = $3, birth_date = $4, address = $5,
                    external_id = COALESCE($6, external_id), updated_at = $7
             WHERE id = $8 RETURNING {COLUMNS}"
        ))
        .bind(name)
        .bind(input.phone.as_str())
        .bind(email)
        .bind(input.birth_date)
        .bind(address)
        .bind(external_id)
        .bind(now)
        .bind(before.id)
        .fetch_one(c)
        .await),
        None => dispatch!(tx &mut tx, |c| sqlx::query_as::<_, Customer>(&format!(
            "INSERT INTO customers (name, phone, email, birth_date, address, external_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
        ))
        .bind(name)
        .bind(input.phone.as_str())
        .bind(email)
        .bind(input.birth_date)
        .bind(address)
        .bind(external_id)
        .bind(now)
        .fetch_one(c)
        .await),
    };
    let saved = match result {
        Ok(c) => c,
        Err(e) if is_unique_violation(&e) => {
            let msg = e.to_string();
            if existing.is_some() && msg.contains("phone") {
                return Err(CustomerError::PhoneTaken);
            }
            if msg.contains("email") {
                return Err(CustomerError::EmailTaken);
            }
            // Only a concurrent write can take it: the lookup above found no holder.
            if msg.contains("external_id") {
                return Err(CustomerError::ExternalIdTaken);
            }
            return Err(anyhow::Error::new(e).context("save customer").into());
        }
        Err(e) => return Err(anyhow::Error::new(e).context("save customer").into()),
    };
    let snapshot = |c: &Customer| {
        json!({"name": c.name, "phone": c.phone, "email": c.email, "birth_date": c.birth_date,
               "address": c.address, "external_id": c.external_id})
    };
    audit::record(
        &mut tx,
        AuditEntry {
            actor: actor.clone(),
            action: if existing.is_some() { "customer.update" } else { "customer.create" },
            entity_type: "customer",
            entity_id: Some(saved.id.to_string()),
            before: existing.as_ref().map(snapshot),
            after: Some(snapshot(&saved)),
            ip: actor.ip.clone(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(match existing {
        Some(_) => Upserted::Updated(saved),
        None => Upserted::Created(saved),
    })
}

/// The customer a phone number or an id names.
#[tracing::instrument(skip_all)]
pub async fn find_by_ref(db: &Db, r: &setia_domain::customer::CustomerRef) -> anyhow::Result<Option<Customer>> {
    match r {
        setia_domain::customer::CustomerRef::Phone(phone) => find_by_phone(db, phone).await,
        setia_domain::customer::CustomerRef::Id(id) => find_customer(db, *id).await,
    }
}

#[tracing::instrument(skip_all)]
pub async fn find_customer(db: &Db, id: i64) -> anyhow::Result<Option<Customer>> {
    dispatch!(db, |c| sqlx::query_as::<_, Customer>(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await)
    .context("load customer")
}

/// The customer with this phone number (any way it is written), if any.
#[tracing::instrument(skip_all)]
pub async fn find_by_phone(db: &Db, phone: &Phone) -> anyhow::Result<Option<Customer>> {
    dispatch!(db, |c| sqlx::query_as::<_, Customer>(&format!("SELECT {COLUMNS} FROM customers WHERE phone = $1"))
        .bind(phone.as_str())
        .fetch_optional(c)
        .await)
    .context("find customer by phone")
}

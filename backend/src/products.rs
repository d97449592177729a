//! The product catalogue (docs/SPEC.md §2.1): SKU, name, category, price, active.

use crate::audit::{self, Actor, AuditEntry};
use crate::db::Db;
use crate::dispatch;
use crate::store_cache::ProductCache;
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use setia_domain::text::{self, TextError};
use setia_domain::Money;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub price: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, sku, name, category, price, active, created_at";

#[derive(Debug, Clone)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub price: Money,
}

#[derive(Debug, thiserror::Error)]
pub enum ProductError {
    #[error("sku is required (letters, digits, - _ . /, at most 64)")]
    BadSku,
    #[error("name is required")]
    NameRequired,
    #[error("price cannot be negative")]
    NegativePrice,
    #[error(transparent)]
    Text(TextError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn valid_sku(sku: &str) -> bool {
    !sku.is_empty() && sku.len() <= 64 && sku.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

/// Creates the product, or updates the one with the same SKU. Returns whether it was created.
#[tracing::instrument(skip_all)]
pub async fn upsert_product(db: &Db, input: ProductInput, actor: &Actor) -> Result<(Product, bool), ProductError> {
    let sku = text::SKU.parse("sku", &input.sku).map_err(|e| if e.is_missing() { ProductError::BadSku } else { ProductError::Text(e) })?;
    if !valid_sku(&sku) {
        return Err(ProductError::BadSku);
    }
    let name =
        text::NAME
            .parse("name", &input.name)
            .map_err(|e| if e.is_missing() { ProductError::NameRequired } else { ProductError::Text(e) })?;
    if input.price.0 < 0 {
        return Err(ProductError::NegativePrice);
    }
    let category = text::CATEGORY.parse_optional("category", input.category.as_deref()).map_err(ProductError::Text)?;
    let (sku, name) = (sku.as_str(), name.as_str());
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let before = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, Product>(&format!("SELECT {COLUMNS} FROM products WHERE sku = $1"))
        .bind(sku)
        .fetch_optional(c)
        .await)
    .context("find product")?;
    // ON CONFLICT makes a concurrent create of the same SKU an update, not an error.
    let saved = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, Product>(&format!(
        "INSERT INTO products (sku, name, category, price, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category,
             price = excluded.price, updated_at = excluded.updated_at
         RETURNING {COLUMNS}"
    ))
    .bind(sku)
    .bind(name)
    .bind(category.as_deref())
    .bind(input.price.0)
    .bind(true)
    .bind(now)
    .fetch_one(c)
    .await)
    .context("save product")?;
    let snapshot = |p: &Product| json!({"sku": p.sku, "name": p.name, "category": p.category, "price": p.price, "active": p.active});
    audit::record(
        &mut tx,
        AuditEntry {
            actor: actor.clone(),
            action: if before.is_some() { "product.update" } else { "product.create" },
            entity_type: "product",
            entity_id: Some(saved.id.to_string()),
            before: before.as_ref().map(snapshot),
            after: Some(snapshot(&saved)),
            ip: actor.ip.clone(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((saved, before.is_none()))
}

/// Products on sale, by SKU, at most `limit` (the simulator's product picker).
#[tracing::instrument(skip_all)]
pub async fn list_on_sale(db: &Db, limit: i64) -> anyhow::Result<Vec<Product>> {
    dispatch!(db, |c| sqlx::query_as::<_, Product>(&format!("SELECT {COLUMNS} FROM products WHERE active = $1 ORDER BY sku LIMIT $2"))
        .bind(true)
        .bind(limit)
        .fetch_all(c)
        .await)
    .context("list products on sale")
}

/// What a cart needs of a product.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CartProduct {
    pub id: i64,
    pub sku: String,
    pub category: Option<String>,
    pub price: i64,
    pub active: bool,
}

/// The products with these SKUs (absent: no such product), from the instance's
/// cache where it has them (exact: any product change empties it, see
/// [`crate::store_cache`]) and one statement for the rest.
#[tracing::instrument(skip_all)]
pub async fn cart_products(db: &Db, cache: &ProductCache, skus: &[String]) -> anyhow::Result<HashMap<String, CartProduct>> {
    let mut found: HashMap<String, CartProduct> = HashMap::with_capacity(skus.len());
    let mut missing: Vec<&str> = Vec::new();
    for sku in skus {
        match cache.get(sku) {
            Some(p) => {
                found.insert(sku.clone(), p);
            }
            None if !missing.contains(&sku.as_str()) => missing.push(sku),
            None => {}
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let placeholders: Vec<String> = (1..=missing.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT id, sku, category, price, active FROM products WHERE sku IN ({})", placeholders.join(", "));
    let rows: Vec<CartProduct> = dispatch!(db, |c| {
        let mut q = sqlx::query_as::<_, CartProduct>(&sql);
        for s in &missing {
            q = q.bind(*s);
        }
        q.fetch_all(c).await
    })
    .context("load products of the cart")?;
    cache.keep(&rows);
    found.extend(rows.into_iter().map(|p| (p.sku.clone(), p)));
    Ok(found)
}

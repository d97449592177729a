//! Checkout: a cart checked against the catalogue, the customer and the promotions,
//! priced (a quote), and stored as a new order under its customer's lock.

use super::*;
use crate::customer_facts::pricing_facts_in;
use crate::db::{Db, Tx};
use crate::dispatch;
use crate::promotion_uses;
use crate::promotions::codes::{self, EnteredCode};
use crate::store_cache::{StoreCache, StoreSnapshot};
use crate::tiers::TierRow;
use anyhow::Context;
use chrono::{DateTime, FixedOffset, SubsecRound, Utc};
use setia_domain::pricing::{
    price_cart, CartLine, CustomerFacts, PricedCart, PricingError, PricingInput, PricingSettings, TierSnapshot, MAX_LINES, MAX_QUANTITY,
};
use setia_domain::promotion::PromotionStatus;
use setia_domain::promotion_code::admit_code_use;
use setia_domain::promotion_index::PromotionIndex;
use setia_domain::text;
use setia_domain::Money;
use std::sync::Arc;

/// A cart checked against the catalogue, the customer and the promotions: what
/// pricing needs except the use counts, which are read under the order's locks.
pub(super) struct CheckedCart {
    pub(super) lines: Vec<CartLine>,
    pub(super) product_ids: Vec<i64>,
    pub(super) customer_id: Option<i64>,
    /// Read with the customer's facts (under the customer's lock for a new order).
    pub(super) tier: Option<TierSnapshot>,
    /// The tier ladder the customer's tier is read from.
    pub(super) ladder: Arc<Vec<TierRow>>,
    /// As entered, trimmed.
    pub(super) coupon_code: Option<String>,
    /// The entered code as the store knows it; usable (active promotion, code
    /// enabled, uses left) at check time.
    pub(super) code: Option<EnteredCode>,
    pub(super) shipping: Money,
    pub(super) promotions: Arc<PromotionIndex>,
    /// The catalogue version `promotions` was built from.
    pub(super) catalog_version: i64,
    pub(super) local_now: DateTime<FixedOffset>,
    pub(super) settings: PricingSettings,
}

impl CheckedCart {
    /// Takes the promotions as stored now, after the catalogue moved under a
    /// checkout; the code must still belong to an active promotion.
    async fn refresh_promotions(&mut self, db: &Db, cache: &StoreCache) -> Result<(), OrderError> {
        let store = cache.snapshot(db).await?;
        self.code = check_code(db, self.coupon_code.as_deref(), None, self.local_now.with_timezone(&Utc)).await?;
        (self.catalog_version, self.promotions) = (store.versions.promotions, store.promotions.clone());
        Ok(())
    }
}

/// How often a checkout prices again when promotions changed under it.
pub(super) const CATALOG_RETRIES: usize = 5;

/// Whether the promotions changed since `cart` read them. Read after the order's
/// use rows are written, just before commit: a change committed earlier is seen
/// here, and a later one waits — changing a promotion locks its row, which our
/// use rows reference (PostgreSQL), or waits for the one writer (SQLite).
#[tracing::instrument(skip_all)]
pub(super) async fn catalog_moved(tx: &mut Tx, cart: &CheckedCart) -> anyhow::Result<bool> {
    Ok(crate::promotions::catalog_version_in(tx).await? != cart.catalog_version)
}

/// An entered code must exist, belong to an active promotion, be enabled and
/// have uses left (422 on `coupon_code`). `except_order`: an order priced again
/// does not count its own use.
#[tracing::instrument(skip_all)]
pub(super) async fn check_code(
    db: &Db,
    code: Option<&str>,
    except_order: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<EnteredCode>, OrderError> {
    let Some(code) = code else { return Ok(None) };
    let found = codes::look_up(db, code, except_order, now)
        .await?
        .ok_or_else(|| OrderError::invalid("coupon_code", "unknown_code", format!("no promotion has the code {code}")))?;
    usable_code(&found, code)?;
    Ok(Some(found))
}

fn usable_code(found: &EnteredCode, code: &str) -> Result<(), OrderError> {
    if found.promotion_status != PromotionStatus::Active.as_str() {
        let status = &found.promotion_status;
        return Err(OrderError::invalid(
            "coupon_code",
            "code_inactive",
            format!("the promotion with the code {code} is {status}, not active"),
        ));
    }
    admit_code_use(found.disabled(), found.max_uses, found.uses)
        .map_err(|refused| OrderError::invalid("coupon_code", refused.code(), format!("{code}: {refused}")))
}

/// How a cart is being priced, which says what is locked and whose uses count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pricing {
    /// Nothing stored, nothing locked.
    Quote,
    /// A new order: its customer and its limited promotions are locked.
    Create,
    /// An order priced again: its customer is already locked; its own uses do not count.
    Reprice { order_id: i64 },
}

/// Checks a cart against the catalogue, the customer and the promotion codes.
#[tracing::instrument(skip_all)]
pub(super) async fn check_cart(db: &Db, store: &StoreSnapshot, cart: &CartInput, now: DateTime<Utc>) -> Result<CheckedCart, OrderError> {
    if cart.lines.is_empty() {
        return Err(OrderError::invalid("lines", "lines_required", "an order needs at least one line"));
    }
    if cart.lines.len() > MAX_LINES {
        return Err(pricing_error(PricingError::TooManyLines));
    }
    for (i, l) in cart.lines.iter().enumerate() {
        if l.quantity < 1 || l.quantity > MAX_QUANTITY {
            return Err(OrderError::invalid(
                format!("lines[{i}].quantity"),
                "invalid_quantity",
                format!("quantity must be a whole number from 1 to {MAX_QUANTITY}"),
            ));
        }
        if l.unit_price.is_some_and(|p| p.0 < 0) {
            return Err(OrderError::invalid(format!("lines[{i}].unit_price"), "invalid_amount", "unit price cannot be negative"));
        }
    }
    if cart.shipping.0 < 0 {
        return Err(OrderError::invalid("shipping", "invalid_amount", "shipping cannot be negative"));
    }
    if cart.redeem_points.is_some_and(|p| p != 0) {
        return Err(OrderError::invalid(
            "redeem_points",
            "points_unavailable",
            "points cannot be redeemed yet: the points ledger is not enabled",
        ));
    }
    let (catalog_version, promotions) = (store.versions.promotions, store.promotions.clone());
    let coupon_code = text::CODE.parse_optional("coupon_code", cart.coupon_code.as_deref())?;
    let code = check_code(db, coupon_code.as_deref(), None, now).await?;
    let skus: Vec<String> =
        cart.lines.iter().enumerate().map(|(i, l)| text::SKU.parse(&format!("lines[{i}].sku"), &l.sku)).collect::<Result<_, _>>()?;
    let by_sku = crate::products::cart_products(db, &store.products, &skus).await?;
    let mut lines = Vec::with_capacity(cart.lines.len());
    let mut product_ids = Vec::with_capacity(cart.lines.len());
    for (i, (l, sku)) in cart.lines.iter().zip(&skus).enumerate() {
        let product = by_sku
            .get(sku.as_str())
            .ok_or_else(|| OrderError::invalid(format!("lines[{i}].sku"), "unknown_sku", format!("no product has the SKU {sku}")))?;
        if !product.active {
            return Err(OrderError::invalid(format!("lines[{i}].sku"), "product_inactive", format!("the product {sku} is not on sale")));
        }
        product_ids.push(product.id);
        lines.push(CartLine {
            sku: product.sku.clone(),
            category: product.category.clone(),
            unit_price: l.unit_price.unwrap_or(Money(product.price)),
            quantity: l.quantity,
        });
    }
    let (local_now, settings) = store_rules(&store.settings, now);
    Ok(CheckedCart {
        lines,
        product_ids,
        customer_id: cart.customer_id,
        tier: None,
        ladder: store.tiers.clone(),
        coupon_code,
        code,
        shipping: cart.shipping,
        promotions,
        catalog_version,
        local_now,
        settings,
    })
}

/// Prices a checked cart inside `tx` (docs/SPEC.md §2.3.1), with the use counts as they
/// stand under this transaction's locks (see [`crate::promotion_uses`]).
#[tracing::instrument(skip_all)]
/// `first_order`: whether the cart's customer has no earlier order (`None`: no customer).
pub(super) async fn price_checked(
    tx: &mut Tx,
    cart: &CheckedCart,
    mode: Pricing,
    first_order: Option<bool>,
) -> Result<PricedCart, OrderError> {
    let code_promotion = cart.code.as_ref().map(|c| c.promotion_id);
    let candidates = cart.promotions.candidates(&cart.lines, code_promotion);
    let this_order = match mode {
        Pricing::Reprice { order_id } => Some(order_id),
        _ => None,
    };
    // A new order's customer is locked already (`lock_customer`): the lock
    // order of this module is customer, order, promotions, code.
    if mode != Pricing::Quote {
        promotion_uses::lock_limited(tx, &candidates).await?;
        if let (Some(code), Some(entered)) = (&cart.code, cart.coupon_code.as_deref()) {
            if code.max_uses.is_some() {
                // Counted again under the code's lock: the check in `check_cart` saw no lock.
                let now = cart.local_now.with_timezone(&Utc);
                let locked = codes::look_up_in(tx, entered, this_order, now, true).await?;
                usable_code(locked.as_ref().unwrap_or(code), entered)?;
            }
        }
    }
    let usage = promotion_uses::usage_of(tx, &candidates, cart.customer_id, this_order, cart.local_now.with_timezone(&Utc)).await?;
    let input = PricingInput {
        tier: cart.tier.as_ref(),
        customer: first_order.map(|first_order| CustomerFacts { first_order, personal_discounts: &[] }),
        promotions: &candidates,
        usage: &usage,
        coupon_code: cart.coupon_code.as_deref(),
        coupon_promotion_id: code_promotion,
        settings: cart.settings,
        shipping: cart.shipping,
        ..PricingInput::new(&cart.lines, cart.local_now)
    };
    price_cart(&input).map_err(pricing_error)
}

/// No earlier order of the customer is pending or paid (cancelled and expired
/// orders never happened, for `first_order_only`). Earlier than `this_order` when
/// an order is priced again — an order placed after it does not take its first
/// order discount away — else any order at all.
#[tracing::instrument(skip_all)]
pub(super) async fn is_first_order(tx: &mut Tx, customer_id: i64, this_order: Option<i64>) -> anyhow::Result<bool> {
    // Ids grow with creation, on both databases.
    let earlier: Option<i64> = dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT id FROM orders WHERE customer_id = $1 AND id < $2 AND status NOT IN ('cancelled', 'expired') LIMIT 1"
    )
    .bind(customer_id)
    .bind(this_order.unwrap_or(i64::MAX))
    .fetch_optional(c)
    .await)
    .context("look for an earlier order")?;
    Ok(earlier.is_none())
}

/// Checks a cart against the catalogue, the customer and the promotions, and
/// prices it; stores nothing (`POST /api/v1/orders/quote`, the simulator).
#[tracing::instrument(skip_all)]
pub async fn quote(db: &Db, store: &StoreSnapshot, cart: &CartInput, now: DateTime<Utc>) -> Result<Quote, OrderError> {
    let mut checked = check_cart(db, store, cart, now).await?;
    let mut tx = db.begin_read().await?;
    let first_order = read_customer(&mut tx, &mut checked, now).await?;
    let priced = price_checked(&mut tx, &checked, Pricing::Quote, first_order).await?;
    Ok(Quote { priced, tier: checked.tier })
}

/// The cart's customer's tier (into `cart.tier`) and whether this is their first
/// order, in one statement; 422 when no customer has the id.
#[tracing::instrument(skip_all)]
pub(super) async fn read_customer(tx: &mut Tx, cart: &mut CheckedCart, now: DateTime<Utc>) -> Result<Option<bool>, OrderError> {
    let Some(customer) = cart.customer_id else { return Ok(None) };
    let facts = pricing_facts_in(tx, customer, &cart.ladder, now)
        .await?
        .ok_or_else(|| OrderError::invalid("customer_id", "unknown_customer", "no customer has this id"))?;
    let current = facts.standing.current.as_ref().map(|(rule, _)| rule.id);
    cart.tier = current.and_then(|id| cart.ladder.iter().find(|t| t.id == id)).map(snapshot_of);
    Ok(Some(facts.first_order))
}

pub(super) fn snapshot_of(t: &TierRow) -> TierSnapshot {
    TierSnapshot {
        id: t.id,
        name: t.name.clone(),
        earn_rate_points: t.earn_rate_points,
        earn_rate_per: t.earn_rate_per,
        discount: t.discount(),
    }
}

/// `now` on the store's wall clock (pricing reads weekdays and hours from it)
/// and the settings pricing follows.
pub(super) fn store_rules(settings: &crate::settings::StoreSettings, now: DateTime<Utc>) -> (DateTime<FixedOffset>, PricingSettings) {
    (now.with_timezone(&settings.tz()).fixed_offset(), settings.pricing())
}

pub(super) fn pricing_error(e: PricingError) -> OrderError {
    match e {
        PricingError::NoLines => OrderError::invalid("lines", "lines_required", e.to_string()),
        PricingError::TooManyLines => OrderError::invalid("lines", "too_many_lines", e.to_string()),
        PricingError::Inconsistent(what) => OrderError::Unexpected(anyhow::anyhow!("pricing produced figures that do not add up: {what}")),
        PricingError::BadQuantity { line } => OrderError::invalid(format!("lines[{line}].quantity"), "invalid_quantity", e.to_string()),
        PricingError::NegativePrice { line } => OrderError::invalid(format!("lines[{line}].unit_price"), "invalid_amount", e.to_string()),
        PricingError::AmountTooLarge { line } => OrderError::invalid(format!("lines[{line}].quantity"), "amount_too_large", e.to_string()),
        PricingError::BadShipping => OrderError::invalid("shipping", "invalid_amount", e.to_string()),
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn find_by_external_ref(db: &Db, source: OrderSource, external_ref: &str) -> anyhow::Result<Option<i64>> {
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM orders WHERE source = $1 AND external_ref = $2")
        .bind(source.as_str())
        .bind(external_ref)
        .fetch_optional(c)
        .await)
    .context("find order by external reference")
}

/// Creates the order, or returns the one already created for the same source and
/// external reference (a re-sent order changes nothing). `store` is the cache as
/// read for this request; `cache` gives a newer one when promotions move meanwhile.
#[tracing::instrument(skip_all)]
pub async fn create_order(
    db: &Db,
    cache: &StoreCache,
    store: &StoreSnapshot,
    input: NewOrder,
    now: DateTime<Utc>,
) -> Result<Created, OrderError> {
    let external_ref = setia_domain::order::parse_reference("external_ref", &input.external_ref)?;
    // Microseconds: what both databases keep, so the answer equals what is read back later.
    let now = now.trunc_subsecs(6);
    let created = create_new(db, cache, store, &input, &external_ref, now).await;
    if let Ok(Some(order)) = created {
        return Ok(Created::New(order));
    }
    // Sent again (or twice at once): the order as it is now. Also when this cart
    // would no longer check out (a product off sale since): a re-sent order is
    // still the order it was. Found first only here, off the common path.
    match find_by_external_ref(db, input.source, &external_ref).await? {
        Some(id) => Ok(Created::Existing(load_order(db, id).await?)),
        None => match created {
            Err(e) => Err(e),
            _ => Err(anyhow::anyhow!("order {external_ref} conflicted but cannot be found").into()),
        },
    }
}

/// Prices and stores a new order; `None` when an order with this source and
/// external reference exists (nothing was written).
async fn create_new(
    db: &Db,
    cache: &StoreCache,
    store: &StoreSnapshot,
    input: &NewOrder,
    external_ref: &str,
    now: DateTime<Utc>,
) -> Result<Option<Order>, OrderError> {
    let deadline = setia_domain::order::payment_deadline(input.payment_deadline_minutes, now)?;
    let mut checked = check_cart(db, store, &input.cart, now).await?;
    let mut attempt = 0;
    loop {
        let mut tx = db.begin_write().await?;
        // Under the customer's lock, their tier is read: a payment that committed
        // while this checkout waited has moved them up, and the order's snapshot
        // (its tier discount and points) must say so. Lock order: customer, order, promotions.
        if let Some(customer) = checked.customer_id {
            lock_customer(&mut tx, customer).await?;
        }
        let first_order = read_customer(&mut tx, &mut checked, now).await?;
        let priced = price_checked(&mut tx, &checked, Pricing::Create, first_order).await?;
        let Some(order) = insert_order(&mut tx, input, external_ref, &checked, &priced, deadline, now).await? else {
            return Ok(None);
        };
        if catalog_moved(&mut tx, &checked).await? && attempt < CATALOG_RETRIES {
            // Priced by promotions that changed meanwhile: undo and price again.
            drop(tx);
            attempt += 1;
            checked.refresh_promotions(db, cache).await?;
            continue;
        }
        tx.commit().await?;
        return Ok(Some(order));
    }
}

/// Locks a customer row for a change of their orders (PostgreSQL; SQLite's
/// `BEGIN IMMEDIATE` already holds the one write lock).
#[tracing::instrument(skip_all)]
pub(super) async fn lock_customer(tx: &mut Tx, customer: i64) -> anyhow::Result<()> {
    let lock = tx.for_update();
    if lock.is_empty() {
        return Ok(());
    }
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM customers WHERE id = $1{lock}"))
        .bind(customer)
        .fetch_optional(c)
        .await)
    .context("lock customer")?;
    Ok(())
}

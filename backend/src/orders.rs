//! Orders (docs/SPEC.md §2.1): quote, create, pay, cancel, refund, recalculate.
//!
//! - Prices come from [`setia_domain::pricing::price_cart`] only, always from the
//!   lines' base prices, with the tier snapshot stored on the order at creation.
//! - Every mutation is one transaction. Lock order, always: the customer row, then
//!   the order row (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` holds
//!   the write lock), so concurrent payments of one customer's orders serialize and
//!   the tier-up check sees every earlier payment.
//! - Replays are no-ops that return the original: creation by (source,
//!   external_ref), payment by payment_ref, refunds by (order, refund_ref).
//! - A refused payment notification is stored in `payment_rejections` before the
//!   refusal is returned (nothing fails silently).

use crate::customer_facts::{standing_and_lifetime_in, tier_standing_in};
use crate::db::{is_unique_violation, Db, Tx};
use crate::dispatch;
use crate::promotion_catalog::PromotionCatalog;
use crate::promotion_uses::{self, UseStatus};
use crate::tiers::{self, TierRow};
use anyhow::Context;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use setia_domain::pricing::{
    price_cart, CartLine, CustomerFacts, PricedCart, PricingError, PricingInput, PricingSettings, Rejection, TierSnapshot,
    MAX_CUSTOMER_SPENDING, MAX_LINES, MAX_QUANTITY,
};
use setia_domain::promotion_index::PromotionIndex;
use setia_domain::text::{self, TextError};
use setia_domain::tier::TierStanding;
use setia_domain::{Money, OrderStatus, Percent};
use std::collections::HashMap;
use std::sync::Arc;

/// Where an order came from; (source, external_ref) identifies a re-sent order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSource {
    Pos,
    Online,
    Import,
}

impl OrderSource {
    pub const ALL: [OrderSource; 3] = [OrderSource::Pos, OrderSource::Online, OrderSource::Import];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderSource::Pos => "pos",
            OrderSource::Online => "online",
            OrderSource::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<OrderSource> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Where a mutation reads the time, when it must read it after taking its locks.
pub type Clock = fn() -> DateTime<Utc>;

/// Minutes to pay when the client does not say, and the most it may ask for.
pub const DEFAULT_PAYMENT_MINUTES: i64 = 60;
pub const MAX_PAYMENT_MINUTES: i64 = 7 * 24 * 60;

#[derive(Debug, Clone)]
pub struct LineInput {
    pub sku: String,
    pub quantity: i64,
    pub unit_price: Option<Money>,
}

/// A cart as a client sends it (quote or order).
#[derive(Debug, Clone, Default)]
pub struct CartInput {
    pub customer_id: Option<i64>,
    pub lines: Vec<LineInput>,
    pub shipping: Money,
    pub coupon_code: Option<String>,
    pub redeem_points: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub source: OrderSource,
    pub external_ref: String,
    pub cart: CartInput,
    pub payment_deadline_minutes: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("{message}")]
    Invalid { field: String, code: &'static str, message: String },
    #[error("no order with this id")]
    NotFound,
    #[error("this order is {status} and cannot be paid")]
    NotPayable { status: &'static str },
    #[error("the amount paid ({paid}) is not the order total ({total})")]
    AmountMismatch { paid: i64, total: i64 },
    #[error("this order was already paid under another payment reference")]
    AlreadyPaid,
    #[error("this payment reference was already used for another order")]
    PaymentRefUsed,
    #[error("this order is {status}; only a pending order can be changed")]
    NotPending { status: &'static str },
    #[error("this order is {status} and cannot be refunded")]
    NotRefundable { status: &'static str },
    #[error("only {remaining} is left to refund on this order")]
    RefundTooLarge { remaining: i64 },
    /// A reserved promotion use no longer fits its limits at payment (recalculate
    /// the order, then pay its new total).
    #[error("promotion {promotion_id} can no longer be given to this order: {reason}; recalculate the order")]
    PromotionLimitReached { promotion_id: i64, reason: String },
    /// Paying would take the customer's paid orders past [`MAX_CUSTOMER_SPENDING`].
    #[error("this payment would take the customer's paid orders past the largest total Setia keeps")]
    SpendingLimitReached,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl OrderError {
    fn invalid(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        OrderError::Invalid { field: field.into(), code, message: message.into() }
    }

    /// The stable snake_case code the API and the UI show.
    pub fn code(&self) -> &'static str {
        match self {
            OrderError::Invalid { code, .. } => code,
            OrderError::NotFound => "not_found",
            OrderError::NotPayable { .. } => "order_not_payable",
            OrderError::AmountMismatch { .. } => "amount_mismatch",
            OrderError::AlreadyPaid => "order_already_paid",
            OrderError::PaymentRefUsed => "payment_ref_used",
            OrderError::NotPending { .. } => "order_not_pending",
            OrderError::NotRefundable { .. } => "order_not_refundable",
            OrderError::RefundTooLarge { .. } => "refund_exceeds_remaining",
            OrderError::PromotionLimitReached { .. } => "promotion_limit_reached",
            OrderError::SpendingLimitReached => "spending_limit_reached",
            OrderError::Unexpected(_) => "internal",
        }
    }
}

impl From<TextError> for OrderError {
    fn from(e: TextError) -> Self {
        OrderError::Invalid { code: e.code(), message: e.to_string(), field: e.field }
    }
}

/// A missing reference keeps the code its field had before the text rule.
fn reference_error(missing_code: &'static str) -> impl Fn(TextError) -> OrderError {
    move |e| if e.is_missing() { OrderError::Invalid { code: missing_code, message: e.to_string(), field: e.field } } else { e.into() }
}

impl From<sqlx::Error> for OrderError {
    fn from(e: sqlx::Error) -> Self {
        OrderError::Unexpected(anyhow::Error::new(e))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub source: String,
    pub external_ref: String,
    pub customer_id: Option<i64>,
    pub status: String,
    pub payment_deadline: DateTime<Utc>,
    pub subtotal: i64,
    pub discount_total: i64,
    pub points_discount: i64,
    pub shipping: i64,
    pub total: i64,
    pub tier_id: Option<i64>,
    pub tier_name: Option<String>,
    pub tier_earn_rate_points: Option<i64>,
    pub tier_earn_rate_per: Option<i64>,
    pub tier_discount_basis_points: Option<i32>,
    pub coupon_code: Option<String>,
    /// JSON of the trace's rejected promotions (`Vec<Rejection>`), as priced last.
    pub promotions_rejected: String,
    pub payment_ref: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const ORDER_COLUMNS: &str = "id, source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total,
    points_discount, shipping, total, tier_id, tier_name, tier_earn_rate_points, tier_earn_rate_per,
    tier_discount_basis_points, coupon_code, promotions_rejected, payment_ref, paid_at, created_at, updated_at";

impl OrderRow {
    pub fn status(&self) -> OrderStatus {
        // The CHECK constraint allows only known statuses.
        OrderStatus::parse(&self.status).unwrap_or(OrderStatus::PendingPayment)
    }

    /// The tier the customer had when the order was created (docs/SPEC.md §2.2).
    pub fn tier_snapshot(&self) -> Option<TierSnapshot> {
        Some(TierSnapshot {
            id: self.tier_id?,
            name: self.tier_name.clone()?,
            earn_rate_points: self.tier_earn_rate_points?,
            earn_rate_per: self.tier_earn_rate_per?,
            discount: self.tier_discount_basis_points.and_then(|bp| Percent::from_basis_points(u32::try_from(bp).ok()?).ok()),
        })
    }

    /// The promotions its pricing considered and did not apply, and why (rule 7).
    pub fn promotions_rejected(&self) -> Vec<Rejection> {
        serde_json::from_str(&self.promotions_rejected).unwrap_or_default()
    }

    /// Points this order earns when paid: floor(total × snapshot earn rate).
    pub fn points_to_earn(&self) -> i64 {
        self.tier_snapshot().map_or(0, |t| t.points_for(Money(self.total)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderLineRow {
    pub line_no: i32,
    pub product_id: i64,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub base_amount: i64,
    pub discount: i64,
    pub final_amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AdjustmentRow {
    pub line_no: Option<i32>,
    pub source: String,
    pub promotion_id: Option<i64>,
    pub customer_discount_id: Option<i64>,
    pub code: Option<String>,
    pub amount: i64,
    /// JSON of a [`setia_domain::trace::Explanation`].
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundRow {
    pub refund_ref: String,
    pub amount: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentRejectionRow {
    pub payment_ref: String,
    pub amount: i64,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// An order with its lines, trace, refunds and refused payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub order: OrderRow,
    pub lines: Vec<OrderLineRow>,
    pub adjustments: Vec<AdjustmentRow>,
    pub refunds: Vec<RefundRow>,
    pub rejections: Vec<PaymentRejectionRow>,
}

impl Order {
    pub fn refunded(&self) -> i64 {
        // Each refund is within the order's total (refund_order), so this cannot
        // leave i64; saturate rather than wrap if a stored row says otherwise.
        self.refunds.iter().fold(0i64, |sum, r| sum.saturating_add(r.amount))
    }
}

/// A priced cart and the tier snapshot it used: what a quote answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub priced: PricedCart,
    pub tier: Option<TierSnapshot>,
}

/// Whether [`create_order`] made the order or found it (a re-sent order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    New(Order),
    Existing(Order),
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct CatalogEntry {
    id: i64,
    sku: String,
    category: Option<String>,
    price: i64,
    active: bool,
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A cart checked against the catalogue, the customer and the promotions: what
/// pricing needs except the use counts, which are read under the order's locks.
struct CheckedCart {
    lines: Vec<CartLine>,
    product_ids: Vec<i64>,
    customer_id: Option<i64>,
    /// As read before any lock (a quote); a new order reads it again under the customer's lock.
    tier: Option<TierSnapshot>,
    /// The tier ladder the customer's tier was read from.
    ladder: Vec<TierRow>,
    /// As entered, trimmed; known to belong to an active promotion at check time.
    coupon_code: Option<String>,
    shipping: Money,
    promotions: Arc<PromotionIndex>,
    /// The catalogue version `promotions` was built from.
    catalog_version: i64,
    local_now: DateTime<FixedOffset>,
    settings: PricingSettings,
}

impl CheckedCart {
    /// Takes the promotions as stored now, after the catalogue moved under a
    /// checkout; the code must still belong to an active promotion.
    async fn refresh_promotions(&mut self, db: &Db, catalog: &PromotionCatalog) -> Result<(), OrderError> {
        let (version, promotions) = catalog.current_versioned(db).await?;
        check_code(db, &promotions, self.coupon_code.as_deref()).await?;
        (self.catalog_version, self.promotions) = (version, promotions);
        Ok(())
    }
}

/// How often a checkout prices again when promotions changed under it.
const CATALOG_RETRIES: usize = 5;

/// Whether the promotions changed since `cart` read them. Read after the order's
/// use rows are written, just before commit: a change committed earlier is seen
/// here, and a later one waits — changing a promotion locks its row, which our
/// use rows reference (PostgreSQL), or waits for the one writer (SQLite).
async fn catalog_moved(tx: &mut Tx, cart: &CheckedCart) -> anyhow::Result<bool> {
    Ok(crate::promotions::catalog_version_in(tx).await? != cart.catalog_version)
}

/// An entered code must belong to an active promotion (422 on `coupon_code`).
async fn check_code(db: &Db, promotions: &PromotionIndex, code: Option<&str>) -> Result<(), OrderError> {
    let Some(code) = code else { return Ok(()) };
    if promotions.by_code(code).is_some() {
        return Ok(());
    }
    Err(match crate::promotions::status_of_code(db, code).await? {
        Some(status) => {
            OrderError::invalid("coupon_code", "code_inactive", format!("the promotion with the code {code} is {status}, not active"))
        }
        None => OrderError::invalid("coupon_code", "unknown_code", format!("no promotion has the code {code}")),
    })
}

/// How a cart is being priced, which says what is locked and whose uses count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pricing {
    /// Nothing stored, nothing locked.
    Quote,
    /// A new order: its customer and its limited promotions are locked.
    Create,
    /// An order priced again: its customer is already locked; its own uses do not count.
    Reprice { order_id: i64 },
}

/// Checks a cart against the catalogue, the customer and the promotion codes.
async fn check_cart(db: &Db, catalog: &PromotionCatalog, cart: &CartInput, now: DateTime<Utc>) -> Result<CheckedCart, OrderError> {
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
    let (catalog_version, promotions) = catalog.current_versioned(db).await?;
    let coupon_code = text::CODE.parse_optional("coupon_code", cart.coupon_code.as_deref())?;
    check_code(db, &promotions, coupon_code.as_deref()).await?;
    let skus: Vec<String> =
        cart.lines.iter().enumerate().map(|(i, l)| text::SKU.parse(&format!("lines[{i}].sku"), &l.sku)).collect::<Result<_, _>>()?;
    let sql = format!("SELECT id, sku, category, price, active FROM products WHERE sku IN ({})", placeholders(1, skus.len()));
    let catalog: Vec<CatalogEntry> = dispatch!(db, |c| {
        let mut q = sqlx::query_as::<_, CatalogEntry>(&sql);
        for s in &skus {
            q = q.bind(s.as_str());
        }
        q.fetch_all(c).await
    })
    .context("load products of the cart")?;
    let by_sku: HashMap<&str, &CatalogEntry> = catalog.iter().map(|p| (p.sku.as_str(), p)).collect();
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
    let (local_now, settings) = store_rules(db, now).await?;
    let (tier, ladder) = match cart.customer_id {
        Some(id) => {
            if crate::customers::find_customer(db, id).await?.is_none() {
                return Err(OrderError::invalid("customer_id", "unknown_customer", "no customer has this id"));
            }
            let facts = crate::customer_facts::customer_facts(db, id, now).await?;
            (facts.tier().map(snapshot_of), facts.tiers)
        }
        None => (None, Vec::new()),
    };
    Ok(CheckedCart {
        lines,
        product_ids,
        customer_id: cart.customer_id,
        tier,
        ladder,
        coupon_code,
        shipping: cart.shipping,
        promotions,
        catalog_version,
        local_now,
        settings,
    })
}

/// Prices a checked cart inside `tx` (docs/SPEC.md §2.3.1), with the use counts as they
/// stand under this transaction's locks (see [`crate::promotion_uses`]).
async fn price_checked(tx: &mut Tx, cart: &CheckedCart, mode: Pricing) -> Result<PricedCart, OrderError> {
    let candidates = cart.promotions.candidates(&cart.lines, cart.coupon_code.as_deref());
    // A new order's customer is locked already (`lock_customer_tier`): the lock
    // order of this module is customer, order, promotions.
    if mode != Pricing::Quote {
        promotion_uses::lock_limited(tx, &candidates).await?;
    }
    let this_order = match mode {
        Pricing::Reprice { order_id } => Some(order_id),
        _ => None,
    };
    let usage = promotion_uses::usage_of(tx, &candidates, cart.customer_id, this_order, cart.local_now.with_timezone(&Utc)).await?;
    let first_order = match cart.customer_id {
        Some(customer) => Some(is_first_order(tx, customer, this_order).await?),
        None => None,
    };
    let input = PricingInput {
        tier: cart.tier.as_ref(),
        customer: first_order.map(|first_order| CustomerFacts { first_order, personal_discounts: &[] }),
        promotions: &candidates,
        usage: &usage,
        coupon_code: cart.coupon_code.as_deref(),
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
async fn is_first_order(tx: &mut Tx, customer_id: i64, this_order: Option<i64>) -> anyhow::Result<bool> {
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
pub async fn quote(db: &Db, catalog: &PromotionCatalog, cart: &CartInput, now: DateTime<Utc>) -> Result<Quote, OrderError> {
    let checked = check_cart(db, catalog, cart, now).await?;
    let mut tx = db.begin_read().await?;
    let priced = price_checked(&mut tx, &checked, Pricing::Quote).await?;
    Ok(Quote { priced, tier: checked.tier })
}

fn snapshot_of(t: &TierRow) -> TierSnapshot {
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
async fn store_rules(db: &Db, now: DateTime<Utc>) -> anyhow::Result<(DateTime<FixedOffset>, PricingSettings)> {
    let settings = crate::settings::load(db).await?;
    Ok((now.with_timezone(&settings.tz()).fixed_offset(), settings.pricing()))
}

fn pricing_error(e: PricingError) -> OrderError {
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

async fn find_by_external_ref(db: &Db, source: OrderSource, external_ref: &str) -> anyhow::Result<Option<i64>> {
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM orders WHERE source = $1 AND external_ref = $2")
        .bind(source.as_str())
        .bind(external_ref)
        .fetch_optional(c)
        .await)
    .context("find order by external reference")
}

/// Creates the order, or returns the one already created for the same source and
/// external reference (a re-sent order changes nothing).
#[tracing::instrument(skip_all)]
pub async fn create_order(db: &Db, catalog: &PromotionCatalog, input: NewOrder, now: DateTime<Utc>) -> Result<Created, OrderError> {
    let external_ref = text::REFERENCE.parse("external_ref", &input.external_ref).map_err(reference_error("invalid_external_ref"))?;
    if let Some(id) = find_by_external_ref(db, input.source, &external_ref).await? {
        return Ok(Created::Existing(load_order(db, id).await?));
    }
    let minutes = input.payment_deadline_minutes.unwrap_or(DEFAULT_PAYMENT_MINUTES);
    if !(1..=MAX_PAYMENT_MINUTES).contains(&minutes) {
        return Err(OrderError::invalid(
            "payment_deadline_minutes",
            "invalid_deadline",
            format!("payment_deadline_minutes must be from 1 to {MAX_PAYMENT_MINUTES}"),
        ));
    }
    let mut checked = check_cart(db, catalog, &input.cart, now).await?;
    let mut attempt = 0;
    loop {
        let mut tx = db.begin_write().await?;
        if let Some(customer) = checked.customer_id {
            checked.tier = lock_customer_tier(&mut tx, customer, &checked.ladder, now).await?;
        }
        let priced = price_checked(&mut tx, &checked, Pricing::Create).await?;
        let inserted = insert_order(&mut tx, &input, &external_ref, &checked, &priced, now + Duration::minutes(minutes), now).await;
        if inserted.is_ok() && catalog_moved(&mut tx, &checked).await? && attempt < CATALOG_RETRIES {
            // Priced by promotions that changed meanwhile: undo and price again.
            drop(tx);
            attempt += 1;
            checked.refresh_promotions(db, catalog).await?;
            continue;
        }
        return finish_create(db, tx, inserted, input.source, &external_ref).await;
    }
}

/// Locks a new order's customer and reads their tier under that lock: a payment
/// that committed while this checkout waited has moved them up, and the order's
/// snapshot (its tier discount and points) must say so.
async fn lock_customer_tier(tx: &mut Tx, customer: i64, ladder: &[TierRow], now: DateTime<Utc>) -> anyhow::Result<Option<TierSnapshot>> {
    let lock = tx.for_update();
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM customers WHERE id = $1{lock}"))
        .bind(customer)
        .fetch_one(c)
        .await)
    .context("lock customer")?;
    let standing = tier_standing_in(tx, customer, ladder, now).await?;
    let current = standing.current.as_ref().map(|(rule, _)| rule.id);
    Ok(current.and_then(|id| ladder.iter().find(|t| t.id == id)).map(snapshot_of))
}

async fn finish_create(
    db: &Db,
    tx: Tx,
    inserted: Result<i64, OrderError>,
    source: OrderSource,
    external_ref: &str,
) -> Result<Created, OrderError> {
    match inserted {
        Ok(id) => {
            tx.commit().await?;
            Ok(Created::New(load_order(db, id).await?))
        }
        // The same order sent twice at once: the other request inserted it first.
        Err(OrderError::Unexpected(e)) if e.downcast_ref::<sqlx::Error>().is_some_and(is_unique_violation) => {
            drop(tx);
            let id = find_by_external_ref(db, source, external_ref).await?.ok_or(OrderError::Unexpected(e))?;
            Ok(Created::Existing(load_order(db, id).await?))
        }
        Err(e) => Err(e),
    }
}

async fn insert_order(
    tx: &mut Tx,
    input: &NewOrder,
    external_ref: &str,
    cart: &CheckedCart,
    p: &PricedCart,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, OrderError> {
    // The figures stored are the figures that add up, whatever pricing did.
    p.check_totals().context("refuse to store an order")?;
    let t = cart.tier.as_ref();
    let id: i64 = dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total,
                             points_discount, shipping, total, tier_id, tier_name, tier_earn_rate_points,
                             tier_earn_rate_per, tier_discount_basis_points, coupon_code, promotions_rejected, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending_payment', $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
         RETURNING id"
    )
    .bind(input.source.as_str())
    .bind(external_ref)
    .bind(input.cart.customer_id)
    .bind(deadline)
    .bind(p.subtotal.0)
    .bind(p.discount_total.0)
    .bind(p.shipping.0)
    .bind(p.total.0)
    .bind(t.map(|t| t.id))
    .bind(t.map(|t| t.name.clone()))
    .bind(t.map(|t| t.earn_rate_points))
    .bind(t.map(|t| t.earn_rate_per))
    .bind(t.and_then(|t| t.discount).map(|d| i32::try_from(d.basis_points()).unwrap_or(i32::MAX)))
    .bind(cart.coupon_code.as_deref())
    .bind(promotions_rejected_json(p))
    .bind(now)
    .fetch_one(c)
    .await)
    .context("insert order")?;
    for (i, (line, product_id)) in p.lines.iter().zip(&cart.product_ids).enumerate() {
        dispatch!(tx tx, |c| sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity, unit_price, base_amount, discount, final_amount)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(id)
        .bind(i32::try_from(i).unwrap_or(i32::MAX))
        .bind(product_id)
        .bind(&line.sku)
        .bind(line.quantity)
        .bind(line.unit_price.0)
        .bind(line.base_amount.0)
        .bind(line.discount.0)
        .bind(line.final_amount.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .context("insert order line")?;
    }
    insert_adjustments(tx, id, p).await?;
    promotion_uses::reserve(tx, id, cart.customer_id, p, now).await?;
    Ok(id)
}

/// The trace's rejected promotions as stored on the order (rule 7).
fn promotions_rejected_json(p: &PricedCart) -> String {
    serde_json::to_string(&p.rejected).unwrap_or_else(|_| "[]".into())
}

async fn insert_adjustments(tx: &mut Tx, order_id: i64, p: &PricedCart) -> anyhow::Result<()> {
    for a in &p.adjustments {
        dispatch!(tx tx, |c| sqlx::query(
            "INSERT INTO order_adjustments (order_id, line_no, source, promotion_id, customer_discount_id, code, amount, explanation)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(order_id)
        .bind(a.line.map(|l| i32::try_from(l).unwrap_or(i32::MAX)))
        .bind(a.source.as_str())
        .bind(a.promotion_id)
        .bind(a.customer_discount_id)
        .bind(a.code.as_deref())
        .bind(a.amount.0)
        .bind(a.explanation.to_json())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .context("insert order adjustment")?;
    }
    Ok(())
}

/// Loads an order with everything shown about it, from one consistent snapshot.
#[tracing::instrument(skip_all)]
pub async fn load_order(db: &Db, id: i64) -> Result<Order, OrderError> {
    let mut tx = db.begin_read().await?;
    load_order_in(&mut tx, id).await
}

async fn load_order_in(tx: &mut Tx, id: i64) -> Result<Order, OrderError> {
    let order = dispatch!(tx tx, |c| sqlx::query_as::<_, OrderRow>(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await)
    .context("load order")?
    .ok_or(OrderError::NotFound)?;
    let lines = dispatch!(tx tx, |c| sqlx::query_as::<_, OrderLineRow>(
        "SELECT line_no, product_id, sku, quantity, unit_price, base_amount, discount, final_amount
         FROM order_lines WHERE order_id = $1 ORDER BY line_no"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load order lines")?;
    let adjustments = dispatch!(tx tx, |c| sqlx::query_as::<_, AdjustmentRow>(
        "SELECT line_no, source, promotion_id, customer_discount_id, code, amount, explanation
         FROM order_adjustments WHERE order_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load order adjustments")?;
    let refunds = dispatch!(tx tx, |c| sqlx::query_as::<_, RefundRow>(
        "SELECT refund_ref, amount, created_at FROM refunds WHERE order_id = $1 ORDER BY created_at, id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load refunds")?;
    let rejections = dispatch!(tx tx, |c| sqlx::query_as::<_, PaymentRejectionRow>(
        "SELECT payment_ref, amount, reason, created_at FROM payment_rejections WHERE order_id = $1 ORDER BY created_at, id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load payment rejections")?;
    Ok(Order { order, lines, adjustments, refunds, rejections })
}

/// Locks the order for a change (and first its customer: the lock order of this
/// module) and loads it. Every query runs on the transaction's own connection: taking a second one from
/// the pool while holding this one would starve the pool under load.
async fn lock_order(tx: &mut Tx, id: i64) -> Result<Order, OrderError> {
    // An order's customer never changes, so reading it before the locks is safe.
    let customer_id: Option<i64> =
        dispatch!(tx tx, |c| sqlx::query_scalar::<_, Option<i64>>("SELECT customer_id FROM orders WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await)
        .context("find order's customer")?
        .ok_or(OrderError::NotFound)?;
    let lock = tx.for_update();
    if let Some(customer) = customer_id {
        dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM customers WHERE id = $1{lock}"))
            .bind(customer)
            .fetch_one(c)
            .await)
        .context("lock customer")?;
    }
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM orders WHERE id = $1{lock}"))
        .bind(id)
        .fetch_one(c)
        .await)
    .context("lock order")?;
    load_order_in(tx, id).await
}

async fn set_status(tx: &mut Tx, order: &OrderRow, next: OrderStatus, now: DateTime<Utc>) -> Result<(), OrderError> {
    let current = order.status();
    if !current.can_become(next) {
        return Err(anyhow::anyhow!("illegal order transition {} -> {}", current.as_str(), next.as_str()).into());
    }
    dispatch!(tx tx, |c| sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(next.as_str())
        .bind(now)
        .bind(order.id)
        .bind(current.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("update order status")?;
    // A use counts while its order may still be paid for (docs/SPEC.md §2.3).
    match next {
        OrderStatus::Paid => promotion_uses::settle(tx, order.id, UseStatus::Confirmed, now).await?,
        OrderStatus::Cancelled | OrderStatus::Expired | OrderStatus::Refunded => {
            promotion_uses::settle(tx, order.id, UseStatus::Released, now).await?
        }
        _ => {}
    }
    Ok(())
}

/// A pending order whose deadline passed is expired now, as the job would do.
fn overdue(order: &OrderRow, now: DateTime<Utc>) -> bool {
    order.status() == OrderStatus::PendingPayment && order.payment_deadline <= now
}

async fn record_rejection(
    tx: &mut Tx,
    order_id: i64,
    payment_ref: &str,
    amount: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    tracing::warn!(order_id, payment_ref, amount, reason, "payment notification refused");
    dispatch!(tx tx, |c| sqlx::query(
        "INSERT INTO payment_rejections (order_id, payment_ref, amount, reason, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(order_id)
    .bind(payment_ref)
    .bind(amount)
    .bind(reason)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("record payment rejection")?;
    Ok(())
}

/// Records a refused payment and returns the refusal: the record commits even
/// though the payment does not.
async fn refuse_payment(
    tx: Tx,
    order: &OrderRow,
    payment_ref: &str,
    amount: i64,
    err: OrderError,
    now: DateTime<Utc>,
) -> Result<Payment, OrderError> {
    let mut tx = tx;
    let reason = match &err {
        OrderError::NotPayable { .. } => "order_not_payable",
        OrderError::AmountMismatch { .. } => "amount_mismatch",
        OrderError::PaymentRefUsed => "payment_ref_used",
        OrderError::PromotionLimitReached { .. } => "promotion_limit_reached",
        OrderError::SpendingLimitReached => "spending_limit_reached",
        _ => "already_paid",
    };
    record_rejection(&mut tx, order.id, payment_ref, amount, reason, now).await?;
    tx.commit().await?;
    Err(err)
}

/// The result of a payment: the order, and whether this call paid it or it was a
/// replay of an earlier, identical payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub order: Order,
    pub replay: bool,
    /// The tier the payment moved the customer into, when it moved them up.
    pub tier_up: Option<String>,
}

/// Records a payment (docs/SPEC.md §2.1): idempotent by `payment_ref`; the amount must be
/// the total; an expired or cancelled order is refused and the refusal recorded.
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn pay_order(db: &Db, order_id: i64, payment_ref: &str, amount: i64, clock: Clock) -> Result<Payment, OrderError> {
    let payment_ref = text::REFERENCE.parse("payment_ref", payment_ref).map_err(reference_error("invalid_payment_ref"))?;
    let payment_ref = payment_ref.as_str();
    let tiers = tiers::list_tiers(db).await?;
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    // The clock is read after the locks: a payment that waited for them past the
    // deadline is late, as a checkout that meanwhile saw the order overdue (and
    // took its promotion's last use) assumed.
    let now = clock();
    let order = &current.order;
    let used_by: Option<i64> = dispatch!(tx &mut tx, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM orders WHERE payment_ref = $1")
        .bind(payment_ref)
        .fetch_optional(c)
        .await)
    .context("find payment reference")?;
    match used_by {
        Some(id) if id == order_id => return Ok(Payment { order: current, replay: true, tier_up: None }),
        Some(_) => return refuse_payment(tx, order, payment_ref, amount, OrderError::PaymentRefUsed, now).await,
        None => {}
    }
    if overdue(order, now) {
        set_status(&mut tx, order, OrderStatus::Expired, now).await?;
        return refuse_payment(tx, order, payment_ref, amount, OrderError::NotPayable { status: "expired" }, now).await;
    }
    match order.status() {
        OrderStatus::PendingPayment => {}
        s @ (OrderStatus::Expired | OrderStatus::Cancelled) => {
            return refuse_payment(tx, order, payment_ref, amount, OrderError::NotPayable { status: s.as_str() }, now).await;
        }
        _ => return refuse_payment(tx, order, payment_ref, amount, OrderError::AlreadyPaid, now).await,
    }
    if amount != order.total {
        return refuse_payment(tx, order, payment_ref, amount, OrderError::AmountMismatch { paid: amount, total: order.total }, now).await;
    }
    let before = match order.customer_id {
        Some(c) => Some(standing_and_lifetime_in(&mut tx, c, &tiers, now).await?),
        None => None,
    };
    // Every sum of a customer's spending (net of refunds) stays within the bound.
    if before.as_ref().is_some_and(|(_, lifetime)| lifetime.0.checked_add(order.total).is_none_or(|sum| sum > MAX_CUSTOMER_SPENDING)) {
        return refuse_payment(tx, order, payment_ref, amount, OrderError::SpendingLimitReached, now).await;
    }
    if let Err(breach) = promotion_uses::check_confirmable(&mut tx, order_id, order.customer_id, now).await? {
        let err = OrderError::PromotionLimitReached { promotion_id: breach.promotion_id, reason: breach.reached.to_string() };
        return refuse_payment(tx, order, payment_ref, amount, err, now).await;
    }
    let before = before.map(|(standing, _)| standing);
    set_status(&mut tx, order, OrderStatus::Paid, now).await?;
    let updated = dispatch!(tx &mut tx, |c| sqlx::query("UPDATE orders SET payment_ref = $1, paid_at = $2 WHERE id = $3")
        .bind(payment_ref)
        .bind(now)
        .bind(order_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
    match updated {
        Ok(_) => {}
        // Another order took this reference at the same moment (PostgreSQL): this
        // transaction is void, so the refusal is recorded in a new one.
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            let mut tx = db.begin_write().await?;
            record_rejection(&mut tx, order_id, payment_ref, amount, "payment_ref_used", now).await?;
            tx.commit().await?;
            return Err(OrderError::PaymentRefUsed);
        }
        Err(e) => return Err(anyhow::Error::new(e).context("record payment").into()),
    }
    let mut tier_up = None;
    if let (Some(customer), Some(before)) = (order.customer_id, before) {
        let after = tier_standing_in(&mut tx, customer, &tiers, now).await?;
        if let Some(tier) = moved_up(&before, &after) {
            crate::notifications::tier_up(&mut tx, customer, order_id, &tier, now).await?;
            tier_up = Some(tier);
        }
    }
    let paid = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(Payment { order: paid, replay: false, tier_up })
}

/// The tier a customer entered, when `after` is a higher tier than `before`.
fn moved_up(before: &TierStanding, after: &TierStanding) -> Option<String> {
    let rank = |s: &TierStanding| s.current.as_ref().map(|(t, _)| t.min_spending);
    match (rank(before), after.current.as_ref()) {
        (b, Some((tier, _))) if b.is_none_or(|b| tier.min_spending > b) => Some(tier.name.clone()),
        _ => None,
    }
}

/// Cancels a pending order (a cancelled one is returned as it is).
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn cancel_order(db: &Db, order_id: i64, clock: Clock) -> Result<Order, OrderError> {
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    let now = clock();
    if overdue(&current.order, now) {
        // Past its deadline it is expired, as payment and the job would find it;
        // "cancelled" would claim someone called it off in time.
        set_status(&mut tx, &current.order, OrderStatus::Expired, now).await?;
        tx.commit().await?;
        return Err(OrderError::NotPending { status: OrderStatus::Expired.as_str() });
    }
    match current.order.status() {
        OrderStatus::Cancelled => return Ok(current),
        OrderStatus::PendingPayment => {}
        s => return Err(OrderError::NotPending { status: s.as_str() }),
    }
    set_status(&mut tx, &current.order, OrderStatus::Cancelled, now).await?;
    let cancelled = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(cancelled)
}

/// Refunds part or the rest of a paid order, idempotent by `refund_ref`.
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn refund_order(db: &Db, order_id: i64, refund_ref: &str, amount: Option<i64>, now: DateTime<Utc>) -> Result<Order, OrderError> {
    let refund_ref = text::REFERENCE.parse("refund_ref", refund_ref).map_err(reference_error("invalid_refund_ref"))?;
    let refund_ref = refund_ref.as_str();
    if amount.is_some_and(|a| a <= 0) {
        return Err(OrderError::invalid("amount", "invalid_amount", "a refund amount must be above zero"));
    }
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    if current.refunds.iter().any(|r| r.refund_ref == refund_ref) {
        return Ok(current);
    }
    let status = current.order.status();
    if !status.counts_as_spending() || status == OrderStatus::Refunded {
        return Err(OrderError::NotRefundable { status: status.as_str() });
    }
    let remaining = current.order.total - current.refunded();
    let amount = amount.unwrap_or(remaining);
    if amount > remaining || amount <= 0 {
        return Err(OrderError::RefundTooLarge { remaining });
    }
    dispatch!(tx &mut tx, |c| sqlx::query("INSERT INTO refunds (order_id, refund_ref, amount, created_at) VALUES ($1, $2, $3, $4)")
        .bind(order_id)
        .bind(refund_ref)
        .bind(amount)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("insert refund")?;
    let next = if amount == remaining { OrderStatus::Refunded } else { OrderStatus::PartiallyRefunded };
    set_status(&mut tx, &current.order, next, now).await?;
    let refunded = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(refunded)
}

/// Prices a pending order again from its lines' base prices, its tier snapshot
/// and its code, by the promotions active now, replacing its discounts, trace and
/// promotion reservations in one transaction; repeating it changes nothing
/// (docs/SPEC.md §2.3.1).
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn recalculate_order(db: &Db, catalog: &PromotionCatalog, order_id: i64, now: DateTime<Utc>) -> Result<Order, OrderError> {
    // Read before the transaction: a second connection taken while holding one
    // can wait forever once every pooled connection is held the same way.
    let (local_now, settings) = store_rules(db, now).await?;
    let mut attempt = 0;
    loop {
        let promotions = catalog.current_versioned(db).await?;
        let last = attempt == CATALOG_RETRIES;
        if let Some(order) = reprice(db, promotions, order_id, now, local_now, settings, last).await? {
            return Ok(order);
        }
        attempt += 1;
    }
}

/// One attempt of [`recalculate_order`]: `None` when the promotions changed
/// under it (nothing was written), unless it is the `last` attempt.
#[allow(clippy::too_many_arguments)]
async fn reprice(
    db: &Db,
    (catalog_version, promotions): (i64, Arc<PromotionIndex>),
    order_id: i64,
    now: DateTime<Utc>,
    local_now: DateTime<FixedOffset>,
    settings: PricingSettings,
    last: bool,
) -> Result<Option<Order>, OrderError> {
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    let status = current.order.status();
    if status != OrderStatus::PendingPayment || overdue(&current.order, now) {
        return Err(OrderError::NotPending { status: if status == OrderStatus::PendingPayment { "expired" } else { status.as_str() } });
    }
    let categories: Vec<(i64, Option<String>)> = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, (i64, Option<String>)>(
        "SELECT p.id, p.category FROM products p JOIN order_lines l ON l.product_id = p.id WHERE l.order_id = $1"
    )
    .bind(order_id)
    .fetch_all(c)
    .await)
    .context("load line categories")?;
    let category: HashMap<i64, Option<String>> = categories.into_iter().collect();
    let cart = CheckedCart {
        lines: current
            .lines
            .iter()
            .map(|l| CartLine {
                sku: l.sku.clone(),
                category: category.get(&l.product_id).cloned().flatten(),
                unit_price: Money(l.unit_price),
                quantity: l.quantity,
            })
            .collect(),
        product_ids: current.lines.iter().map(|l| l.product_id).collect(),
        customer_id: current.order.customer_id,
        tier: current.order.tier_snapshot(),
        ladder: Vec::new(),
        // A code whose promotion is no longer active simply finds nothing now.
        coupon_code: current.order.coupon_code.clone(),
        shipping: Money(current.order.shipping),
        promotions,
        catalog_version,
        local_now,
        settings,
    };
    promotion_uses::drop_reservations(&mut tx, order_id).await?;
    let priced = price_checked(&mut tx, &cart, Pricing::Reprice { order_id }).await?;
    priced.check_totals().context("refuse to store a recalculated order")?;
    for (line, p) in current.lines.iter().zip(&priced.lines) {
        dispatch!(tx &mut tx, |c| sqlx::query("UPDATE order_lines SET base_amount = $1, discount = $2, final_amount = $3 WHERE order_id = $4 AND line_no = $5")
            .bind(p.base_amount.0)
            .bind(p.discount.0)
            .bind(p.final_amount.0)
            .bind(order_id)
            .bind(line.line_no)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .context("update order line")?;
    }
    dispatch!(tx &mut tx, |c| sqlx::query("DELETE FROM order_adjustments WHERE order_id = $1")
        .bind(order_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("clear order adjustments")?;
    insert_adjustments(&mut tx, order_id, &priced).await?;
    promotion_uses::reserve(&mut tx, order_id, cart.customer_id, &priced, now).await?;
    dispatch!(tx &mut tx, |c| sqlx::query(
        "UPDATE orders SET subtotal = $1, discount_total = $2, total = $3, promotions_rejected = $4, updated_at = $5 WHERE id = $6"
    )
    .bind(priced.subtotal.0)
    .bind(priced.discount_total.0)
    .bind(priced.total.0)
    .bind(promotions_rejected_json(&priced))
    .bind(now)
    .bind(order_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("update order totals")?;
    if !last && catalog_moved(&mut tx, &cart).await? {
        return Ok(None);
    }
    let repriced = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(Some(repriced))
}

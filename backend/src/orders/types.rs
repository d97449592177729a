//! The order's types: what a client sends, what is stored, and the errors.

use chrono::{DateTime, Utc};
use setia_domain::priced_order::{AppliedReward, LineAmounts};
use setia_domain::pricing::{PricedCart, Rejection, TierSnapshot};
use setia_domain::text::TextError;
use setia_domain::trace::Explanation;
use setia_domain::{Money, OrderStatus, Percent};

pub use setia_domain::order::{OrderSource, DEFAULT_PAYMENT_MINUTES, MAX_PAYMENT_MINUTES};

/// Where a mutation reads the time, when it must read it after taking its locks.
pub type Clock = fn() -> DateTime<Utc>;

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
    pub(super) fn invalid(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
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

impl From<setia_domain::Invalid> for OrderError {
    fn from(e: setia_domain::Invalid) -> Self {
        OrderError::Invalid { field: e.field, code: e.code, message: e.message }
    }
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

    /// Pending past its deadline: expired, whether or not the expiry job ran yet.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        setia_domain::order::is_overdue(self.status(), self.payment_deadline, now)
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

impl From<&OrderLineRow> for LineAmounts {
    fn from(l: &OrderLineRow) -> Self {
        LineAmounts {
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            base_amount: l.base_amount,
            discount: l.discount,
            final_amount: l.final_amount,
        }
    }
}

impl From<&AdjustmentRow> for AppliedReward {
    fn from(a: &AdjustmentRow) -> Self {
        AppliedReward {
            source: a.source.clone(),
            promotion_id: a.promotion_id,
            customer_discount_id: a.customer_discount_id,
            code: a.code.clone(),
            line: a.line_no.and_then(|n| usize::try_from(n).ok()),
            amount: a.amount,
            explanation: Explanation::parse_stored(&a.explanation),
        }
    }
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

//! Order rules (docs/SPEC.md §2.1): where an order comes from, its references, its
//! payment deadline and when it is overdue, which status may follow which and which
//! count as spending, what a payment notification and a refund do to it.
//! `backend::orders` applies these under its locks; nothing there decides them again.

use crate::text::{self, TextError};
use crate::Invalid;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Where an order came from; (source, external_ref) identifies a re-sent order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// An order's references (`external_ref`, `payment_ref`, `refund_ref`): one line of
/// at most [`text::REFERENCE`]'s length; a missing one is refused with the code its
/// field has always had (`invalid_external_ref`, …).
pub fn parse_reference(field: &str, raw: &str) -> Result<String, Invalid> {
    text::REFERENCE.parse(field, raw).map_err(|e: TextError| {
        if e.is_missing() {
            let code = match field {
                "external_ref" => "invalid_external_ref",
                "payment_ref" => "invalid_payment_ref",
                "refund_ref" => "invalid_refund_ref",
                _ => "required",
            };
            Invalid::new(field, code, e.to_string())
        } else {
            e.into()
        }
    })
}

/// Minutes to pay when the client does not say, and the most it may ask for.
pub const DEFAULT_PAYMENT_MINUTES: i64 = 60;
pub const MAX_PAYMENT_MINUTES: i64 = 7 * 24 * 60;

/// The moment a new order stops being payable: `minutes` (1 to
/// [`MAX_PAYMENT_MINUTES`], default [`DEFAULT_PAYMENT_MINUTES`]) after `now`.
pub fn payment_deadline(minutes: Option<i64>, now: DateTime<Utc>) -> Result<DateTime<Utc>, Invalid> {
    let minutes = minutes.unwrap_or(DEFAULT_PAYMENT_MINUTES);
    if !(1..=MAX_PAYMENT_MINUTES).contains(&minutes) {
        return Err(Invalid::new(
            "payment_deadline_minutes",
            "invalid_deadline",
            format!("payment_deadline_minutes must be from 1 to {MAX_PAYMENT_MINUTES}"),
        ));
    }
    Ok(now + Duration::minutes(minutes))
}

/// A pending order is overdue from its deadline on (the deadline second itself
/// included): it is expired, whether or not the expiry job has run yet. The SQL
/// copies (`backend/src/orders/expiry.rs`, `backend/src/promotion_uses.rs`) say
/// `payment_deadline <= now`; a test on both databases holds them to this.
pub fn is_overdue(status: OrderStatus, payment_deadline: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == OrderStatus::PendingPayment && payment_deadline <= now
}

/// What a payment notification for a new payment reference does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentDecision {
    /// Pending, in time, the exact total: the order is paid.
    Accept,
    /// Overdue: the order becomes expired and the payment is refused.
    ExpireAndRefuse,
    /// Expired or cancelled: refused, the order stays as it is.
    NotPayable(OrderStatus),
    /// Already paid (under another reference): refused.
    AlreadyPaid,
    /// Not the order's total: refused, so a short payment never settles an order.
    AmountMismatch,
}

pub fn payment_decision(
    status: OrderStatus,
    payment_deadline: DateTime<Utc>,
    total: i64,
    amount: i64,
    now: DateTime<Utc>,
) -> PaymentDecision {
    if is_overdue(status, payment_deadline, now) {
        return PaymentDecision::ExpireAndRefuse;
    }
    match status {
        OrderStatus::PendingPayment if amount == total => PaymentDecision::Accept,
        OrderStatus::PendingPayment => PaymentDecision::AmountMismatch,
        OrderStatus::Expired | OrderStatus::Cancelled => PaymentDecision::NotPayable(status),
        _ => PaymentDecision::AlreadyPaid,
    }
}

/// A refund's amount as asked: above zero, or none for "the rest".
pub fn check_refund_amount(amount: Option<i64>) -> Result<(), Invalid> {
    match amount {
        Some(a) if a <= 0 => Err(Invalid::new("amount", "invalid_amount", "a refund amount must be above zero")),
        _ => Ok(()),
    }
}

/// A refund the order can take: the amount and the status it leaves the order in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundOutcome {
    pub amount: i64,
    pub next: OrderStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRefusal {
    /// Never paid, or refunded in full already.
    NotRefundable(OrderStatus),
    /// More than what is left to refund.
    TooLarge { remaining: i64 },
}

/// A refund of `amount` (the rest when `None`) of an order with `total`, of which
/// `refunded` went back already: only a paid order, never more than the rest; the
/// rest refunded makes it `refunded`, less makes it `partially_refunded`.
pub fn refund_outcome(status: OrderStatus, total: i64, refunded: i64, amount: Option<i64>) -> Result<RefundOutcome, RefundRefusal> {
    if !status.counts_as_spending() || status == OrderStatus::Refunded {
        return Err(RefundRefusal::NotRefundable(status));
    }
    let remaining = total - refunded;
    let amount = amount.unwrap_or(remaining);
    if amount > remaining || amount <= 0 {
        return Err(RefundRefusal::TooLarge { remaining });
    }
    let next = if amount == remaining { OrderStatus::Refunded } else { OrderStatus::PartiallyRefunded };
    Ok(RefundOutcome { amount, next })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Shipped,
    Completed,
    Cancelled,
    Expired,
    PartiallyRefunded,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
        OrderStatus::PartiallyRefunded,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
            OrderStatus::PartiallyRefunded => "partially_refunded",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether an order in this status was paid, so its total (less refunds)
    /// counts toward the customer's spending.
    pub fn counts_as_spending(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed | OrderStatus::PartiallyRefunded | OrderStatus::Refunded
        )
    }

    /// Whether refunds can exist on an order in this status: a refund moves its
    /// order to one of these in the same transaction, and neither leads elsewhere.
    pub fn may_have_refunds(self) -> bool {
        matches!(self, OrderStatus::PartiallyRefunded | OrderStatus::Refunded)
    }

    /// The legal next statuses. Anything else is refused.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        match self {
            PendingPayment => matches!(next, Paid | Cancelled | Expired),
            Paid => matches!(next, Shipped | Completed | PartiallyRefunded | Refunded),
            Shipped => matches!(next, Completed | PartiallyRefunded | Refunded),
            Completed => matches!(next, PartiallyRefunded | Refunded),
            PartiallyRefunded => matches!(next, PartiallyRefunded | Refunded),
            Cancelled | Expired | Refunded => false,
        }
    }
}

/// The statuses that count as spending, for SQL `IN (…)` lists.
pub fn spending_statuses() -> Vec<&'static str> {
    OrderStatus::ALL.into_iter().filter(|s| s.counts_as_spending()).map(OrderStatus::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn an_order_is_overdue_from_its_deadline_second_on() {
        assert!(!is_overdue(OrderStatus::PendingPayment, at(0), at(-1)));
        assert!(is_overdue(OrderStatus::PendingPayment, at(0), at(0)));
        assert!(!is_overdue(OrderStatus::Paid, at(0), at(10)));
    }

    #[test]
    fn a_payment_is_accepted_only_pending_in_time_and_exact() {
        use PaymentDecision::*;
        assert_eq!(payment_decision(OrderStatus::PendingPayment, at(0), 100, 100, at(-1)), Accept);
        assert_eq!(payment_decision(OrderStatus::PendingPayment, at(0), 100, 100, at(0)), ExpireAndRefuse);
        assert_eq!(payment_decision(OrderStatus::PendingPayment, at(0), 100, 99, at(-1)), AmountMismatch);
        assert_eq!(payment_decision(OrderStatus::Cancelled, at(0), 100, 100, at(-1)), NotPayable(OrderStatus::Cancelled));
        assert_eq!(payment_decision(OrderStatus::Paid, at(0), 100, 100, at(-1)), AlreadyPaid);
    }

    #[test]
    fn refunds_never_exceed_what_was_paid() {
        let paid = OrderStatus::Paid;
        assert_eq!(refund_outcome(paid, 100, 0, None), Ok(RefundOutcome { amount: 100, next: OrderStatus::Refunded }));
        assert_eq!(refund_outcome(paid, 100, 0, Some(40)), Ok(RefundOutcome { amount: 40, next: OrderStatus::PartiallyRefunded }));
        assert_eq!(
            refund_outcome(OrderStatus::PartiallyRefunded, 100, 40, Some(60)),
            Ok(RefundOutcome { amount: 60, next: OrderStatus::Refunded })
        );
        assert_eq!(refund_outcome(OrderStatus::PartiallyRefunded, 100, 40, Some(61)), Err(RefundRefusal::TooLarge { remaining: 60 }));
        assert_eq!(refund_outcome(OrderStatus::Refunded, 100, 100, None), Err(RefundRefusal::NotRefundable(OrderStatus::Refunded)));
        assert_eq!(
            refund_outcome(OrderStatus::PendingPayment, 100, 0, None),
            Err(RefundRefusal::NotRefundable(OrderStatus::PendingPayment))
        );
        assert!(check_refund_amount(Some(0)).is_err());
        assert!(check_refund_amount(None).is_ok());
    }

    #[test]
    fn a_deadline_is_one_minute_to_a_week() {
        assert_eq!(payment_deadline(None, at(0)), Ok(at(3_600)));
        assert!(payment_deadline(Some(0), at(0)).is_err());
        assert!(payment_deadline(Some(MAX_PAYMENT_MINUTES + 1), at(0)).is_err());
    }
    use OrderStatus::*;

    #[test]
    fn only_paid_statuses_count() {
        assert_eq!(spending_statuses(), ["paid", "shipped", "completed", "partially_refunded", "refunded"]);
        assert!(!PendingPayment.counts_as_spending());
        assert!(!Cancelled.counts_as_spending());
        assert!(!Expired.counts_as_spending());
        // Every status a refund can lead to is one that may carry refunds.
        for s in OrderStatus::ALL {
            for next in OrderStatus::ALL {
                if s.may_have_refunds() && s.can_become(next) {
                    assert!(next.may_have_refunds(), "{s:?} -> {next:?} would hide refunds");
                }
            }
        }
    }

    #[test]
    fn lifecycle() {
        assert!(PendingPayment.can_become(Paid));
        assert!(Paid.can_become(Shipped));
        assert!(Shipped.can_become(Completed));
        assert!(!Expired.can_become(Paid), "a late payment cannot revive an expired order");
        assert!(!Cancelled.can_become(Paid));
        assert!(!Paid.can_become(PendingPayment));
        assert!(!Refunded.can_become(PartiallyRefunded));
        assert!(!PendingPayment.can_become(Refunded));
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
    }
}

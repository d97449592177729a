//! The order lifecycle (docs/SPEC.md §2.1): which status may follow which, and which
//! statuses count as spending.

use serde::{Deserialize, Serialize};

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

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
//!
//! Layout: `types` (inputs, rows, errors), `checkout` (check, price, quote, create),
//! `insert` (writing a priced order),
//! `store` (load, lock, status changes), `payment`, `cancel_and_refund`,
//! `recalculation`, `list` (the back office's order list), `expiry` (the job).
//! The rules they apply are `setia_domain::order` and `setia_domain::pricing`.

mod cancel_and_refund;
mod checkout;
pub mod expiry;
mod insert;
pub mod list;
mod payment;
mod recalculation;
mod store;
mod types;

pub use cancel_and_refund::{cancel_order, refund_order};
pub use checkout::create_order;
pub use checkout::quote;
// The parts share their helpers through this module (`use super::*`).
use checkout::*;
use insert::*;
pub use payment::{pay_order, Payment};
pub use recalculation::recalculate_order;
pub use store::load_order;
use store::*;
pub use types::*;

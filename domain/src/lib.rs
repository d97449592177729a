//! Setia's pure domain: values and rules with no IO, no clock and no database.
//! Everything here compiles to wasm, so the browser and the server share one
//! definition of each rule.

pub mod allocation;
pub mod customer;
pub mod datetime;
pub mod email;
pub mod invalid;
pub mod money;
pub mod order;
pub mod paging;
pub mod password;
pub mod percent;
pub mod phone;
pub mod priced_order;
pub mod pricing;
pub mod promotion;
pub mod promotion_code;
pub mod promotion_definition;
pub mod promotion_index;
pub mod promotion_summary;
pub mod role;
pub mod text;
pub mod tier;
pub mod tier_definition;
pub mod trace;

pub use email::Email;
pub use invalid::Invalid;
pub use money::{CurrencyFormat, Money};
pub use order::{OrderSource, OrderStatus};
pub use password::NewPassword;
pub use percent::Percent;
pub use phone::Phone;
pub use role::Role;
pub use tier::{TierRule, TierWindow};

//! One module per page.

mod audit;
mod customers;
mod home;
mod jobs;
mod login;
mod not_found;
mod orders;
mod promotion;
mod promotions;
mod settings;
mod simulator;
mod tasks;
mod tiers;
mod users;

pub use audit::AuditPage;
pub use customers::{CustomerPage, CustomersPage};
pub use home::HomePage;
pub use jobs::JobsPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use orders::{OrderPage, OrdersPage};
pub use promotion::PromotionPage;
pub use promotions::PromotionsPage;
pub use settings::SettingsPage;
pub use simulator::SimulatorPage;
pub use tasks::TaskPage;
pub use tiers::TiersPage;
pub use users::UsersPage;

//! One module per page.

mod audit;
mod home;
mod jobs;
mod login;
mod not_found;
mod settings;
mod users;

pub use audit::AuditPage;
pub use home::HomePage;
pub use jobs::JobsPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use settings::SettingsPage;
pub use users::UsersPage;

//! Pieces shared by pages.

pub mod errors;
pub mod format;
pub mod language;
pub mod layout;
pub mod list;
pub mod task_progress;
pub mod trace;

//! Staff roles (docs/SPEC.md §2.7) and the one rule that says what a role may open.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a staff user may do. `admin` may do everything; the other roles only
/// what is granted to them by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Marketing,
    Support,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Marketing, Role::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Marketing => "marketing",
            Role::Support => "support",
        }
    }

    pub fn parse(s: &str) -> Result<Role, UnknownRole> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "marketing" => Ok(Role::Marketing),
            "support" => Ok(Role::Support),
            _ => Err(UnknownRole(s.to_string())),
        }
    }

    /// True when a user with this role may use something that requires `required`.
    /// Admins may use everything (docs/SPEC.md §2.7).
    pub fn grants(self, required: Role) -> bool {
        self == Role::Admin || self == required
    }

    /// True when this role may use something open to any of `allowed`.
    pub fn grants_any(self, allowed: &[Role]) -> bool {
        allowed.iter().any(|r| self.grants(*r))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`: expected admin, marketing or support")]
pub struct UnknownRole(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_grants_everything_others_only_themselves() {
        for r in Role::ALL {
            assert!(Role::Admin.grants(r));
        }
        assert!(Role::Marketing.grants(Role::Marketing));
        assert!(!Role::Marketing.grants(Role::Admin));
        assert!(!Role::Support.grants(Role::Admin));
        assert!(!Role::Support.grants(Role::Marketing));
        assert!(Role::Support.grants_any(&[Role::Marketing, Role::Support]));
        assert!(!Role::Support.grants_any(&[Role::Marketing]));
    }

    #[test]
    fn parse_round_trips_and_rejects_unknown() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse(" Admin "), Ok(Role::Admin));
        assert!(Role::parse("root").is_err());
    }
}

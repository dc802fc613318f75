//! Bump types: `none < patch < minor < major`.

use std::fmt;
use std::str::FromStr;

/// How much a release raises a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bump {
    /// No version change; ranges that name the package may still be rewritten.
    None,
    /// `x.y.Z`.
    Patch,
    /// `x.Y.0`.
    Minor,
    /// `X.0.0`.
    Major,
}

impl Bump {
    /// The word used in changeset files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Bump {
    type Err = ();

    /// Exactly `major`, `minor`, `patch` or `none`, case-sensitive, as Changesets accepts.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "major" => Ok(Bump::Major),
            "minor" => Ok(Bump::Minor),
            "patch" => Ok(Bump::Patch),
            "none" => Ok(Bump::None),
            _ => Err(()),
        }
    }
}

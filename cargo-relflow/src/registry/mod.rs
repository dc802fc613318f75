//! Registry state: is NAME@VERSION already on its registry?
//!
//! One client per ecosystem, each a few functions over a shared [`http::Client`]:
//! - [`cargo`]: the sparse index of crates.io or of any `sparse+` registry, and which registry
//!   applies (`.cargo/config.toml` `[registries.NAME] index`, `[registry] default`);
//! - [`npm`]: the packument (`GET {registry}/{name}`), and which registry applies (`.npmrc`
//!   `registry=`, `@scope:registry=`, `//host/:_authToken=`);
//! - [`pypi`]: the PEP 503 simple page (`{index}/{normalized-name}/`), which PyPI and pypiserver
//!   both serve.
//!
//! ```no_run
//! use cargo_relflow::registry::{cargo, http::Client, Environment, State};
//! let env = Environment::from_process();
//! let config = cargo::read_config(camino::Utf8Path::new("/repo"), &env)?;
//! let registry = config.default_registry()?;
//! let version = semver::Version::new(1, 0, 0);
//! let state = cargo::version_state(&Client::new(), &registry, "serde", &version, None)?;
//! assert_eq!(state, State::Published);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not here: publishing, waiting and retrying. A caller polls `version_state` with its own
//! backoff; a 429 is [`RegistryError::RateLimited`] with the server's `Retry-After`. Tokens are
//! [`http::Token`]s, which never appear in errors or `Debug` output.

pub mod cargo;
pub mod http;
pub mod npm;
pub mod pypi;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use camino::Utf8PathBuf;

/// Whether a version of a package is on its registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// The version is there (yanked versions count: they cannot be published again).
    Published,
    /// The registry does not have it, or does not know the package at all.
    Unpublished,
}

impl State {
    /// The name used in output and JSON (`published`, `unpublished`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Published => "published",
            State::Unpublished => "unpublished",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A registry could not say whether a version is there. URLs are shown without user-info and
/// no variant ever holds a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No answer: connection refused, DNS, TLS, timeout.
    #[error("cannot reach `{url}`: {message}")]
    Transport {
        /// The URL asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// 429 Too Many Requests.
    #[error("`{url}` answered 429 Too Many Requests{}", retry_after.map_or_else(String::new, |d| format!(" (retry after {} s)", d.as_secs())))]
    RateLimited {
        /// The URL asked.
        url: String,
        /// The server's `Retry-After`, when it gave one in seconds.
        retry_after: Option<Duration>,
    },
    /// 401 or 403.
    #[error("`{url}` answered {status}: the registry wants a token, or a different one")]
    Unauthorized {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// Any other status that is neither success nor "not found".
    #[error("`{url}` answered {status}: {detail}")]
    Status {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body.
        detail: String,
    },
    /// An answer relflow cannot read.
    #[error("cannot read the answer of `{url}`: {message}")]
    Malformed {
        /// The URL asked.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The registry is configured in a way no client here can check (a git index).
    #[error("{0}")]
    Unsupported(String),
}

/// The environment variables that registry configuration reads (`CARGO_HOME`,
/// `CARGO_REGISTRIES_*`, `npm_config_*`, `HOME`), taken once so that tests can pass their own.
/// Its `Debug` output lists the names only: values may be tokens.
#[derive(Clone, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
}

impl Environment {
    /// The environment of this process (variables that are not UTF-8 are left out).
    pub fn from_process() -> Environment {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(key, value)| {
                    Some((key.into_string().ok()?, value.into_string().ok()?))
                })
                .collect(),
        }
    }

    /// An environment of exactly these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Environment {
        Environment {
            vars: pairs
                .into_iter()
                .map(|(key, value)| (key.into(), value.into()))
                .collect(),
        }
    }

    /// The value of `name`, if set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The value of the first variable whose name equals `name` ignoring ASCII case (npm reads
    /// `npm_config_*` and `NPM_CONFIG_*` alike).
    pub fn get_ignore_case(&self, name: &str) -> Option<&str> {
        self.get(name).or_else(|| {
            self.vars
                .iter()
                .find(|(key, value)| key.eq_ignore_ascii_case(name) && !value.is_empty())
                .map(|(_, value)| value.as_str())
        })
    }

    /// Every variable that is set and not empty, by name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The home directory (`HOME`).
    pub fn home(&self) -> Option<Utf8PathBuf> {
        self.get("HOME").map(Utf8PathBuf::from)
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_debug_shows_names_only() {
        let env = Environment::from_pairs([("NPM_TOKEN", "npm_abc"), ("HOME", "/h")]);
        assert_eq!(format!("{env:?}"), "{\"HOME\", \"NPM_TOKEN\"}");
        assert_eq!(env.get_ignore_case("npm_token"), Some("npm_abc"));
        assert_eq!(env.get("NPM_TOKEN"), Some("npm_abc"));
        assert_eq!(env.home(), Some(Utf8PathBuf::from("/h")));
        assert_eq!(Environment::from_pairs([("X", "")]).get("X"), None);
    }

    #[test]
    fn errors_read_as_one_line() {
        let error = RegistryError::RateLimited {
            url: "http://127.0.0.1:1/api/v1/crates/new".into(),
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            error.to_string(),
            "`http://127.0.0.1:1/api/v1/crates/new` answered 429 Too Many Requests (retry after 3 s)"
        );
        assert_eq!(State::Unpublished.to_string(), "unpublished");
    }
}

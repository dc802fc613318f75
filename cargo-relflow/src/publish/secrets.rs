//! Credentials that must never be printed: every text relflow shows from a tool (its output, an
//! error, a git remote) goes through [`Secrets::scrub`] first, `-v` included.

use crate::registry::http::Token;
use crate::registry::Environment;

/// The shortest value treated as a secret (shorter ones would blank out ordinary words).
const SHORTEST: usize = 4;

/// Suffixes of environment variable names that hold credentials (`CARGO_REGISTRY_TOKEN`,
/// `CARGO_REGISTRIES_<NAME>_TOKEN`, `NPM_TOKEN`, `NODE_AUTH_TOKEN`, `TWINE_PASSWORD`,
/// `UV_PUBLISH_TOKEN`, `UV_PUBLISH_PASSWORD`, ...).
const SECRET_SUFFIXES: [&str; 6] = [
    "TOKEN",
    "PASSWORD",
    "SECRET",
    "_AUTH",
    "CREDENTIALS",
    "API_KEY",
];

/// The secret values to hide.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Vec<String>,
}

impl Secrets {
    /// The credentials of `env` (by variable name) and `tokens` read from tool configuration
    /// (`.npmrc` `_authToken` values).
    pub fn new<'a>(env: &Environment, tokens: impl IntoIterator<Item = &'a Token>) -> Secrets {
        let mut values: Vec<String> = env
            .iter()
            .filter(|(name, _)| {
                let upper = name.to_ascii_uppercase();
                SECRET_SUFFIXES.iter().any(|suffix| upper.ends_with(suffix))
            })
            .map(|(_, value)| value.to_owned())
            .chain(tokens.into_iter().map(|token| token.expose().to_owned()))
            .filter(|value| value.len() >= SHORTEST)
            .collect();
        // Longest first, so that a secret containing another is hidden whole.
        values.sort_by_key(|value| std::cmp::Reverse(value.len()));
        values.dedup();
        Secrets { values }
    }

    /// `text` with every secret replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for value in &self.values {
            if text.contains(value.as_str()) {
                text = text.replace(value.as_str(), "<redacted>");
            }
        }
        text
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.values.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_of_the_environment_and_config_are_scrubbed() {
        let env = Environment::from_pairs([
            ("CARGO_REGISTRIES_LOCAL_TOKEN", "cargo-secret-1"),
            ("TWINE_PASSWORD", "pw-secret-2"),
            ("npm_config_//host/:_auth", "basic-secret"),
            ("HOME", "/home/me"),
            ("SHORT_TOKEN", "abc"),
        ]);
        let npmrc = Token::new("npm-secret-3");
        let secrets = Secrets::new(&env, [&npmrc]);
        assert_eq!(
            secrets
                .scrub("a cargo-secret-1 b pw-secret-2 c npm-secret-3 d basic-secret /home/me abc"),
            "a <redacted> b <redacted> c <redacted> d <redacted> /home/me abc"
        );
        assert_eq!(format!("{secrets:?}"), "Secrets(4 values)");
    }
}

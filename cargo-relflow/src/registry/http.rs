//! The one blocking HTTP client the registry clients share, and the [`Token`] type that keeps
//! credentials out of errors and `Debug` output.
//!
//! A GET answers with the body (2xx), nothing (404, 410, 451: "not there"), or a
//! [`RegistryError`] that names the URL without its user-info and never the token.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::RegistryError;

/// How long one request may take, connection to last body byte.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer read (a packument of a package with thousands of versions is tens of MB).
const BODY_LIMIT: u64 = 128 * 1024 * 1024;
/// How much of an unexpected answer's body an error quotes.
const DETAIL_CHARS: usize = 200;

/// A registry credential. It is only ever sent in a request header: its `Debug` output is
/// redacted, it has no `Display`, and error messages replace it wherever a server echoes it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a credential read from the environment or a tool's configuration file.
    pub fn new(value: impl Into<String>) -> Token {
        Token(value.into())
    }

    /// The credential itself, for a request header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// How a token goes into the `Authorization` header.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// No credential.
    None,
    /// `Authorization: Bearer TOKEN` (npm).
    Bearer(&'a Token),
    /// `Authorization: TOKEN` (cargo registries).
    Raw(&'a Token),
    /// `Authorization: Basic base64(USER:PASSWORD)` (Python package indexes).
    Basic(&'a str, &'a Token),
}

impl Auth<'_> {
    fn token(&self) -> Option<&Token> {
        match self {
            Auth::None => None,
            Auth::Bearer(token) | Auth::Raw(token) | Auth::Basic(_, token) => Some(token),
        }
    }

    /// The `Authorization` header's value, if any.
    fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Bearer(token) => Some(format!("Bearer {}", token.expose())),
            Auth::Raw(token) => Some(token.expose().to_owned()),
            Auth::Basic(user, password) => Some(format!(
                "Basic {}",
                base64(format!("{user}:{}", password.expose()).as_bytes())
            )),
        }
    }
}

/// Standard base64 with padding (RFC 4648), for basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0u32, |word, (at, &byte)| {
            word | u32::from(byte) << (16 - 8 * at)
        });
        for at in 0..4 {
            if at <= chunk.len() {
                out.push(char::from(ALPHABET[(word >> (18 - 6 * at)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A blocking HTTP client (ureq) with a timeout, relflow's user agent, the platform's trust store
/// (`SSL_CERT_FILE` and the system's CA bundle), the proxy settings of the environment
/// (`HTTPS_PROXY`, `NO_PROXY`), and no `Authorization` header on redirects to another host.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    /// Answers worth asking once per run (whether a sparse index wants a token), by key.
    remembered: Arc<Mutex<HashMap<String, bool>>>,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// A client whose requests give up after 30 seconds.
    pub fn new() -> Client {
        Client::with_timeout(DEFAULT_TIMEOUT)
    }

    /// A client whose requests give up after `timeout`.
    pub fn with_timeout(timeout: Duration) -> Client {
        // The platform's roots, as cargo, npm and pip use, not a bundled copy of Mozilla's.
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .tls_config(tls)
            .http_status_as_error(false)
            .user_agent(concat!("cargo-relflow/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            agent,
            remembered: Arc::default(),
        }
    }

    /// The answer for `key`, found with `find` the first time it is asked.
    pub(crate) fn remembered(
        &self,
        key: &str,
        find: impl FnOnce() -> Result<bool, RegistryError>,
    ) -> Result<bool, RegistryError> {
        let known = self
            .remembered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .copied();
        if let Some(answer) = known {
            return Ok(answer);
        }
        let answer = find()?;
        self.remembered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.to_owned(), answer);
        Ok(answer)
    }

    /// The configured agent, for clients that need other methods than GET (the forges).
    pub(crate) fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// GETs `url` with `accept` and `auth`: the body on 2xx, `None` when the resource does not
    /// exist (404, 410, 451), an error otherwise (429 is [`RegistryError::RateLimited`]).
    pub(crate) fn get_optional(
        &self,
        url: &str,
        accept: &str,
        auth: Auth<'_>,
    ) -> Result<Option<Vec<u8>>, RegistryError> {
        let shown = redact_url(url);
        let transport = |error: ureq::Error| RegistryError::Transport {
            url: shown.clone(),
            message: scrub(&error.to_string().replace(url, &shown), auth.token()),
        };
        let mut request = self.agent.get(url).header("Accept", accept);
        if let Some(header) = auth.header() {
            request = request.header("Authorization", header);
        }
        let mut response = request.call().map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(parse_retry_after);
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(transport)?;
        match status {
            200..=299 => Ok(Some(body)),
            404 | 410 | 451 => Ok(None),
            429 => Err(RegistryError::RateLimited {
                url: shown,
                retry_after,
            }),
            401 | 403 => Err(RegistryError::Unauthorized { url: shown, status }),
            _ => Err(RegistryError::Status {
                url: shown,
                status,
                detail: scrub(&excerpt(&body), auth.token()),
            }),
        }
    }
}

impl Client {
    /// POSTs `fields` as `application/x-www-form-urlencoded` to `url` with `auth`: `Ok` on 2xx,
    /// an error naming the status otherwise (404 included: the caller asked for an action on
    /// something that is there).
    pub(crate) fn post_form(
        &self,
        url: &str,
        fields: &[(&str, &str)],
        auth: Auth<'_>,
    ) -> Result<(), RegistryError> {
        let shown = redact_url(url);
        let transport = |error: ureq::Error| RegistryError::Transport {
            url: shown.clone(),
            message: scrub(&error.to_string().replace(url, &shown), auth.token()),
        };
        let mut request = self.agent.post(url);
        if let Some(header) = auth.header() {
            request = request.header("Authorization", header);
        }
        let mut response = request
            .send_form(fields.iter().copied())
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(transport)?;
        match status {
            200..=299 => Ok(()),
            429 => Err(RegistryError::RateLimited {
                url: shown,
                retry_after: None,
            }),
            401 | 403 => Err(RegistryError::Unauthorized { url: shown, status }),
            _ => Err(RegistryError::Status {
                url: shown,
                status,
                detail: scrub(&excerpt(&body), auth.token()),
            }),
        }
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not read: the caller then uses its own backoff).
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The start of a body as one line, for an error message.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(DETAIL_CHARS) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line,
    }
}

/// `text` with every occurrence of the token replaced.
fn scrub(text: &str, token: Option<&Token>) -> String {
    match token {
        Some(token) if !token.expose().is_empty() => text.replace(token.expose(), "<redacted>"),
        _ => text.to_owned(),
    }
}

/// Whether a credential may be sent to `url`: over https, or over plain http only to this
/// machine (127.0.0.0/8, `::1`, `localhost`), where nothing crosses a network.
pub fn credential_may_go_to(url: &str) -> bool {
    let url = url.strip_prefix("sparse+").unwrap_or(url);
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `url` without user-info (`https://user:secret@host/` becomes `https://<redacted>@host/`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_over_https_or_to_this_machine_only() {
        for url in [
            "https://index.crates.io/",
            "sparse+https://example.com/index/",
            "sparse+http://127.0.0.1:8080/",
            "http://localhost/",
            "http://[::1]:3000/x",
            "http://user:pw@127.0.0.2/",
        ] {
            assert!(credential_may_go_to(url), "{url}");
        }
        for url in [
            "sparse+http://192.0.2.1/index/",
            "http://registry.example.com/",
            "http://127.0.0.1.example.com/",
            "ftp://127.0.0.1/",
        ] {
            assert!(!credential_may_go_to(url), "{url}");
        }
    }

    #[test]
    fn basic_credentials_in_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        let password = Token::new("pass");
        assert_eq!(
            Auth::Basic("user", &password).header().as_deref(),
            Some("Basic dXNlcjpwYXNz")
        );
    }

    #[test]
    fn token_debug_is_redacted() {
        let token = Token::new("npm_SECRET123");
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        assert_eq!(
            format!("{:?}", Auth::Bearer(&token)),
            "Bearer(Token(<redacted>))"
        );
    }

    #[test]
    fn user_info_is_removed_from_urls() {
        assert_eq!(
            redact_url("https://me:secret@registry.example/path/@scope%2fname"),
            "https://<redacted>@registry.example/path/@scope%2fname"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:4873/@scope%2fname"),
            "http://127.0.0.1:4873/@scope%2fname"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn echoed_tokens_are_scrubbed_and_bodies_shortened() {
        let token = Token::new("s3cret");
        assert_eq!(
            scrub("bad token s3cret\n", Some(&token)),
            "bad token <redacted>\n"
        );
        let long = "word ".repeat(100);
        let short = excerpt(long.as_bytes());
        assert!(short.ends_with("...") && short.len() == DETAIL_CHARS + 3);
        assert_eq!(excerpt(b"{\"errors\":\n  []}"), "{\"errors\": []}");
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn unreachable_server_is_a_transport_error_without_user_info() {
        // Port 9 (discard) on loopback: nothing listens there on a test machine.
        let error = Client::with_timeout(Duration::from_secs(5))
            .get_optional("http://me:pw@127.0.0.1:9/x", "*/*", Auth::None)
            .unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, RegistryError::Transport { .. }), "{text}");
        assert!(!text.contains("pw"), "{text}");
    }
}

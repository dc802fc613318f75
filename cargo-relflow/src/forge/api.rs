//! The HTTP side every forge client shares: the base URL, the token header, JSON in and out,
//! error statuses turned into [`ForgeError`]s that say what they mean, and page following.

use serde::de::DeserializeOwned;
use ureq::http;

use super::{ForgeError, ForgeKind};
use crate::registry::http::{excerpt, redact_url, Client, Token};

/// The largest answer read (a release list page, an asset list).
const BODY_LIMIT: u64 = 64 * 1024 * 1024;
/// Pages followed at most, so a server that always says "next" cannot loop a run forever.
const MAX_PAGES: usize = 1000;

/// What a request sends.
pub(crate) enum Body<'a> {
    /// Nothing.
    Empty,
    /// A JSON document.
    Json(&'a serde_json::Value),
    /// Bytes with their content type.
    Raw(&'a str, &'a [u8]),
    /// `multipart/form-data` with one file field.
    File {
        /// The form field.
        field: &'a str,
        /// The file name.
        name: &'a str,
        /// Its content.
        content: &'a [u8],
    },
}

/// An answer with a 2xx status.
pub(crate) struct Answer {
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One forge's API.
#[derive(Clone)]
pub(crate) struct Api {
    kind: ForgeKind,
    base: String,
    token: Option<Token>,
    client: Client,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("kind", &self.kind)
            .field("base", &redact_url(&self.base))
            .field("token", &self.token)
            .finish()
    }
}

impl Api {
    pub fn new(kind: ForgeKind, base: &str, token: Option<Token>) -> Api {
        Api {
            kind,
            base: base.trim_end_matches('/').to_owned(),
            token,
            client: Client::new(),
        }
    }

    /// `base` + `path` (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends one request to `url`; a non-2xx status is an error, `allow_404` makes 404 `None`.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        body: Body<'_>,
        allow_404: bool,
    ) -> Result<Option<Answer>, ForgeError> {
        let shown = redact_url(url);
        let transport = |message: String| ForgeError::Transport {
            kind: self.kind,
            method: method.to_owned(),
            url: shown.clone(),
            message: self.scrub(&message.replace(url, &shown)),
        };
        let mut builder = http::Request::builder().method(method).uri(url);
        builder = match self.kind {
            ForgeKind::GitHub => builder
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28"),
            ForgeKind::Gitea | ForgeKind::GitLab => builder.header("Accept", "application/json"),
        };
        if let Some(token) = &self.token {
            builder = match self.kind {
                ForgeKind::GitHub => {
                    builder.header("Authorization", format!("Bearer {}", token.expose()))
                }
                ForgeKind::Gitea => {
                    builder.header("Authorization", format!("token {}", token.expose()))
                }
                ForgeKind::GitLab => builder.header("PRIVATE-TOKEN", token.expose()),
            };
        }
        let request = match body {
            Body::Empty => builder.body(Vec::new()).map(|r| (r, false)),
            Body::Json(value) => builder
                .header("Content-Type", "application/json")
                .body(value.to_string().into_bytes())
                .map(|r| (r, true)),
            Body::Raw(content_type, bytes) => builder
                .header("Content-Type", content_type)
                .body(bytes.to_vec())
                .map(|r| (r, true)),
            Body::File {
                field,
                name,
                content,
            } => {
                let boundary = format!("relflow-{:016x}", fastrand::u64(..));
                builder
                    .header(
                        "Content-Type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(multipart(&boundary, field, name, content))
                    .map(|r| (r, true))
            }
        };
        let (request, has_body) = request.map_err(|e| transport(e.to_string()))?;
        let response = if has_body {
            self.client.agent().run(request)
        } else {
            let (parts, _) = request.into_parts();
            self.client
                .agent()
                .run(http::Request::from_parts(parts, ()))
        };
        let mut response = response.map_err(|e| transport(e.to_string()))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((
                    name.as_str().to_ascii_lowercase(),
                    value.to_str().ok()?.to_owned(),
                ))
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(|e| transport(e.to_string()))?;
        match status {
            200..=299 => Ok(Some(Answer { headers, body })),
            404 if allow_404 => Ok(None),
            _ => Err(ForgeError::Status {
                kind: self.kind,
                method: method.to_owned(),
                url: shown,
                status,
                meaning: self.meaning(status),
                detail: self.detail(&body),
            }),
        }
    }

    /// Sends a request and reads the JSON answer.
    pub fn json<T: DeserializeOwned>(
        &self,
        method: &str,
        url: &str,
        body: Body<'_>,
    ) -> Result<T, ForgeError> {
        let answer = self.send(method, url, body, false)?;
        self.parse(method, url, &answer.map(|a| a.body).unwrap_or_default())
    }

    /// GETs `url`'s JSON; `None` on 404.
    pub fn get_optional<T: DeserializeOwned>(&self, url: &str) -> Result<Option<T>, ForgeError> {
        match self.send("GET", url, Body::Empty, true)? {
            Some(answer) => self.parse("GET", url, &answer.body).map(Some),
            None => Ok(None),
        }
    }

    /// Every item of a paged list: GETs `first`, then whatever `next` says comes after each page.
    pub fn pages<T: DeserializeOwned>(
        &self,
        first: String,
        next: impl Fn(&Answer, &str, usize) -> Option<String>,
    ) -> Result<Vec<T>, ForgeError> {
        let mut items = Vec::new();
        let mut url = first;
        for _ in 0..MAX_PAGES {
            let Some(answer) = self.send("GET", &url, Body::Empty, false)? else {
                break;
            };
            let page: Vec<T> = self.parse("GET", &url, &answer.body)?;
            let count = page.len();
            items.extend(page);
            match next(&answer, &url, count) {
                Some(following) if count > 0 => url = following,
                _ => break,
            }
        }
        Ok(items)
    }

    fn parse<T: DeserializeOwned>(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
    ) -> Result<T, ForgeError> {
        serde_json::from_slice(body).map_err(|e| ForgeError::Transport {
            kind: self.kind,
            method: method.to_owned(),
            url: redact_url(url),
            message: format!(
                "the answer is not the JSON the {} API documents ({e}): {}",
                self.kind,
                self.scrub(&excerpt(body))
            ),
        })
    }

    /// What a status means for a forge request, and what to do about it.
    fn meaning(&self, status: u16) -> String {
        let variable = self.kind.token_variable();
        match status {
            401 if self.token.is_none() => format!("not authenticated: set `{variable}`"),
            401 => format!("the token in `{variable}` was refused (wrong, expired or revoked)"),
            403 => format!(
                "the token in `{variable}` may not do this (it needs write access to the \
                 repository's contents, releases and pull requests), or a rate limit was hit"
            ),
            404 => format!(
                "not found: check the repository and API URL (`[forge]` in relflow.toml, or \
                 `origin`), and that the token in `{variable}` can see the repository"
            ),
            409 | 422 => "the forge refused the request as invalid or conflicting".to_owned(),
            429 => "rate limited: wait and run it again".to_owned(),
            500..=599 => "the forge failed; run the command again later (a re-run finishes what \
                          was left)"
                .to_owned(),
            _ => "unexpected status".to_owned(),
        }
    }

    /// The forge's own message from an error body (` (message)`), scrubbed.
    fn detail(&self, body: &[u8]) -> String {
        let text = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(value) => {
                let mut parts = Vec::new();
                for key in ["message", "error", "errors"] {
                    match value.get(key) {
                        Some(serde_json::Value::String(s)) => parts.push(s.clone()),
                        Some(serde_json::Value::Null) | None => {}
                        Some(other) => parts.push(other.to_string()),
                    }
                }
                parts.join(": ")
            }
            Err(_) => excerpt(body),
        };
        let text = self.scrub(&excerpt(text.as_bytes()));
        if text.is_empty() {
            String::new()
        } else {
            format!(" ({text})")
        }
    }

    fn scrub(&self, text: &str) -> String {
        match &self.token {
            Some(token) if !token.expose().is_empty() => text.replace(token.expose(), "<redacted>"),
            _ => text.to_owned(),
        }
    }
}

/// The `rel="next"` URL of a `Link` header (RFC 8288, as GitHub and Gitea send it).
pub(crate) fn link_next(answer: &Answer) -> Option<String> {
    answer.header("link")?.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        is_next.then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

/// `url` with its `name` query parameter set to `value`.
pub(crate) fn with_query(url: &str, name: &str, value: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(name))
        .map(str::to_owned)
        .collect();
    pairs.push(format!("{name}={}", encode(value)));
    format!("{path}?{}", pairs.join("&"))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A `multipart/form-data` body with one file field.
fn multipart(boundary: &str, field: &str, name: &str, content: &[u8]) -> Vec<u8> {
    let quoted = name.replace(['"', '\r', '\n'], "_");
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{quoted}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(link: &str) -> Answer {
        Answer {
            headers: vec![("link".into(), link.into())],
            body: Vec::new(),
        }
    }

    #[test]
    fn link_header_next() {
        let link = r#"<https://api.github.com/repositories/1/releases?page=3>; rel="next", <https://api.github.com/repositories/1/releases?page=5>; rel="last""#;
        assert_eq!(
            link_next(&answer(link)).as_deref(),
            Some("https://api.github.com/repositories/1/releases?page=3")
        );
        assert_eq!(
            link_next(&answer(r#"<https://x/?page=1>; rel="prev""#)),
            None
        );
    }

    #[test]
    fn query_parameters_and_encoding() {
        assert_eq!(
            with_query("http://h/p?page=1&limit=50", "page", "2"),
            "http://h/p?limit=50&page=2"
        );
        assert_eq!(
            with_query("http://h/p", "name", "a b@1.0.tgz"),
            "http://h/p?name=a%20b%401.0.tgz"
        );
        assert_eq!(encode("group/sub/project"), "group%2Fsub%2Fproject");
    }

    #[test]
    fn multipart_body() {
        let body = multipart("B", "attachment", "a\"b.txt", b"data");
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            "--B\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a_b.txt\"\r\nContent-Type: application/octet-stream\r\n\r\ndata\r\n--B--\r\n"
        );
    }

    #[test]
    fn status_meanings_name_the_variable_and_never_the_token() {
        let api = Api::new(
            ForgeKind::Gitea,
            "http://127.0.0.1:9/api/v1",
            Some(Token::new("tok-123")),
        );
        assert!(api.meaning(401).contains("GITEA_TOKEN"));
        assert_eq!(
            api.detail(br#"{"message":"bad tok-123"}"#),
            " (bad <redacted>)"
        );
        assert_eq!(
            api.detail(br#"{"message":"Validation Failed","errors":[{"code":"already_exists"}]}"#),
            r#" (Validation Failed: [{"code":"already_exists"}])"#
        );
        assert!(!format!("{api:?}").contains("tok-123"));
    }
}

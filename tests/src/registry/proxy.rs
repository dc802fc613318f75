//! A small HTTP proxy in front of the real cargo registry, for what the server itself cannot do:
//! hold back a newly published version from index answers for a while (as crates.io's CDN
//! does), and answer the first publishes with 429 and `Retry-After` (as crates.io's rate limit
//! does). Everything else, "already exists" refusals included, passes through unchanged.
//!
//! One thread accepts; each connection gets a thread, one request, and `Connection: close`.
//! Requests go upstream with ureq; the proxy only binds 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::agent;

/// What the proxy does besides forwarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxySettings {
    /// For this long after a version is published, index answers leave it out.
    pub index_delay: Duration,
    /// The first this many publish requests are answered 429 without reaching the registry.
    pub rate_limit_first: usize,
    /// The `Retry-After` of those 429 answers.
    pub retry_after: Duration,
    /// Whether the index's `config.json` says `"auth-required": true` (the server's own does
    /// not), as a private registry's does.
    pub auth_required: bool,
}

impl Default for ProxySettings {
    /// A transparent proxy.
    fn default() -> Self {
        ProxySettings {
            index_delay: Duration::ZERO,
            rate_limit_first: 0,
            retry_after: Duration::from_secs(1),
            auth_required: false,
        }
    }
}

/// What the proxy has seen, for assertions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Publish requests passed to the registry (successful or not).
    pub publishes_forwarded: usize,
    /// Publish requests the registry accepted (200).
    pub publishes_accepted: usize,
    /// Publish requests answered 429.
    pub publishes_rate_limited: usize,
    /// Index answers from which a new version was held back.
    pub index_answers_held: usize,
    /// Reads of crate files of the index (not `config.json`, not the API).
    pub index_reads: usize,
    /// Those of them that carried an `Authorization` header.
    pub index_reads_with_authorization: usize,
}

/// A listener bound before the registry starts, so that the registry can advertise its address.
pub struct BoundProxy {
    listener: TcpListener,
}

impl BoundProxy {
    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        let addr = self.listener.local_addr().expect("bound proxy address");
        format!("http://{addr}")
    }

    /// Starts forwarding to `upstream`.
    pub fn run(self, upstream: SocketAddr, settings: ProxySettings) -> RegistryProxy {
        let origin = self.origin();
        let shared = Arc::new(Shared {
            upstream,
            settings,
            state: Mutex::new(ProxyState::default()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        self.listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let accept = std::thread::spawn({
            let (shared, stop, listener) = (Arc::clone(&shared), Arc::clone(&stop), self.listener);
            move || accept_loop(&listener, &shared, &stop)
        });
        RegistryProxy {
            origin,
            shared,
            stop,
            accept: Some(accept),
        }
    }
}

/// The running proxy; it stops accepting when dropped.
pub struct RegistryProxy {
    origin: String,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl RegistryProxy {
    /// Binds a free port on 127.0.0.1.
    pub fn bind() -> BoundProxy {
        BoundProxy {
            listener: TcpListener::bind("127.0.0.1:0").expect("bind the proxy on 127.0.0.1"),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        self.origin.clone()
    }

    /// What it has seen so far.
    pub fn stats(&self) -> ProxyStats {
        self.shared.lock().stats
    }
}

impl Drop for RegistryProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

struct Shared {
    upstream: SocketAddr,
    settings: ProxySettings,
    state: Mutex<ProxyState>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, ProxyState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Default)]
struct ProxyState {
    stats: ProxyStats,
    /// Published versions: lower-case crate name, version, when.
    published: Vec<(String, String, Instant)>,
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Headers that belong to one connection, or that the proxy sets itself.
const NOT_FORWARDED: [&str; 12] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "http2-settings",
    "host",
    "content-length",
    "expect",
    "accept-encoding",
];

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let shared = Arc::clone(shared);
                std::thread::spawn(move || {
                    let _ = serve(stream, &shared);
                });
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let Some(request) = read_request(&mut BufReader::new(stream), &mut writer)? else {
        return Ok(());
    };
    let response = route(&request, shared);
    write_response(&mut writer, &response)
}

/// One request; answers `Expect: 100-continue` before reading the body.
fn read_request(
    reader: &mut impl BufRead,
    writer: &mut impl Write,
) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    if header("expect").is_some_and(|value| value.eq_ignore_ascii_case("100-continue")) {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let length = header("content-length")
        .and_then(|value| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        method,
        target,
        headers,
        body,
    }))
}

fn route(request: &Request, shared: &Shared) -> Response {
    if request.method == "PUT" && request.target == "/api/v1/crates/new" {
        return publish(request, shared);
    }
    if request.method == "GET" && request.target == "/config.json" {
        return index_config(request, shared);
    }
    if request.method == "GET" && !request.target.starts_with("/api/") {
        let mut state = shared.lock();
        state.stats.index_reads += 1;
        if request
            .headers
            .iter()
            .any(|(key, _)| key.eq_ignore_ascii_case("authorization"))
        {
            state.stats.index_reads_with_authorization += 1;
        }
    }
    if request.method == "GET" {
        if let Some((name, held)) = held_versions(&request.target, shared) {
            return index_without(request, shared, &name, &held);
        }
    }
    forward(request, shared.upstream)
}

/// The server's `config.json`, with `"auth-required": true` added when the settings ask for it.
fn index_config(request: &Request, shared: &Shared) -> Response {
    let mut response = forward(request, shared.upstream);
    if response.status == 200 && shared.settings.auth_required {
        if let Ok(mut config) = serde_json::from_slice::<serde_json::Value>(&response.body) {
            config["auth-required"] = serde_json::Value::Bool(true);
            response.body = config.to_string().into_bytes();
        }
    }
    response
}

fn publish(request: &Request, shared: &Shared) -> Response {
    {
        let mut state = shared.lock();
        if state.stats.publishes_rate_limited < shared.settings.rate_limit_first {
            state.stats.publishes_rate_limited += 1;
            let seconds = shared.settings.retry_after.as_secs();
            return Response {
                status: 429,
                headers: vec![
                    ("Retry-After".into(), seconds.to_string()),
                    ("Content-Type".into(), "application/json".into()),
                ],
                body: serde_json::json!({"errors": [{"detail": format!(
                    "You have published too many crates in a short period of time. Please try again after {seconds} seconds."
                )}]})
                .to_string()
                .into_bytes(),
            };
        }
        state.stats.publishes_forwarded += 1;
    }
    let response = forward(request, shared.upstream);
    if response.status == 200 {
        if let Some((name, version)) = publish_metadata(&request.body) {
            let mut state = shared.lock();
            state.stats.publishes_accepted += 1;
            state
                .published
                .push((name.to_ascii_lowercase(), version, Instant::now()));
        }
    }
    response
}

/// The crate name and version of a publish body (a little-endian u32 length, then JSON).
fn publish_metadata(body: &[u8]) -> Option<(String, String)> {
    let length = u32::from_le_bytes(body.get(..4)?.try_into().ok()?) as usize;
    let json: serde_json::Value = serde_json::from_slice(body.get(4..4 + length)?).ok()?;
    Some((
        json["name"].as_str()?.to_owned(),
        json["vers"].as_str()?.to_owned(),
    ))
}

/// For an index file path (its last segment is the crate name), the versions still held back.
fn held_versions(target: &str, shared: &Shared) -> Option<(String, Vec<String>)> {
    if target.starts_with("/api/") || target.contains('?') {
        return None;
    }
    let name = target.rsplit('/').next()?.to_ascii_lowercase();
    let state = shared.lock();
    let held: Vec<String> = state
        .published
        .iter()
        .filter(|(crate_name, _, at)| {
            *crate_name == name && at.elapsed() < shared.settings.index_delay
        })
        .map(|(_, version, _)| version.clone())
        .collect();
    (!held.is_empty()).then_some((name, held))
}

/// The index file without the `held` versions, uncached: no validators either way, so that
/// cargo cannot keep the held-back answer once the delay is over.
fn index_without(request: &Request, shared: &Shared, name: &str, held: &[String]) -> Response {
    let unconditional = Request {
        method: request.method.clone(),
        target: request.target.clone(),
        headers: request
            .headers
            .iter()
            .filter(|(key, _)| {
                !key.eq_ignore_ascii_case("if-none-match")
                    && !key.eq_ignore_ascii_case("if-modified-since")
            })
            .cloned()
            .collect(),
        body: Vec::new(),
    };
    let mut response = forward(&unconditional, shared.upstream);
    if response.status != 200 {
        return response;
    }
    shared.lock().stats.index_answers_held += 1;
    let text = String::from_utf8_lossy(&response.body).into_owned();
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            let version = entry["vers"].as_str().unwrap_or_default();
            !held.iter().any(|held| held == version)
        })
        .filter(|line| !line.trim().is_empty())
        .collect();
    response.headers.retain(|(key, _)| {
        !key.eq_ignore_ascii_case("etag") && !key.eq_ignore_ascii_case("last-modified")
    });
    if kept.is_empty() {
        response.status = 404;
        response.body = serde_json::json!({"errors": [{"detail": format!("not found: {name}")}]})
            .to_string()
            .into_bytes();
    } else {
        response.body = format!("{}\n", kept.join("\n")).into_bytes();
    }
    response
}

fn forward(request: &Request, upstream: SocketAddr) -> Response {
    let mut builder = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(format!("http://{upstream}{}", request.target));
    for (key, value) in &request.headers {
        if !NOT_FORWARDED
            .iter()
            .any(|skip| key.eq_ignore_ascii_case(skip))
        {
            builder = builder.header(key.as_str(), value.as_str());
        }
    }
    let agent = agent(Duration::from_secs(60));
    let answer = if request.body.is_empty() {
        builder.body(()).map(|built| agent.run(built))
    } else {
        builder
            .body(request.body.as_slice())
            .map(|built| agent.run(built))
    };
    let mut upstream_response = match answer {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => return bad_gateway(&error.to_string()),
        Err(error) => return bad_gateway(&error.to_string()),
    };
    let headers = upstream_response
        .headers()
        .iter()
        .filter(|(key, _)| {
            !NOT_FORWARDED
                .iter()
                .any(|skip| key.as_str().eq_ignore_ascii_case(skip))
        })
        .filter_map(|(key, value)| Some((key.to_string(), value.to_str().ok()?.to_owned())))
        .collect();
    let status = upstream_response.status().as_u16();
    match upstream_response
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_vec()
    {
        Ok(body) => Response {
            status,
            headers,
            body,
        },
        Err(error) => bad_gateway(&error.to_string()),
    }
}

fn bad_gateway(message: &str) -> Response {
    Response {
        status: 502,
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: format!("relflow test proxy: {message}").into_bytes(),
    }
}

fn write_response(writer: &mut impl Write, response: &Response) -> std::io::Result<()> {
    let reason = ureq::http::StatusCode::from_u16(response.status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("");
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (key, value) in &response.headers {
        head.push_str(&format!("{key}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    writer.write_all(head.as_bytes())?;
    writer.write_all(&response.body)?;
    writer.flush()
}

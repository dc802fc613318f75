//! The HTTP side: one request per connection, recorded, checked for failures and the token,
//! then routed to the forge's handlers.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use super::{Kind, RecordedRequest, Shared};

/// An answer.
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, value: &Value) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: value.to_string().into_bytes(),
        }
    }

    pub fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: String) -> Response {
        self.headers.push((name.to_owned(), value));
        self
    }

    /// The forge's error body for `status`.
    pub fn error(kind: Kind, status: u16, message: &str) -> Response {
        let body = match kind {
            Kind::GitHub => json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest",
                "status": status.to_string(),
            }),
            Kind::Gitea => json!({"message": message, "url": "https://gitea.com/api/swagger"}),
            Kind::GitLab if status == 404 => json!({"message": format!("404 {message}")}),
            Kind::GitLab => json!({"message": message}),
        };
        Response::json(status, &body)
    }
}

/// A parsed request for the handlers.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    /// Path segments after the API prefix, percent-decoded.
    pub segments: Vec<String>,
    pub recorded: &'a RecordedRequest,
}

impl Request<'_> {
    /// Query parameter `name`, percent-decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        self.recorded.query(name).map(decode)
    }

    pub fn json(&self) -> Value {
        self.recorded.json()
    }

    pub fn segments(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }
}

pub(crate) fn serve(stream: TcpStream, shared: &Shared) {
    let _ = serve_one(stream, shared);
}

fn serve_one(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let Some(recorded) = read_request(&mut BufReader::new(stream), &mut writer)? else {
        return Ok(());
    };
    let response = answer(&recorded, shared);
    shared.lock().requests.push(recorded);
    write_response(&mut writer, &response)
}

fn answer(recorded: &RecordedRequest, shared: &Shared) -> Response {
    let kind = shared.kind;
    if let Some(status) = shared
        .lock()
        .take_failure(&recorded.method, recorded.path())
    {
        let message = match status {
            401 => "Bad credentials",
            403 => "Resource not accessible by integration",
            404 => "Not Found",
            422 => "Validation Failed",
            _ => "Internal Server Error",
        };
        return Response::error(kind, status, message);
    }
    let presented = match kind {
        Kind::GitHub => recorded.header("authorization").and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("token "))
        }),
        Kind::Gitea => recorded.header("authorization").and_then(|v| {
            v.strip_prefix("token ")
                .or_else(|| v.strip_prefix("Bearer "))
        }),
        Kind::GitLab => recorded.header("private-token"),
    };
    match presented {
        Some(token) if token != shared.token => {
            return Response::error(kind, 401, "Bad credentials");
        }
        None if recorded.method != "GET" => {
            return Response::error(kind, 401, "Requires authentication");
        }
        _ => {}
    }
    let path = recorded.path();
    let (prefix, upload) = match kind {
        Kind::GitHub if path.starts_with("/api/uploads/") => ("/api/uploads", true),
        _ => (kind.api_prefix(), false),
    };
    let Some(rest) = path.strip_prefix(prefix) else {
        return Response::error(kind, 404, "Not Found");
    };
    let request = Request {
        method: &recorded.method,
        segments: rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect(),
        recorded,
    };
    let mut state = shared.lock();
    match kind {
        Kind::GitHub => super::github::route(&mut state, shared, &request, upload),
        Kind::Gitea => super::gitea::route(&mut state, shared, &request),
        Kind::GitLab => super::gitlab::route(&mut state, shared, &request),
    }
}

/// One page of `items` with the forge's pagination headers. `page_param`/`size_param` are the
/// query names (`page` and `per_page` or `limit`).
pub(crate) fn paginate(
    kind: Kind,
    shared: &Shared,
    request: &Request<'_>,
    items: Vec<Value>,
    max_page_size: usize,
) -> Response {
    let size_param = if kind == Kind::Gitea {
        "limit"
    } else {
        "per_page"
    };
    let default_size = match kind {
        Kind::GitHub => 30,
        Kind::Gitea => max_page_size,
        Kind::GitLab => 20,
    };
    let size = request
        .query(size_param)
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(default_size)
        .clamp(1, max_page_size);
    let page = request
        .query("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let pages = total.div_ceil(size).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    let url_for = |p: usize| {
        let mut target = with_param(&request.recorded.target, "page", &p.to_string());
        target = with_param(&target, size_param, &size.to_string());
        format!("{}{target}", shared.origin)
    };
    let mut links = Vec::new();
    if page < pages {
        links.push(format!("<{}>; rel=\"next\"", url_for(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", url_for(pages)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"first\"", url_for(1)));
        links.push(format!("<{}>; rel=\"prev\"", url_for(page - 1)));
    }
    let mut response = Response::json(200, &Value::Array(slice));
    if !links.is_empty() {
        response = response.with_header("Link", links.join(", "));
    }
    match kind {
        Kind::GitHub => response,
        Kind::Gitea => response.with_header("X-Total-Count", total.to_string()),
        Kind::GitLab => {
            let next = if page < pages {
                (page + 1).to_string()
            } else {
                String::new()
            };
            let prev = if page > 1 {
                (page - 1).to_string()
            } else {
                String::new()
            };
            response
                .with_header("X-Page", page.to_string())
                .with_header("X-Per-Page", size.to_string())
                .with_header("X-Next-Page", next)
                .with_header("X-Prev-Page", prev)
                .with_header("X-Total", total.to_string())
                .with_header("X-Total-Pages", pages.to_string())
        }
    }
}

fn with_param(target: &str, name: &str, value: &str) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(name))
        .map(str::to_owned)
        .collect();
    pairs.push(format!("{name}={value}"));
    format!("{path}?{}", pairs.join("&"))
}

/// Percent-decoding (`+` stays a plus, as in paths).
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(text.get(i + 1..i + 3).unwrap_or("zz"), 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file of a `multipart/form-data` body's field `field`: (file name, bytes).
pub(crate) fn multipart_file(recorded: &RecordedRequest, field: &str) -> Option<(String, Vec<u8>)> {
    let content_type = recorded.header("content-type")?;
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let body = &recorded.body;
    let mut at = find(body, delimiter.as_bytes(), 0)?;
    loop {
        let part_start = at + delimiter.len();
        if body.get(part_start..part_start + 2) == Some(b"--") {
            return None;
        }
        let headers_end = find(body, b"\r\n\r\n", part_start)?;
        let headers = String::from_utf8_lossy(&body[part_start..headers_end]);
        let next = find(body, delimiter.as_bytes(), headers_end)?;
        let content = &body[headers_end + 4..next.saturating_sub(2)];
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        if disposition.contains(&format!("name=\"{field}\"")) {
            let name = disposition
                .split("filename=\"")
                .nth(1)
                .and_then(|n| n.split('"').next())
                .unwrap_or_default();
            return Some((name.to_owned(), content.to_vec()));
        }
        at = next;
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn read_request(
    reader: &mut impl BufRead,
    writer: &mut impl Write,
) -> std::io::Result<Option<RecordedRequest>> {
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
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    if header("expect").is_some_and(|value| value.eq_ignore_ascii_case("100-continue")) {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        read_chunked(reader)?
    } else {
        let length = header("content-length")
            .and_then(|value| value.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some(RecordedRequest {
        method,
        target,
        headers,
        body,
    }))
}

fn read_chunked(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let size =
            usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        if size == 0 {
            line.clear();
            reader.read_line(&mut line)?;
            return Ok(body);
        }
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        chunk.truncate(size);
        body.extend(chunk);
    }
}

fn write_response(writer: &mut impl Write, response: &Response) -> std::io::Result<()> {
    let reason = match response.status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        _ => "Error",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    writer.write_all(head.as_bytes())?;
    writer.write_all(&response.body)?;
    writer.flush()
}

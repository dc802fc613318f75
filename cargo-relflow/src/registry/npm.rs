//! npm registries: which one a package goes to, and whether a version is in its packument.
//!
//! [`read_config`] reads what npm reads for this: `npm_config_*` variables, then the project's
//! `.npmrc`, then the user's (`npm_config_userconfig`, else `~/.npmrc`), with `${VAR}`
//! expansion. [`NpmConfig::registry_for`] applies `@scope:registry=`, and
//! [`NpmConfig::token_for`] finds `//host/path/:_authToken=` the way npm matches it to a URL.
//! [`packument`] GETs `{registry}/{name}` (scoped names as `@scope%2fname`, abbreviated form).
//!
//! Not here: npm's global and built-in config files, `_auth` / `username` + `_password` basic
//! credentials, and certificate settings.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::config::read_optional;
use cargo_relflow_sync::InputError;
use serde::Deserialize;

use super::http::{redact_url, Auth, Client, Token};
use super::{Environment, RegistryError, State};

/// The public npm registry.
pub const NPMJS_REGISTRY: &str = "https://registry.npmjs.org/";

/// The accept header of npm's own client: the abbreviated packument, else the full one.
const ACCEPT: &str = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

/// The prefix of npm's configuration variables (any case).
const PREFIX: &str = "npm_config_";

/// The registry settings npm would use in a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmConfig {
    registry: String,
    scoped: BTreeMap<String, String>,
    /// `//host/path/` (the key without `:_authToken`) and its token.
    tokens: BTreeMap<String, Token>,
}

/// What a packument says about a package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packument {
    /// Every published version, as the registry writes it.
    pub versions: Vec<String>,
    /// The dist-tags (`latest`, `beta`, ...) and the version each points at.
    pub dist_tags: BTreeMap<String, String>,
    /// The versions that are deprecated (`npm deprecate`: a non-empty `deprecated` message).
    pub deprecated: Vec<String>,
}

#[derive(Deserialize)]
struct PackumentJson {
    #[serde(default)]
    versions: BTreeMap<String, VersionJson>,
    #[serde(default, rename = "dist-tags")]
    dist_tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct VersionJson {
    /// A message, or `false` / `""` for none.
    #[serde(default)]
    deprecated: Option<serde_json::Value>,
}

/// Reads the npm registry settings for the project at `root` with environment `env`.
pub fn read_config(root: &Utf8Path, env: &Environment) -> Result<NpmConfig, InputError> {
    let user = env
        .get_ignore_case(&format!("{PREFIX}userconfig"))
        .map(Utf8PathBuf::from)
        .or_else(|| env.home().map(|home| home.join(".npmrc")));
    let mut settings: BTreeMap<String, Value> = BTreeMap::new();
    // Lowest priority first.
    let project = root.join(".npmrc");
    for (path, shown) in user
        .iter()
        .map(|path| (path.clone(), path.clone()))
        .chain([(project, Utf8PathBuf::from(".npmrc"))])
    {
        if path.is_dir() {
            continue;
        }
        if let Some(text) = read_optional(&path)? {
            settings.extend(parse_npmrc(&text, &shown, env));
        }
    }
    let mut config = NpmConfig {
        registry: NPMJS_REGISTRY.to_owned(),
        scoped: BTreeMap::new(),
        tokens: BTreeMap::new(),
    };
    for (key, value) in &settings {
        if key == "registry" {
            config.registry = registry_url(value)?;
        } else if let Some(scope) = key
            .strip_suffix(":registry")
            .filter(|scope| scope.starts_with('@'))
        {
            config.scoped.insert(scope.to_owned(), registry_url(value)?);
        } else if let Some(nerf) = key
            .strip_suffix(":_authToken")
            .filter(|nerf| nerf.starts_with("//"))
        {
            if let Some(token) = &value.text {
                config
                    .tokens
                    .insert(nerf.to_owned(), Token::new(token.clone()));
            }
        }
    }
    // `npm_config_registry` and `npm_config_@scope:registry` win over every file.
    if let Some(registry) = env.get_ignore_case(&format!("{PREFIX}registry")) {
        config.registry = with_slash(registry);
    }
    for (name, registry) in env.iter() {
        let scope = name
            .get(..PREFIX.len())
            .filter(|prefix| prefix.eq_ignore_ascii_case(PREFIX))
            .and_then(|_| name[PREFIX.len()..].strip_suffix(":registry"))
            .filter(|scope| scope.starts_with('@'));
        if let Some(scope) = scope {
            config.scoped.insert(scope.to_owned(), with_slash(registry));
        }
    }
    Ok(config)
}

impl NpmConfig {
    /// The registry of `package`: its scope's `@scope:registry`, else `registry`, else npmjs.
    pub fn registry_for(&self, package: &str) -> &str {
        package
            .split_once('/')
            .filter(|(scope, _)| scope.starts_with('@'))
            .and_then(|(scope, _)| self.scoped.get(scope))
            .unwrap_or(&self.registry)
    }

    /// The `_authToken` npm would send to `registry`: the longest configured `//host/path/` that
    /// contains it.
    pub fn token_for(&self, registry: &str) -> Option<&Token> {
        let mut key = nerf_dart(registry)?;
        while key.len() > "//".len() {
            if let Some(token) = self.tokens.get(&key) {
                return Some(token);
            }
            // As npm-registry-fetch: drop the trailing `/`, then the last segment, and so on.
            if key.ends_with('/') {
                key.pop();
            } else {
                let cut = key.rfind('/').map_or(0, |at| at + 1);
                key.truncate(cut);
            }
        }
        None
    }
}

/// The packument URL: `{registry}{name}`, a scoped name as `@scope%2fname`.
pub fn packument_url(registry: &str, package: &str) -> String {
    format!(
        "{}{}",
        with_slash(registry),
        package.replacen('/', "%2f", 1)
    )
}

/// The packument of `package` on `registry`, or `None` if the registry does not know it.
pub fn packument(
    client: &Client,
    registry: &str,
    package: &str,
    token: Option<&Token>,
) -> Result<Option<Packument>, RegistryError> {
    let url = packument_url(registry, package);
    let auth = token.map_or(Auth::None, Auth::Bearer);
    let Some(body) = client.get_optional(&url, ACCEPT, auth)? else {
        return Ok(None);
    };
    let json: PackumentJson =
        serde_json::from_slice(&body).map_err(|error| RegistryError::Malformed {
            url: redact_url(&url),
            message: error.to_string(),
        })?;
    let deprecated = json
        .versions
        .iter()
        .filter(|(_, version)| {
            version
                .deprecated
                .as_ref()
                .and_then(serde_json::Value::as_str)
                .is_some_and(|message| !message.is_empty())
        })
        .map(|(text, _)| text.clone())
        .collect();
    Ok(Some(Packument {
        versions: json.versions.into_keys().collect(),
        dist_tags: json.dist_tags,
        deprecated,
    }))
}

/// Whether `version` of `package` is on `registry`. Versions that differ only in build metadata
/// are the same version, as npm drops it on publish.
pub fn version_state(
    client: &Client,
    registry: &str,
    package: &str,
    version: &semver::Version,
    token: Option<&Token>,
) -> Result<State, RegistryError> {
    let Some(packument) = packument(client, registry, package, token)? else {
        return Ok(State::Unpublished);
    };
    let found = packument.versions.iter().any(|text| {
        semver::Version::parse(text.trim_start_matches(['v', '='])).is_ok_and(|v| {
            (v.major, v.minor, v.patch, &v.pre)
                == (version.major, version.minor, version.patch, &version.pre)
        })
    });
    Ok(if found {
        State::Published
    } else {
        State::Unpublished
    })
}

/// One `.npmrc` value: its text after `${VAR}` expansion (`None` when a variable is unset), and
/// where it was written.
#[derive(Debug, Clone)]
struct Value {
    text: Option<String>,
    path: Utf8PathBuf,
    line: usize,
}

/// The `key = value` lines of an `.npmrc` (npm's ini dialect: `;` and `#` comments, quoted
/// values, `${VAR}` and `${VAR?}` in keys and values).
fn parse_npmrc(text: &str, path: &Utf8Path, env: &Environment) -> Vec<(String, Value)> {
    let mut settings = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with([';', '#']) || line.starts_with('[') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        let Some(key) = expand(key.trim(), env) else {
            continue;
        };
        settings.push((
            key,
            Value {
                text: expand(&value, env),
                path: path.to_owned(),
                line: index + 1,
            },
        ));
    }
    settings
}

/// A value without its quotes, or without a trailing `;` / `#` comment when unquoted.
fn unquote(value: &str) -> String {
    if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        return serde_json::from_str(value)
            .unwrap_or_else(|_| value[1..value.len() - 1].to_owned());
    }
    if value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'') {
        return value[1..value.len() - 1].to_owned();
    }
    let mut out = String::new();
    let mut escaped = false;
    for c in value.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            ';' | '#' if !escaped => break,
            _ => {
                if escaped && !matches!(c, ';' | '#' | '\\') {
                    out.push('\\');
                }
                out.push(c);
                escaped = false;
            }
        }
    }
    out.trim().to_owned()
}

/// `${VAR}` replaced by its value, `${VAR?}` by its value or nothing; `None` when a `${VAR}` is
/// unset (npm refuses such a line; relflow treats the setting as absent).
fn expand(text: &str, env: &Environment) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = &rest[start + 2..start + len];
        match (name.strip_suffix('?'), env.get(name.trim_end_matches('?'))) {
            (_, Some(value)) => out.push_str(value),
            (Some(_), None) => {}
            (None, None) => return None,
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// A registry URL from a setting: `http(s)://...`, with a trailing `/`.
fn registry_url(value: &Value) -> Result<String, InputError> {
    let error = |message: String| {
        InputError::in_file(&value.path, message)
            .with_line(value.line)
            .with_hint("write the registry as `https://host/path/`")
    };
    let Some(text) = &value.text else {
        return Err(error(
            "the registry URL names an environment variable that is not set".to_owned(),
        ));
    };
    if !(text.starts_with("https://") || text.starts_with("http://")) {
        return Err(error(format!(
            "`{}` is not an http(s) registry URL",
            redact_url(text)
        )));
    }
    Ok(with_slash(text))
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}

/// npm's "nerf dart" of a URL: `//host:port/path/` up to the last `/`, no scheme, no query.
fn nerf_dart(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let path_start = rest.find('/').unwrap_or(rest.len());
    let (host, path) = rest.split_at(path_start);
    let dir = &path[..path.rfind('/').map_or(0, |at| at + 1)];
    Some(format!(
        "//{host}{}",
        if dir.is_empty() { "/" } else { dir }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(project: &str, user: &str, env: &[(&str, &str)]) -> Result<NpmConfig, InputError> {
        let temp = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(temp.path().to_path_buf()).unwrap();
        std::fs::write(root.join(".npmrc"), project).unwrap();
        std::fs::write(root.join("user.npmrc"), user).unwrap();
        let mut pairs = vec![(
            "npm_config_userconfig".to_owned(),
            root.join("user.npmrc").to_string(),
        )];
        pairs.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        read_config(&root, &Environment::from_pairs(pairs))
    }

    #[test]
    fn registries_come_from_project_then_user_then_default() {
        let none = config("", "", &[]).unwrap();
        assert_eq!(none.registry_for("left-pad"), NPMJS_REGISTRY);
        let both = config(
            "registry = http://127.0.0.1:4873\n; a comment\n@acme:registry=\"http://127.0.0.1:5000/npm/\"\n",
            "registry=https://user.example/\n@other:registry=https://other.example/ # comment\n",
            &[],
        )
        .unwrap();
        assert_eq!(both.registry_for("left-pad"), "http://127.0.0.1:4873/");
        assert_eq!(
            both.registry_for("@acme/core"),
            "http://127.0.0.1:5000/npm/"
        );
        assert_eq!(both.registry_for("@other/x"), "https://other.example/");
        assert_eq!(both.registry_for("@unknown/x"), "http://127.0.0.1:4873/");
        let env = config(
            "registry=http://127.0.0.1:4873/\n@acme:registry=http://a.example/\n",
            "",
            &[
                ("NPM_CONFIG_REGISTRY", "http://127.0.0.1:9/"),
                ("npm_config_@acme:registry", "http://b.example"),
            ],
        )
        .unwrap();
        assert_eq!(env.registry_for("x"), "http://127.0.0.1:9/");
        assert_eq!(env.registry_for("@acme/x"), "http://b.example/");
    }

    #[test]
    fn tokens_match_the_longest_configured_prefix_and_expand_variables() {
        let config = config(
            "//127.0.0.1:4873/:_authToken=${NPM_TOKEN}\n//r.example/deep/path/:_authToken='deep'\n//r.example/:_authToken=top\n//unset.example/:_authToken=${NOT_SET}\n",
            "",
            &[("NPM_TOKEN", "npm_secret")],
        )
        .unwrap();
        let token = |url: &str| config.token_for(url).map(Token::expose);
        assert_eq!(token("http://127.0.0.1:4873/"), Some("npm_secret"));
        assert_eq!(token("https://r.example/deep/path/"), Some("deep"));
        assert_eq!(token("https://r.example/deep/other/"), Some("top"));
        assert_eq!(token("https://r.example/"), Some("top"));
        assert_eq!(token("https://unset.example/"), None);
        assert_eq!(token("http://127.0.0.1:4874/"), None);
        assert!(!format!("{config:?}").contains("npm_secret"));
    }

    #[test]
    fn a_bad_registry_is_an_input_error_with_its_line() {
        let error = config("\n\nregistry=ftp://x.example/\n", "", &[]).unwrap_err();
        assert_eq!(error.path.as_deref(), Some(Utf8Path::new(".npmrc")));
        assert_eq!(error.line, Some(3));
        assert_eq!(
            error.message,
            "`ftp://x.example/` is not an http(s) registry URL"
        );
        let unset = config("registry=${NO_SUCH_VAR}\n", "", &[]).unwrap_err();
        assert!(unset.message.contains("not set"), "{unset}");
        let optional = config("registry=http://h.example/${NO_SUCH_VAR?}\n", "", &[]).unwrap();
        assert_eq!(optional.registry_for("x"), "http://h.example/");
    }

    #[test]
    fn urls_and_nerf_darts() {
        assert_eq!(
            packument_url("http://127.0.0.1:4873", "@scope/name"),
            "http://127.0.0.1:4873/@scope%2fname"
        );
        assert_eq!(
            packument_url(NPMJS_REGISTRY, "left-pad"),
            "https://registry.npmjs.org/left-pad"
        );
        assert_eq!(
            nerf_dart("http://127.0.0.1:4873/").as_deref(),
            Some("//127.0.0.1:4873/")
        );
        assert_eq!(
            nerf_dart("https://u:p@r.example/a/b?x=1").as_deref(),
            Some("//r.example/a/")
        );
        assert_eq!(
            nerf_dart("https://r.example").as_deref(),
            Some("//r.example/")
        );
        assert_eq!(unquote(r"a\;b ; c"), "a;b");
    }
}

//! Cargo registries: which one a crate goes to, and whether a version is in its sparse index.
//!
//! [`read_config`] reads what cargo reads for this: `.cargo/config.toml` (or `.cargo/config`) in
//! the start directory and every parent, then `$CARGO_HOME/config.toml`, nearer files winning,
//! then the `CARGO_REGISTRIES_<NAME>_INDEX` and `CARGO_REGISTRY_DEFAULT` variables above all.
//! [`version_state`] GETs the crate's file of the sparse index (crates-index knows the path
//! layout and the line format) and looks for the version.
//!
//! Not here: git indexes (a registry configured with one is [`RegistryError::Unsupported`]),
//! `[source]` replacement, and credential providers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::config::read_optional;
use cargo_relflow_sync::{InputError, Publish};
use serde::Deserialize;
use toml::Spanned;

use super::http::{Auth, Client, Token};
use super::{Environment, RegistryError, State};

/// The name cargo gives crates.io.
pub const CRATES_IO: &str = "crates-io";
/// The sparse index of crates.io.
pub const CRATES_IO_INDEX: &str = "sparse+https://index.crates.io/";

/// A cargo registry: its name in `.cargo/config.toml` and its index URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoRegistry {
    /// `crates-io`, or the `NAME` of `[registries.NAME]`.
    pub name: String,
    /// The index URL as configured (`sparse+https://...` for a sparse index).
    pub index: String,
}

impl CargoRegistry {
    /// crates.io.
    pub fn crates_io() -> CargoRegistry {
        CargoRegistry {
            name: CRATES_IO.to_owned(),
            index: CRATES_IO_INDEX.to_owned(),
        }
    }

    /// The variable cargo reads this registry's token from: `CARGO_REGISTRY_TOKEN` for crates.io,
    /// `CARGO_REGISTRIES_<NAME>_TOKEN` otherwise.
    pub fn token_variable(&self) -> String {
        if self.name == CRATES_IO {
            "CARGO_REGISTRY_TOKEN".to_owned()
        } else {
            format!("CARGO_REGISTRIES_{}_TOKEN", env_name(&self.name))
        }
    }

    /// The token from [`CargoRegistry::token_variable`], if set.
    pub fn token(&self, env: &Environment) -> Option<Token> {
        env.get(&self.token_variable()).map(Token::new)
    }
}

/// `[registry] default` and where it was set, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    value: String,
    /// `path:line` or `environment variable NAME`.
    origin: String,
}

/// The registry part of cargo's configuration, merged from every file cargo reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CargoConfig {
    default: Option<Setting>,
    /// From the files, by registry name.
    registries: BTreeMap<String, String>,
    /// From `CARGO_REGISTRIES_<NAME>_INDEX`, by `<NAME>` (upper case, `_` for `-`).
    env_registries: BTreeMap<String, String>,
    /// The tokens of `$CARGO_HOME/credentials.toml`, which cargo may use and which relflow
    /// therefore hides in what it shows of cargo's output.
    credential_tokens: Vec<Token>,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    registry: Option<RegistryTable>,
    #[serde(default)]
    registries: BTreeMap<String, RegistriesEntry>,
}

#[derive(Deserialize)]
struct RegistryTable {
    default: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RegistriesEntry {
    index: Option<Spanned<String>>,
}

/// Reads the registries cargo would see when run in `start` with environment `env`.
pub fn read_config(start: &Utf8Path, env: &Environment) -> Result<CargoConfig, InputError> {
    let mut files: Vec<Utf8PathBuf> = start
        .ancestors()
        .filter_map(|dir| config_file(&dir.join(".cargo")))
        .collect();
    if let Some(home) = cargo_home(env) {
        if let Some(file) = config_file(&home) {
            if !files.contains(&file) {
                files.push(file);
            }
        }
    }
    let mut config = CargoConfig::default();
    // Lowest priority first, so that nearer files overwrite.
    for file in files.iter().rev() {
        let Some(text) = read_optional(file)? else {
            continue;
        };
        let shown = file.strip_prefix(start).unwrap_or(file);
        config.merge(&text, shown)?;
    }
    if let Some(value) = env.get("CARGO_REGISTRY_DEFAULT") {
        config.default = Some(Setting {
            value: value.to_owned(),
            origin: "environment variable CARGO_REGISTRY_DEFAULT".to_owned(),
        });
    }
    config.env_registries = env
        .iter()
        .filter_map(|(variable, value)| {
            let name = variable
                .strip_prefix("CARGO_REGISTRIES_")?
                .strip_suffix("_INDEX")?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect();
    config.credential_tokens = cargo_home(env)
        .map(|home| credential_tokens(&home))
        .unwrap_or_default();
    Ok(config)
}

/// The `token` values of `credentials.toml` (or the older `credentials`) in `cargo_home`:
/// `[registry] token` and every `[registries.NAME] token`. An unreadable file has none (cargo
/// reports it itself).
fn credential_tokens(cargo_home: &Utf8Path) -> Vec<Token> {
    let Some(text) = ["credentials.toml", "credentials"]
        .iter()
        .find_map(|name| std::fs::read_to_string(cargo_home.join(name)).ok())
    else {
        return Vec::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let token_of = |entry: &toml::Value| entry.get("token")?.as_str().map(Token::new);
    let registry = table.get("registry").and_then(token_of);
    let registries = table
        .get("registries")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|registries| registries.values().filter_map(token_of));
    registry.into_iter().chain(registries).collect()
}

impl CargoConfig {
    /// The tokens of cargo's `credentials.toml`, to hide in output.
    pub fn credential_tokens(&self) -> &[Token] {
        &self.credential_tokens
    }

    /// The registry cargo publishes to without `--registry`: `[registry] default`, else crates.io.
    pub fn default_registry(&self) -> Result<CargoRegistry, InputError> {
        match &self.default {
            Some(default) => self.registry(&default.value).map_err(|error| {
                InputError::new(format!(
                    "the default registry `{}` (set by {}) has no index",
                    default.value, default.origin
                ))
                .with_hint(error.hint.unwrap_or_default())
            }),
            None => Ok(CargoRegistry::crates_io()),
        }
    }

    /// The registry called `name` (`crates-io` is always known).
    pub fn registry(&self, name: &str) -> Result<CargoRegistry, InputError> {
        if name == CRATES_IO {
            return Ok(CargoRegistry::crates_io());
        }
        let index = self
            .env_registries
            .get(&env_name(name))
            .or_else(|| self.registries.get(name));
        match index {
            Some(index) => Ok(CargoRegistry {
                name: name.to_owned(),
                index: index.clone(),
            }),
            None => Err(
                InputError::new(format!("registry `{name}` is not configured")).with_hint(format!(
                    "add `[registries.{name}] index = \"sparse+https://...\"` to \
                         `.cargo/config.toml`, or set `CARGO_REGISTRIES_{}_INDEX`",
                    env_name(name)
                )),
            ),
        }
    }

    /// Where a crate with this `publish` field goes, as `cargo publish` without `--registry`
    /// decides: nowhere for `publish = false`; the default registry when it is allowed; the only
    /// registry of a one-entry `publish = ["NAME"]`.
    pub fn registry_for(&self, publish: &Publish) -> Result<Option<CargoRegistry>, InputError> {
        match publish {
            Publish::No => Ok(None),
            Publish::Default => self.default_registry().map(Some),
            Publish::Registries(names) => {
                let default_name = self
                    .default
                    .as_ref()
                    .map_or(CRATES_IO, |setting| setting.value.as_str());
                if names.iter().any(|name| name == default_name) {
                    return self.registry(default_name).map(Some);
                }
                match names.as_slice() {
                    [] => Ok(None),
                    [only] => self.registry(only).map(Some),
                    several => Err(InputError::new(format!(
                        "`publish` names several registries ({}) and none of them is the default",
                        several.join(", ")
                    ))
                    .with_hint(
                        "set `[registry] default` in `.cargo/config.toml` to the one to publish to",
                    )),
                }
            }
        }
    }

    fn merge(&mut self, text: &str, path: &Utf8Path) -> Result<(), InputError> {
        let file: ConfigFile = toml::from_str(text).map_err(|error| {
            let message = error.message().trim_end().replace('\n', "; ");
            let input =
                InputError::in_file(path, format!("invalid cargo configuration: {message}"));
            match error.span() {
                Some(span) => input.at_offset(text, span.start),
                None => input,
            }
        })?;
        if let Some(default) = file.registry.and_then(|table| table.default) {
            let line = cargo_relflow_sync::diag::line_of_offset(text, default.span().start);
            self.default = Some(Setting {
                origin: format!("{path}:{line}"),
                value: default.into_inner(),
            });
        }
        for (name, entry) in file.registries {
            if let Some(index) = entry.index {
                self.registries.insert(name, index.into_inner());
            }
        }
        Ok(())
    }
}

/// Whether `version` of crate `name` is in `registry`'s sparse index. Yanked versions count as
/// published; versions that differ only in build metadata are the same version, as for cargo.
pub fn version_state(
    client: &Client,
    registry: &CargoRegistry,
    name: &str,
    version: &semver::Version,
    token: Option<&Token>,
) -> Result<State, RegistryError> {
    let versions = published_versions(client, registry, name, token)?.unwrap_or_default();
    let found = versions.iter().any(|v| {
        (v.major, v.minor, v.patch, &v.pre)
            == (version.major, version.minor, version.patch, &version.pre)
    });
    Ok(if found {
        State::Published
    } else {
        State::Unpublished
    })
}

/// Every version of crate `name` in `registry`'s sparse index (yanked ones too), or `None` when
/// the index does not know the crate: its first publish makes a *new crate*, which crates.io
/// rate-limits apart from new versions.
pub fn published_versions(
    client: &Client,
    registry: &CargoRegistry,
    name: &str,
    token: Option<&Token>,
) -> Result<Option<Vec<semver::Version>>, RegistryError> {
    let entries = index_entries(client, registry, name, token)?;
    Ok(entries.map(|entries| entries.into_iter().map(|entry| entry.version).collect()))
}

/// One version of a crate as its index line describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// The version.
    pub version: semver::Version,
    /// Whether it is yanked (`"yanked":true`).
    pub yanked: bool,
}

/// Every version of crate `name` in `registry`'s sparse index with its `yanked` flag, or `None`
/// when the index does not know the crate.
pub fn index_entries(
    client: &Client,
    registry: &CargoRegistry,
    name: &str,
    token: Option<&Token>,
) -> Result<Option<Vec<IndexEntry>>, RegistryError> {
    let url = index_file_url(registry, name)?;
    let auth = index_auth(client, registry, token)?;
    let Some(body) = client.get_optional(&url, "text/plain", auth)? else {
        return Ok(None);
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    // Only `vers` and `yanked` are read, as leniently as cargo reads index lines: registries
    // leave out fields that crates-index's full line type requires (ferro-cargo-registry-server
    // writes dependencies without `features`).
    let malformed = |message: String| RegistryError::Malformed {
        url: super::http::redact_url(&url),
        message,
    };
    let text = String::from_utf8(body).map_err(|error| malformed(error.to_string()))?;
    let mut entries = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let entry: IndexLine =
            serde_json::from_str(line).map_err(|error| malformed(error.to_string()))?;
        if let Ok(version) = semver::Version::parse(&entry.vers) {
            entries.push(IndexEntry {
                version,
                yanked: entry.yanked,
            });
        }
    }
    Ok(Some(entries))
}

/// The `Authorization` of index requests, as cargo decides it: the token only when the index's
/// `config.json` says `"auth-required": true` (or refuses to be read without one), and never over
/// plain http to another machine.
fn index_auth<'t>(
    client: &Client,
    registry: &CargoRegistry,
    token: Option<&'t Token>,
) -> Result<Auth<'t>, RegistryError> {
    let Some(token) = token else {
        return Ok(Auth::None);
    };
    let base = registry
        .index
        .strip_prefix("sparse+")
        .unwrap_or(&registry.index);
    let config_url = format!("{}/config.json", base.trim_end_matches('/'));
    let required = client.remembered(&config_url, || {
        match client.get_optional(&config_url, "application/json", Auth::None) {
            Ok(Some(body)) => Ok(serde_json::from_slice::<IndexConfig>(&body)
                .is_ok_and(|config| config.auth_required)),
            Ok(None) => Ok(false),
            Err(RegistryError::Unauthorized { .. }) => Ok(true),
            Err(error) => Err(error),
        }
    })?;
    if !required {
        return Ok(Auth::None);
    }
    if !super::http::credential_may_go_to(base) {
        return Err(RegistryError::Unsupported(format!(
            "registry `{}` wants a token, but its index `{}` is plain http to another machine: relflow does not send `{}` unencrypted (use https)",
            registry.name,
            super::http::redact_url(base),
            registry.token_variable()
        )));
    }
    Ok(Auth::Raw(token))
}

/// The part of a sparse index's `config.json` that says whether reads need a token.
#[derive(Deserialize)]
struct IndexConfig {
    #[serde(default, rename = "auth-required")]
    auth_required: bool,
}

/// The part of a sparse index line that says which version it describes, and whether it is
/// yanked.
#[derive(Deserialize)]
struct IndexLine {
    vers: String,
    #[serde(default)]
    yanked: bool,
}

/// The URL of crate `name`'s file in `registry`'s sparse index.
pub fn index_file_url(registry: &CargoRegistry, name: &str) -> Result<String, RegistryError> {
    if !registry.index.starts_with("sparse+http") {
        return Err(RegistryError::Unsupported(format!(
            "registry `{}` has a git index (`{}`): relflow reads sparse indexes only",
            registry.name,
            super::http::redact_url(&registry.index)
        )));
    }
    // Only the URL arithmetic is used: the path (cargo's on-disk cache) is never read.
    crates_index::SparseIndex::at_path(PathBuf::new(), registry.index.clone())
        .crate_url(name)
        .ok_or_else(|| RegistryError::Unsupported(format!("`{name}` is not a valid crate name")))
}

/// `$CARGO_HOME`, else `$HOME/.cargo`.
fn cargo_home(env: &Environment) -> Option<Utf8PathBuf> {
    env.get("CARGO_HOME")
        .map(Utf8PathBuf::from)
        .or_else(|| env.home().map(|home| home.join(".cargo")))
}

/// `config` (which cargo prefers when both exist) or `config.toml` in `dir`.
fn config_file(dir: &Utf8Path) -> Option<Utf8PathBuf> {
    ["config", "config.toml"]
        .into_iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// A registry name as it appears in environment variable names.
fn env_name(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dirs {
        _temp: tempfile::TempDir,
        root: Utf8PathBuf,
    }

    /// A home with `.cargo/config.toml` = `home`, and a repository below it with `repo`
    /// and, in `repo/sub`, `sub`.
    fn dirs(home: &str, repo: &str, sub: &str) -> Dirs {
        let temp = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(temp.path().to_path_buf()).unwrap();
        for (dir, text) in [
            (root.join("home/.cargo"), home),
            (root.join("work/repo/.cargo"), repo),
            (root.join("work/repo/sub/.cargo"), sub),
        ] {
            std::fs::create_dir_all(&dir).unwrap();
            if !text.is_empty() {
                std::fs::write(dir.join("config.toml"), text).unwrap();
            }
        }
        Dirs { _temp: temp, root }
    }

    fn env(dirs: &Dirs, extra: &[(&str, &str)]) -> Environment {
        let home = dirs.root.join("home").to_string();
        let cargo_home = dirs.root.join("home/.cargo").to_string();
        let mut pairs = vec![
            ("HOME".to_owned(), home),
            ("CARGO_HOME".to_owned(), cargo_home),
        ];
        pairs.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Environment::from_pairs(pairs)
    }

    #[test]
    fn the_tokens_of_credentials_toml_are_known_so_they_can_be_hidden() {
        let dirs = dirs("", "", "");
        std::fs::write(
            dirs.root.join("home/.cargo/credentials.toml"),
            "[registry]\ntoken = \"crates-io-secret\"\n[registries.local]\ntoken = \"local-secret\"\n[registries.other]\ncredential-provider = \"cargo:token\"\n",
        )
        .unwrap();
        let config = read_config(&dirs.root.join("work/repo"), &env(&dirs, &[])).unwrap();
        assert_eq!(
            config.credential_tokens(),
            [Token::new("crates-io-secret"), Token::new("local-secret")]
        );
        let secrets = crate::publish::secrets::Secrets::new(
            &Environment::default(),
            config.credential_tokens(),
        );
        assert_eq!(
            secrets.scrub("error: token local-secret rejected"),
            "error: token <redacted> rejected"
        );
    }

    #[test]
    fn nearer_files_win_and_the_environment_wins_over_files() {
        let dirs = dirs(
            "[registries.a]\nindex = \"sparse+https://home.example/a/\"\n[registries.h]\nindex = \"sparse+https://home.example/h/\"\n",
            "[registry]\ndefault = \"a\"\n[registries.a]\nindex = \"sparse+http://127.0.0.1:1/\"\n",
            "[registries.a]\nindex = \"sparse+http://127.0.0.1:2/\"\n",
        );
        let start = dirs.root.join("work/repo");
        let config = read_config(&start, &env(&dirs, &[])).unwrap();
        assert_eq!(
            config.default_registry().unwrap(),
            CargoRegistry {
                name: "a".into(),
                index: "sparse+http://127.0.0.1:1/".into()
            }
        );
        assert_eq!(
            config.registry("h").unwrap().index,
            "sparse+https://home.example/h/"
        );

        let sub = read_config(&start.join("sub"), &env(&dirs, &[])).unwrap();
        assert_eq!(
            sub.registry("a").unwrap().index,
            "sparse+http://127.0.0.1:2/"
        );

        let overridden = read_config(
            &start,
            &env(
                &dirs,
                &[
                    ("CARGO_REGISTRY_DEFAULT", "h"),
                    ("CARGO_REGISTRIES_A_INDEX", "sparse+http://127.0.0.1:3/"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(overridden.default_registry().unwrap().name, "h");
        let env_only = read_config(
            &start,
            &env(
                &dirs,
                &[(
                    "CARGO_REGISTRIES_MY_CORP_INDEX",
                    "sparse+https://corp.example/",
                )],
            ),
        )
        .unwrap();
        assert_eq!(
            env_only.registry("my-corp").unwrap().index,
            "sparse+https://corp.example/"
        );
        assert_eq!(
            overridden.registry("a").unwrap().index,
            "sparse+http://127.0.0.1:3/"
        );
    }

    #[test]
    fn publish_field_picks_the_registry() {
        let dirs = dirs(
            "",
            "[registries.local]\nindex = \"sparse+http://127.0.0.1:1/\"\n[registries.other-one]\nindex = \"sparse+http://127.0.0.1:2/\"\n",
            "",
        );
        let config = read_config(&dirs.root.join("work/repo"), &env(&dirs, &[])).unwrap();
        let pick = |publish: Publish| config.registry_for(&publish);
        assert_eq!(pick(Publish::No).unwrap(), None);
        assert_eq!(
            pick(Publish::Default).unwrap(),
            Some(CargoRegistry::crates_io())
        );
        assert_eq!(
            pick(Publish::Registries(vec!["local".into()]))
                .unwrap()
                .unwrap()
                .name,
            "local"
        );
        assert_eq!(
            pick(Publish::Registries(vec![
                "local".into(),
                "crates-io".into()
            ]))
            .unwrap()
            .unwrap()
            .name,
            "crates-io"
        );
        let several = pick(Publish::Registries(vec![
            "local".into(),
            "other-one".into(),
        ]))
        .unwrap_err();
        assert!(several.message.contains("local, other-one"), "{several}");
        let unknown = pick(Publish::Registries(vec!["nope".into()])).unwrap_err();
        assert_eq!(unknown.message, "registry `nope` is not configured");
        assert!(unknown
            .hint
            .unwrap()
            .contains("CARGO_REGISTRIES_NOPE_INDEX"));
        let other = config.registry("other-one").unwrap();
        assert_eq!(other.token_variable(), "CARGO_REGISTRIES_OTHER_ONE_TOKEN");
        let env = Environment::from_pairs([("CARGO_REGISTRIES_OTHER_ONE_TOKEN", "t0k")]);
        assert_eq!(other.token(&env), Some(Token::new("t0k")));
        assert_eq!(
            CargoRegistry::crates_io().token_variable(),
            "CARGO_REGISTRY_TOKEN"
        );
    }

    #[test]
    fn a_default_without_index_and_bad_toml_are_input_errors() {
        let dirs = dirs("", "[registry]\ndefault = \"ghost\"\n", "[registries\n");
        let start = dirs.root.join("work/repo");
        let config = read_config(&start, &env(&dirs, &[])).unwrap();
        let error = config.default_registry().unwrap_err();
        assert_eq!(
            error.message,
            "the default registry `ghost` (set by .cargo/config.toml:2) has no index"
        );
        let bad = read_config(&start.join("sub"), &env(&dirs, &[])).unwrap_err();
        assert_eq!(
            bad.path.as_deref(),
            Some(Utf8Path::new(".cargo/config.toml"))
        );
        assert_eq!(bad.line, Some(1));
        assert!(
            bad.message.starts_with("invalid cargo configuration"),
            "{bad}"
        );
    }

    #[test]
    fn index_file_urls_follow_the_sparse_layout() {
        let local = CargoRegistry {
            name: "local".into(),
            index: "sparse+http://127.0.0.1:7878/".into(),
        };
        let url = |name: &str| index_file_url(&local, name).unwrap();
        assert_eq!(url("a"), "http://127.0.0.1:7878/1/a");
        assert_eq!(url("ab"), "http://127.0.0.1:7878/2/ab");
        assert_eq!(url("abc"), "http://127.0.0.1:7878/3/a/abc");
        assert_eq!(url("Serde_Json"), "http://127.0.0.1:7878/se/rd/serde_json");
        let git = CargoRegistry {
            name: "old".into(),
            index: "https://github.com/rust-lang/crates.io-index".into(),
        };
        assert!(matches!(
            index_file_url(&git, "serde"),
            Err(RegistryError::Unsupported(_))
        ));
    }
}

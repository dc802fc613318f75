//! Where each package goes, and whether its current version is there already.
//!
//! [`Registries::read`] reads the tools' own settings once (`.cargo/config.toml`, `.npmrc`,
//! `[python]` of relflow.toml and `TWINE_REPOSITORY_URL`); [`Registries::target`] names a
//! package's registry; [`check_all`] asks every registry in parallel, and [`wait_until_visible`]
//! polls one with backoff after a publish.

use std::str::FromStr;
use std::time::Duration;

use camino::Utf8Path;
use cargo_relflow_sync::pep440::semver_to_pep440;
use cargo_relflow_sync::{Ecosystem, InputError, Package};

use crate::registry::cargo::{self as cargo_registry, CargoConfig, CargoRegistry, CRATES_IO};
use crate::registry::http::{Client, Token};
use crate::registry::npm::{self, NpmConfig};
use crate::registry::{pypi, Environment, RegistryError, State};
use crate::repo::Repo;

/// PyPI's upload endpoint, twine's default.
pub const PYPI_UPLOAD_URL: &str = "https://upload.pypi.org/legacy/";

/// A package's registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A cargo registry, read through its sparse index.
    Cargo {
        /// The registry.
        registry: CargoRegistry,
        /// The token cargo would send (`CARGO_REGISTRIES_<NAME>_TOKEN`), for private indexes.
        token: Option<Token>,
    },
    /// An npm registry, read through the packument.
    Npm {
        /// The registry URL.
        registry: String,
        /// The `_authToken` npm would send there.
        token: Option<Token>,
    },
    /// A Python package index.
    Python {
        /// Where twine uploads.
        upload_url: String,
        /// The PEP 503 simple index that shows what is there.
        index: String,
    },
}

impl Target {
    /// Whether this is crates.io, whose publish rate limits relflow paces for.
    pub fn is_crates_io(&self) -> bool {
        matches!(self, Target::Cargo { registry, .. } if registry.name == CRATES_IO)
    }

    /// The registry for messages: `registry \`local\``, or its URL without user-info.
    pub fn describe(&self) -> String {
        match self {
            Target::Cargo { registry, .. } => format!("registry `{}`", registry.name),
            Target::Npm { registry, .. } => crate::registry::http::redact_url(registry),
            Target::Python { upload_url, .. } => crate::registry::http::redact_url(upload_url),
        }
    }
}

/// The registry settings of the repository, read once.
#[derive(Debug, Clone)]
pub struct Registries {
    cargo: Option<CargoConfig>,
    npm: Option<NpmConfig>,
    python_upload: String,
    python_index: String,
}

impl Registries {
    /// Reads the settings of the ecosystems that `repo` has packages in.
    pub fn read(repo: &Repo, env: &Environment) -> Result<Registries, InputError> {
        let has = |ecosystem| repo.packages().iter().any(|p| p.ecosystem == ecosystem);
        let cargo = if has(Ecosystem::Cargo) {
            Some(cargo_registry::read_config(repo.root(), env)?)
        } else {
            None
        };
        let npm = if has(Ecosystem::Npm) {
            Some(npm::read_config(repo.root(), env)?)
        } else {
            None
        };
        let python = &repo.workspace.config.config.python;
        let python_upload = env
            .get("TWINE_REPOSITORY_URL")
            .map(str::to_owned)
            .or_else(|| python.repository_url.clone())
            .unwrap_or_else(|| PYPI_UPLOAD_URL.to_owned());
        let python_index = python
            .index_url
            .clone()
            .unwrap_or_else(|| pypi::simple_index_for_upload(&python_upload));
        Ok(Registries {
            cargo,
            npm,
            python_upload,
            python_index,
        })
    }

    /// Where `package` is published, or `None` when it never is (private, generic).
    pub fn target(
        &self,
        root: &Utf8Path,
        package: &Package,
        env: &Environment,
    ) -> Result<Option<Target>, InputError> {
        if !package.publish.is_published() {
            return Ok(None);
        }
        Ok(match package.ecosystem {
            Ecosystem::Cargo => {
                let Some(config) = &self.cargo else {
                    return Ok(None);
                };
                let registry = config
                    .registry_for(&package.publish)
                    .map_err(|error| error.with_path(&package.manifest))?;
                registry.map(|registry| Target::Cargo {
                    // crates.io's index is public: no token goes there.
                    token: (registry.name != CRATES_IO)
                        .then(|| registry.token(env))
                        .flatten(),
                    registry,
                })
            }
            Ecosystem::Npm => {
                let Some(config) = &self.npm else {
                    return Ok(None);
                };
                let registry = publish_config_registry(&root.join(&package.manifest))
                    .unwrap_or_else(|| config.registry_for(&package.name).to_owned());
                Some(Target::Npm {
                    token: config.token_for(&registry).cloned(),
                    registry,
                })
            }
            Ecosystem::Python => Some(Target::Python {
                upload_url: self.python_upload.clone(),
                index: self.python_index.clone(),
            }),
            Ecosystem::Generic => None,
        })
    }

    /// Every token read from tool configuration (to keep them out of output).
    pub fn config_tokens(&self, targets: &[Option<Target>]) -> Vec<Token> {
        let cargo_credentials = self
            .cargo
            .iter()
            .flat_map(|cargo| cargo.credential_tokens().iter().cloned());
        targets
            .iter()
            .flatten()
            .filter_map(|target| match target {
                Target::Cargo { token, .. } | Target::Npm { token, .. } => token.clone(),
                Target::Python { .. } => None,
            })
            .chain(cargo_credentials)
            .collect()
    }
}

/// `publishConfig.registry` of a package.json, which `npm publish` uses over `.npmrc`.
fn publish_config_registry(manifest: &Utf8Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let registry = json.get("publishConfig")?.get("registry")?.as_str()?;
    Some(if registry.ends_with('/') {
        registry.to_owned()
    } else {
        format!("{registry}/")
    })
}

/// What a registry says about a package's current version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Whether the version is there.
    pub state: State,
    /// Whether the registry knows no version of the package at all (its publish creates a new
    /// crate; crates.io limits those apart from new versions). Known for cargo only.
    pub new_package: bool,
}

/// Asks `target` about `package`'s current version.
pub fn check(client: &Client, target: &Target, package: &Package) -> Result<Check, RegistryError> {
    let Some(version) = &package.version else {
        return Err(RegistryError::Unsupported(format!(
            "`{}` has no version",
            package.name
        )));
    };
    match target {
        Target::Cargo { registry, token } => {
            let versions = cargo_registry::published_versions(
                client,
                registry,
                &package.name,
                token.as_ref(),
            )?;
            let found = versions.iter().flatten().any(|v| {
                (v.major, v.minor, v.patch, &v.pre)
                    == (version.major, version.minor, version.patch, &version.pre)
            });
            Ok(Check {
                state: if found {
                    State::Published
                } else {
                    State::Unpublished
                },
                new_package: versions.is_none(),
            })
        }
        Target::Npm { registry, token } => Ok(Check {
            state: npm::version_state(client, registry, &package.name, version, token.as_ref())?,
            new_package: false,
        }),
        Target::Python { index, .. } => {
            let text = semver_to_pep440(version);
            let pep440 = pep440_rs::Version::from_str(&text).map_err(|error| {
                RegistryError::Unsupported(format!("`{text}` is not a PEP 440 version: {error}"))
            })?;
            Ok(Check {
                state: pypi::version_state(client, index, &package.name, &pep440)?,
                new_package: false,
            })
        }
    }
}

/// [`check`] for every `(package, target)`, at most `threads` at a time; answers in order.
pub fn check_all(
    client: &Client,
    items: &[(&Package, &Target)],
    threads: usize,
) -> Vec<Result<Check, RegistryError>> {
    let threads = threads.clamp(1, items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let answers: Vec<std::sync::Mutex<Option<Result<Check, RegistryError>>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let at = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((package, target)) = items.get(at) else {
                    break;
                };
                let answer = check(client, target, package);
                if let Ok(mut slot) = answers[at].lock() {
                    *slot = Some(answer);
                }
            });
        }
    });
    answers
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(RegistryError::Unsupported("no answer".to_owned())))
        })
        .collect()
}

/// How long to wait for a published version to show, and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// The first pause between two looks; each pause doubles.
    pub first_pause: Duration,
    /// The longest pause between two looks.
    pub longest_pause: Duration,
    /// Give up once the pauses add up to this.
    pub timeout: Duration,
}

impl Default for Polling {
    /// Pauses of 0.25 s doubling up to 10 s, for at most 10 minutes.
    fn default() -> Self {
        Polling {
            first_pause: Duration::from_millis(250),
            longest_pause: Duration::from_secs(10),
            timeout: Duration::from_secs(600),
        }
    }
}

/// Why a version did not show up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotVisible {
    /// The pauses added up to the timeout.
    TimedOut(Duration),
    /// The registry answered in a way that waiting does not change (a malformed answer, no
    /// access, an index relflow cannot read).
    Error(RegistryError),
}

/// Looks with `look` until it answers [`State::Published`], pausing with `pause` between looks
/// (backoff from [`Polling`]; a 429 pauses for its Retry-After; no answer or a server error
/// counts as "not yet", any other error ends the wait). `waiting` hears of each pause and the
/// last error.
pub fn wait_until_visible(
    polling: &Polling,
    mut look: impl FnMut() -> Result<State, RegistryError>,
    mut pause: impl FnMut(Duration),
    mut waiting: impl FnMut(Duration, Option<&RegistryError>),
) -> Result<(), NotVisible> {
    let mut waited = Duration::ZERO;
    let mut next = polling.first_pause;
    loop {
        let answer = look();
        let error = match answer {
            Ok(State::Published) => return Ok(()),
            Ok(State::Unpublished) => None,
            Err(error @ (RegistryError::Transport { .. } | RegistryError::RateLimited { .. })) => {
                Some(error)
            }
            Err(error @ RegistryError::Status { status, .. }) if status >= 500 => Some(error),
            Err(error) => return Err(NotVisible::Error(error)),
        };
        if waited >= polling.timeout {
            return Err(NotVisible::TimedOut(waited));
        }
        let this = match &error {
            Some(RegistryError::RateLimited {
                retry_after: Some(after),
                ..
            }) => *after,
            _ => next,
        }
        .min(
            polling
                .timeout
                .saturating_sub(waited)
                .max(Duration::from_millis(1)),
        );
        waiting(this, error.as_ref());
        pause(this);
        waited += this;
        next = (next * 2).min(polling.longest_pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_with_backoff_until_published() {
        let polling = Polling {
            first_pause: Duration::from_secs(1),
            longest_pause: Duration::from_secs(3),
            timeout: Duration::from_secs(60),
        };
        let mut answers = vec![
            Ok(State::Unpublished),
            Err(RegistryError::Transport {
                url: "u".into(),
                message: "refused".into(),
            }),
            Ok(State::Unpublished),
            Ok(State::Unpublished),
            Ok(State::Published),
        ]
        .into_iter();
        let mut pauses = Vec::new();
        let mut errors = 0;
        let result = wait_until_visible(
            &polling,
            || answers.next().unwrap(),
            |d| pauses.push(d.as_secs()),
            |_, error| errors += usize::from(error.is_some()),
        );
        assert_eq!(result, Ok(()));
        assert_eq!(pauses, [1, 2, 3, 3]);
        assert_eq!(errors, 1);
    }

    #[test]
    fn a_rate_limited_look_waits_for_retry_after() {
        let polling = Polling::default();
        let mut answers = vec![
            Err(RegistryError::RateLimited {
                url: "u".into(),
                retry_after: Some(Duration::from_secs(7)),
            }),
            Ok(State::Published),
        ]
        .into_iter();
        let mut pauses = Vec::new();
        wait_until_visible(
            &polling,
            || answers.next().unwrap(),
            |d| pauses.push(d),
            |_, _| {},
        )
        .unwrap();
        assert_eq!(pauses, [Duration::from_secs(7)]);
    }

    #[test]
    fn a_malformed_answer_ends_the_wait() {
        let malformed = RegistryError::Malformed {
            url: "u".into(),
            message: "missing field".into(),
        };
        let mut pauses = 0;
        let result = wait_until_visible(
            &Polling::default(),
            || Err(malformed.clone()),
            |_| pauses += 1,
            |_, _| {},
        );
        assert_eq!(result, Err(NotVisible::Error(malformed)));
        assert_eq!(pauses, 0);
    }

    #[test]
    fn gives_up_after_the_timeout() {
        let polling = Polling {
            first_pause: Duration::from_secs(4),
            longest_pause: Duration::from_secs(4),
            timeout: Duration::from_secs(10),
        };
        let mut looks = 0;
        let mut pauses = Vec::new();
        let result = wait_until_visible(
            &polling,
            || {
                looks += 1;
                Ok(State::Unpublished)
            },
            |d| pauses.push(d.as_secs()),
            |_, _| {},
        );
        assert_eq!(result, Err(NotVisible::TimedOut(Duration::from_secs(10))));
        assert_eq!(pauses, [4, 4, 2]);
        assert_eq!(looks, 4);
    }
}

//! Pre mode: `.changeset/pre.json`.

use std::collections::BTreeMap;

use camino::Utf8Path;
use cargo_relflow_sync::diag::InputError;
use serde_json::Value;

use crate::changesets_config::{child, parse_json_object, Json, Seg};

/// Whether the repository is in pre mode or leaving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreMode {
    /// `mode: "pre"`: releases are pre-releases tagged with [`PreState::tag`].
    Pre,
    /// `mode: "exit"`: the next `version` leaves pre mode with final versions.
    Exit,
}

/// The contents of `.changeset/pre.json`, v2 or v3 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreState {
    /// Pre or exit.
    pub mode: PreMode,
    /// The pre-release id (`next`, `beta`).
    pub tag: String,
    /// v2 only: each package's version when pre mode was entered.
    pub initial_versions: BTreeMap<String, String>,
    /// v2 only: ids of changesets already versioned in this pre mode. In v3 they live under
    /// `.changeset/pre/` and their ids start with `pre/`.
    pub changesets: Vec<String>,
    /// The object as read, in its order: keys relflow does not know are written back as they
    /// were, as Changesets does (empty for a new pre mode).
    pub raw: serde_json::Map<String, Value>,
}

impl PreMode {
    /// The word written in `pre.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            PreMode::Pre => "pre",
            PreMode::Exit => "exit",
        }
    }
}

/// Parses `.changeset/pre.json` in the v2 form (`mode`, `tag`, `initialVersions`, `changesets`)
/// or the v3 form (`mode`, `tag`). Other keys are ignored. `path` is used in errors only.
pub fn parse_pre_state(text: &str, path: &Utf8Path) -> Result<PreState, InputError> {
    let root = parse_json_object(text, path)?;
    let json = Json { text, path };
    let key = |name: &str| vec![Seg::Key(name.to_owned())];
    let missing = |name: &str, hint: &str| {
        InputError::in_file(path, format!("`{name}` is missing"))
            .with_line(1)
            .with_hint(hint.to_owned())
    };

    let mode_hint = "`mode` is \"pre\" or \"exit\"";
    let mode = match root.get("mode") {
        None => return Err(missing("mode", mode_hint)),
        Some(value) => {
            let at = key("mode");
            match json.string(value, &at)?.as_str() {
                "pre" => PreMode::Pre,
                "exit" => PreMode::Exit,
                other => {
                    return Err(json
                        .error(&at, format!("invalid `mode`: {other:?}"))
                        .with_hint(mode_hint))
                }
            }
        }
    };

    let tag_hint = "the tag is a pre-release identifier such as \"next\", \"beta\" or \"rc\"";
    let tag = match root.get("tag") {
        None => return Err(missing("tag", tag_hint)),
        Some(value) => {
            let at = key("tag");
            let tag = json.string(value, &at)?;
            if !is_valid_tag(&tag) {
                return Err(json
                    .error(&at, format!("invalid `tag`: {tag:?}"))
                    .with_hint(format!(
                        "{tag_hint}: letters, digits and `-`, parts separated by `.`"
                    )));
            }
            tag
        }
    };

    let mut initial_versions = BTreeMap::new();
    if let Some(value) = root.get("initialVersions") {
        let at = key("initialVersions");
        for (name, version) in json.object(value, &at)? {
            let version = json.string(version, &child(&at, name))?;
            initial_versions.insert(name.clone(), version);
        }
    }
    let changesets = match root.get("changesets") {
        Some(Value::Null) | None => Vec::new(),
        Some(value) => json.strings(value, key("changesets"), "changeset ids")?,
    };
    Ok(PreState {
        mode,
        tag,
        initial_versions,
        changesets,
        raw: root,
    })
}

/// Whether `tag` can go into a semver pre-release (`1.0.0-<tag>.0`): dot-separated, non-empty
/// parts of ASCII letters, digits and `-`.
pub fn is_valid_tag(tag: &str) -> bool {
    tag.split('.').all(|part| {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

impl PreState {
    /// Whether the file is in the v2 form, which Changesets v3 migrates (rewrites) when it reads
    /// it.
    pub fn is_v2(&self) -> bool {
        self.raw.contains_key("initialVersions") || self.raw.contains_key("changesets")
    }
}

/// Renders `pre.json` in the v3 form as Changesets writes it (`JSON.stringify(state, null, 2)`
/// and a newline): `mode` and `tag`, in their places when the file had them, with every other key
/// it had kept. v2's `initialVersions` and `changesets` are dropped (v3's migration).
pub fn render_pre_state(state: &PreState) -> String {
    let mut object = state.raw.clone();
    object.shift_remove("initialVersions");
    object.shift_remove("changesets");
    object.insert("mode".to_owned(), Value::from(state.mode.as_str()));
    object.insert("tag".to_owned(), Value::from(state.tag.as_str()));
    let text = serde_json::to_string_pretty(&Value::Object(object))
        .unwrap_or_else(|_| format!("{{\"mode\": \"{}\"}}", state.mode.as_str()));
    format!("{text}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PreState, InputError> {
        parse_pre_state(text, Utf8Path::new(".changeset/pre.json"))
    }

    fn err(text: &str) -> InputError {
        match parse(text) {
            Ok(state) => panic!("parsed: {state:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn v3_form() {
        let state = parse("{\n  \"mode\": \"pre\",\n  \"tag\": \"next\"\n}\n").unwrap();
        assert_eq!(
            state,
            PreState {
                mode: PreMode::Pre,
                tag: "next".into(),
                initial_versions: BTreeMap::new(),
                changesets: Vec::new(),
                raw: serde_json::from_str(r#"{"mode": "pre", "tag": "next"}"#).unwrap(),
            }
        );
        assert!(!state.is_v2());
        assert_eq!(
            parse(r#"{"mode": "exit", "tag": "beta.1"}"#).unwrap().mode,
            PreMode::Exit
        );
    }

    #[test]
    fn v2_form() {
        let text = r#"{
  "mode": "pre",
  "tag": "next",
  "initialVersions": {
    "pkg-a": "1.0.0",
    "@scope/b": "2.0.0"
  },
  "changesets": ["quick-lions-devour", "odd-cats-dance"]
}
"#;
        let state = parse(text).unwrap();
        assert_eq!(state.initial_versions.len(), 2);
        assert_eq!(state.initial_versions["@scope/b"], "2.0.0");
        assert_eq!(state.changesets, ["quick-lions-devour", "odd-cats-dance"]);
    }

    #[test]
    fn errors_have_lines() {
        let e = err("{\n  \"tag\": \"next\",\n  \"mode\": \"enter\"\n}");
        assert_eq!(e.message, "invalid `mode`: \"enter\"");
        assert_eq!(e.line, Some(3));
        assert_eq!(
            e.path.as_deref(),
            Some(Utf8Path::new(".changeset/pre.json"))
        );
        assert!(e.hint.is_some());

        let e = err("{\n  \"mode\": \"pre\",\n  \"tag\": 1\n}");
        assert_eq!(e.message, "`tag` must be a string, found a number");
        assert_eq!(e.line, Some(3));

        for tag in ["", "a b", "a..b", "next.", "bêta"] {
            let e = err(&format!("{{\"mode\": \"pre\",\n\"tag\": {tag:?}}}"));
            assert_eq!(e.line, Some(2), "{tag}");
        }

        assert_eq!(err(r#"{"tag": "next"}"#).message, "`mode` is missing");
        assert_eq!(err(r#"{"mode": "pre"}"#).message, "`tag` is missing");
        let e = err("{\"mode\": \"pre\", \"tag\": \"next\",\n\"initialVersions\": {\n\"a\": 1}}");
        assert_eq!(
            e.message,
            "`initialVersions.a` must be a string, found a number"
        );
        assert_eq!(e.line, Some(3));
        let e = err("{\"mode\": \"pre\", \"tag\": \"next\",\n\"changesets\": [\"a\",\n2]}");
        assert_eq!(e.line, Some(3));
        let e = err("{\"mode\": \"pre\",\n\"tag\": \"next\"");
        assert!(e.message.starts_with("invalid JSON"), "{e}");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn renders_v3_form() {
        let state = PreState {
            mode: PreMode::Pre,
            tag: "next".into(),
            initial_versions: [("a".to_owned(), "1.0.0".to_owned())].into(),
            changesets: vec!["x".into()],
            raw: Default::default(),
        };
        let text = render_pre_state(&state);
        assert_eq!(text, "{\n  \"mode\": \"pre\",\n  \"tag\": \"next\"\n}\n");
        let back = parse(&text).unwrap();
        assert_eq!((back.mode, back.tag.as_str()), (PreMode::Pre, "next"));
        let exit = PreState {
            mode: PreMode::Exit,
            ..back
        };
        assert_eq!(
            render_pre_state(&exit),
            "{\n  \"mode\": \"exit\",\n  \"tag\": \"next\"\n}\n"
        );
    }
}

//! Versions inside arbitrary files: by JSON pointer, dotted TOML path, or regex.
//!
//! Used for generic packages' version files and `[[sync]]` targets.

use crate::config::Locator;

/// Finds the version text in `text`, returning it with its byte range.
pub fn find_version(
    text: &str,
    locator: &Locator,
) -> Result<(String, std::ops::Range<usize>), String> {
    match locator {
        Locator::Json(pointer) => find_json(text, pointer),
        Locator::Toml(path) => find_toml(text, path),
        Locator::Regex(pattern) => find_regex(text, pattern),
    }
}

fn find_json(text: &str, pointer: &str) -> Result<(String, std::ops::Range<usize>), String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("invalid JSON at line {}: {e}", e.line()))?;
    let found = value
        .pointer(pointer)
        .ok_or_else(|| format!("nothing at JSON pointer `{pointer}`"))?;
    let version = found
        .as_str()
        .ok_or_else(|| format!("the value at `{pointer}` is not a string"))?
        .to_owned();
    // Locate the string's text: the last key of the pointer followed by the value.
    let key = pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~");
    let quoted_key = serde_json::to_string(&key).map_err(|e| e.to_string())?;
    let quoted_value = serde_json::to_string(&version).map_err(|e| e.to_string())?;
    let pattern = format!(
        r"{}\s*:\s*({})",
        regex::escape(&quoted_key),
        regex::escape(&quoted_value)
    );
    let regex = regex::Regex::new(&pattern).map_err(|e| e.to_string())?;
    let range = regex
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.start() + 1..m.end() - 1)
        .ok_or_else(|| format!("could not locate `{pointer}` in the text"))?;
    Ok((version, range))
}

fn find_toml(text: &str, path: &str) -> Result<(String, std::ops::Range<usize>), String> {
    let doc = toml_edit::Document::parse(text.to_owned())
        .map_err(|e| format!("invalid TOML: {}", e.message()))?;
    let mut item = doc.as_item();
    for key in path.split('.') {
        item = item
            .get(key)
            .ok_or_else(|| format!("nothing at TOML path `{path}`"))?;
    }
    let value = item
        .as_value()
        .filter(|v| v.is_str())
        .ok_or_else(|| format!("the value at `{path}` is not a string"))?;
    let span = value
        .span()
        .ok_or_else(|| format!("could not locate `{path}` in the text"))?;
    let version = value.as_str().unwrap_or_default().to_owned();
    // The span covers the quotes.
    Ok((version, span.start + 1..span.end - 1))
}

fn find_regex(text: &str, pattern: &str) -> Result<(String, std::ops::Range<usize>), String> {
    let regex = regex::Regex::new(pattern).map_err(|e| format!("invalid regex: {e}"))?;
    let found = regex
        .captures(text)
        .and_then(|c| c.name("version"))
        .ok_or_else(|| format!("the regex `{pattern}` matches nothing"))?;
    Ok((found.as_str().to_owned(), found.range()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_toml_and_regex() {
        let json = "{\n  \"name\": \"app\",\n  \"version\": \"1.2.3\"\n}\n";
        let (v, r) = find_version(json, &Locator::Json("/version".into())).unwrap();
        assert_eq!((v.as_str(), &json[r]), ("1.2.3", "1.2.3"));
        let toml = "[package]\nname = \"x\"\nversion = \"0.4.0\" # pinned\n";
        let (v, r) = find_version(toml, &Locator::Toml("package.version".into())).unwrap();
        assert_eq!((v.as_str(), &toml[r]), ("0.4.0", "0.4.0"));
        let go = "package main\n\nconst Version = \"2.0.1\"\n";
        let (v, _) = find_version(
            go,
            &Locator::Regex(r#"Version = "(?<version>[^"]+)""#.into()),
        )
        .unwrap();
        assert_eq!(v, "2.0.1");
        assert!(find_version(go, &Locator::Regex("nope(?<version>x)".into())).is_err());
    }
}

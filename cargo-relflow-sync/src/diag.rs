//! Errors about user input: a file, a line, what was wrong, and a hint.
//!
//! Every crate of relflow reports bad input (a malformed manifest, an unknown key, a bad bump)
//! with this one type, so the binary prints them all the same way and exits with code 2.

use std::fmt;

use camino::{Utf8Path, Utf8PathBuf};

/// A problem with something the user wrote: a manifest, a config file, a changeset, a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// What is wrong, one line, no trailing period.
    pub message: String,
    /// The file it is in, relative to the repository root where possible.
    pub path: Option<Utf8PathBuf>,
    /// The 1-based line in that file, where known.
    pub line: Option<usize>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl InputError {
    /// An error with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            message: message.into(),
            path: None,
            line: None,
            hint: None,
        }
    }

    /// An error about a file.
    pub fn in_file(path: impl AsRef<Utf8Path>, message: impl Into<String>) -> Self {
        InputError::new(message).with_path(path)
    }

    /// Sets the file.
    #[must_use]
    pub fn with_path(mut self, path: impl AsRef<Utf8Path>) -> Self {
        self.path = Some(path.as_ref().to_owned());
        self
    }

    /// Sets the line.
    #[must_use]
    pub fn with_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the line from a byte offset into the file's text.
    #[must_use]
    pub fn at_offset(self, text: &str, offset: usize) -> Self {
        self.with_line(line_of_offset(text, offset))
    }

    /// Sets the hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `path:line`, `path`, or nothing.
    pub fn location(&self) -> Option<String> {
        match (&self.path, self.line) {
            (Some(path), Some(line)) => Some(format!("{path}:{line}")),
            (Some(path), None) => Some(path.to_string()),
            _ => None,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(location) = self.location() {
            write!(f, "\n  --> {location}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// The 1-based line that holds byte `offset` of `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The 1-based line on which `needle` first appears in `text`, if it does.
pub fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|offset| line_of_offset(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
        assert_eq!(line_of("x = 1\ny = 2\n", "y ="), Some(2));
    }

    #[test]
    fn display_has_location_and_hint() {
        let error = InputError::in_file("relflow.toml", "unknown key `fixd`")
            .with_line(3)
            .with_hint("did you mean `fixed`?");
        assert_eq!(
            error.to_string(),
            "unknown key `fixd`\n  --> relflow.toml:3\nhint: did you mean `fixed`?"
        );
    }
}

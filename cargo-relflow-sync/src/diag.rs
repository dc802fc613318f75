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

/// A file that is not UTF-8 text: where its first invalid byte is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    /// The 1-based line of that byte.
    pub line: usize,
    /// Its offset from the start of the file.
    pub offset: usize,
}

impl fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the file is not UTF-8 text (byte {})", self.offset)
    }
}

impl std::error::Error for NotUtf8 {}

/// The size up to which [`read_text_file`] reads a file through a buffer on the stack.
const SMALL_FILE: usize = 8 * 1024;

/// Reads a text file as `fs::read_to_string` does, without first asking for its size (manifests
/// are small, and discovery reads hundreds of them: one system call fewer each counts). Text that
/// is not UTF-8 is an [`std::io::ErrorKind::InvalidData`] error carrying [`NotUtf8`].
///
/// A file that fits in 8 KiB is read through a buffer on the stack and kept in
/// exactly its own length: a buffer allocated ahead for each of a thousand manifests touches a
/// fresh page of memory each, and that, not the reading, was most of what it cost.
pub fn read_text_file(path: &Utf8Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut head = [0u8; SMALL_FILE];
    let mut filled = 0;
    let bytes = loop {
        match file.read(&mut head[filled..]) {
            Ok(0) => break head[..filled].to_vec(),
            Ok(read) => {
                filled += read;
                if filled == head.len() {
                    let mut bytes = Vec::with_capacity(2 * SMALL_FILE);
                    bytes.extend_from_slice(&head);
                    file.read_to_end(&mut bytes)?;
                    break bytes;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let line = error.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        std::io::Error::new(std::io::ErrorKind::InvalidData, NotUtf8 { line, offset })
    })
}

/// The input error for a file that could not be read: named `path`, at the line of the first
/// invalid byte when it is not UTF-8.
pub fn read_error(path: &Utf8Path, error: &std::io::Error) -> InputError {
    let not_utf8 = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<NotUtf8>());
    match not_utf8 {
        Some(bad) => InputError::in_file(path, format!("cannot read `{path}`: {bad}"))
            .with_line(bad.line)
            .with_hint("relflow reads manifests, configuration and changesets as UTF-8; save the file as UTF-8"),
        None => InputError::in_file(path, format!("cannot read `{path}`: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_around_the_stack_buffer_size_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        for len in [
            0,
            1,
            SMALL_FILE - 1,
            SMALL_FILE,
            SMALL_FILE + 1,
            5 * SMALL_FILE + 3,
        ] {
            let text: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let path = root.join(format!("f{len}"));
            std::fs::write(&path, &text).unwrap();
            let read = read_text_file(&path).unwrap();
            assert_eq!(read.len(), len);
            assert_eq!(read, text);
        }
    }

    #[test]
    fn a_file_that_is_not_utf8_is_an_error_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = Utf8PathBuf::from_path_buf(dir.path().join("package.json")).unwrap();
        std::fs::write(
            &file,
            b"{\n  \"name\": \"a\",\n  \"description\": \"caf\xe9\"\n}\n",
        )
        .unwrap();
        let error = read_text_file(&file).unwrap_err();
        let shown = Utf8Path::new("js/a/package.json");
        let input = read_error(shown, &error);
        assert_eq!(input.line, Some(3));
        assert_eq!(input.path.as_deref(), Some(shown));
        assert!(
            input.message.contains("not UTF-8 text (byte 38)"),
            "{}",
            input.message
        );
        let missing = read_error(
            shown,
            &read_text_file(&file.with_file_name("x")).unwrap_err(),
        );
        assert_eq!(missing.line, None);
    }

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

//! The printer: the one place that writes to stdout and stderr.

use std::io::{ErrorKind, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use clap::ValueEnum;

use crate::error::{Failure, Outcome};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Output settings and the methods that print.
///
/// A write that fails never panics: a closed pipe (`relflow status | head`) stops the output of
/// that stream quietly, as cargo does; any other failure (a full device) is remembered and turns
/// the exit code into 3 (see [`Ui::finish`]).
#[derive(Debug, Clone)]
pub struct Ui {
    color: bool,
    verbose: u8,
    quiet: bool,
    streams: Arc<Streams>,
}

/// What happened to stdout and stderr so far.
#[derive(Debug, Default)]
struct Streams {
    stdout_closed: AtomicBool,
    stderr_closed: AtomicBool,
    failure: Mutex<Option<String>>,
}

/// Which standard stream a write went to.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

impl Ui {
    /// A printer for these flags.
    pub fn new(color: ColorChoice, verbose: u8, quiet: bool) -> Self {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Ui {
            color,
            verbose,
            quiet,
            streams: Arc::default(),
        }
    }

    /// Whether `-v` was given (at least `level` times).
    pub fn is_verbose(&self, level: u8) -> bool {
        self.verbose >= level
    }

    /// Whether `-q` was given.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Data for stdout (JSON, tables, paths): printed even with `-q`.
    pub fn data(&self, text: &str) {
        let newline = if text.ends_with('\n') { "" } else { "\n" };
        self.write(Stream::Stdout, text, newline);
    }

    /// A status line on stderr, cargo style: a right-aligned verb, then the message.
    pub fn status(&self, verb: &str, message: &str) {
        if !self.quiet {
            self.stderr(&format!(
                "{} {message}",
                self.paint(&format!("{verb:>12}"), "1;32")
            ));
        }
    }

    /// A warning on stderr.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            self.stderr(&format!("{}: {message}", self.paint("warning", "1;33")));
        }
    }

    /// A line on stderr that explains a "no" answer; printed even with `-q`.
    pub fn error_line(&self, message: &str) {
        self.stderr(message);
    }

    /// A plain line on stderr, printed even with `-q` (the progress log of a long run).
    pub fn line(&self, text: &str) {
        self.stderr(text);
    }

    /// A note on stderr, shown with `-v`.
    pub fn verbose(&self, message: &str) {
        if self.verbose > 0 {
            self.stderr(message);
        }
    }

    /// Prints an outcome or a failure and returns the exit code.
    pub fn report(&self, result: Result<Outcome, Failure>) -> u8 {
        match result {
            Ok(Outcome::Yes) => 0,
            Ok(Outcome::No) => 1,
            Err(failure) => {
                match &failure {
                    Failure::Input(input) => {
                        let mut text = format!(
                            "{}: {}",
                            self.paint("error", "1;31"),
                            cargo_relflow_sync::valid::shorten_quoted(&input.message)
                        );
                        if let Some(location) = input.location() {
                            text.push_str(&format!("\n  --> {location}"));
                        }
                        if let Some(hint) = &input.hint {
                            text.push_str(&format!("\n\n{}: {hint}", self.paint("hint", "1;36")));
                        }
                        self.stderr(&text);
                    }
                    Failure::External(error) => {
                        self.stderr(&format!("{}: {error:#}", self.paint("error", "1;31")));
                    }
                }
                failure.exit_code()
            }
        }
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// The exit code once the command's own `code` is known: 3 when a write failed for a reason
    /// other than a closed pipe (said on stderr when stderr still works).
    pub fn finish(&self, code: u8) -> u8 {
        let failure = self
            .streams
            .failure
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        match failure {
            Some(message) => {
                let text = format!("{}: {message}", self.paint("error", "1;31"));
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{text}");
                3
            }
            None => code,
        }
    }

    fn stderr(&self, text: &str) {
        self.write(Stream::Stderr, text, "\n");
    }

    fn write(&self, stream: Stream, text: &str, end: &str) {
        let closed = match stream {
            Stream::Stdout => &self.streams.stdout_closed,
            Stream::Stderr => &self.streams.stderr_closed,
        };
        if closed.load(Ordering::Relaxed) {
            return;
        }
        let result = match stream {
            Stream::Stdout => write_all(&mut std::io::stdout().lock(), text, end),
            Stream::Stderr => write_all(&mut std::io::stderr().lock(), text, end),
        };
        if let Err(error) = result {
            closed.store(true, Ordering::Relaxed);
            if error.kind() != ErrorKind::BrokenPipe {
                let name = match stream {
                    Stream::Stdout => "stdout",
                    Stream::Stderr => "stderr",
                };
                let mut failure = self
                    .streams
                    .failure
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                failure.get_or_insert_with(|| format!("could not write to {name}: {error}"));
            }
        }
    }
}

fn write_all(out: &mut impl Write, text: &str, end: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.write_all(end.as_bytes())?;
    out.flush()
}

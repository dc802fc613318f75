//! What a publish run shows while it works: on a terminal, indicatif bars (one line per package
//! in flight under an overall bar); otherwise, and with `-q` or `--format json`, plain
//! timestamped lines on stderr, which CI logs keep. Nothing here prints data: the plan and the
//! summary are returned to the caller.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ui::Ui;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// indicatif bars on stderr.
    Bars,
    /// Plain timestamped lines on stderr.
    Lines,
}

/// The progress of one publish run; shared by its worker threads.
pub struct Progress {
    ui: Ui,
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    packages: Mutex<BTreeMap<String, ProgressBar>>,
}

impl Progress {
    /// Progress shown as `display`.
    pub fn new(ui: &Ui, display: Display) -> Progress {
        let bars = (display == Display::Bars).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(0));
            overall.set_style(
                ProgressStyle::with_template(
                    "{prefix:>12.cyan.bold} [{bar:30}] {pos}/{len} {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            overall.set_prefix("Publishing");
            Bars {
                multi,
                overall,
                packages: Mutex::new(BTreeMap::new()),
            }
        });
        Progress {
            ui: ui.clone(),
            bars,
        }
    }

    /// Bars when stderr is a terminal and `plain` is false (`-q`, `--format json`), else lines.
    pub fn auto(ui: &Ui, plain: bool) -> Progress {
        let display = if !plain && std::io::stderr().is_terminal() {
            Display::Bars
        } else {
            Display::Lines
        };
        Progress::new(ui, display)
    }

    /// A run of `total` packages starts.
    pub fn begin(&self, total: usize) {
        if let Some(bars) = &self.bars {
            bars.overall.set_length(total as u64);
            bars.overall.enable_steady_tick(Duration::from_millis(200));
        }
    }

    /// Package `key` is in flight.
    pub fn start(&self, key: &str, message: &str) {
        match &self.bars {
            Some(bars) => {
                let bar = bars.multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner:.green} {prefix:.bold} {wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(key.to_owned());
                bar.set_message(message.to_owned());
                bar.enable_steady_tick(Duration::from_millis(120));
                if let Ok(mut packages) = bars.packages.lock() {
                    packages.insert(key.to_owned(), bar);
                }
            }
            None => self.line("Starting", &format!("{key}: {message}")),
        }
    }

    /// What package `key` is doing now (`verb`: `Building`, `Waiting`, ...).
    pub fn update(&self, key: &str, verb: &str, message: &str) {
        match &self.bars {
            Some(bars) => {
                if let Some(bar) = bars.packages.lock().ok().and_then(|p| p.get(key).cloned()) {
                    bar.set_message(format!("{}: {message}", verb.to_ascii_lowercase()));
                }
            }
            None => self.line(verb, &format!("{key}: {message}")),
        }
    }

    /// Package `key` is done: `verb` and `message` make its last line.
    pub fn finish(&self, key: &str, verb: &str, message: &str) {
        if let Some(bars) = &self.bars {
            if let Some(bar) = bars.packages.lock().ok().and_then(|mut p| p.remove(key)) {
                bar.finish_and_clear();
                bars.multi.remove(&bar);
            }
            bars.overall.inc(1);
        }
        self.line(verb, message);
    }

    /// A line about the run (tags, push) that belongs to no package.
    pub fn note(&self, verb: &str, message: &str) {
        self.line(verb, message);
    }

    /// A warning.
    pub fn warn(&self, message: &str) {
        match &self.bars {
            Some(bars) => {
                let _ = bars.multi.println(format!("warning: {message}"));
            }
            None => self.ui.warn(message),
        }
    }

    /// Tool output and other detail, shown with `-v` only.
    pub fn detail(&self, text: &str) {
        if !self.ui.is_verbose(1) || text.trim().is_empty() {
            return;
        }
        match &self.bars {
            Some(bars) => {
                let _ = bars.multi.println(text.trim_end());
            }
            None => self.ui.verbose(text.trim_end()),
        }
    }

    /// The run is over: the bars go away.
    pub fn end(&self) {
        if let Some(bars) = &self.bars {
            bars.overall.finish_and_clear();
            let _ = bars.multi.clear();
        }
    }

    fn line(&self, verb: &str, message: &str) {
        let text = format!("[{}] {verb:>12} {message}", time_of_day(SystemTime::now()));
        match &self.bars {
            Some(bars) => {
                let _ = bars.multi.println(text);
            }
            None => self.ui.line(&text),
        }
    }
}

/// `HH:MM:SS` (UTC) of `time`.
fn time_of_day(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) % 86_400;
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_times_of_day() {
        let time = UNIX_EPOCH + Duration::from_secs(3 * 86_400 + 13 * 3600 + 5 * 60 + 9);
        assert_eq!(time_of_day(time), "13:05:09");
    }
}

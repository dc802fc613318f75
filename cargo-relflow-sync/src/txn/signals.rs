//! SIGINT, SIGTERM and SIGHUP during a commit: recorded, so the commit rolls back (or finishes
//! when every file is already in place) instead of dying half-way. Outside a commit they keep
//! their default action. The handlers are installed by the first commit of the process.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Once;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// True outside a commit: a signal then takes its default action.
static OUTSIDE: AtomicBool = AtomicBool::new(true);
/// The signal received during the current commit, 0 for none.
static PENDING: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

/// Held for the length of a commit: signals are deferred while it lives.
pub(super) struct Deferred;

impl Deferred {
    /// Starts deferring the termination signals.
    pub(super) fn start() -> Deferred {
        INSTALL.call_once(|| {
            for signal in [SIGINT, SIGTERM, SIGHUP] {
                // The default action runs first when outside a commit; else the signal is noted.
                let _ = signal_hook::flag::register_conditional_default(signal, &OUTSIDE);
                let _ = signal_hook::flag::register_usize(signal, &PENDING, signal as usize);
            }
        });
        PENDING.store(0, Ordering::SeqCst);
        OUTSIDE.store(false, Ordering::SeqCst);
        Deferred
    }

    /// The name of the signal received since [`Deferred::start`], if any.
    pub(super) fn received(&self) -> Option<&'static str> {
        match PENDING.load(Ordering::SeqCst) {
            0 => None,
            s => Some(
                i32::try_from(s)
                    .ok()
                    .and_then(signal_hook::low_level::signal_name)
                    .unwrap_or("a signal"),
            ),
        }
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        OUTSIDE.store(true, Ordering::SeqCst);
    }
}

//! The worker threads of one commit. A large commit runs several steps in parallel one after
//! the other (reading the originals, writing, removals, folder syncs); a crew's threads are
//! started once, at the first step that needs them, and take each step in turn, so the commit pays for starting
//! and ending its threads once instead of once per step.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::Scope;

/// The work of every step: `work(step, index)`, for each index of the step, in any order and on
/// any thread.
pub(super) type Work<'w, S, E> = &'w (dyn Fn(S, usize) -> Result<(), E> + Sync);

/// Runs `body` with a crew of up to `threads` workers for `work`; the workers are ended when
/// `body` returns (or unwinds).
pub(super) fn with_crew<S, E, R>(
    threads: usize,
    parallel_from: usize,
    work: Work<'_, S, E>,
    body: impl FnOnce(&Crew<'_, '_, S, E>) -> R,
) -> R
where
    S: Copy + Send + Sync,
    E: Send,
{
    let board = Board {
        work,
        state: Mutex::new(State {
            step: None,
            round: 0,
            alive: 0,
            busy: 0,
            closing: false,
            failure: None,
        }),
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        wake: Condvar::new(),
        done: Condvar::new(),
    };
    std::thread::scope(|scope| {
        let crew = Crew {
            board: &board,
            scope,
            threads,
            parallel_from,
            started: Cell::new(false),
        };
        let _close = Close(&board);
        body(&crew)
    })
}

/// A crew, as `with_crew` lends it.
pub(super) struct Crew<'scope, 'env, S, E> {
    board: &'scope Board<'env, S, E>,
    scope: &'scope Scope<'scope, 'env>,
    threads: usize,
    parallel_from: usize,
    /// Whether the workers were started.
    started: Cell<bool>,
}

impl<'scope, 'env, S, E> Crew<'scope, 'env, S, E>
where
    S: Copy + Send + Sync,
    E: Send,
{
    /// Runs `step` for every index below `count`, stopping at the first failure; on the workers
    /// from `parallel_from` indexes on, else on this thread. The failure reported is that of the
    /// lowest index that failed, as a run in order would report.
    pub(super) fn run(&self, step: S, count: usize) -> Result<(), E> {
        let board = self.board;
        if count < self.parallel_from || self.threads < 2 || !self.start() {
            return (0..count).try_for_each(|at| (board.work)(step, at));
        }
        board.next.store(0, Ordering::Relaxed);
        board.stop.store(false, Ordering::Relaxed);
        let mut state = board.lock();
        if state.alive == 0 {
            drop(state);
            return (0..count).try_for_each(|at| (board.work)(step, at));
        }
        state.step = Some((step, count));
        state.round += 1;
        state.busy = state.alive;
        state.failure = None;
        board.wake.notify_all();
        while state.busy > 0 {
            state = board
                .done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.step = None;
        match state.failure.take() {
            Some((_, error)) => Err(error),
            None => Ok(()),
        }
    }
}

impl<'scope, 'env, S, E> Crew<'scope, 'env, S, E>
where
    S: Copy + Send + Sync,
    E: Send,
{
    /// Starts the workers once; whether any is running.
    fn start(&self) -> bool {
        if !self.started.replace(true) {
            for _ in 0..self.threads {
                let board = self.board;
                // A worker that cannot be started leaves its share to the others.
                let started =
                    std::thread::Builder::new().spawn_scoped(self.scope, move || board.serve());
                if started.is_ok() {
                    board.lock().alive += 1;
                }
            }
        }
        self.board.lock().alive > 0
    }
}

/// What the workers share.
struct Board<'w, S, E> {
    work: Work<'w, S, E>,
    state: Mutex<State<S, E>>,
    /// The next index of the current step to hand out.
    next: AtomicUsize,
    /// Set at the current step's first failure: the indexes not yet begun are left.
    stop: AtomicBool,
    /// Workers wait on it for the next step (or the end).
    wake: Condvar,
    /// The crew's owner waits on it for the workers to finish a step.
    done: Condvar,
}

struct State<S, E> {
    /// The current step and its number of indexes.
    step: Option<(S, usize)>,
    /// Counts the steps handed out, so a worker takes each once.
    round: u64,
    /// Workers running (one that panicked is gone: its panic goes on when the scope ends).
    alive: usize,
    /// Workers still on the current step.
    busy: usize,
    closing: bool,
    /// The lowest failed index of the current step, and its error.
    failure: Option<(usize, E)>,
}

impl<S: Copy, E> Board<'_, S, E> {
    fn lock(&self) -> MutexGuard<'_, State<S, E>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A worker's life: each step in turn, until the crew closes.
    fn serve(&self) {
        let mut seen = 0;
        loop {
            let (step, count) = {
                let mut state = self.lock();
                while state.round == seen && !state.closing {
                    state = self
                        .wake
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if state.closing {
                    return;
                }
                seen = state.round;
                match state.step {
                    Some(step) => step,
                    None => continue,
                }
            };
            let share = panic::catch_unwind(AssertUnwindSafe(|| self.take_share(step, count)));
            let mut state = self.lock();
            state.busy -= 1;
            if share.is_err() {
                state.alive -= 1;
                self.stop.store(true, Ordering::Relaxed);
            }
            if state.busy == 0 {
                self.done.notify_all();
            }
            drop(state);
            if let Err(payload) = share {
                panic::resume_unwind(payload);
            }
        }
    }

    /// Runs indexes of `step` until none is left or one failed.
    fn take_share(&self, step: S, count: usize) {
        while !self.stop.load(Ordering::Relaxed) {
            let at = self.next.fetch_add(1, Ordering::Relaxed);
            if at >= count {
                break;
            }
            if let Err(error) = (self.work)(step, at) {
                self.stop.store(true, Ordering::Relaxed);
                let mut state = self.lock();
                if state
                    .failure
                    .as_ref()
                    .is_none_or(|(lowest, _)| at < *lowest)
                {
                    state.failure = Some((at, error));
                }
            }
        }
    }
}

/// Ends the workers when dropped (the scope then joins them).
struct Close<'b, 'w, S, E>(&'b Board<'w, S, E>);

impl<S, E> Drop for Close<'_, '_, S, E> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.closing = true;
        self.0.wake.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Step {
        Count,
        FailFrom(usize),
    }

    #[test]
    fn every_index_of_every_step_runs_once() {
        let hits: Vec<AtomicUsize> = (0..500).map(|_| AtomicUsize::new(0)).collect();
        let work = |step: Step, at: usize| -> Result<(), usize> {
            match step {
                Step::Count => {
                    hits[at].fetch_add(1, Ordering::Relaxed);
                    Ok(())
                }
                Step::FailFrom(from) if at >= from => Err(at),
                Step::FailFrom(_) => Ok(()),
            }
        };
        with_crew(8, 64, &work, |crew| {
            crew.run(Step::Count, 500).unwrap();
            crew.run(Step::Count, 10).unwrap();
            crew.run(Step::Count, 300).unwrap();
        });
        for (at, hit) in hits.iter().enumerate() {
            let expected = 1 + usize::from(at < 10) + usize::from(at < 300);
            assert_eq!(hit.load(Ordering::Relaxed), expected, "index {at}");
        }
    }

    #[test]
    fn the_lowest_failure_is_reported_and_later_steps_still_run() {
        let work = |step: Step, at: usize| -> Result<(), usize> {
            match step {
                Step::FailFrom(from) if at >= from => Err(at),
                _ => Ok(()),
            }
        };
        with_crew(8, 64, &work, |crew| {
            assert_eq!(crew.run(Step::FailFrom(123), 400), Err(123));
            assert_eq!(crew.run(Step::Count, 400), Ok(()));
            assert_eq!(crew.run(Step::FailFrom(5), 20), Err(5));
        });
    }
}

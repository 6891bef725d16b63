//! Admission control: at most `provers` jobs (proofs, verifications) run at once, at most
//! `queue` more wait for a prover, and anything beyond is refused at once (HTTP 429) rather
//! than left to time out. Shutting down closes the queue: waiting jobs are refused (503),
//! running ones finish.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bounded queue in front of the provers.
#[derive(Debug)]
pub struct Admission {
    provers: usize,
    limit: usize,
    sem: Arc<Semaphore>,
    admitted: AtomicUsize,
    draining: AtomicBool,
}

/// Why a job was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The queue is full (429).
    Full,
    /// The server is shutting down (503).
    Draining,
    /// No prover freed up in time (503).
    TimedOut,
}

/// A slot in the queue (released on drop).
#[derive(Debug)]
struct Slot(Arc<Admission>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The right to run one job: hold it until the job is done (move it into the blocking task,
/// so that a job whose request timed out still counts until it ends).
#[derive(Debug)]
pub struct Permit {
    _permit: OwnedSemaphorePermit,
    _slot: Slot,
}

impl Admission {
    /// `provers` concurrent jobs (at least 1) and `queue` waiting ones.
    pub fn new(provers: usize, queue: usize) -> Arc<Self> {
        let provers = provers.max(1);
        Arc::new(Admission {
            provers,
            limit: provers + queue,
            sem: Arc::new(Semaphore::new(provers)),
            admitted: AtomicUsize::new(0),
            draining: AtomicBool::new(false),
        })
    }

    /// Admits a job, or refuses it at once when the queue is full; waits at most `wait` for
    /// a prover.
    pub async fn admit(self: &Arc<Self>, wait: Duration) -> Result<Permit, Refused> {
        if self.draining.load(Ordering::SeqCst) {
            return Err(Refused::Draining);
        }
        if self.admitted.fetch_add(1, Ordering::SeqCst) >= self.limit {
            self.admitted.fetch_sub(1, Ordering::SeqCst);
            return Err(Refused::Full);
        }
        let slot = Slot(self.clone());
        match tokio::time::timeout(wait, self.sem.clone().acquire_owned()).await {
            Err(_) => Err(Refused::TimedOut),
            Ok(Err(_closed)) => Err(Refused::Draining),
            Ok(Ok(permit)) => Ok(Permit {
                _permit: permit,
                _slot: slot,
            }),
        }
    }

    /// Refuses new jobs and those waiting; running jobs finish.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.sem.close();
    }

    /// Whether the server is shutting down.
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// The bound on concurrent jobs.
    pub fn provers(&self) -> usize {
        self.provers
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        if self.draining() {
            // a closed semaphore's permits are not counted back; the slots still are
            return self.admitted.load(Ordering::SeqCst).min(self.provers);
        }
        self.provers - self.sem.available_permits().min(self.provers)
    }

    /// Jobs admitted and waiting for a prover.
    pub fn waiting(&self) -> usize {
        self.admitted
            .load(Ordering::SeqCst)
            .saturating_sub(self.running())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn full_queue_refuses_at_once_and_frees_on_drop() {
        let a = Admission::new(1, 1);
        let first = a.admit(Duration::from_secs(1)).await.unwrap();
        let a2 = a.clone();
        let waiter = tokio::spawn(async move { a2.admit(Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(a.waiting(), 1);
        assert_eq!(
            a.admit(Duration::from_secs(1)).await.unwrap_err(),
            Refused::Full
        );
        drop(first);
        assert!(waiter.await.unwrap().is_ok());
        assert_eq!(a.waiting(), 0);
    }

    #[tokio::test]
    async fn drain_refuses_waiting_jobs() {
        let a = Admission::new(1, 4);
        let _running = a.admit(Duration::from_secs(1)).await.unwrap();
        let a2 = a.clone();
        let waiter = tokio::spawn(async move { a2.admit(Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        a.drain();
        assert_eq!(waiter.await.unwrap().unwrap_err(), Refused::Draining);
        assert_eq!(
            a.admit(Duration::from_secs(1)).await.unwrap_err(),
            Refused::Draining
        );
    }
}

//! A gate a test holds a blocking call at: the call says when it waits, and goes
//! on when the test opens the gate.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};

/// Holds one module call until opened; says when the call is waiting.
#[derive(Clone)]
pub struct Gate {
    open: Arc<(Mutex<bool>, Condvar)>,
    waiting: Sender<()>,
}

/// The test's side of a [`Gate`].
pub struct GateKey {
    open: Arc<(Mutex<bool>, Condvar)>,
    waiting: Receiver<()>,
}

pub fn gate() -> (Gate, GateKey) {
    let open = Arc::new((Mutex::new(false), Condvar::new()));
    let (waiting, seen) = channel();
    (
        Gate {
            open: open.clone(),
            waiting,
        },
        GateKey {
            open,
            waiting: seen,
        },
    )
}

impl Gate {
    /// Waits here until the gate is opened.
    pub fn pass(&self) {
        let _ = self.waiting.send(());
        let (open, opened) = &*self.open;
        let mut is_open = open.lock().unwrap();
        while !*is_open {
            is_open = opened.wait(is_open).unwrap();
        }
    }
}

impl GateKey {
    /// Waits (off the async threads) until a call is held at the gate.
    pub async fn call_waiting(self) -> Self {
        tokio::task::spawn_blocking(move || {
            self.waiting.recv().unwrap();
            self
        })
        .await
        .unwrap()
    }

    pub fn open(&self) {
        let (open, opened) = &*self.open;
        *open.lock().unwrap() = true;
        opened.notify_all();
    }
}

//! Reading card certificates off the login page's bundle. Decoding X.509 (x509-cert,
//! der, `ecpa-cert`) is about a sixth of the SPA's code, and the login page needs none
//! of it until a card has been read; in the browser it runs in a web worker of its own
//! (`ecpa-cert-reader`, Trunk's `data-type="worker"`), downloaded the first time a
//! card's certificate is read and kept for the next. The worker answers with the same
//! facts the page would have read itself, as JSON ([`ecpa_cert::reader`]).

use crate::certificate::CardCertificate;
use crate::failure::Failure;

/// The worker's script (Trunk's loader shim for the `ecpa-cert-reader` crate).
pub const WORKER_SCRIPT: &str = "/ecpa-cert-reader_loader.js";
/// How long a read may take, the worker's download included.
pub const READ_TIMEOUT_MS: u32 = 20_000;

/// Reads every certificate, in order. In the browser the worker does it; elsewhere
/// (native tests) it is read here. [`Failure::Network`] when the worker could not be
/// loaded or did not answer in time.
pub async fn read_all(certificates: Vec<String>) -> Result<Vec<CardCertificate>, Failure> {
    if certificates.is_empty() {
        return Ok(Vec::new());
    }
    #[cfg(target_arch = "wasm32")]
    {
        let facts = worker::read(certificates.clone()).await?;
        if facts.len() != certificates.len() {
            return Err(Failure::CertificateUnreadable);
        }
        Ok(certificates
            .into_iter()
            .zip(facts)
            .map(|(base64, facts)| CardCertificate::new(base64, facts))
            .collect())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Ok(certificates
            .into_iter()
            .map(CardCertificate::read)
            .collect())
    }
}

/// Starts the worker's download, if it has not started, so that it is ready by the
/// time the agent has read the card (the page calls it as it asks the agent).
pub fn prepare() {
    #[cfg(target_arch = "wasm32")]
    worker::prepare();
}

/// Ends the worker, if one runs: the login page's module reads no more certificates
/// once it has handed the page to the full module.
pub fn release() {
    #[cfg(target_arch = "wasm32")]
    worker::stop(Failure::Network);
}

/// Reads one certificate (see [`read_all`]).
pub async fn read_one(certificate: String) -> Result<CardCertificate, Failure> {
    read_all(vec![certificate])
        .await?
        .pop()
        .ok_or(Failure::CertificateUnreadable)
}

#[cfg(target_arch = "wasm32")]
mod worker {
    //! The page's side: one worker, started on the first read and kept; requests by id.

    use std::cell::RefCell;
    use std::collections::HashMap;

    use futures::channel::oneshot;
    use futures::future::{Either, select};
    use gloo_timers::future::TimeoutFuture;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{Event, MessageEvent, Worker};

    use ecpa_cert::reader::{CardFacts, READY, ReadReply, ReadRequest};

    use super::{READ_TIMEOUT_MS, WORKER_SCRIPT};
    use crate::failure::Failure;

    type Facts = Result<Vec<Option<CardFacts>>, Failure>;

    struct Reader {
        worker: Worker,
        ready: bool,
        next_id: u32,
        /// Requests sent, or waiting for the worker's ready message, by id.
        pending: HashMap<u32, oneshot::Sender<Facts>>,
        /// Request texts written before the worker was ready.
        queued: Vec<String>,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
        _on_error: Closure<dyn FnMut(Event)>,
    }

    thread_local! {
        static READER: RefCell<Option<Reader>> = const { RefCell::new(None) };
    }

    /// Starts the worker unless it runs; a failure to start shows at the next read.
    pub(super) fn prepare() {
        READER.with(|cell| {
            let _ = running(&mut cell.borrow_mut());
        });
    }

    /// The worker in `slot`, started first if there is none.
    fn running(slot: &mut Option<Reader>) -> Result<&mut Reader, Failure> {
        if slot.is_none() {
            *slot = Some(start()?);
        }
        slot.as_mut().ok_or(Failure::Network)
    }

    /// What `certificates` say, from the worker.
    pub(super) async fn read(certificates: Vec<String>) -> Facts {
        let (sender, receiver) = oneshot::channel();
        READER.with(|cell| -> Result<(), Failure> {
            let mut slot = cell.borrow_mut();
            let reader = running(&mut slot)?;
            let id = reader.next_id;
            reader.next_id = reader.next_id.wrapping_add(1);
            let text = serde_json::to_string(&ReadRequest { id, certificates })
                .map_err(|_| Failure::CertificateUnreadable)?;
            reader.pending.insert(id, sender);
            if reader.ready {
                post(&reader.worker, &text);
            } else {
                reader.queued.push(text);
            }
            Ok(())
        })?;
        match select(receiver, TimeoutFuture::new(READ_TIMEOUT_MS)).await {
            Either::Left((Ok(facts), _)) => facts,
            Either::Left((Err(_), _)) => Err(Failure::Network),
            Either::Right(_) => {
                // The worker is lost or stuck: the next read starts a new one.
                stop(Failure::Network);
                Err(Failure::Network)
            }
        }
    }

    fn start() -> Result<Reader, Failure> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|_| Failure::Network)?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                received(&text);
            }
        });
        let on_error = Closure::<dyn FnMut(Event)>::new(|event: Event| {
            event.prevent_default();
            let ready = READER.with(|cell| cell.borrow().as_ref().is_some_and(|r| r.ready));
            // Not ready: the script did not load. Ready: it failed on a certificate.
            stop(if ready {
                Failure::CertificateUnreadable
            } else {
                Failure::Network
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Reader {
            worker,
            ready: false,
            next_id: 1,
            pending: HashMap::new(),
            queued: Vec::new(),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn post(worker: &Worker, text: &str) {
        let _ = worker.post_message(&JsValue::from_str(text));
    }

    fn received(text: &str) {
        if text == READY {
            READER.with(|cell| {
                if let Some(reader) = cell.borrow_mut().as_mut() {
                    reader.ready = true;
                    for text in std::mem::take(&mut reader.queued) {
                        post(&reader.worker, &text);
                    }
                }
            });
            return;
        }
        let Ok(reply) = serde_json::from_str::<ReadReply>(text) else {
            stop(Failure::CertificateUnreadable);
            return;
        };
        let sender = READER.with(|cell| {
            cell.borrow_mut()
                .as_mut()
                .and_then(|reader| reader.pending.remove(&reply.id))
        });
        if let Some(sender) = sender {
            let _ = sender.send(Ok(reply.facts));
        }
    }

    /// Ends the worker and answers every pending read with `failure`.
    pub(super) fn stop(failure: Failure) {
        let reader = READER.with(|cell| cell.borrow_mut().take());
        if let Some(reader) = reader {
            reader.worker.terminate();
            for (_, sender) in reader.pending {
                let _ = sender.send(Err(failure.clone()));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::certificate::pem_body;

    #[test]
    fn native_reads_parse_in_place() {
        let citizen = pem_body(include_str!("../tests/data/citizen-moica-test.pem"));
        let read =
            futures::executor::block_on(read_all(vec![citizen.clone(), "AAAA".into()])).unwrap();
        assert_eq!(
            read,
            vec![
                CardCertificate::read(citizen),
                CardCertificate::read("AAAA".into())
            ]
        );
        assert!(read[0].profile().is_ok());
        assert_eq!(
            futures::executor::block_on(read_all(Vec::new())).unwrap(),
            Vec::new()
        );
    }
}

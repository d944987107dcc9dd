//! The SPA's certificate reader, run as a web worker (Trunk's `data-type="worker"`):
//! answers each [`ecpa_cert::reader::ReadRequest`] the page posts, after posting
//! [`ecpa_cert::reader::READY`]. Outside a browser there is nothing to serve.

#[cfg(target_arch = "wasm32")]
fn main() {
    use ecpa_cert::reader::{READY, answer};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(reply) = event.data().as_string().and_then(|m| answer(&m)) {
            let _ = replies.post_message(&JsValue::from_str(&reply));
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as its page, and so does its handler.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ecpa-cert-reader runs as a web worker in the browser (see index.html)");
}

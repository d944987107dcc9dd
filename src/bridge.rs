//! The card agent's popup bridge, HiPKI style: the agent sends no CORS headers, so
//! the page opens the agent's `/popupForm` and talks to it with `postMessage`.

use std::time::Duration;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::future::{Either, select};
use gloo_timers::future::sleep;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, Window};

use crate::failure::Failure;
use crate::protocol;

/// How long the bridge page may take to say `getTbs`: the 3.5 s deployed HiPKI
/// clients wait before they tell the user the agent is not running.
const GREETING_TIMEOUT: Duration = Duration::from_millis(3500);
/// How long the card may take to answer (reading, signing).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(90);

/// An open bridge window, listening for messages from it only (its window, the agent's
/// origin).
pub struct Bridge {
    window: Window,
    popup: Window,
    origin: String,
    inbox: UnboundedReceiver<String>,
    listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Bridge {
    /// Opens the bridge window. Call it synchronously inside the click handler
    /// (a user gesture), before any `await`, or the browser blocks the window.
    pub fn open(agent_origin: &str) -> Result<Self, Failure> {
        let window = web_sys::window().ok_or(Failure::PopupBlocked)?;
        let origin = agent_origin.trim_end_matches('/').to_owned();
        let popup = window
            .open_with_url_and_target_and_features(
                &format!("{origin}/popupForm"),
                "ecpa-card-agent",
                "width=420,height=360",
            )
            .ok()
            .flatten()
            .ok_or(Failure::PopupBlocked)?;
        // Added before this returns, so before the popup can post anything.
        let (sender, inbox) = unbounded();
        let listener = listener(origin.clone(), popup.clone(), sender);
        if window
            .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
            .is_err()
        {
            let _ = popup.close();
            return Err(Failure::PopupBlocked);
        }
        Ok(Self {
            window,
            popup,
            origin,
            inbox,
            listener,
        })
    }

    async fn next_message(&mut self, timeout: Duration) -> Option<String> {
        match select(self.inbox.next(), Box::pin(sleep(timeout))).await {
            Either::Left((message, _)) => message,
            Either::Right(_) => None,
        }
    }

    /// Waits for `getTbs`, posts `request`, and returns the agent's answer (JSON text).
    /// A bridge page that answers at once (e.g. site not trusted) gives that answer.
    pub async fn exchange(mut self, request: &str) -> Result<String, Failure> {
        let greeting = self
            .next_message(GREETING_TIMEOUT)
            .await
            .ok_or(Failure::AgentNotRunning)?;
        if !protocol::is_get_tbs(&greeting) {
            return Ok(greeting);
        }
        self.popup
            .post_message(&wasm_bindgen::JsValue::from_str(request), &self.origin)
            .map_err(|_| Failure::AgentNotRunning)?;
        self.next_message(ANSWER_TIMEOUT)
            .await
            .ok_or(Failure::AgentNotRunning)
    }
}

/// Takes a message only from the bridge: sent from the agent's origin by the popup
/// this page opened (another window of that origin, or a frame, is not the bridge).
fn listener(
    origin: String,
    popup: Window,
    sender: UnboundedSender<String>,
) -> Closure<dyn FnMut(MessageEvent)> {
    Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let from_popup = event
            .source()
            .is_some_and(|source| js_sys::Object::is(&source, &popup));
        if event.origin() != origin || !from_popup {
            return;
        }
        let data = event.data();
        let text = data
            .as_string()
            .or_else(|| js_sys::JSON::stringify(&data).ok().map(String::from));
        if let Some(text) = text {
            let _ = sender.unbounded_send(text);
        }
    })
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self
            .window
            .remove_event_listener_with_callback("message", self.listener.as_ref().unchecked_ref());
        let _ = self.popup.close();
    }
}

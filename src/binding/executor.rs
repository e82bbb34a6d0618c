//! The executor of a stream's engine: it feeds the engine what the host reports, drains the
//! engine's effects and performs them (sockets, the timer, JS callbacks).
//!
//! The engine is borrowed only inside one of its calls, and an effect is performed after it was
//! taken out: a callback that calls back into its stream (subscribe, close, removeHandler) finds
//! the engine free. Effects are taken one at a time, so a nested drain keeps their order.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::batch::{Batch, BatchFrame, BatchedText};
use super::dispatch::{call_and_await, message_of, DispatchMode};
use super::frame_source::EncodedFrame;
use super::hooks::{notify, Hooks};
use super::mailbox::{Mailbox, Signal};
use super::socket::Socket;
use super::stream_error::{make_js, ErrorMaker};
use crate::core::engine::{ConnId, Delivery, Effect, Engine, Millis, StreamError};

pub struct Executor {
    pub engine: RefCell<Engine>,
    pub handlers: RefCell<Vec<Function>>,
    pub mailbox: Rc<Mailbox>,
    pub hooks: Hooks,
    pub dispatch: DispatchMode,
    io: RefCell<Io>,
    errors: RefCell<ErrorMaker>,
}

/// What the executor holds for the engine. Borrowed briefly, never across a call into JS.
#[derive(Default)]
struct Io {
    sockets: Vec<(ConnId, Rc<Socket>)>,
    timer: Option<(Millis, Timeout)>,
    /// How `run()` ended, for the task to return.
    outcome: Option<Result<(), JsValue>>,
}

pub fn now() -> Millis {
    js_sys::Date::now()
}

impl Executor {
    pub fn new(engine: Engine, hooks: Hooks, dispatch: DispatchMode) -> Executor {
        let errors = RefCell::new(ErrorMaker::new(hooks.stream_error.clone()));
        Executor {
            engine: RefCell::new(engine),
            handlers: RefCell::new(Vec::new()),
            mailbox: Rc::new(Mailbox::default()),
            hooks,
            dispatch,
            io: RefCell::new(Io::default()),
            errors,
        }
    }

    /// Runs one engine call (which must not call into JS), then performs what it asked for.
    pub fn act<T>(&self, call: impl FnOnce(&mut Engine, Millis) -> T) -> T {
        // The clock is read before the borrow: no call into JS while the engine is borrowed.
        let now = now();
        let result = call(&mut self.engine.borrow_mut(), now);
        self.pump();
        result
    }

    /// Performs every effect the engine has, then sets the timer to its next deadline.
    pub fn pump(&self) {
        loop {
            let effect = self.engine.borrow_mut().poll_effect();
            match effect {
                Some(effect) => self.perform(effect),
                None => break,
            }
        }
        self.arm_timer();
    }

    fn perform(&self, effect: Effect) {
        match effect {
            Effect::Open { conn, uri } => self.open_socket(conn, &uri),
            Effect::Send { conn, text } => {
                if let Some(socket) = self.socket(conn) {
                    // A failed send means the socket is going away; its close event follows.
                    let _ = socket.send(&text);
                }
            }
            Effect::PingFrame { conn } => {
                if let Some(socket) = self.socket(conn) {
                    socket.ping_frame();
                }
            }
            Effect::CloseSocket { conn } => {
                let socket = {
                    let mut io = self.io.borrow_mut();
                    let index = io.sockets.iter().position(|(c, _)| *c == conn);
                    index.map(|i| io.sockets.remove(i))
                };
                // Dropping unhooks the closures and closes the socket: JS calls, so unborrowed.
                drop(socket);
            }
            Effect::State(state) => notify(
                &self.hooks.on_state_change,
                &[&JsValue::from_str(state.name())],
            ),
            Effect::Connected => notify(&self.hooks.on_connected, &[]),
            Effect::Disconnected(error) => {
                notify(&self.hooks.on_disconnected, &[&self.js_error(&error)])
            }
            Effect::Reconnecting(error) => {
                notify(&self.hooks.on_reconnecting, &[&self.js_error(&error)])
            }
            Effect::PermanentFailure(error) => {
                notify(&self.hooks.on_permanent_failure, &[&self.js_error(&error)])
            }
            Effect::BookChanged(id) => notify(&self.hooks.book_changed, &[&JsValue::from(id)]),
            Effect::Stale(subscription) => {
                if self.hooks.on_stale.is_some() {
                    // A one-item list, which js/stream.js's wrapper unpacks: the same JSON
                    // writer as `subscriptions`, and one crossing.
                    let wire = crate::core::subscription::Subscription::list_json([&subscription]);
                    notify(&self.hooks.on_stale, &[&JsValue::from_str(&wire)]);
                }
            }
            Effect::RunEnded(outcome) => {
                let outcome = outcome.map_err(|error| self.js_error(&error));
                self.io.borrow_mut().outcome = Some(outcome);
                self.mailbox.push(Signal::Wake);
            }
        }
    }

    /// The JS `StreamError` of an engine error: the one crossing for every stream failure.
    pub fn js_error(&self, error: &StreamError) -> JsValue {
        let pending = match self.errors.borrow_mut().cached(error) {
            Ok(value) => return value,
            Err(pending) => pending,
        };
        let value = make_js(error, pending);
        self.errors.borrow_mut().remember(error, &value);
        value
    }

    fn socket(&self, conn: ConnId) -> Option<Rc<Socket>> {
        self.io
            .borrow()
            .sockets
            .iter()
            .find(|(c, _)| *c == conn)
            .map(|(_, s)| Rc::clone(s))
    }

    fn open_socket(&self, conn: ConnId, uri: &str) {
        let made = self.hooks.connect_factory.call2(
            &JsValue::NULL,
            &JsValue::from_str(uri),
            &self.hooks.connect_options,
        );
        let problem = match made {
            Ok(raw) if raw.is_object() => match Socket::attach(
                raw,
                conn,
                &self.mailbox,
                &self.hooks.frame_queue,
                self.hooks.noop.clone(),
            ) {
                Ok(socket) => {
                    self.io.borrow_mut().sockets.push((conn, Rc::new(socket)));
                    return;
                }
                Err(thrown) => thrown,
            },
            Ok(_) => JsValue::from(js_sys::Error::new("connectFactory did not return a socket")),
            Err(thrown) => thrown,
        };
        let message = message_of(&problem);
        self.errors.borrow_mut().set_cause(problem);
        let now = now();
        self.engine
            .borrow_mut()
            .handle_socket_unavailable(now, conn, &message);
    }

    /// Keeps one host timer at the engine's next deadline.
    fn arm_timer(&self) {
        let deadline = self.engine.borrow().poll_timeout();
        let armed = self.io.borrow().timer.as_ref().map(|(at, _)| *at);
        if deadline == armed {
            return;
        }
        let old = self.io.borrow_mut().timer.take();
        drop(old);
        if let Some(at) = deadline {
            let ms = (at - now()).ceil().clamp(0.0, f64::from(i32::MAX)) as u32;
            let mailbox = Rc::clone(&self.mailbox);
            let timeout = Timeout::new(ms, move || mailbox.push(Signal::Timer));
            self.io.borrow_mut().timer = Some((at, timeout));
        }
    }

    /// `run()`'s task: handles the host's signals one at a time until the engine ends the run.
    pub async fn serve(self: Rc<Self>) -> Result<JsValue, JsValue> {
        self.pump();
        loop {
            let outcome = self.io.borrow_mut().outcome.take();
            if let Some(outcome) = outcome {
                return outcome.map(|()| JsValue::UNDEFINED);
            }
            match self.mailbox.recv().await {
                Signal::Opened(conn) => self.act(|engine, now| engine.handle_opened(now, conn)),
                Signal::Batch(conn, batch) => self.on_batch(conn, batch).await,
                Signal::Closed(conn, close) => {
                    let retry_after = self.socket(conn).and_then(|socket| socket.retry_after());
                    self.act(|engine, now| {
                        engine.handle_closed(now, conn, close, retry_after.as_deref())
                    });
                }
                Signal::Timer => {
                    let fired = self.io.borrow_mut().timer.take();
                    drop(fired);
                    self.act(|engine, now| engine.handle_timeout(now));
                }
                Signal::Wake => {}
            }
        }
    }

    /// A task's frames, one clock reading for all. A handler that closes the stream (or a
    /// drop it causes) ends the batch: the frames after it belong to a connection that is over.
    async fn on_batch(&self, conn: ConnId, batch: Batch) {
        let now = now();
        for (index, frame) in batch.frames().enumerate() {
            if !self.engine.borrow().is_current(conn) {
                return;
            }
            let data = || batch.values.get(index as u32);
            match frame {
                BatchFrame::Other => self.on_single(now, conn, data()).await,
                BatchFrame::Text(bytes) => {
                    let mut source = BatchedText {
                        bytes,
                        tape_at: None,
                    };
                    let delivery = self
                        .engine
                        .borrow_mut()
                        .handle_frame(now, conn, &mut source);
                    let response = match (&delivery, source.tape_at) {
                        (Delivery::Deliver { .. }, Some(tape_at)) => {
                            // The builder slices strings out of the frame's JS text: make it current.
                            let data = data();
                            Some(
                                self.hooks
                                    .encode_frame
                                    .call1(&JsValue::NULL, &data)
                                    .and_then(|_| self.build(tape_at)),
                            )
                        }
                        _ => None,
                    };
                    self.after_frame(conn, delivery, response, None, data).await;
                }
            }
        }
    }

    /// A frame that is not plain text (binary, or not valid Unicode), from its JS value.
    async fn on_single(&self, now: Millis, conn: ConnId, data: JsValue) {
        if !data.is_string() {
            let delivery = self.engine.borrow_mut().handle_binary_frame(now, conn);
            return self
                .after_frame(conn, delivery, None, None, || data.clone())
                .await;
        }
        let (len, thrown) = match self.hooks.encode_frame.call1(&JsValue::NULL, &data) {
            Ok(len) => (Some(len.as_f64().unwrap_or(0.0) as usize), None),
            Err(thrown) => (None, Some(thrown)),
        };
        let mut frame = EncodedFrame::new(len);
        let delivery = self.engine.borrow_mut().handle_frame(now, conn, &mut frame);
        let response = match (&delivery, frame.tape_at) {
            (Delivery::Deliver { .. }, Some(tape_at)) => Some(self.build(tape_at)),
            _ => None,
        };
        self.after_frame(conn, delivery, response, thrown, || data.clone())
            .await;
    }

    /// The response object of the frame whose tape starts at `tape_at`. Built before anything
    /// else runs: a callback's `Response.parse` would reuse the tape.
    fn build(&self, tape_at: usize) -> Result<JsValue, JsValue> {
        self.hooks
            .build_response
            .call1(&JsValue::NULL, &JsValue::from_f64(tape_at as f64))
    }

    /// Performs the frame's effects, then reports or delivers it.
    async fn after_frame(
        &self,
        conn: ConnId,
        delivery: Delivery,
        response: Option<Result<JsValue, JsValue>>,
        thrown: Option<JsValue>,
        data: impl Fn() -> JsValue,
    ) {
        self.pump();
        match delivery {
            Delivery::Stale | Delivery::Consumed => {}
            Delivery::Undecodable(problem) => {
                let error = thrown.unwrap_or_else(|| js_sys::Error::new(&problem).into());
                notify(&self.hooks.on_decode_error, &[&error, &data()]);
            }
            Delivery::Deliver { auth_refusal } => match response {
                Some(Ok(response)) => self.deliver(conn, &response, auth_refusal).await,
                Some(Err(problem)) => notify(&self.hooks.on_decode_error, &[&problem, &data()]),
                None => {}
            },
        }
    }

    /// Hands a response to the handlers as the dispatch mode says; nothing once the connection
    /// is over (a handler closed the stream, say).
    async fn deliver(&self, conn: ConnId, response: &JsValue, auth_refusal: Option<StreamError>) {
        if let Some(refusal) = auth_refusal {
            notify(
                &self.hooks.on_auth_failed,
                &[&self.js_error(&refusal), response],
            );
        }
        let current = || self.engine.borrow().is_current(conn);
        if !current() {
            return;
        }
        match self.dispatch {
            DispatchMode::Queue => notify(&Some(self.hooks.enqueue.clone()), &[response]),
            DispatchMode::Task => {
                let handlers = self.handlers.borrow().clone();
                for handler in &handlers {
                    if !current() {
                        return;
                    }
                    let _ = self
                        .hooks
                        .settle_task
                        .call2(&JsValue::NULL, handler, response);
                }
            }
            DispatchMode::Inline => {
                let handlers = self.handlers.borrow().clone();
                for handler in &handlers {
                    // A handler removed by an earlier one, while this message was handled, is skipped.
                    let registered = self
                        .handlers
                        .borrow()
                        .iter()
                        .any(|h| JsValue::from(h) == JsValue::from(handler));
                    if !current() {
                        return;
                    }
                    if !registered {
                        continue;
                    }
                    let Err(thrown) =
                        call_and_await(handler, response, &self.mailbox, current).await
                    else {
                        continue;
                    };
                    match &self.hooks.on_handler_error {
                        Some(callback) => {
                            let _ = callback.call2(&JsValue::NULL, &thrown, response);
                        }
                        None => {
                            let message = message_of(&thrown);
                            self.errors.borrow_mut().set_cause(thrown);
                            self.act(|engine, now| {
                                engine.handle_handler_failed(now, conn, &message)
                            });
                            return;
                        }
                    }
                }
            }
        }
    }
}

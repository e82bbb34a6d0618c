//! The executor of a stream's engine: it feeds the engine what the host reports, drains the
//! engine's effects and performs them (sockets, the timer, JS callbacks).
//!
//! It is driven by one callback, not a task: a socket event posts a signal, handled in a
//! microtask after it (so a socket double that updates itself after calling `onclose` is seen updated);
//! the timer's signal is handled as it fires; `run()`'s Promise is settled when the engine ends
//! the run. An `inline` handler's pending Promise parks the delivery (and the signals after it)
//! until it settles.
//!
//! The engine is borrowed only inside one of its calls, and an effect is performed after it was
//! taken out: a callback that calls back into its stream (subscribe, close, removeHandler) finds
//! the engine free. Effects are taken one at a time, so a nested drain keeps their order.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::batch::{Batch, BatchFrame, BatchedText};
use super::decoder::with_frame;
use super::dispatch::{message_of, InlineDelivery, Step};
use super::hooks::{Hooks, Notice};
use super::mailbox::{Mailbox, Signal};
use super::socket::{close_frame, Socket, SocketEvent, SocketRef};
use super::stream_error::{make_js, ErrorMaker};
use crate::core::borrow::{mutable, shared};
use crate::core::engine::{ConnId, Delivery, Effect, Engine, Millis, StreamError};
use crate::core::stream_options::Dispatch;

#[wasm_bindgen]
extern "C" {
    /// The resume callback, as JS sees it.
    type Resume;

    /// `Function.prototype.bind`: the callback with its tag and connection as first arguments.
    #[wasm_bindgen(method)]
    fn bind(this: &Resume, context: &JsValue, tag: u32, conn: u32) -> Function;

    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &Function);

    /// The host's timer, calling back with `tag` (and no connection) as first arguments.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Resume, ms: u32, tag: u32, conn: u32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// What the resume callback is called for, by its tag (shifted right by one: the low bit says
/// whether a Promise was fulfilled): to start a run, for the timer, to handle posted signals, a
/// socket's event, or a parked handler's wait.
const START: u32 = 0;
const TIMER: u32 = 1;
const POSTED: u32 = 2;
const OPENED: u32 = 3;
const BATCH: u32 = 4;
const CLOSED: u32 = 5;
const FIRST_WAIT: u32 = 6;

/// The JS arguments of a resume call after its tag and connection: a Promise's value, a
/// close's code and reason, or a batch's lengths and values.
type Resumed = Closure<dyn Fn(u32, u32, JsValue, JsValue)>;

pub struct Executor {
    pub engine: RefCell<Engine>,
    pub handlers: RefCell<Vec<Function>>,
    pub hooks: Hooks,
    pub dispatch: Dispatch,
    mailbox: Mailbox,
    /// Called with a tag: when a parked handler's Promise settles, the timer fires, a run
    /// starts, a socket reports an event (bound to its connection too).
    resume: Resumed,
    /// The resume callback bound to handle the posted signals, and whether it is queued.
    serve_posted: Function,
    posted: Cell<bool>,
    /// Signals are being handled: one posted meanwhile waits its turn.
    serving: Cell<bool>,
    parked: RefCell<Option<Parked>>,
    generation: Cell<u32>,
    io: RefCell<Io>,
    errors: RefCell<ErrorMaker>,
}

/// What the executor holds for the engine. Borrowed briefly, never across a call into JS.
#[derive(Default)]
struct Io {
    sockets: Vec<(ConnId, Socket)>,
    timer: Option<Alarm>,
    /// `run()`'s resolve and reject, while it runs.
    run: Option<(Function, Function)>,
}

/// The host timer set for the engine's deadline `at`; cleared when dropped.
struct Alarm {
    at: Millis,
    id: JsValue,
}

impl Drop for Alarm {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

impl SocketEvent {
    /// The resume callback's tag for this event.
    fn tag(self) -> u32 {
        let kind = match self {
            SocketEvent::Opened => OPENED,
            SocketEvent::Batch => BATCH,
            SocketEvent::Closed => CLOSED,
        };
        kind << 1
    }
}

/// A batch whose delivery waits for an `inline` handler's Promise.
struct Parked {
    /// Which wait this is: a Promise that settles after its wait was given up finds another tag.
    generation: u32,
    conn: ConnId,
    batch: Batch,
    now: Millis,
    /// The frame after the one being delivered.
    next_frame: usize,
    delivery: InlineDelivery,
}

pub fn now() -> Millis {
    js_sys::Date::now()
}

impl Executor {
    pub fn new(engine: Engine, hooks: Hooks, dispatch: Dispatch) -> Rc<Executor> {
        let errors = RefCell::new(ErrorMaker::new(hooks.stream_error.clone()));
        // Callbacks hold the executor weakly: it lives as long as its `StreamDriver`, which the
        // JS `Stream` keeps while `run()` is pending (js/stream.js).
        Rc::new_cyclic(|this: &Weak<Executor>| {
            let resume: Resumed = {
                let this = Weak::clone(this);
                Closure::new(move |tag: u32, conn: u32, value: JsValue, more: JsValue| {
                    if let Some(executor) = this.upgrade() {
                        executor.resume(tag, ConnId(conn), value, more);
                    }
                })
            };
            let serve_posted =
                resume
                    .as_ref()
                    .unchecked_ref::<Resume>()
                    .bind(&JsValue::NULL, POSTED << 1, 0);
            Executor {
                engine: RefCell::new(engine),
                handlers: RefCell::new(Vec::new()),
                hooks,
                dispatch,
                mailbox: Mailbox::default(),
                resume,
                serve_posted,
                posted: Cell::new(false),
                serving: Cell::new(false),
                parked: RefCell::new(None),
                generation: Cell::new(FIRST_WAIT),
                io: RefCell::new(Io::default()),
                errors,
            }
        })
    }

    /// Runs one engine call (which must not call into JS), then performs what it asked for.
    pub fn act<T>(&self, call: impl FnOnce(&mut Engine, Millis) -> T) -> T {
        // The clock is read before the borrow: no call into JS while the engine is borrowed.
        let now = now();
        let result = call(&mut mutable(&self.engine), now);
        self.pump();
        self.give_up_stale_wait();
        result
    }

    /// Performs every effect the engine has, then sets the timer to its next deadline.
    pub fn pump(&self) {
        loop {
            let effect = mutable(&self.engine).poll_effect();
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
                    let mut io = mutable(&self.io);
                    let index = io.sockets.iter().position(|(c, _)| *c == conn);
                    index.map(|i| io.sockets.remove(i))
                };
                // Dropping unhooks the closures and closes the socket: JS calls, so unborrowed.
                drop(socket);
            }
            Effect::State(state) => {
                self.notice(Notice::StateChange, &JsValue::from_str(state.name()))
            }
            Effect::Connected => self.notice(Notice::Connected, &JsValue::UNDEFINED),
            Effect::Disconnected(error) => {
                self.notice(Notice::Disconnected, &self.js_error(&error))
            }
            Effect::Reconnecting(error) => {
                self.notice(Notice::Reconnecting, &self.js_error(&error))
            }
            Effect::PermanentFailure(error) => {
                self.notice(Notice::PermanentFailure, &self.js_error(&error))
            }
            Effect::BookChanged(id) => self.hooks.book_changed(id),
            Effect::Stale(subscription) => {
                // A one-item list, which js/stream.js's wrapper unpacks: the same JSON
                // writer as `subscriptions`, and one crossing.
                let wire = crate::core::subscription::Subscription::list_json([&subscription]);
                self.notice(Notice::Stale, &JsValue::from_str(&wire));
            }
            Effect::RunEnded(outcome) => {
                let settle = mutable(&self.io).run.take();
                if let Some((resolve, reject)) = settle {
                    let _ = match outcome {
                        Ok(()) => resolve.call0(&JsValue::NULL),
                        Err(error) => reject.call1(&JsValue::NULL, &self.js_error(&error)),
                    };
                }
            }
        }
    }

    /// A notice with one value.
    fn notice(&self, kind: Notice, value: &JsValue) {
        self.hooks.notice(kind, value, &JsValue::UNDEFINED);
    }

    /// The JS `StreamError` of an engine error: the one crossing for every stream failure.
    pub fn js_error(&self, error: &StreamError) -> JsValue {
        let pending = match mutable(&self.errors).cached(error) {
            Ok(value) => return value,
            Err(pending) => pending,
        };
        let value = make_js(error, pending);
        mutable(&self.errors).remember(error, &value);
        value
    }

    fn socket(&self, conn: ConnId) -> Option<SocketRef> {
        shared(&self.io)
            .sockets
            .iter()
            .find(|(c, _)| *c == conn)
            .map(|(_, s)| s.handle())
    }

    fn open_socket(&self, conn: ConnId, uri: &str) {
        let opened = Socket::open(
            uri,
            |event| self.bound(SocketEvent::tag(event), conn),
            &self.hooks.open_socket,
        );
        let problem = match opened {
            Ok(socket) => {
                mutable(&self.io).sockets.push((conn, socket));
                return;
            }
            Err(thrown) => thrown,
        };
        let message = message_of(&problem);
        mutable(&self.errors).set_cause(problem);
        let now = now();
        mutable(&self.engine).handle_socket_unavailable(now, conn, &message);
    }

    /// Keeps one host timer at the engine's next deadline.
    fn arm_timer(&self) {
        let deadline = shared(&self.engine).poll_timeout();
        let armed = shared(&self.io).timer.as_ref().map(|alarm| alarm.at);
        if deadline == armed {
            return;
        }
        let old = mutable(&self.io).timer.take();
        drop(old);
        if let Some(at) = deadline {
            let ms = (at - now()).ceil().clamp(0.0, f64::from(i32::MAX)) as u32;
            let id = set_timeout(self.resume.as_ref().unchecked_ref(), ms, TIMER << 1, 0);
            mutable(&self.io).timer = Some(Alarm { at, id });
        }
    }

    /// Starts the run the engine just began, to be settled through `resolve` and `reject` when
    /// the engine ends it. The first effects are performed in a microtask, after `run()` returned.
    pub fn start(&self, resolve: Function, reject: Function) {
        mutable(&self.io).run = Some((resolve, reject));
        queue_microtask(&self.bound(START << 1, ConnId(0)));
    }

    /// Calls the resume callback with `tag` once `thenable` settles (the tag's low bit says
    /// whether it was fulfilled).
    fn later(&self, thenable: &JsValue, tag: u32) {
        let fulfilled = self.bound(tag | 1, ConnId(0));
        let rejected = self.bound(tag, ConnId(0));
        self.hooks.when_settled(thenable, &fulfilled, &rejected);
    }

    /// The resume callback, called with `tag` and `conn` first.
    fn bound(&self, tag: u32, conn: ConnId) -> Function {
        let resume: &Resume = self.resume.as_ref().unchecked_ref();
        resume.bind(&JsValue::NULL, tag, conn.0)
    }

    fn resume(&self, tag: u32, conn: ConnId, value: JsValue, more: JsValue) {
        let signal = match tag >> 1 {
            OPENED => Some(Signal::Opened(conn)),
            BATCH => Some(Signal::Batch(
                conn,
                Batch::take(
                    value.as_f64().unwrap_or_default() as usize,
                    more.unchecked_into(),
                ),
            )),
            CLOSED => {
                // The frames received before the close come first.
                if let Some(socket) = self.socket(conn) {
                    socket.flush();
                }
                Some(Signal::Closed(conn, close_frame(&value, &more)))
            }
            _ => None,
        };
        if let Some(signal) = signal {
            self.mailbox.push(signal);
            return self.serve_soon();
        }
        match tag >> 1 {
            START => {
                self.pump();
                return self.serve();
            }
            TIMER => {
                self.mailbox.push(Signal::Timer);
                return self.serve();
            }
            POSTED => {
                self.posted.set(false);
                return self.serve();
            }
            _ => {}
        }
        let parked = {
            let mut slot = mutable(&self.parked);
            match slot.as_ref() {
                Some(parked) if parked.generation == tag >> 1 => slot.take(),
                _ => None,
            }
        };
        let Some(parked) = parked else {
            return;
        };
        let outcome = if tag & 1 == 1 { Ok(()) } else { Err(value) };
        // The rest of the batch comes before any signal posted while it is delivered.
        let serving = self.serving.replace(true);
        self.go_on(parked, outcome);
        self.serving.set(serving);
        self.serve();
    }

    /// Handles the queued signals in a microtask (one for all that are posted meanwhile).
    fn serve_soon(&self) {
        if !self.posted.replace(true) {
            // The executor outlives the microtask: its driver is freed only by a finalizer,
            // which runs after the microtasks.
            queue_microtask(&self.serve_posted);
        }
    }

    /// Handles the queued signals one at a time, unless a delivery is parked.
    fn serve(&self) {
        if self.serving.replace(true) {
            return;
        }
        while shared(&self.parked).is_none() {
            let Some(signal) = self.mailbox.pop() else {
                break;
            };
            self.handle(signal);
        }
        self.serving.set(false);
    }

    fn handle(&self, signal: Signal) {
        match signal {
            Signal::Opened(conn) => self.act(|engine, now| engine.handle_opened(now, conn)),
            Signal::Batch(conn, batch) => self.on_batch(conn, batch, now(), 0),
            Signal::Closed(conn, close) => {
                let retry_after = self.socket(conn).and_then(|socket| socket.retry_after());
                self.act(|engine, now| {
                    engine.handle_closed(now, conn, close, retry_after.as_deref())
                });
            }
            Signal::Timer => {
                let fired = mutable(&self.io).timer.take();
                drop(fired);
                self.act(|engine, now| engine.handle_timeout(now));
            }
        }
    }

    /// Waits for `thenable` before delivering the rest; not if the connection is already over
    /// (a handler that never settles must not keep `run()` from resolving).
    fn park(&self, mut parked: Parked, thenable: &JsValue) {
        if !shared(&self.engine).is_current(parked.conn) {
            // Nobody waits for it, but its rejection is still handled.
            let nobody = JsValue::UNDEFINED;
            self.hooks
                .when_settled(thenable, nobody.unchecked_ref(), nobody.unchecked_ref());
            return;
        }
        let generation = match self.generation.get().wrapping_add(1) & (u32::MAX >> 1) {
            next if next < FIRST_WAIT => FIRST_WAIT,
            next => next,
        };
        self.generation.set(generation);
        parked.generation = generation;
        *mutable(&self.parked) = Some(parked);
        self.later(thenable, generation << 1);
    }

    /// A call of the user's gave up the parked delivery's connection (`close()`): stop waiting
    /// and handle what was queued behind it.
    fn give_up_stale_wait(&self) {
        let stale = match self.parked.try_borrow() {
            Ok(parked) => parked
                .as_ref()
                .is_some_and(|p| !shared(&self.engine).is_current(p.conn)),
            Err(_) => false,
        };
        if stale {
            let given_up = mutable(&self.parked).take();
            drop(given_up);
            self.serve_soon();
        }
    }

    /// Goes on with a parked delivery once its handler's Promise settled with `outcome`.
    fn go_on(&self, mut parked: Parked, outcome: Result<(), JsValue>) {
        let go_on = match outcome {
            Ok(()) => true,
            Err(thrown) => self.handler_failed(parked.conn, thrown, &parked.delivery.response),
        };
        if go_on {
            if let Some(thenable) = self.deliver_inline(parked.conn, &mut parked.delivery) {
                return self.park(parked, &thenable);
            }
        }
        let Parked {
            conn,
            batch,
            now,
            next_frame,
            ..
        } = parked;
        self.on_batch(conn, batch, now, next_frame);
    }

    /// A task's frames from `start` on, one clock reading for all. A handler that closes the
    /// stream (or a drop it causes) ends the batch: the frames after it belong to a connection
    /// that is over. An `inline` handler's pending Promise parks the rest.
    ///
    /// A frame consumed in wasm (a book update, a keepalive answer) that left no effect runs no
    /// JS: the timer is set once after a run of them, not after each.
    fn on_batch(&self, conn: ConnId, batch: Batch, now: Millis, start: usize) {
        let mut waiting = None;
        for (index, frame) in batch.frames().enumerate().skip(start) {
            let data = || batch.values.get(index as u32);
            let inline = match frame {
                BatchFrame::Other if !shared(&self.engine).is_current(conn) => break,
                BatchFrame::Other => self.on_single(now, conn, &batch.values, index),
                BatchFrame::Text(bytes) => {
                    let mut source = BatchedText {
                        bytes,
                        tape_at: None,
                    };
                    let (delivery, quiet) = {
                        // One borrow for the check and the frame.
                        let mut engine = mutable(&self.engine);
                        if !engine.is_current(conn) {
                            break;
                        }
                        let delivery = engine.handle_frame(now, conn, &mut source);
                        let consumed = matches!(delivery, Delivery::Consumed | Delivery::Stale);
                        (delivery, consumed && !engine.has_effects())
                    };
                    if quiet {
                        continue;
                    }
                    let response = match (&delivery, source.tape_at) {
                        // Built before anything else runs: a callback's `Response.parse` would
                        // reuse the tape.
                        (Delivery::Deliver { .. }, Some(tape_at)) => {
                            let (frames, index) = (&batch.values, index as u32);
                            Some(self.hooks.build_response(tape_at, frames, index, bytes))
                        }
                        _ => None,
                    };
                    self.after_frame(conn, delivery, response, None, &data)
                }
            };
            if let Some(mut delivery) = inline {
                if let Some(thenable) = self.deliver_inline(conn, &mut delivery) {
                    waiting = Some((index + 1, delivery, thenable));
                    break;
                }
            }
        }
        self.arm_timer();
        if let Some((next_frame, delivery, thenable)) = waiting {
            let parked = Parked {
                generation: START,
                conn,
                batch,
                now,
                next_frame,
                delivery,
            };
            self.park(parked, &thenable);
        }
    }

    /// A frame that is not plain text (binary, or not valid Unicode), from its JS value.
    fn on_single(
        &self,
        now: Millis,
        conn: ConnId,
        frames: &Array,
        index: usize,
    ) -> Option<InlineDelivery> {
        let data = frames.get(index as u32);
        if !data.is_string() {
            let delivery = mutable(&self.engine).handle_binary_frame(now, conn);
            return self.after_frame(conn, delivery, None, None, &|| data.clone());
        }
        // Read like a batched frame, from a copy of what `encodeFrame` wrote: one frame reader
        // in the wasm, and the copy is for the rare frame that is not plain text.
        let (bytes, thrown) = match self.hooks.encode_frame(&data) {
            Ok(length) => (with_frame(length, <[u8]>::to_vec), None),
            Err(thrown) => (None, Some(thrown)),
        };
        let mut frame = BatchedText {
            bytes: bytes.as_deref().unwrap_or_default(),
            tape_at: None,
        };
        let delivery = mutable(&self.engine).handle_frame(now, conn, &mut frame);
        let response = match (&delivery, frame.tape_at) {
            (Delivery::Deliver { .. }, Some(tape_at)) => {
                Some(
                    self.hooks
                        .build_response(tape_at, frames, index as u32, frame.bytes),
                )
            }
            _ => None,
        };
        self.after_frame(conn, delivery, response, thrown, &|| data.clone())
    }

    /// Performs the frame's effects, then reports or delivers it; an `inline` delivery is
    /// returned, for the caller to run (and maybe park). Out of line, with the frame's value
    /// behind a `dyn`: one copy for every kind of frame.
    #[inline(never)]
    fn after_frame(
        &self,
        conn: ConnId,
        delivery: Delivery,
        response: Option<Result<JsValue, JsValue>>,
        thrown: Option<JsValue>,
        data: &dyn Fn() -> JsValue,
    ) -> Option<InlineDelivery> {
        self.pump();
        match delivery {
            Delivery::Stale | Delivery::Consumed => None,
            Delivery::Undecodable(problem) => {
                let error = thrown.unwrap_or_else(|| js_sys::Error::new(&problem).into());
                self.hooks.notice(Notice::DecodeError, &error, &data());
                None
            }
            Delivery::Deliver { auth_refusal } => match response {
                Some(Ok(response)) => self.deliver(conn, response, auth_refusal),
                Some(Err(problem)) => {
                    self.hooks.notice(Notice::DecodeError, &problem, &data());
                    None
                }
                None => None,
            },
        }
    }

    /// Hands a response to the handlers as the dispatch mode says; nothing once the connection
    /// is over (a handler closed the stream, say). `inline` mode returns its delivery.
    fn deliver(
        &self,
        conn: ConnId,
        response: JsValue,
        auth_refusal: Option<StreamError>,
    ) -> Option<InlineDelivery> {
        if let Some(refusal) = auth_refusal {
            self.hooks
                .notice(Notice::AuthFailed, &self.js_error(&refusal), &response);
        }
        let current = || shared(&self.engine).is_current(conn);
        if !current() {
            return None;
        }
        match self.dispatch {
            Dispatch::Queue => {
                let _ = self.hooks.enqueue.call1(&JsValue::NULL, &response);
            }
            Dispatch::Task => {
                let handlers = shared(&self.handlers).clone();
                for handler in &handlers {
                    if !current() {
                        return None;
                    }
                    let _ = self
                        .hooks
                        .settle_task
                        .call2(&JsValue::NULL, handler, &response);
                }
            }
            Dispatch::Inline => {
                let handlers = shared(&self.handlers).clone();
                return Some(InlineDelivery::new(response, handlers));
            }
        }
        None
    }

    /// Calls the delivery's handlers until one returns a thenable, which is returned to wait for.
    fn deliver_inline(&self, conn: ConnId, delivery: &mut InlineDelivery) -> Option<JsValue> {
        let registered = |handler: &Function| {
            shared(&self.handlers)
                .iter()
                .any(|h| JsValue::from(h) == JsValue::from(handler))
        };
        let current = || shared(&self.engine).is_current(conn);
        let call =
            |handler: &Function, response: &JsValue| self.hooks.call_handler(handler, response);
        loop {
            match delivery.step(call, registered, current) {
                Step::Done => return None,
                Step::Wait(thenable) => return Some(thenable),
                Step::Threw(thrown) => {
                    if !self.handler_failed(conn, thrown, &delivery.response) {
                        return None;
                    }
                }
            }
        }
    }

    /// Reports a handler's failure; false if it ended the connection (no `onHandlerError`).
    fn handler_failed(&self, conn: ConnId, thrown: JsValue, response: &JsValue) -> bool {
        match &self.hooks.on_handler_error {
            Some(callback) => {
                let _ = callback.call2(&JsValue::NULL, &thrown, response);
                true
            }
            None => {
                let message = message_of(&thrown);
                mutable(&self.errors).set_cause(thrown);
                self.act(|engine, now| engine.handle_handler_failed(now, conn, &message));
                false
            }
        }
    }
}

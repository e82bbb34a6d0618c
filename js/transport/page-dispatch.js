// How a remote stream's page hands the worker's responses to its handlers, in the stream's
// dispatch mode: "inline" awaits each handler in order before the next response, "task" calls
// them without waiting, "queue" keeps responses for responses(). A failing handler is reported to
// onHandlerError (or the console); it cannot drop a connection that other tabs may be using.

import { ResponseQueue } from "../response-queue.js";

export class PageDispatch {
  #mode;
  #onHandlerError;
  #handlers = [];
  #queue = new ResponseQueue();
  #chain = Promise.resolve();

  constructor(mode, onHandlerError) {
    this.#mode = mode;
    this.#onHandlerError = onHandlerError;
  }

  add(handler) {
    if (typeof handler !== "function") throw new TypeError("handler must be a function");
    this.#handlers.push(handler);
  }

  remove(handler) {
    const index = this.#handlers.indexOf(handler);
    if (index < 0) return false;
    this.#handlers.splice(index, 1);
    return true;
  }

  deliver(response) {
    if (this.#mode === "queue") {
      this.#queue.push(response);
    } else if (this.#mode === "task") {
      for (const handler of this.#handlers) {
        try {
          const result = handler(response);
          if (result && typeof result.then === "function") result.then(undefined, (error) => this.#report(error, response));
        } catch (error) {
          this.#report(error, response);
        }
      }
    } else {
      this.#chain = this.#chain.then(async () => {
        for (const handler of [...this.#handlers]) {
          try {
            await handler(response);
          } catch (error) {
            this.#report(error, response);
          }
        }
      });
    }
  }

  /** No more responses: a reader of responses() finishes once the queue is drained. */
  end() {
    this.#queue.end();
  }

  responses() {
    if (this.#mode !== "queue") throw new Error('responses() needs dispatch: "queue"');
    return this.#queue.iterator();
  }

  #report(error, response) {
    try {
      if (this.#onHandlerError) this.#onHandlerError(error, response);
      else console.error("maicoin-ws: a handler failed:", error);
    } catch {
      // The error callback's own failure has nowhere left to go.
    }
  }
}

/**
 * Coalesces requests for a receive pass: passes run in a microtask (the completions of one tick share a pass), but
 * at most PASSES_PER_TURN of them before waiting for `setImmediate`: with an in-memory source every receive
 * resolves in a microtask, and a loop made only of microtasks would starve timers, I/O and signal handlers.
 */

/** Receive passes allowed in one turn of the event loop before yielding to it. */
const PASSES_PER_TURN = 16;

/** See the module comment. */
export class PassScheduler {
  readonly #run: () => void;
  #scheduled = false;
  #passesLeft = PASSES_PER_TURN;
  #refillScheduled = false;
  readonly #refill = () => {
    this.#refillScheduled = false;
    this.#passesLeft = PASSES_PER_TURN;
  };

  /** `pass` runs once per coalesced request. */
  constructor(pass: () => void) {
    this.#run = () => {
      this.#scheduled = false;
      pass();
    };
  }

  /** Asks for a pass soon; cheap to call often. */
  request(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#passesLeft > 0) {
      this.#passesLeft--;
      queueMicrotask(this.#run);
    } else {
      setImmediate(this.#run); // runs after #refill, which was scheduled earlier
    }
    if (!this.#refillScheduled) {
      this.#refillScheduled = true;
      setImmediate(this.#refill);
    }
  }
}

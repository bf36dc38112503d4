/**
 * A token bucket for `rateLimit`: `perSecond` tokens a second, at most `burst` saved up. The receive loop takes a
 * token for each message it asks for (so no message is received that could not start) and gives back the
 * tokens of those a receive did not return.
 */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(perSecond: number, burst: number, now: () => number) {
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#updatedAt = now();
  }

  /** Whole tokens available now. */
  available(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  /** Takes `count` tokens (the caller checked `available()`). */
  take(count: number): void {
    this.#refill();
    this.#tokens -= count;
  }

  /** Gives back tokens that were not used (a receive returned fewer messages than asked for). */
  giveBack(count: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + count);
  }

  /** Milliseconds until a whole token is available (0 when one is). */
  msUntilToken(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
  }
}

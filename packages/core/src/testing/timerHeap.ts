/** One pending timer of a `VirtualClock`. */
export interface VirtualTimer {
  /** Due time on the clock's steady (jump-free) timeline. */
  readonly due: number;
  /** Insertion order: timers due at the same instant fire in the order they were set. */
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A binary min-heap of timers ordered by (due, seq), so that the firing order depends on nothing but the order
 * the timers were set in. Cancelled timers are dropped lazily when they reach the top.
 */
export class TimerHeap {
  readonly #items: VirtualTimer[] = [];

  /** Timers held, cancelled ones included until they are dropped. */
  get size(): number {
    return this.#items.length;
  }

  push(timer: VirtualTimer): void {
    const items = this.#items;
    let index = items.length;
    items.push(timer);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(timer, items[parent] as VirtualTimer)) break;
      items[index] = items[parent] as VirtualTimer;
      index = parent;
    }
    items[index] = timer;
  }

  /** The earliest live timer, cancelled ones above it dropped. */
  peek(): VirtualTimer | undefined {
    let top = this.#items[0];
    while (top?.cancelled) {
      this.pop();
      top = this.#items[0];
    }
    return top;
  }

  pop(): VirtualTimer | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && before(items[right] as VirtualTimer, items[left] as VirtualTimer) ? right : left;
      if (!before(items[child] as VirtualTimer, last)) break;
      items[index] = items[child] as VirtualTimer;
      index = child;
    }
    items[index] = last;
    return top;
  }
}

function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

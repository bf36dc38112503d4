/** An item the heap can hold: it stores its own deadline and its position in the heap. */
export interface HeapItem {
  /** Epoch milliseconds; the heap keeps the smallest at the top. */
  deadline: number;
  /** Position in the heap, -1 when not in it. Owned by the heap. */
  heapIndex: number;
}

/**
 * A binary min-heap of deadlines whose items know their own index, so a
 * deadline can be moved or removed in O(log n) when a message is acked or its
 * visibility changes, instead of leaving stale entries behind. Internal to the
 * in-memory queue.
 */
export class DeadlineHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  /** How many items are held. */
  get size(): number {
    return this.#items.length;
  }

  /** The item with the earliest deadline. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item, or moves it when already held, to `deadline`. */
  set(item: T, deadline: number): void {
    if (item.heapIndex < 0) {
      item.deadline = deadline;
      item.heapIndex = this.#items.length;
      this.#items.push(item);
      this.#up(item.heapIndex);
      return;
    }
    const earlier = deadline < item.deadline;
    item.deadline = deadline;
    if (earlier) this.#up(item.heapIndex);
    else this.#down(item.heapIndex);
  }

  /** Removes an item if held. */
  delete(item: T): void {
    const index = item.heapIndex;
    if (index < 0) return;
    item.heapIndex = -1;
    const last = this.#items.pop() as T;
    if (index === this.#items.length) return;
    this.#items[index] = last;
    last.heapIndex = index;
    this.#up(index);
    this.#down(last.heapIndex);
  }

  /** Removes and returns the earliest item when its deadline is at or before `now`. */
  popDue(now: number): T | undefined {
    const top = this.#items[0];
    if (top === undefined || top.deadline > now) return undefined;
    this.delete(top);
    return top;
  }

  #up(start: number): void {
    const items = this.#items;
    const item = items[start] as T;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (parent.deadline <= item.deadline) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  #down(start: number): void {
    const items = this.#items;
    const length = items.length;
    const item = items[start] as T;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && (items[right] as T).deadline < (items[left] as T).deadline) child = right;
      const childItem = items[child] as T;
      if (childItem.deadline >= item.deadline) break;
      items[index] = childItem;
      childItem.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}

/**
 * A binary min-heap of due times: the scheduler keeps every target's next run here and arms one
 * clock timer for the earliest, instead of one timer per target (cheap at 10,000 targets).
 */

/** One entry: when it is due, and what. */
export interface DueItem<T> {
  at: number;
  seq: number;
  value: T;
}

/** Min-heap ordered by `at`, then insertion order. */
export class DueHeap<T> {
  private items: DueItem<T>[] = [];
  private seq = 0;

  /** Number of entries. */
  get size(): number {
    return this.items.length;
  }

  /** Adds `value` due at `at`. */
  push(at: number, value: T): void {
    const items = this.items;
    items.push({ at, seq: this.seq++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** The earliest entry, without removing it. */
  peek(): DueItem<T> | undefined {
    return this.items[0];
  }

  /** Removes and returns the earliest entry. */
  pop(): DueItem<T> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && less(items[l]!, items[m]!)) m = l;
        if (r < items.length && less(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }

  /** Removes everything. */
  clear(): void {
    this.items = [];
  }
}

function less<T>(a: DueItem<T>, b: DueItem<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

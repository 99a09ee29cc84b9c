/**
 * Transactions see nothing half-done and nothing sees theirs half-done: a transaction takes the whole table
 * store, every other request shares it.
 */
export class ReadWriteLock {
  private readers = 0;
  private writer: Promise<void> | undefined;
  private waiting: Array<() => void> = [];

  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    this.readers++;
    try {
      return await work();
    } finally {
      this.readers--;
      if (this.readers === 0) for (const wake of this.waiting.splice(0)) wake();
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    let release!: () => void;
    this.writer = new Promise<void>((resolve) => (release = resolve));
    try {
      while (this.readers > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
      return await work();
    } finally {
      this.writer = undefined;
      release();
    }
  }
}

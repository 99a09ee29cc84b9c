/**
 * Readers share, a writer has it alone. DynamoDB: a transaction takes the whole table store, every other request
 * shares it, so transactions see nothing half-done and nothing sees theirs half-done. S3: a write of a key takes
 * that key, so a read never sees an object half-written.
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

/** One ReadWriteLock per key, made on first use and dropped once no one holds or waits for it. */
export class KeyedReadWriteLock {
  private readonly locks = new Map<string, { lock: ReadWriteLock; users: number }>();

  shared<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.with(key, (lock) => lock.shared(work));
  }

  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.with(key, (lock) => lock.exclusive(work));
  }

  private async with<T>(key: string, use: (lock: ReadWriteLock) => Promise<T>): Promise<T> {
    let entry = this.locks.get(key);
    if (!entry) {
      entry = { lock: new ReadWriteLock(), users: 0 };
      this.locks.set(key, entry);
    }
    entry.users++;
    try {
      return await use(entry.lock);
    } finally {
      if (--entry.users === 0) this.locks.delete(key);
    }
  }
}

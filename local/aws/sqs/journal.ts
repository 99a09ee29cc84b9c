import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageAttributeValue } from './md5';

/**
 * Durable SQS state under <dataDir>/sqs: queues.json for the queues, one append-only journal per queue for
 * its messages. Appending a line per change keeps every send and delete durable at once (a DLQ message must
 * survive a crash) without rewriting the whole queue; the journal is compacted when the queue is loaded.
 */

export interface StoredMessage {
  id: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receipt?: string;
}

export interface QueueRecord {
  name: string;
  createdAt: number;
  attributes: Record<string, string>;
  tags?: Record<string, string>;
}

type Entry =
  | { t: 'send'; m: StoredMessage }
  | { t: 'del'; id: string }
  | { t: 'recv'; id: string; n: number; first: number }
  | { t: 'purge' };

export class QueueJournal {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'sqs');
    mkdirSync(this.dir, { recursive: true });
  }

  loadQueues(): QueueRecord[] {
    const file = join(this.dir, 'queues.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as QueueRecord[]) : [];
  }

  saveQueues(queues: QueueRecord[]): void {
    const file = join(this.dir, 'queues.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(queues, null, 2));
    renameSync(`${file}.tmp`, file);
  }

  /** Replays the queue's journal into messages, then rewrites it compacted. */
  loadMessages(queue: string): Map<string, StoredMessage> {
    const messages = new Map<string, StoredMessage>();
    const file = this.file(queue);
    if (!existsSync(file)) return messages;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue; // a line torn by a crash mid-append: everything before it is intact
      }
      if (entry.t === 'send') messages.set(entry.m.id, entry.m);
      else if (entry.t === 'del') messages.delete(entry.id);
      else if (entry.t === 'purge') messages.clear();
      else {
        const message = messages.get(entry.id);
        if (message) Object.assign(message, { receiveCount: entry.n, firstReceivedAt: entry.first });
      }
    }
    // In-flight messages become visible again after a restart, as after a visibility timeout.
    const now = Date.now();
    const compacted = [...messages.values()].map((m) => {
      m.receipt = undefined;
      m.visibleAt = Math.min(m.visibleAt, now);
      return JSON.stringify({ t: 'send', m } satisfies Entry);
    });
    writeFileSync(`${file}.tmp`, compacted.map((l) => `${l}\n`).join(''));
    renameSync(`${file}.tmp`, file);
    return messages;
  }

  sent(queue: string, message: StoredMessage): void {
    this.append(queue, { t: 'send', m: { ...message, receipt: undefined } });
  }

  deleted(queue: string, id: string): void {
    this.append(queue, { t: 'del', id });
  }

  received(queue: string, message: StoredMessage): void {
    this.append(queue, { t: 'recv', id: message.id, n: message.receiveCount, first: message.firstReceivedAt ?? 0 });
  }

  purged(queue: string): void {
    this.append(queue, { t: 'purge' });
  }

  dropQueue(queue: string): void {
    rmSync(this.file(queue), { force: true });
  }

  private append(queue: string, entry: Entry): void {
    appendFileSync(this.file(queue), `${JSON.stringify(entry)}\n`);
  }

  private file(queue: string): string {
    return join(this.dir, `${queue}.jsonl`);
  }
}

import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Archive, Bus, Delivery, EventBridgeEvent, Replay, Rule } from './model';

/**
 * Durable state of the local bus under dataDir (nothing is written when dataDir is undefined):
 * - state.json: buses, rules with their targets, archives and replays (small; rewritten whole, atomically);
 * - archives/<name>.jsonl: the archived events, append-only;
 * - deliveries.jsonl: a journal of deliveries (added, attempted, done), compacted on start, so that an event
 *   accepted by PutEvents reaches its targets even if the stack stops before delivery.
 */

export interface ControlState {
  buses: Bus[];
  rules: Rule[];
  archives: Archive[];
  replays: Replay[];
}

export interface ArchivedEvent {
  /** Ingestion time, epoch ms. */
  at: number;
  event: EventBridgeEvent;
}

type JournalLine =
  | { add: Delivery }
  | { attempt: Pick<Delivery, 'id' | 'attempts' | 'nextAttemptAt' | 'accepted'> }
  | { done: string };

/**
 * Appends lines to one file, coalescing concurrent writers into one write each turn. A rewrite (compaction)
 * runs in the same sequence, so no append is lost to the rename.
 */
class JsonlAppender {
  private buffer: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private rewriteWith: (() => string) | undefined;
  private writing: Promise<void> | undefined;
  linesSinceRewrite = 0;

  constructor(private readonly path: string) {}

  append(lines: readonly unknown[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    for (const line of lines) this.buffer.push(`${JSON.stringify(line)}\n`);
    this.linesSinceRewrite += lines.length;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.kick();
    return done;
  }

  /**
   * Replaces the file with what `content` returns when the rewrite runs. Lines appended meanwhile land after
   * it, so the journal must be one where repeating a line is harmless (it is: adds and dones are by id).
   */
  rewrite(content: () => string): void {
    this.rewriteWith = content;
    this.linesSinceRewrite = 0;
    this.kick();
  }

  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private kick(): void {
    if (!this.writing) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0 || this.rewriteWith) {
      if (this.rewriteWith) {
        const text = this.rewriteWith();
        this.rewriteWith = undefined;
        await writeFile(`${this.path}.tmp`, text);
        await rename(`${this.path}.tmp`, this.path);
        continue;
      }
      const text = this.buffer.join('');
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      try {
        await appendFile(this.path, text);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.writing = undefined;
  }
}

async function readJsonl<T>(path: string): Promise<T[]> {
  if (!existsSync(path)) return [];
  const text = await readFile(path, 'utf8');
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A line cut short by a crash mid-write: everything before it is intact, so keep going.
    }
  }
  return out;
}

export class BusStore {
  private journal: JsonlAppender | undefined;
  private readonly archiveFiles = new Map<string, JsonlAppender>();
  private stateWrite: Promise<void> = Promise.resolve();

  constructor(readonly dataDir: string | undefined) {}

  get durable(): boolean {
    return this.dataDir !== undefined;
  }

  async open(): Promise<{ state: ControlState | undefined; pending: Delivery[] }> {
    if (!this.dataDir) return { state: undefined, pending: [] };
    await mkdir(join(this.dataDir, 'archives'), { recursive: true });
    const statePath = join(this.dataDir, 'state.json');
    const state = existsSync(statePath) ? (JSON.parse(await readFile(statePath, 'utf8')) as ControlState) : undefined;

    const journalPath = join(this.dataDir, 'deliveries.jsonl');
    const pending = new Map<string, Delivery>();
    for (const line of await readJsonl<JournalLine>(journalPath)) {
      if ('add' in line) pending.set(line.add.id, line.add);
      else if ('attempt' in line) {
        const d = pending.get(line.attempt.id);
        if (d)
          Object.assign(d, {
            attempts: line.attempt.attempts,
            nextAttemptAt: line.attempt.nextAttemptAt,
            accepted: line.attempt.accepted,
          });
      } else if ('done' in line) pending.delete(line.done);
    }
    // Compact: the new journal holds only what is still pending.
    const compacted = [...pending.values()].map((d) => `${JSON.stringify({ add: d })}\n`).join('');
    await writeFile(`${journalPath}.tmp`, compacted);
    await rename(`${journalPath}.tmp`, journalPath);
    this.journal = new JsonlAppender(journalPath);
    return { state, pending: [...pending.values()] };
  }

  saveState(state: ControlState): Promise<void> {
    if (!this.dataDir) return Promise.resolve();
    const path = join(this.dataDir, 'state.json');
    const text = JSON.stringify(state);
    // Serialised so an older snapshot never overwrites a newer one.
    this.stateWrite = this.stateWrite.then(async () => {
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
    });
    return this.stateWrite;
  }

  recordDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    return this.journal?.append(deliveries.map((d) => ({ add: d }))) ?? Promise.resolve();
  }

  recordAttempt(d: Delivery): Promise<void> {
    return (
      this.journal?.append([
        { attempt: { id: d.id, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt, accepted: d.accepted } },
      ]) ?? Promise.resolve()
    );
  }

  recordDone(id: string): Promise<void> {
    return this.journal?.append([{ done: id }]) ?? Promise.resolve();
  }

  /** Rewrites the journal to what is still pending once finished deliveries make up most of it. */
  compactIfWorthIt(pending: () => Iterable<Delivery>, pendingCount: number): void {
    if (!this.journal || this.journal.linesSinceRewrite < 10_000 || this.journal.linesSinceRewrite < 4 * pendingCount)
      return;
    this.journal.rewrite(() => [...pending()].map((d) => `${JSON.stringify({ add: d })}\n`).join(''));
  }

  private archivePath(name: string): string {
    return join(this.dataDir!, 'archives', `${encodeURIComponent(name)}.jsonl`);
  }

  appendArchive(name: string, events: readonly ArchivedEvent[]): Promise<void> {
    if (!this.dataDir) return Promise.resolve();
    let file = this.archiveFiles.get(name);
    if (!file) {
      file = new JsonlAppender(this.archivePath(name));
      this.archiveFiles.set(name, file);
    }
    return file.append(events);
  }

  async readArchive(name: string): Promise<ArchivedEvent[]> {
    if (!this.dataDir) return [];
    await this.archiveFiles.get(name)?.flushed();
    return readJsonl<ArchivedEvent>(this.archivePath(name));
  }

  async deleteArchive(name: string): Promise<void> {
    if (!this.dataDir) return;
    await this.archiveFiles.get(name)?.flushed();
    this.archiveFiles.delete(name);
    const path = this.archivePath(name);
    if (existsSync(path)) await rename(path, `${path}.deleted-${Date.now()}`);
  }

  async close(): Promise<void> {
    await this.stateWrite;
    await this.journal?.flushed();
    for (const file of this.archiveFiles.values()) await file.flushed();
  }
}

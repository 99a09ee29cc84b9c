/**
 * The local stack's and the functions' JSON log lines, held back from a test run's console. Tests fail
 * functions, crash them at their calls and inject faults in the stand-ins on purpose, and each of those logs a
 * warning or an error as it would in AWS: dozens per run that read like failures. They are kept while a test
 * runs and printed only if it fails, so a real failure still shows what the stack said.
 */

/** A line Powertools (or the stack's platform report) wrote: a JSON object with a level, or an EMF metric line. */
export function isLogLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const record = JSON.parse(line) as unknown;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return false;
    return 'level' in record || '_aws' in record || ('type' in record && 'record' in record);
  } catch {
    return false;
  }
}

export class LogHold {
  private held: string[] = [];

  /** What of `chunk` to write now: everything but whole log lines, which are held. */
  take(chunk: string): string {
    const lines = chunk.split('\n');
    const tail = lines.pop()!;
    const shown: string[] = [];
    for (const line of lines) {
      if (isLogLine(line)) this.held.push(line);
      else shown.push(`${line}\n`);
    }
    return shown.join('') + tail;
  }

  /** The lines held since the last release or drop, and forgets them. */
  release(): string[] {
    const lines = this.held;
    this.held = [];
    return lines;
  }

  drop(): void {
    this.held = [];
  }
}

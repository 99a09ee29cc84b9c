import type { Io } from './args';

/**
 * A progress bar on a terminal; on anything else (a pipe, CI, a log file) plain lines, one per change of
 * at least `plainStep`, so logs stay readable and never fill with carriage returns.
 */
export class Progress {
  private lastPlain = -1;
  private drawn = false;

  constructor(
    private readonly io: Io,
    private readonly label: string,
    private readonly plainStep = 0.1,
    private readonly width = 30,
  ) {}

  /** fraction 0..1; detail is shown after the bar ("last replayed 17:03:12"). */
  update(fraction: number, detail = ''): void {
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const percent = `${Math.floor(f * 100)}%`.padStart(4);
    if (this.io.isTTY) {
      const filled = Math.round(f * this.width);
      this.io.rewrite(
        `${this.label} [${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${percent} ${detail}`.trimEnd(),
      );
      this.drawn = true;
      return;
    }
    if (this.lastPlain >= 0 && f < 1 && f - this.lastPlain < this.plainStep) return;
    if (f === 1 && this.lastPlain === 1) return;
    this.lastPlain = f;
    this.io.out(`${this.label}: ${percent.trim()} ${detail}`.trimEnd());
  }

  /** Ends the bar's line so what follows starts on a fresh one. */
  done(): void {
    if (this.io.isTTY && this.drawn) this.io.rewrite('');
    this.drawn = false;
  }
}

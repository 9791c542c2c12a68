// The mechanics of a redrawn area at the bottom of a terminal: each frame replaces the previous
// one in a single write (cursor up over it, rewrite each line, clear what is left), the cursor
// is hidden while the area is live and shown again however the process ends. Text others write
// meanwhile (warnings, --log-stdout) goes above the area instead of through it.
import { writeSync } from 'node:fs';
import { ansi } from './ansi';

type Write = NodeJS.WriteStream['write'];

export class TerminalScreen {
  /** Lines of the frame now on screen; the cursor sits at the start of the line below it. */
  private height = 0;
  private lastFrame: string[] = [];
  private cursorHidden = false;
  private redrawPending = false;
  private readonly restoreOnExit = () => this.showCursorNow();
  // Ctrl-Z: give the shell a visible cursor, then stop as the default action would have.
  private readonly onSuspend = () => {
    this.rawWrite(this.eraseSequence() + ansi.showCursor);
    this.height = 0;
    process.kill(process.pid, 'SIGSTOP');
  };
  // `fg`: hide the cursor again and draw below whatever the shell printed meanwhile.
  private readonly onResume = () => {
    this.rawWrite(ansi.hideCursor);
    this.draw(this.lastFrame);
  };
  private readonly originalWrites = new Map<NodeJS.WriteStream, Write>();

  constructor(
    private readonly out: NodeJS.WriteStream,
    /** Other streams that end up on the same terminal (stderr), whose writes must not tear the frame. */
    private readonly sharing: NodeJS.WriteStream[] = [],
  ) {}

  /** Terminal size, with fallbacks for a pty that reports 0×0. */
  get columns(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  begin(): void {
    this.cursorHidden = true;
    // 'exit' runs on process.exit() too (a second Ctrl-C), and its handlers may only write synchronously.
    process.on('exit', this.restoreOnExit);
    process.on('SIGTSTP', this.onSuspend);
    process.on('SIGCONT', this.onResume);
    this.rawWrite(ansi.hideCursor);
    for (const stream of [this.out, ...this.sharing]) this.interceptWrites(stream);
  }

  draw(lines: string[]): void {
    this.lastFrame = lines;
    // Overwrite in place (no erase first, so nothing blinks); clear below when the frame got shorter.
    this.rawWrite(`\r${ansi.cursorUp(this.height)}${frameText(lines)}${ansi.clearScreenEnd}`);
    this.height = lines.length;
  }

  /** Clears the whole screen and draws `above` then the frame: after a resize the old frame's shape is unknown. */
  repaint(above: string[], lines: string[]): void {
    this.lastFrame = lines;
    this.rawWrite(ansi.clearScreen + above.map((l) => `${l}\n`).join('') + frameText(lines));
    this.height = lines.length;
  }

  /** Removes the frame, stops intercepting, writes `finalText` and shows the cursor, in one write. */
  close(finalText: string): void {
    for (const [stream, write] of this.originalWrites) stream.write = write;
    this.originalWrites.clear();
    process.off('exit', this.restoreOnExit);
    process.off('SIGTSTP', this.onSuspend);
    process.off('SIGCONT', this.onResume);
    this.rawWrite(this.eraseSequence() + finalText + ansi.showCursor);
    this.height = 0;
    this.cursorHidden = false;
  }

  private eraseSequence(): string {
    // `\r` first: a typed key or the ^C echo may have moved the cursor off column 0.
    return `\r${ansi.cursorUp(this.height)}${ansi.clearScreenEnd}`;
  }

  private rawWrite(text: string): void {
    const write = this.originalWrites.get(this.out) ?? this.out.write;
    write.call(this.out, text);
  }

  private showCursorNow(): void {
    if (!this.cursorHidden) return;
    this.cursorHidden = false;
    try {
      writeSync((this.out as unknown as { fd?: number }).fd ?? 1, ansi.showCursor);
    } catch {
      // The terminal is gone: nothing to restore.
    }
  }

  /** Others' text is written where the frame was; the frame is drawn again below it soon after. */
  private interceptWrites(stream: NodeJS.WriteStream): void {
    const original = stream.write;
    this.originalWrites.set(stream, original);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (this.height > 0) {
        this.rawWrite(this.eraseSequence());
        this.height = 0;
      }
      const result = (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (text && !text.endsWith('\n')) this.rawWrite('\n');
      this.scheduleRedraw();
      return result;
    }) as Write;
  }

  private scheduleRedraw(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    setImmediate(() => {
      this.redrawPending = false;
      if (this.originalWrites.size > 0 && this.height === 0) this.draw(this.lastFrame);
    });
  }
}

/** Each line ends by clearing what a longer previous line left there. */
function frameText(lines: string[]): string {
  return lines.map((line) => `${line}${ansi.clearLineEnd}\n`).join('');
}

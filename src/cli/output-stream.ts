/**
 * stdout and stderr as the CLI writes them. A reader that goes away (`runstate plan | head`: EPIPE)
 * ends the output, not the run: what is left to write is dropped quietly and the command finishes
 * what it was doing (an apply half-way must not stop because nobody reads its log). Any other write
 * error (a full disk under `> plan.json`) is kept, so the run can say so instead of exiting 0 with
 * half a file. Without a listener, either error was an uncaught 'error' event: a stack trace, exit 1.
 */
export class OutputStream {
  private ended = false;
  private failure: Error | undefined;
  /** Writes not yet called back: a write error arrives in its callback, after write() returned. */
  private pending = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (err: NodeJS.ErrnoException) => this.end(err));
  }

  write(text: string): void {
    if (this.ended) return;
    try {
      this.send(text);
    } catch (err) {
      this.end(err as NodeJS.ErrnoException);
    }
  }

  /**
   * `write`, settling once the stream can take more: on a pipe, a write that does not fit is
   * queued, and the whole 250 MB of a 10,000-host plan would sit in memory. Waits for 'drain', or
   * for the end of the stream (a reader that left, an error).
   */
  writePiece(text: string): Promise<void> {
    if (this.ended) return Promise.resolve();
    let fits: boolean;
    try {
      fits = this.send(text);
    } catch (err) {
      this.end(err as NodeJS.ErrnoException);
      return Promise.resolve();
    }
    if (fits || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
      this.stream.on('error', done);
    });
  }

  /** Once every write so far is done: the write error that lost output, if one did (EPIPE is not one). */
  async lost(): Promise<Error | undefined> {
    if (this.pending > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    return this.failure;
  }

  private send(text: string): boolean {
    this.pending++;
    try {
      return this.stream.write(text, (err) => {
        if (err) this.end(err);
        this.written();
      });
    } catch (err) {
      this.written(); // refused before it was queued: no callback will come
      throw err;
    }
  }

  private written(): void {
    if (--this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private end(err: NodeJS.ErrnoException): void {
    if (this.ended) return;
    this.ended = true;
    if (err.code !== 'EPIPE') this.failure = err;
  }
}

/**
 * A paged read as a pipeline: pages are fetched one after another (each request needs the
 * previous page's token), each is prepared (its follow-up reads) as soon as it arrives, and
 * the consumer receives them in order. At most `lookahead` pages are fetched ahead of the one
 * being consumed, so memory is bounded whatever the size of the result. A failure, in a fetch
 * or a preparation, reaches the consumer at that page: every page before it is consumed
 * first, nothing after it. Leaving the loop (or `close()`) stops further fetches.
 */

export interface PageSource<P, R> {
  first(): Promise<P>;
  /** The request for the page after `page`, or null when `page` was the last. */
  next(page: P): Promise<P> | null;
  /** Follow-up reads of a fetched page; runs while later pages are fetched. */
  prepare(page: P): Promise<R>;
  /** Pages fetched ahead of the one being consumed (at least 1). */
  lookahead: number;
}

export class PagePipeline<P, R> implements AsyncIterable<R> {
  /** Fetches by page index; a fetch resolves to null past the last page. */
  private readonly fetched = new Map<number, Promise<P | null>>();
  private readonly prepared = new Map<number, Promise<R | null>>();
  private scheduled = 0;
  private consumed = 0;
  private closed = false;

  constructor(private readonly source: PageSource<P, R>) {
    this.schedule();
  }

  /** Starts the fetches up to `lookahead` pages past the last one handed to the consumer. */
  private schedule(): void {
    const until = this.consumed + Math.max(1, this.source.lookahead) - 1;
    for (; !this.closed && this.scheduled <= until; this.scheduled += 1) {
      const index = this.scheduled;
      const previous = this.fetched.get(index - 1);
      const fetch: Promise<P | null> =
        index === 0
          ? this.source.first()
          : (previous ?? Promise.resolve(null)).then((page) =>
              page === null || this.closed ? null : this.source.next(page),
            );
      const ready = fetch.then((page) => (page === null ? null : this.source.prepare(page)));
      // Awaited in order by the consumer; until then a failure must not count as unhandled.
      fetch.catch(() => {});
      ready.catch(() => {});
      this.fetched.set(index, fetch);
      this.prepared.set(index, ready);
      // The fetch of `index` holds on to its predecessor; the map need not.
      this.fetched.delete(index - 2);
    }
  }

  /** Stops fetching: requests in flight finish, no new one is sent. */
  close(): void {
    this.closed = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    try {
      for (;;) {
        this.schedule();
        const page = await (this.prepared.get(this.consumed) as Promise<R | null>);
        if (page === null) return;
        this.prepared.delete(this.consumed);
        this.consumed += 1;
        // The next fetch goes out while this page is consumed, not after.
        this.schedule();
        yield page;
      }
    } finally {
      this.close();
    }
  }
}

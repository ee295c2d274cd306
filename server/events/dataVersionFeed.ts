/**
 * The store's data version as a feed: polled once a second per process, however many
 * listeners there are, and only while one listens; each listener is told the current
 * version when it joins (if known) and every change after. The version changes with every
 * write through the store, whichever replica made it (a webhook, a sync, an import). A
 * change is announced once the answers the tabs watch are ready for it (`prepare`).
 */
import type { Store } from '../store/Store.js';

const POLL_MS = 1_000;

export type DataVersionListener = (version: number) => void;

export class DataVersionFeed {
  private readonly listeners = new Set<DataVersionListener>();
  private timer: NodeJS.Timeout | null = null;
  private version: number | null = null;
  private polling = false;

  /**
   * `prepare`: awaited before a change is announced (the metrics service's refresh(), so
   * that the tabs told find the answers they watch computed); a failure does not hold the
   * announcement back.
   */
  constructor(
    private readonly store: Store,
    private readonly prepare: () => Promise<unknown> = async () => undefined,
  ) {}

  /** Starts telling `listener`; call the returned function to stop. */
  subscribe(listener: DataVersionListener): () => void {
    this.listeners.add(listener);
    if (this.version !== null) listener(this.version);
    void this.poll();
    if (this.timer === null) {
      this.timer = setInterval(() => void this.poll(), POLL_MS);
      this.timer.unref();
    }
    return () => this.unsubscribe(listener);
  }

  private unsubscribe(listener: DataVersionListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.version = null;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const version = await this.store.dataVersion();
      if (version !== this.version) {
        // The first version read only tells where the data is: nothing changed to prepare for.
        if (this.version !== null) await this.prepare().catch(() => undefined);
        this.version = version;
        for (const listener of this.listeners) listener(version);
      }
    } catch {
      // The store is briefly unreachable: try again at the next tick.
    } finally {
      this.polling = false;
    }
  }
}

/**
 * Latest request wins. The dashboard starts a load on every filter change, history step and
 * live update; an answer that arrives after a newer load began must not draw over it. Each
 * load takes a turn: starting one aborts the fetches of the turn before (the browser stops
 * waiting for them), and `isCurrent` tells a late answer that it is stale.
 */
export interface Turn {
  /** Passed to the API client, so the fetches of a superseded turn are aborted. */
  signal: AbortSignal;
  /** False once a newer turn has begun. */
  isCurrent(): boolean;
}

export class LatestOnly {
  private current: AbortController | null = null;

  /** Begins a new turn, aborting the one before. */
  begin(): Turn {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    return { signal: controller.signal, isCurrent: () => this.current === controller };
  }
}

/**
 * The change feed of a store that is the only writer of its data (the embedded store):
 * the keys each data version wrote, kept in memory for the newest versions. A reader
 * that is further behind than the log reaches gets null and reloads everything.
 */
import type { StoreChanges } from './Store.js';

interface Change {
  version: number;
  incidentKeys: readonly string[];
  actionItemKeys: readonly string[];
}

export class ChangeLog {
  private readonly changes: Change[] = [];
  private keys = 0;

  /**
   * @param floor the version the log starts at (changes at or before it are unknown)
   * @param maxKeys how many keys the log keeps before it forgets its oldest versions
   */
  constructor(
    private floor: number,
    private readonly maxKeys = 100_000,
  ) {}

  record(version: number, change: { incidentKeys?: readonly string[]; actionItemKeys?: readonly string[] }): void {
    const entry: Change = {
      version,
      incidentKeys: change.incidentKeys ?? [],
      actionItemKeys: change.actionItemKeys ?? [],
    };
    this.changes.push(entry);
    this.keys += entry.incidentKeys.length + entry.actionItemKeys.length;
    while (this.keys > this.maxKeys && this.changes.length > 0) {
      const oldest = this.changes.shift() as Change;
      this.keys -= oldest.incidentKeys.length + oldest.actionItemKeys.length;
      this.floor = oldest.version;
    }
  }

  /** The keys written after `version` up to `current`, or null when the log does not reach back that far. */
  since(version: number, current: number): StoreChanges | null {
    if (!Number.isInteger(version) || version < this.floor || version > current) return null;
    const incidentKeys = new Set<string>();
    const actionItemKeys = new Set<string>();
    for (const change of this.changes) {
      if (change.version <= version) continue;
      for (const key of change.incidentKeys) incidentKeys.add(key);
      for (const key of change.actionItemKeys) actionItemKeys.add(key);
    }
    return { version: current, incidentKeys: [...incidentKeys], actionItemKeys: [...actionItemKeys] };
  }
}

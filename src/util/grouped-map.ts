// Values by key, kept in groups (a namespace's objects, an attempt's records), so a group is read
// whole and an entry that moves to another group, or goes, leaves no empty group behind.
export class GroupedMap<V> {
  private readonly byGroup = new Map<string, Map<string, V>>();
  private readonly groupOf = new Map<string, string>();

  /** Puts `value` under `key` in `group`, out of any group it was in. */
  set(key: string, group: string, value: V): void {
    if (this.groupOf.get(key) !== group) this.delete(key);
    let entries = this.byGroup.get(group);
    if (!entries) {
      entries = new Map();
      this.byGroup.set(group, entries);
    }
    entries.set(key, value);
    this.groupOf.set(key, group);
  }

  delete(key: string): void {
    const group = this.groupOf.get(key);
    if (group === undefined) return;
    this.groupOf.delete(key);
    const entries = this.byGroup.get(group);
    entries?.delete(key);
    if (entries?.size === 0) this.byGroup.delete(group);
  }

  /** A group's entries (undefined when it has none). */
  group(group: string): ReadonlyMap<string, V> | undefined {
    return this.byGroup.get(group);
  }

  /** Every group that has entries. */
  groups(): IterableIterator<[string, ReadonlyMap<string, V>]> {
    return this.byGroup.entries();
  }
}

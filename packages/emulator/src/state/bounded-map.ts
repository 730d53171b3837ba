/**
 * S93: a Map with a hard cap on its size: past it, the entry set longest ago is forgotten (setting a key again
 * counts as new). For state whose loss only means asking again (consents), like the TtlStores' eviction.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.maxEntries) {
      const oldest = this.keys().next();
      if (!oldest.done) super.delete(oldest.value);
    }
    return this;
  }
}

package dev.cimc.ir.text;

import java.util.Arrays;

/**
 * An open-addressing hash table keyed by character ranges, so the parser looks up value names, op names and
 * types straight from the source text without making a string per token. Each entry also keeps an int
 * (the parser stores where a value was defined). Keys are never removed.
 *
 * <p>Entries are interleaved (hash, offset, length, aux in one int array; key array and value side by side in
 * one object array) so a probe of a large table touches two cache lines, not six.
 */
final class SpanTable<V> {
  private static final int INTS = 4;
  private int[] ints;
  private Object[] objects;
  private int mask;
  private int size;

  SpanTable(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    allocate(cap);
  }

  private void allocate(int cap) {
    ints = new int[cap * INTS];
    objects = new Object[cap * 2];
    mask = cap - 1;
  }

  /** The hash the table expects: {@code String.hashCode} of the range. */
  static int hash(char[] a, int off, int len) {
    int h = 0;
    for (int i = off; i < off + len; i++) {
      h = 31 * h + a[i];
    }
    return h;
  }

  /** Fibonacci hashing: sequential names ("1", "2", ...) have sequential hashes, which linear probing hates. */
  private static int spread(int h) {
    int x = h * 0x9E3779B9;
    return x ^ (x >>> 15);
  }

  /** The slot holding the key, or -1 (lengths are stored plus one, so 0 marks an empty slot). */
  int find(char[] a, int off, int len, int hash) {
    int[] t = ints;
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      int b = i * INTS;
      int stored = t[b + 2];
      if (stored == 0) {
        return -1;
      }
      if (t[b] == hash && stored == len + 1) {
        int o = t[b + 1];
        if (Arrays.equals((char[]) objects[2 * i], o, o + len, a, off, off + len)) {
          return i;
        }
      }
    }
  }

  /** The value under the key, or null. */
  V get(char[] a, int off, int len, int hash) {
    int slot = find(a, off, len, hash);
    return slot < 0 ? null : value(slot);
  }

  @SuppressWarnings("unchecked")
  V value(int slot) {
    return (V) objects[2 * slot + 1];
  }

  int aux(int slot) {
    return ints[slot * INTS + 3];
  }

  /** Adds or replaces an entry; the key array is kept, not copied, and must not change afterwards. */
  void put(char[] a, int off, int len, int hash, V value, int auxValue) {
    int slot = find(a, off, len, hash);
    if (slot >= 0) {
      objects[2 * slot + 1] = value;
      ints[slot * INTS + 3] = auxValue;
      return;
    }
    if (2 * (size + 1) > mask + 1) {
      grow();
    }
    insert(a, off, len, hash, value, auxValue);
    size++;
  }

  private void insert(char[] a, int off, int len, int hash, Object value, int auxValue) {
    int i = spread(hash) & mask;
    while (ints[i * INTS + 2] != 0) {
      i = (i + 1) & mask;
    }
    int b = i * INTS;
    ints[b] = hash;
    ints[b + 1] = off;
    ints[b + 2] = len + 1;
    ints[b + 3] = auxValue;
    objects[2 * i] = a;
    objects[2 * i + 1] = value;
  }

  private void grow() {
    int[] oldInts = ints;
    Object[] oldObjects = objects;
    int oldCap = mask + 1;
    allocate(oldCap * 2);
    for (int i = 0; i < oldCap; i++) {
      int b = i * INTS;
      if (oldInts[b + 2] != 0) {
        insert((char[]) oldObjects[2 * i], oldInts[b + 1], oldInts[b + 2] - 1, oldInts[b], oldObjects[2 * i + 1],
            oldInts[b + 3]);
      }
    }
  }
}

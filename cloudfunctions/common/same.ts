/** Structural equality of stored documents, ignoring key order and `_id`. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      const src = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(src)
          .filter((k) => k !== '_id')
          .sort()
          .map((k) => [k, src[k]]),
      );
    }
    return v;
  });
}

export const sameDoc = (a: unknown, b: unknown) => canonical(a) === canonical(b);

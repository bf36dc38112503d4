import type { IdempotencyStore } from "./IdempotencyStore.js";

/**
 * Each store's `check()`: in flight (a promise every concurrent first call awaits) or passed (`true`). Keyed by
 * the store, so several `makeIdempotent()` wrappers sharing one store check it once; weak, so a dropped store
 * takes its entry with it.
 */
const checks = new WeakMap<IdempotencyStore, Promise<void> | true>();

/**
 * Resolves once `store.check()` has passed; undefined when nothing is left to wait for (passed before, or the store
 * has no `check`), so the hot path does not pay an extra await. A failed check is forgotten, so the next call tries
 * again: a table created (or a permission granted) after start-up is picked up without a restart.
 */
export function storeChecked(store: IdempotencyStore): Promise<void> | undefined {
  const known = checks.get(store);
  if (known === true) return undefined;
  if (known !== undefined) return known;
  if (typeof store.check !== "function") {
    checks.set(store, true);
    return undefined;
  }
  const pending = Promise.resolve()
    .then(() => store.check!())
    .then(
      () => {
        checks.set(store, true);
      },
      (error: unknown) => {
        checks.delete(store);
        throw error;
      },
    );
  checks.set(store, pending);
  return pending;
}

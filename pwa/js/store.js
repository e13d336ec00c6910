// The one app store: a plain state object, replaced field by field with
// set(), and listeners told after every change. Nothing else in the app
// keeps mutable state across screens.

/** createStore returns {get, set, subscribe}. */
export function createStore(initial) {
  let state = { ...initial };
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...patch };
      for (const fn of listeners) fn(state, patch);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

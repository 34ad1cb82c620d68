import { useEffect, useRef, useState } from 'react';

/**
 * Live refresh: a counter that goes up every `intervalMs` while the tab is visible, and at once
 * when the tab comes back after an interval or more hidden. Hidden tabs do not poll.
 *
 * Polling only: the backend publishes no signals (plugin-signals-react is not a dependency of this
 * plugin, and nothing on the server would send on a channel), and a 15 s poll of one page, whose
 * response carries every count shown, is cheap.
 */
export function usePollTick(intervalMs: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!(intervalMs > 0)) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = Date.now();
    const visible = () => document.visibilityState !== 'hidden';
    const fire = () => {
      last = Date.now();
      setTick(t => t + 1);
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = undefined;
      if (!visible()) return;
      timer = setTimeout(() => {
        fire();
        schedule();
      }, Math.max(0, intervalMs - (Date.now() - last)));
    };
    const onVisibility = () => {
      if (visible() && Date.now() - last >= intervalMs) fire();
      schedule();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs]);
  return tick;
}

export interface RefreshingState<T> {
  /** The last value loaded, kept while the next one loads (and after a refresh fails). */
  value?: T;
  /** The `key` the value belongs to. */
  valueKey?: string;
  error?: Error;
  /** The `key` the error belongs to. */
  errorKey?: string;
  /** A request for a new key is in flight (background refreshes do not set it). */
  loading: boolean;
  /** When the value was last loaded. */
  loadedAt?: number;
}

/**
 * Loads `load()` whenever `key` or `tick` changes. Keeps showing the previous value while the next
 * one loads, so paging and polling never blank the page; answers to superseded requests are
 * dropped. `key` undefined loads nothing and clears.
 */
export function useRefreshingAsync<T>(
  key: string | undefined,
  tick: number,
  load: () => Promise<T>,
): RefreshingState<T> {
  const [state, setState] = useState<RefreshingState<T>>({
    loading: key !== undefined,
  });
  const call = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastKey = useRef<string | undefined>(undefined);
  const inFlight = useRef(false);

  useEffect(() => {
    const keyChanged = lastKey.current !== key;
    // A refresh while the same request is still out waits for the next tick: superseding it would
    // starve a backend slower than the poll period.
    if (!keyChanged && inFlight.current) return;
    const id = ++call.current;
    lastKey.current = key;
    if (key === undefined) {
      inFlight.current = false;
      if (keyChanged) setState({ loading: false });
      return;
    }
    if (keyChanged) setState(s => ({ ...s, loading: true }));
    inFlight.current = true;
    loadRef.current().then(
      value => {
        if (id !== call.current) return;
        inFlight.current = false;
        setState({
          value,
          valueKey: key,
          loading: false,
          loadedAt: Date.now(),
        });
      },
      error => {
        if (id !== call.current) return;
        inFlight.current = false;
        setState(s => ({
          ...s,
          error: error instanceof Error ? error : new Error(String(error)),
          errorKey: key,
          loading: false,
        }));
      },
    );
  }, [key, tick]);

  return state;
}

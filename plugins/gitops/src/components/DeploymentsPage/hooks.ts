import { useEffect, useRef, useState } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import { GITOPS_SIGNAL_CHANNEL } from '@gitops-status/plugin-gitops-common';

/**
 * Live refresh: a counter that goes up every `intervalMs` while the tab is visible, and at once
 * when the tab comes back after an interval or more hidden. Hidden tabs do not poll.
 *
 * The fallback of {@link useLiveTick} when the app has no signals API.
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

/**
 * Live refresh: goes up when the backend signals that records changed (Backstage signals), and
 * on a poll as a fallback — every `intervalMs` without signals, four times less often with them, in
 * case a signal was missed while the connection was down.
 */
export function useLiveTick(intervalMs: number): number {
  const { lastSignal, isSignalsAvailable } = useSignal(GITOPS_SIGNAL_CHANNEL);
  const [signalTick, setSignalTick] = useState(0);
  useEffect(() => {
    if (lastSignal) setSignalTick(t => t + 1);
  }, [lastSignal]);
  const pollTick = usePollTick(
    isSignalsAvailable ? intervalMs * 4 : intervalMs,
  );
  return pollTick + signalTick;
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
  // The first request leaves while the view first renders, not once the whole page is committed
  // (effects run after that): its answer arrives that much sooner on a page opened cold.
  const [early] = useState(() => {
    if (key === undefined) return undefined;
    const promise = load();
    // Handled where it is used; never used if the key changed before the first effect.
    promise.catch(() => undefined);
    return { key, tick, promise };
  });
  const earlyUsed = useRef(false);

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
    const useEarly =
      !earlyUsed.current && early?.key === key && early.tick === tick;
    earlyUsed.current = true;
    (useEarly ? early.promise : loadRef.current()).then(
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
  }, [key, tick, early]);

  return state;
}

import { Fault, FaultType } from './types';

export const FAULT_TYPES: FaultType[] = [
  'down',
  'slow',
  'unauthorized',
  'garbage',
  'error',
  'watch-close',
  'expire',
];
export const DEFAULT_SLOW_MS = 30_000;

export interface ActiveFault {
  type: FaultType;
  delayMs?: number;
}

/** What the fault controller can do to a watch that is already streaming. */
export interface OpenWatch {
  /** Kill the connection (fault 'down'). */
  destroy(): void;
  /** End the stream cleanly (fault 'watch-close'). */
  close(): void;
  /** Send an ERROR 410 event and end (fault 'expire'). */
  expire(): void;
}

export function normalizeFault(fault: Fault | string): ActiveFault {
  if (typeof fault === 'string') {
    // CLI / HTTP shorthand: "slow:5000"
    const [type, arg] = fault.split(':');
    return normalizeFault(
      arg !== undefined
        ? { type: type as FaultType, delayMs: Number(arg) }
        : { type: type as FaultType },
    );
  }
  if (!FAULT_TYPES.includes(fault.type)) {
    throw new Error(
      `Unknown fault '${fault.type}', expected one of ${FAULT_TYPES.join(
        ', ',
      )}`,
    );
  }
  if (fault.type === 'slow') {
    const delayMs = fault.delayMs ?? DEFAULT_SLOW_MS;
    if (!(delayMs >= 0))
      throw new Error(`Invalid delay for fault 'slow': ${fault.delayMs}`);
    return { type: 'slow', delayMs };
  }
  return { type: fault.type };
}

/** Faults per target (cluster name, 'argocd/main', 'azure', 'metrics'). */
export class FaultController {
  private readonly active = new Map<string, ActiveFault>();
  private readonly watches = new Map<string, Set<OpenWatch>>();

  constructor(private readonly isTarget: (target: string) => boolean) {}

  set(target: string, fault: Fault | string | undefined | null): void {
    if (!this.isTarget(target))
      throw new Error(`Unknown fault target '${target}'`);
    if (fault === undefined || fault === null || fault === 'none') {
      this.active.delete(target);
      return;
    }
    const f = normalizeFault(fault);
    const open = [...(this.watches.get(target) ?? [])];
    if (f.type === 'expire' && open.length > 0) {
      // Expire what is streaming now; that uses the fault up.
      open.forEach(w => w.expire());
      return;
    }
    this.active.set(target, f);
    if (f.type === 'down') open.forEach(w => w.destroy());
    if (f.type === 'watch-close') open.forEach(w => w.close());
  }

  get(target: string): ActiveFault | undefined {
    return this.active.get(target);
  }

  /** Takes a one-shot fault ('expire') if it is set. */
  take(target: string, type: FaultType): boolean {
    if (this.active.get(target)?.type !== type) return false;
    this.active.delete(target);
    return true;
  }

  list(): Record<string, ActiveFault> {
    return Object.fromEntries(this.active);
  }

  registerWatch(target: string, watch: OpenWatch): () => void {
    let set = this.watches.get(target);
    if (!set) {
      set = new Set();
      this.watches.set(target, set);
    }
    set.add(watch);
    return () => set!.delete(watch);
  }
}

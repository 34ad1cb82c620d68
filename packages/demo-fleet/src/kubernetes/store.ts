import { FleetClusterModel } from '../clusters';
import { KubeObject, SimObject } from '../scenario';

/** One version of one object, immutable once stored (watch events keep references). */
export interface StoredObject {
  resource: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  object: KubeObject;
  /** JSON of `object`, serialised once per change. */
  json: string;
  /** JSON in other API versions / shapes, filled lazily. */
  alt: Map<string, string>;
}

export interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  stored: StoredObject;
}

type Listener = (event: WatchEvent) => void;

/**
 * The etcd of one simulated cluster: current objects, a global
 * resourceVersion, and a bounded log of events for watches.
 */
export class ClusterStore {
  private rv: number;
  /** Events with rv <= compactedRv are no longer retained. */
  private compacted: number;
  private readonly current: (StoredObject | undefined)[];
  private readonly stateKeys: string[] = [];
  private readonly byResource = new Map<string, Map<string, StoredObject>>();
  private readonly sortedKeys = new Map<string, string[]>();
  private log: WatchEvent[] = [];
  private logStart = 0;
  private readonly listeners = new Set<Listener>();

  constructor(
    readonly cluster: FleetClusterModel,
    private readonly sims: SimObject[],
    private readonly window: number,
    baseRv: number,
  ) {
    this.rv = baseRv;
    this.compacted = baseRv;
    this.current = new Array(sims.length);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Oldest resourceVersion a watch can still start from. */
  get oldestWatchableRv(): number {
    return this.compacted;
  }

  /** Re-evaluates every object at scenario time t; returns the number of changes. */
  sync(t: number): number {
    let changes = 0;
    for (let i = 0; i < this.sims.length; i++) {
      const sim = this.sims[i];
      const state = sim.state(t);
      const key = JSON.stringify(state);
      if (this.current[i] && this.stateKeys[i] === key) continue;
      this.stateKeys[i] = key;
      this.rv++;
      const object = sim.render(state);
      object.metadata.resourceVersion = String(this.rv);
      const stored: StoredObject = {
        resource: sim.resource,
        namespace: sim.namespace,
        name: sim.name,
        labels: sim.labels,
        object,
        json: JSON.stringify(object),
        alt: new Map(),
      };
      const type = this.current[i] ? 'MODIFIED' : 'ADDED';
      this.current[i] = stored;
      this.put(stored, type === 'ADDED');
      this.append({ rv: this.rv, type, stored });
      changes++;
    }
    return changes;
  }

  private put(stored: StoredObject, isNew: boolean) {
    let objects = this.byResource.get(stored.resource);
    if (!objects) {
      objects = new Map();
      this.byResource.set(stored.resource, objects);
    }
    objects.set(`${stored.namespace}/${stored.name}`, stored);
    if (isNew) this.sortedKeys.delete(stored.resource);
  }

  private append(event: WatchEvent) {
    this.log.push(event);
    if (this.log.length - this.logStart > this.window) {
      this.compacted = this.log[this.logStart].rv;
      this.logStart++;
      // Drop the dead prefix now and then instead of shifting on every event.
      if (this.logStart > 1024 && this.logStart > this.window) {
        this.log = this.log.slice(this.logStart);
        this.logStart = 0;
      }
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Current objects of a resource, in etcd key order (namespace, then name). */
  list(resource: string): StoredObject[] {
    const objects = this.byResource.get(resource);
    if (!objects) return [];
    let keys = this.sortedKeys.get(resource);
    if (!keys) {
      keys = [...objects.keys()].sort();
      this.sortedKeys.set(resource, keys);
    }
    return keys.map(k => objects.get(k)!);
  }

  get(
    resource: string,
    namespace: string,
    name: string,
  ): StoredObject | undefined {
    return this.byResource.get(resource)?.get(`${namespace}/${name}`);
  }

  /** Events after rv, or 'expired' when some of them are no longer retained. */
  eventsSince(rv: number): WatchEvent[] | 'expired' {
    if (rv < this.compacted) return 'expired';
    const events: WatchEvent[] = [];
    for (
      let i = this.log.length - 1;
      i >= this.logStart && this.log[i].rv > rv;
      i--
    )
      events.push(this.log[i]);
    return events.reverse();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** JSON of a stored object as another apiVersion of the same resource. */
export function jsonAs(stored: StoredObject, apiVersion: string): string {
  if (stored.object.apiVersion === apiVersion) return stored.json;
  let json = stored.alt.get(apiVersion);
  if (json === undefined) {
    json = JSON.stringify({ ...stored.object, apiVersion });
    stored.alt.set(apiVersion, json);
  }
  return json;
}

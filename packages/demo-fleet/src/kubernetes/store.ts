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

/** What a client changed on an object (PATCH): kept on top of what the scenario renders. */
interface ObjectOverride {
  /** Annotations set (string) or removed (null). */
  annotations: Record<string, string | null>;
  /** spec.suspend as patched. */
  suspend?: boolean;
  /** Bumped on every patch so the object re-renders. */
  version: number;
}

/** Flux's "reconcile now" annotation (fluxcd/pkg/apis/meta ReconcileRequestAnnotation). */
export const RECONCILE_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/** A merge patch the simulated API server refuses, with the HTTP status it answers. */
export class PatchError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

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
  private readonly overrides = new Map<number, ObjectOverride>();
  private lastT = 0;

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
    this.lastT = t;
    let changes = 0;
    for (let i = 0; i < this.sims.length; i++) {
      if (this.render(i, t)) changes++;
    }
    return changes;
  }

  /** Renders object i at time t when its state (or override) changed; true if it did. */
  private render(i: number, t: number): boolean {
    const sim = this.sims[i];
    const state = sim.state(t);
    const override = this.overrides.get(i);
    const key = `${JSON.stringify(state)}|${override?.version ?? 0}`;
    if (this.current[i] && this.stateKeys[i] === key) return false;
    this.stateKeys[i] = key;
    this.rv++;
    const object = sim.render(state);
    if (override) applyOverride(object, override);
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
    return true;
  }

  /**
   * Applies a JSON merge patch (RFC 7386) to one object, as `kubectl annotate` / `flux reconcile` /
   * `flux suspend` send them: only `metadata.annotations` and `spec.suspend` may change here.
   * Returns the new version, or undefined when the object does not exist.
   */
  patch(
    resource: string,
    namespace: string,
    name: string,
    patch: unknown,
  ): StoredObject | undefined {
    const i = this.sims.findIndex(
      s =>
        s.resource === resource && s.namespace === namespace && s.name === name,
    );
    if (i < 0) return undefined;
    const { annotations, suspend } = readPatch(patch);
    const previous = this.overrides.get(i);
    this.overrides.set(i, {
      annotations: { ...previous?.annotations, ...annotations },
      suspend: suspend ?? previous?.suspend,
      version: (previous?.version ?? 0) + 1,
    });
    this.render(i, this.lastT);
    return this.current[i];
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The parts of a merge patch the simulation supports; anything else is a 422. */
function readPatch(patch: unknown): {
  annotations: Record<string, string | null>;
  suspend?: boolean;
} {
  if (!isObject(patch))
    throw new PatchError(400, 'the patch must be a JSON object');
  const annotations: Record<string, string | null> = {};
  let suspend: boolean | undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'metadata' && isObject(value)) {
      for (const [mk, mv] of Object.entries(value)) {
        if (mk !== 'annotations' || !isObject(mv)) {
          throw new PatchError(
            422,
            `the demo fleet cannot patch metadata.${mk}`,
          );
        }
        for (const [ak, av] of Object.entries(mv)) {
          if (av !== null && typeof av !== 'string') {
            throw new PatchError(
              422,
              `metadata.annotations.${ak} must be a string or null`,
            );
          }
          annotations[ak] = av;
        }
      }
    } else if (key === 'spec' && isObject(value)) {
      for (const [sk, sv] of Object.entries(value)) {
        if (sk !== 'suspend' || typeof sv !== 'boolean') {
          throw new PatchError(
            422,
            `the demo fleet can only patch spec.suspend (a boolean), not spec.${sk}`,
          );
        }
        suspend = sv;
      }
    } else {
      throw new PatchError(422, `the demo fleet cannot patch ${key}`);
    }
  }
  return { annotations, suspend };
}

/**
 * A patched object as the controllers would leave it: annotations merged, spec.suspend set, and a
 * Flux reconcile request handled at once (status.lastHandledReconcileAt = the requested value)
 * unless the object is suspended.
 */
function applyOverride(object: KubeObject, override: ObjectOverride) {
  const annotations = { ...object.metadata.annotations };
  for (const [k, v] of Object.entries(override.annotations)) {
    if (v === null) delete annotations[k];
    else annotations[k] = v;
  }
  object.metadata.annotations = annotations;
  if (override.suspend !== undefined) {
    object.spec = { ...object.spec, suspend: override.suspend };
  }
  const requested = annotations[RECONCILE_REQUESTED_AT];
  if (requested && !object.spec?.suspend && object.status) {
    object.status = { ...object.status, lastHandledReconcileAt: requested };
  }
}

import { createHash } from 'node:crypto';
import { k8sTime } from '../clock';
import { FleetClusterModel } from '../clusters';
import { ScenarioObject } from '../types';
import { CREATED_AT, Timeline } from './timeline';

/** A Kubernetes object as served (JSON). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  spec?: Record<string, any>;
  status?: Record<string, any>;
  [key: string]: unknown;
}

export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Everything a builder needs to turn elapsed scenario ms into objects. */
export interface ScenarioContext {
  timeline: Timeline;
  startTime: number;
  clusters: FleetClusterModel[];
  argoCluster: FleetClusterModel;
}

/**
 * One simulated object. Its state is a small JSON value computed from the
 * clock; the store re-renders the (much bigger) object only when the state
 * changes, which is what bumps resourceVersion and emits watch events.
 */
export interface SimObject<S = any> {
  /** Resource key `${group}/${plural}`, see kubernetes/resources.ts. */
  resource: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  state(t: number): S;
  render(state: S): KubeObject;
  describe(
    state: S,
  ): Omit<
    ScenarioObject,
    'cluster' | 'apiGroup' | 'kind' | 'namespace' | 'name' | 'labels'
  >;
}

export function timeOf(ctx: ScenarioContext, elapsed: number): string {
  return k8sTime(ctx.startTime + elapsed);
}

/** Deterministic UUID (v5-shaped) so objects keep their uid across restarts. */
export function uidFor(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${(
    (parseInt(h[16], 16) & 0x3) |
    0x8
  ).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function metadata(
  ctx: ScenarioContext,
  cluster: FleetClusterModel,
  kind: string,
  o: { name: string; namespace: string; labels: Record<string, string> },
  extra: {
    generation?: number;
    annotations?: Record<string, string>;
    finalizers?: string[];
  } = {},
): KubeMetadata {
  return {
    name: o.name,
    namespace: o.namespace,
    uid: uidFor(cluster.name, kind, o.namespace, o.name),
    generation: extra.generation ?? 1,
    creationTimestamp: timeOf(ctx, CREATED_AT),
    labels: { ...o.labels },
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
    ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
  };
}

export function condition(
  ctx: ScenarioContext,
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  since: number,
  observedGeneration?: number,
): Condition {
  return {
    lastTransitionTime: timeOf(ctx, since),
    message,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    reason,
    status,
    type,
  };
}

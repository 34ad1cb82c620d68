import type {
  GitOpsRecord,
  SourceType,
} from '@gitops-status/plugin-gitops-common';
import { joinMessages, shortText } from './text';

/** What a normalizer knows besides the raw object: where and when it was read. */
export interface NormalizeContext {
  /** Configured name of the cluster the object was read from. */
  cluster: string;
  source: SourceType;
  /** ISO time of collection. */
  observedAt: string;
  now?: string;
  /**
   * Argo CD: maps `spec.destination` {server, name} to a configured cluster name;
   * undefined = unknown destination.
   */
  resolveDestination?: (d: {
    server?: string;
    name?: string;
  }) => string | undefined;
  /** The Argo CD instance managing the Application. */
  argocdInstance?: string;
  /** Argo CD UI base URL for links (https only). */
  argocdUrl?: string;
  /**
   * apiVersion/kind to assume when the object carries none: items of a Kubernetes LIST response
   * and Argo CD API bodies omit them. The object's own values win when present.
   */
  typeHint?: { apiVersion?: string; kind: string };
}

export type NormalizeResult =
  | { ok: true; record: GitOpsRecord }
  | { ok: false; error: string };

/** The identity of a Kubernetes object as far as it could be read, for error messages. */
export interface ObjectLabel {
  kind?: string;
  namespace?: string;
  name?: string;
}

/** `Kustomization flux-system/apps`; each part cut to a short text, whatever the object holds. */
export function describeObject(o: ObjectLabel): string {
  const where = [shortText(o.namespace), shortText(o.name) ?? '<no name>']
    .filter(Boolean)
    .join('/');
  return `${shortText(o.kind) ?? 'object'} ${where}`;
}

/** A rejection naming the object; at most a message's length, without control characters. */
export function reject(o: ObjectLabel, why: string): NormalizeResult {
  return { ok: false, error: joinMessages(`${describeObject(o)}: ${why}`)! };
}

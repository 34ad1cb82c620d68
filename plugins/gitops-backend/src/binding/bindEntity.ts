import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ENTITY_REF_OBJECT_ANNOTATION,
  GITOPS_ANNOTATIONS as A,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import type { ClusterDirectory } from '../config/clusters';
import {
  matchesLabelSelector,
  parseLabelSelector,
  type LabelSelector,
} from './labelSelector';

/** How one entity selects GitOps objects, parsed once from its annotations. */
export interface EntitySelector {
  entityRef: string;
  kubernetesId?: string;
  labelSelector?: LabelSelector;
  argocdAppNames?: string[];
  argocdAppSelector?: LabelSelector;
  argocdInstance?: string;
  argocdProject?: string;
  clusters?: string[];
  fluxResources?: Array<{ kind: string; namespace: string; name: string }>;
  azureFluxConfigs?: Array<{ cluster: string; name: string }>;
  /** Annotations that could not be parsed, with why. */
  problems: string[];
}

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map(s => s.trim())
    .filter(Boolean) ?? [];

/** Lower-cased `kind:namespace/name`: catalog refs compare case-insensitively. */
export function entityRefKey(entity: Entity | string): string {
  return (
    typeof entity === 'string' ? entity : stringifyEntityRef(entity)
  ).toLowerCase();
}

/** Parses an entity's GitOps annotations. Pure; bad values become `problems`, never throws. */
export function parseEntitySelector(
  entity: Entity,
  clusters?: ClusterDirectory,
): EntitySelector {
  const ann = entity.metadata.annotations ?? {};
  const sel: EntitySelector = { entityRef: entityRefKey(entity), problems: [] };
  const selector = (key: string): LabelSelector | undefined => {
    if (!ann[key]) return undefined;
    try {
      return parseLabelSelector(ann[key]);
    } catch (e) {
      sel.problems.push(`${key}: ${(e as Error).message}`);
      return undefined;
    }
  };
  sel.kubernetesId = ann[A.kubernetesId]?.trim() || undefined;
  sel.labelSelector = selector(A.kubernetesLabelSelector);
  sel.argocdAppSelector = selector(A.argocdAppSelector);
  if (ann[A.argocdAppName]) sel.argocdAppNames = list(ann[A.argocdAppName]);
  sel.argocdInstance = ann[A.argocdInstanceName]?.trim() || undefined;
  sel.argocdProject = ann[A.argocdProjectName]?.trim() || undefined;
  if (ann[A.clusters]) sel.clusters = list(ann[A.clusters]);
  if (ann[A.fluxResources]) {
    sel.fluxResources = [];
    for (const item of list(ann[A.fluxResources])) {
      const m = /^([A-Za-z]+):(?:([^/\s]+)\/)?([^/\s]+)$/.exec(item);
      if (!m)
        sel.problems.push(
          `${A.fluxResources}: "${item}" is not Kind:namespace/name`,
        );
      else
        sel.fluxResources.push({
          kind: m[1],
          namespace: m[2] ?? 'flux-system',
          name: m[3],
        });
    }
  }
  if (ann[A.azureFluxConfigurations]) {
    sel.azureFluxConfigs = [];
    for (const item of list(ann[A.azureFluxConfigurations])) {
      const arm =
        /^(\/subscriptions\/.+?)\/providers\/Microsoft\.KubernetesConfiguration\/fluxConfigurations\/([^/]+)$/i.exec(
          item,
        );
      const short = /^([^/\s]+)\/([^/\s]+)$/.exec(item);
      const cluster = arm ? clusters?.resolve(arm[1]) : short?.[1];
      const name = arm ? arm[2] : short?.[2];
      if (!cluster || !name)
        sel.problems.push(
          `${A.azureFluxConfigurations}: "${item}" names no configured cluster`,
        );
      else sel.azureFluxConfigs.push({ cluster, name });
    }
  }
  return sel;
}

function selects(sel: EntitySelector, r: GitOpsRecord): boolean {
  if (sel.clusters && !sel.clusters.includes(r.cluster)) return false;
  if (r.tool === 'argocd') {
    if (sel.argocdInstance && r.instance !== sel.argocdInstance) return false;
    if (sel.argocdProject && r.project !== sel.argocdProject) return false;
  }
  if (sel.kubernetesId && r.labels[A.kubernetesId] === sel.kubernetesId)
    return true;
  if (sel.labelSelector && matchesLabelSelector(sel.labelSelector, r.labels))
    return true;
  if (r.kind === 'Application') {
    if (sel.argocdAppNames?.includes(r.name)) return true;
    if (
      sel.argocdAppSelector &&
      matchesLabelSelector(sel.argocdAppSelector, r.labels)
    )
      return true;
  }
  if (
    sel.fluxResources?.some(
      f =>
        f.kind === r.kind && f.namespace === r.namespace && f.name === r.name,
    )
  ) {
    return true;
  }
  if (
    r.kind === 'FluxConfig' &&
    sel.azureFluxConfigs?.some(
      f => f.cluster === r.cluster && f.name === r.name,
    )
  ) {
    return true;
  }
  return false;
}

/** The entity an object names itself through `backstage.io/entity-ref` (reverse link). */
function reverseRef(r: GitOpsRecord): string | undefined {
  const value = r.annotations?.[ENTITY_REF_OBJECT_ANNOTATION];
  if (!value) return undefined;
  try {
    return entityRefKey(
      stringifyEntityRef(
        parseEntityRef(value, {
          defaultKind: 'component',
          defaultNamespace: 'default',
        }),
      ),
    );
  } catch {
    return undefined;
  }
}

/**
 * Binds records to entities: given every entity's selector, which entities does each record
 * belong to. Entities with a Kubernetes id are indexed so a record costs a map lookup, not a scan.
 */
export class EntityBinder {
  private readonly byKubernetesId = new Map<string, EntitySelector[]>();
  private readonly others: EntitySelector[] = [];

  constructor(selectors: EntitySelector[]) {
    for (const sel of selectors) {
      const scanOnly =
        sel.labelSelector ||
        sel.argocdAppNames ||
        sel.argocdAppSelector ||
        sel.fluxResources ||
        sel.azureFluxConfigs;
      if (sel.kubernetesId) {
        const l = this.byKubernetesId.get(sel.kubernetesId) ?? [];
        l.push(sel);
        this.byKubernetesId.set(sel.kubernetesId, l);
      }
      if (scanOnly) this.others.push(sel);
    }
  }

  bind(record: GitOpsRecord): string[] {
    const refs = new Set<string>();
    const id = record.labels[A.kubernetesId];
    for (const sel of (id && this.byKubernetesId.get(id)) || []) {
      if (selects(sel, record)) refs.add(sel.entityRef);
    }
    for (const sel of this.others)
      if (selects(sel, record)) refs.add(sel.entityRef);
    const reverse = reverseRef(record);
    if (reverse) refs.add(reverse);
    return [...refs].sort();
  }
}

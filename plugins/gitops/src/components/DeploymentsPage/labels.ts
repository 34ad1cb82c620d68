import { parseEntityRef } from '@backstage/catalog-model';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import {
  STATE_SEVERITY_ORDER,
  type GitOpsState,
} from '@gitops-status/plugin-gitops-common';
import { toolLabel } from '../format';
import { stateLabel } from '../StateLabel/StateLabel';
import type { ListField } from './query';

export const FIELD_LABELS: Record<ListField, string> = {
  tool: 'Tool',
  cluster: 'Cluster',
  namespace: 'Namespace',
  kind: 'Kind',
  state: 'State',
  sync: 'Sync',
  health: 'Health',
  compliance: 'Compliance',
  owner: 'Owner',
  system: 'System',
  entity: 'Entity',
};

const DEFAULT_KINDS: Partial<Record<ListField, string>> = {
  owner: 'group',
  system: 'system',
  entity: 'component',
};

/** An entity ref as people read it (`team-a`, `group:other/team-b`); the raw text if it does not parse. */
export function humanizeRef(ref: string, defaultKind?: string): string {
  try {
    return humanizeEntityRef(parseEntityRef(ref), { defaultKind });
  } catch {
    return ref;
  }
}

/** A filter value as people read it: tool and state names, humanized entity refs. */
export function valueText(field: ListField, value: string): string {
  if (field === 'tool') return toolLabel(value);
  if (field === 'state') return stateLabel(value as GitOpsState);
  const kind = DEFAULT_KINDS[field];
  return kind ? humanizeRef(value, kind) : value;
}

/** Facet values in reading order: states by severity, the rest as the server sorts (most first). */
export function sortFacet<T extends { value: string }>(
  field: ListField,
  values: T[],
): T[] {
  if (field !== 'state') return values;
  const rank = (v: string) => {
    const i = STATE_SEVERITY_ORDER.indexOf(v as GitOpsState);
    return i < 0 ? STATE_SEVERITY_ORDER.length : i;
  };
  return [...values].sort((a, b) => rank(a.value) - rank(b.value));
}

/*
 * The invariants every record must hold, whatever it was normalized from. Used by tests (and
 * usable by a store that wants to refuse garbage): an empty list means the record is valid.
 */
import {
  COMPLIANCE_STATES,
  GITOPS_KINDS,
  GITOPS_STATES,
  GITOPS_TOOLS,
  HEALTH_STATUSES,
  SOURCE_TYPES,
  SYNC_STATUSES,
  deriveState,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { asObject, isIsoTime } from './raw';
import { MAX_MESSAGE_BYTES, utf8Length } from './text';

const LINK_TYPES = [
  'argocd',
  'azure-portal',
  'grafana',
  'commit',
  'repository',
] as const;
const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

export function isValidRecord(r: unknown): string[] {
  const problems: string[] = [];
  const o = asObject(r);
  if (!o) return ['record is not an object'];
  const p = (msg: string) => problems.push(msg);

  const oneOf = (path: string, value: unknown, allowed: readonly string[]) => {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      p(
        `${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`,
      );
    }
  };
  const nonEmpty = (path: string, value: unknown) => {
    if (typeof value !== 'string' || !value.trim()) {
      p(`${path}: must be a non-empty string`);
    }
  };
  const optionalString = (path: string, value: unknown) => {
    if (value !== undefined) nonEmpty(path, value);
  };
  const optionalTime = (path: string, value: unknown) => {
    if (value !== undefined && !isIsoTime(value)) {
      p(`${path}: ${JSON.stringify(value)} is not an ISO time`);
    }
  };
  const optionalText = (path: string, value: unknown) => {
    optionalString(path, value);
    if (typeof value === 'string' && utf8Length(value) > MAX_MESSAGE_BYTES) {
      p(`${path}: longer than ${MAX_MESSAGE_BYTES} bytes`);
    }
  };
  const array = (path: string, value: unknown): unknown[] => {
    if (!Array.isArray(value)) {
      p(`${path}: must be an array`);
      return [];
    }
    return value;
  };
  const httpsUrl = (path: string, value: unknown) => {
    try {
      if (typeof value !== 'string' || new URL(value).protocol !== 'https:') {
        throw new Error();
      }
    } catch {
      p(`${path}: ${JSON.stringify(value)} is not an https URL`);
    }
  };

  // identity
  oneOf('tool', o.tool, GITOPS_TOOLS);
  oneOf('kind', o.kind, GITOPS_KINDS);
  nonEmpty('cluster', o.cluster);
  nonEmpty('namespace', o.namespace);
  nonEmpty('name', o.name);
  if ((o.kind === 'Application') !== (o.tool === 'argocd')) {
    p(`tool ${o.tool} does not match kind ${o.kind}`);
  }

  // status
  oneOf('sync', o.sync, SYNC_STATUSES);
  oneOf('health', o.health, HEALTH_STATUSES);
  oneOf('compliance', o.compliance, COMPLIANCE_STATES);
  oneOf('state', o.state, GITOPS_STATES);
  if (typeof o.suspended !== 'boolean') p('suspended: must be a boolean');
  if (!problems.some(x => /^(sync|health|compliance|suspended):/.test(x))) {
    const expected = deriveState(o as unknown as GitOpsRecord);
    if (o.state !== expected) {
      p(`state: ${o.state} but deriveState gives ${expected}`);
    }
  }

  const revision = asObject(o.revision);
  if (!revision) p('revision: must be an object');
  for (const key of [
    'applied',
    'attempted',
    'commit',
    'ref',
    'repoUrl',
    'chartVersion',
  ] as const) {
    optionalString(`revision.${key}`, revision?.[key]);
  }
  if (revision?.commitUrl !== undefined) {
    httpsUrl('revision.commitUrl', revision.commitUrl);
  }

  optionalTime('lastReconciledAt', o.lastReconciledAt);
  optionalTime('lastTransitionAt', o.lastTransitionAt);
  if (!isIsoTime(o.observedAt)) {
    p(`observedAt: ${JSON.stringify(o.observedAt)} is not an ISO time`);
  }
  optionalText('reason', o.reason);
  optionalText('message', o.message);
  optionalString('instance', o.instance);
  optionalString('project', o.project);

  array('conditions', o.conditions).forEach((c, i) => {
    const cond = asObject(c);
    if (!cond) {
      p(`conditions[${i}]: must be an object`);
      return;
    }
    nonEmpty(`conditions[${i}].type`, cond.type);
    oneOf(`conditions[${i}].status`, cond.status, CONDITION_STATUSES);
    optionalText(`conditions[${i}].reason`, cond.reason);
    optionalText(`conditions[${i}].message`, cond.message);
    optionalTime(
      `conditions[${i}].lastTransitionTime`,
      cond.lastTransitionTime,
    );
    if (
      cond.observedGeneration !== undefined &&
      !Number.isSafeInteger(cond.observedGeneration)
    ) {
      p(`conditions[${i}].observedGeneration: must be an integer`);
    }
  });

  array('dependsOn', o.dependsOn).forEach((d, i) => {
    const ref = asObject(d);
    oneOf(`dependsOn[${i}].kind`, ref?.kind, GITOPS_KINDS);
    nonEmpty(`dependsOn[${i}].namespace`, ref?.namespace);
    nonEmpty(`dependsOn[${i}].name`, ref?.name);
  });

  const labels = asObject(o.labels);
  if (!labels) p('labels: must be an object');
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (typeof v !== 'string') p(`labels.${k}: must be a string`);
  }

  const sources = array('sources', o.sources);
  if (!sources.length) p('sources: must name at least one source');
  sources.forEach((s, i) => oneOf(`sources[${i}]`, s, SOURCE_TYPES));

  array('links', o.links).forEach((l, i) => {
    const link = asObject(l);
    oneOf(`links[${i}].type`, link?.type, LINK_TYPES);
    nonEmpty(`links[${i}].title`, link?.title);
    httpsUrl(`links[${i}].url`, link?.url);
  });

  if (o.history !== undefined) {
    array('history', o.history).forEach((h, i) => {
      const entry = asObject(h);
      if (!entry) {
        p(`history[${i}]: must be an object`);
        return;
      }
      optionalString(`history[${i}].revision`, entry.revision);
      optionalTime(`history[${i}].deployedAt`, entry.deployedAt);
    });
  }

  if (o.operation !== undefined) {
    const op = asObject(o.operation);
    nonEmpty('operation.phase', op?.phase);
    optionalText('operation.message', op?.message);
    optionalTime('operation.startedAt', op?.startedAt);
    optionalTime('operation.finishedAt', op?.finishedAt);
  }
  return problems;
}

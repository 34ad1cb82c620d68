/*
 * The invariants every record must hold, whatever it was normalized from, the size limits of
 * ./limits.ts included. Used by tests (and usable by a store that wants to refuse garbage): an
 * empty list means the record is valid.
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
import {
  MAX_DEPENDS_ON,
  MAX_HISTORY,
  MAX_LABELS,
  MAX_LINKS,
  MAX_MERGED_CONDITIONS,
  MAX_MESSAGE_BYTES,
  MAX_NAME_LENGTH,
  MAX_SHORT_BYTES,
  MAX_URL_BYTES,
} from './limits';
import { asObject, isIsoTime } from './raw';
import { hasControlCharacters, utf8Length } from './text';

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
      p(`${path}: ${describe(value)} is not one of ${allowed.join(', ')}`);
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
  const within = (path: string, value: unknown, maxBytes: number) => {
    if (typeof value === 'string' && utf8Length(value) > maxBytes) {
      p(`${path}: longer than ${maxBytes} bytes`);
    }
  };
  const optionalShort = (path: string, value: unknown) => {
    optionalString(path, value);
    within(path, value, MAX_SHORT_BYTES);
  };
  const identity = (path: string, value: unknown) => {
    nonEmpty(path, value);
    if (typeof value === 'string' && value.length > MAX_NAME_LENGTH) {
      p(`${path}: longer than ${MAX_NAME_LENGTH} characters`);
    }
  };
  const optionalTime = (path: string, value: unknown) => {
    if (value !== undefined && !isIsoTime(value)) {
      p(`${path}: ${describe(value)} is not an ISO time`);
    }
  };
  const optionalText = (path: string, value: unknown) => {
    optionalString(path, value);
    within(path, value, MAX_MESSAGE_BYTES);
  };
  const array = (path: string, value: unknown, max: number): unknown[] => {
    if (!Array.isArray(value)) {
      p(`${path}: must be an array`);
      return [];
    }
    if (value.length > max) p(`${path}: more than ${max} entries`);
    return value;
  };
  const httpsUrl = (path: string, value: unknown) => {
    try {
      if (typeof value !== 'string' || new URL(value).protocol !== 'https:') {
        throw new Error();
      }
    } catch {
      p(`${path}: ${describe(value)} is not an https URL`);
    }
    within(path, value, MAX_URL_BYTES);
  };

  // identity
  oneOf('tool', o.tool, GITOPS_TOOLS);
  oneOf('kind', o.kind, GITOPS_KINDS);
  identity('cluster', o.cluster);
  identity('namespace', o.namespace);
  identity('name', o.name);
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
    'chartVersion',
  ] as const) {
    optionalShort(`revision.${key}`, revision?.[key]);
  }
  optionalString('revision.repoUrl', revision?.repoUrl);
  within('revision.repoUrl', revision?.repoUrl, MAX_URL_BYTES);
  if (revision?.commitUrl !== undefined) {
    httpsUrl('revision.commitUrl', revision.commitUrl);
  }

  optionalTime('lastReconciledAt', o.lastReconciledAt);
  optionalTime('lastTransitionAt', o.lastTransitionAt);
  if (!isIsoTime(o.observedAt)) {
    p(`observedAt: ${describe(o.observedAt)} is not an ISO time`);
  }
  optionalShort('reason', o.reason);
  optionalText('message', o.message);
  optionalShort('instance', o.instance);
  optionalShort('project', o.project);

  array('conditions', o.conditions, MAX_MERGED_CONDITIONS).forEach((c, i) => {
    const cond = asObject(c);
    if (!cond) {
      p(`conditions[${i}]: must be an object`);
      return;
    }
    nonEmpty(`conditions[${i}].type`, cond.type);
    within(`conditions[${i}].type`, cond.type, MAX_SHORT_BYTES);
    oneOf(`conditions[${i}].status`, cond.status, CONDITION_STATUSES);
    optionalShort(`conditions[${i}].reason`, cond.reason);
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

  array('dependsOn', o.dependsOn, MAX_DEPENDS_ON).forEach((d, i) => {
    const ref = asObject(d);
    oneOf(`dependsOn[${i}].kind`, ref?.kind, GITOPS_KINDS);
    nonEmpty(`dependsOn[${i}].namespace`, ref?.namespace);
    within(`dependsOn[${i}].namespace`, ref?.namespace, MAX_SHORT_BYTES);
    nonEmpty(`dependsOn[${i}].name`, ref?.name);
    within(`dependsOn[${i}].name`, ref?.name, MAX_SHORT_BYTES);
  });

  const labels = asObject(o.labels);
  if (!labels) p('labels: must be an object');
  const labelEntries = Object.entries(labels ?? {});
  if (labelEntries.length > MAX_LABELS) {
    p(`labels: more than ${MAX_LABELS} entries`);
  }
  for (const [k, v] of labelEntries) {
    const key = k.length > 80 ? `${k.slice(0, 80)}…` : k;
    if (typeof v !== 'string') p(`labels.${key}: must be a string`);
    if (utf8Length(k) > MAX_SHORT_BYTES || utf8Length(`${v}`) > MAX_SHORT_BYTES)
      p(`labels.${key}: longer than ${MAX_SHORT_BYTES} bytes`);
  }

  const sources = array('sources', o.sources, SOURCE_TYPES.length);
  if (!sources.length) p('sources: must name at least one source');
  sources.forEach((s, i) => oneOf(`sources[${i}]`, s, SOURCE_TYPES));

  array('links', o.links, MAX_LINKS).forEach((l, i) => {
    const link = asObject(l);
    oneOf(`links[${i}].type`, link?.type, LINK_TYPES);
    nonEmpty(`links[${i}].title`, link?.title);
    within(`links[${i}].title`, link?.title, MAX_SHORT_BYTES);
    httpsUrl(`links[${i}].url`, link?.url);
  });

  if (o.history !== undefined) {
    array('history', o.history, MAX_HISTORY).forEach((h, i) => {
      const entry = asObject(h);
      if (!entry) {
        p(`history[${i}]: must be an object`);
        return;
      }
      optionalShort(`history[${i}].revision`, entry.revision);
      optionalShort(`history[${i}].status`, entry.status);
      optionalShort(`history[${i}].chartVersion`, entry.chartVersion);
      optionalTime(`history[${i}].deployedAt`, entry.deployedAt);
    });
  }

  if (o.operation !== undefined) {
    const op = asObject(o.operation);
    nonEmpty('operation.phase', op?.phase);
    within('operation.phase', op?.phase, MAX_SHORT_BYTES);
    optionalText('operation.message', op?.message);
    optionalTime('operation.startedAt', op?.startedAt);
    optionalTime('operation.finishedAt', op?.finishedAt);
  }

  if (o.disagreements !== undefined) {
    array('disagreements', o.disagreements, 3).forEach((d, i) =>
      optionalText(`disagreements[${i}]`, d),
    );
  }

  const controlled = stringsIn(o).filter(hasControlCharacters);
  if (controlled.length) {
    p(
      `${controlled.length} strings contain control characters, e.g. ${describe(
        controlled[0],
      )}`,
    );
  }
  return problems;
}

/** A value quoted in a problem: JSON, at most 80 characters of it. */
function describe(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? typeof value;
  } catch {
    json = typeof value; // BigInt, cycles
  }
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

/** Every string in a JSON-like value, keys included. */
function stringsIn(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object' && depth < 8) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out, depth + 1);
    }
  }
  return out;
}

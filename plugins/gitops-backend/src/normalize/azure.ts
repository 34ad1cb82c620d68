/*
 * Azure's managed Flux (microsoft.flux extension): `fluxConfigurations` read from ARM / Azure
 * Resource Graph, the FluxConfig objects the fluxconfig-agent keeps in each cluster
 * (clusterconfig.azure.com; their spec + status carry the same fields as the ARM `properties`),
 * and the extension itself. Azure computes complianceState from the Flux objects' Ready
 * conditions; we take it as reported.
 */
import {
  deriveState,
  parseRevision,
  commitUrl,
  type ComplianceState,
  type Condition,
  type GitOpsRecord,
  type GitOpsState,
  type HealthStatus,
  type Link,
  type SyncStatus,
} from '@gitops-status/plugin-gitops-common';
import { findCondition, readConditions } from './conditions';
import {
  asObject,
  list,
  newest,
  isoTime,
  readLabels,
  str,
  type RawObject,
} from './raw';
import {
  commitLink,
  compact,
  finishRecord,
  httpsUrl,
  repositoryLink,
} from './record';
import { MAX_NAME_LENGTH, MAX_OBJECT_STATUSES, MAX_URL_BYTES } from './limits';
import {
  describeRaw,
  droppedNote,
  hasControlCharacters,
  joinMessages,
  shortText,
  text,
  urlText,
  utf8Length,
} from './text';
import { reject, type NormalizeContext, type NormalizeResult } from './types';

export const FLUX_CONFIGURATION_TYPE =
  'microsoft.kubernetesconfiguration/fluxconfigurations';
export const EXTENSION_TYPE = 'microsoft.kubernetesconfiguration/extensions';
/** Azure's CLI creates Flux configurations in `default` unless told otherwise. */
const DEFAULT_NAMESPACE = 'default';

/**
 * A property by name, ignoring case: Resource Graph returns extension properties PascalCase
 * (`ProvisioningState`), ARM camelCase (`provisioningState`).
 */
export function prop(value: unknown, name: string): unknown {
  const o = asObject(value);
  if (!o) return undefined;
  if (Object.prototype.hasOwnProperty.call(o, name)) return o[name];
  const lower = name.toLowerCase();
  const key = Object.keys(o).find(k => k.toLowerCase() === lower);
  return key === undefined ? undefined : o[key];
}

/** The cluster's ARM id out of a fluxConfigurations / extensions id, for mapping to a configured cluster. */
export function clusterResourceIdOf(armId: unknown): string | undefined {
  const id = str(armId);
  const m =
    id &&
    /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+)\/providers\/Microsoft\.KubernetesConfiguration\//i.exec(
      id,
    );
  return m ? m[1] : undefined;
}

/** Azure's FluxComplianceState: Compliant, Non-Compliant, Pending, Suspended, Unknown. */
function complianceOf(
  raw: unknown,
  notes: string[],
  what: string,
): ComplianceState {
  // The Azure GitOps dashboards count a configuration without complianceState as Pending
  // (`iff(isnull(properties.complianceState), "Pending", …)`): it has not reported yet.
  if (raw === undefined || raw === null) return 'Pending';
  const key =
    typeof raw === 'string' ? raw.replace(/[-_\s]/g, '').toLowerCase() : '';
  switch (key) {
    case 'compliant':
      return 'Compliant';
    case 'noncompliant':
      return 'NonCompliant';
    case 'pending':
      return 'Pending';
    case 'suspended':
      return 'Suspended';
    case 'unknown':
      return 'Unknown';
    default:
      notes.push(`${what} ${describeRaw(raw)} not recognised`);
      return 'Unknown';
  }
}

const HEALTH_BY_COMPLIANCE: Record<ComplianceState, HealthStatus> = {
  Compliant: 'Healthy',
  NonCompliant: 'Degraded',
  Pending: 'Progressing',
  Suspended: 'Suspended',
  Unknown: 'Unknown',
};

const CONDITION_BY_COMPLIANCE: Record<ComplianceState, Condition['status']> = {
  Compliant: 'True',
  NonCompliant: 'False',
  Pending: 'Unknown',
  Suspended: 'Unknown',
  Unknown: 'Unknown',
};

/** Which properties object holds the source, by sourceKind. */
const SOURCE_PROPERTY: Record<string, string> = {
  gitrepository: 'gitRepository',
  ocirepository: 'ociRepository',
  bucket: 'bucket',
  azureblob: 'azureBlob',
};

/** ARM `fluxConfigurations` (GET/LIST body or an Azure Resource Graph row) to a record. */
export function normalizeFluxConfiguration(
  arm: unknown,
  ctx: NormalizeContext,
): NormalizeResult {
  const o = asObject(arm);
  if (!o) {
    return {
      ok: false,
      error: `FluxConfiguration: not an object: ${describeRaw(arm)}`,
    };
  }
  const name = str(prop(o, 'name'));
  const props = asObject(prop(o, 'properties'));
  const namespace = str(prop(props, 'namespace')) ?? DEFAULT_NAMESPACE;
  const label = { kind: 'FluxConfiguration', namespace, name };
  const type = str(prop(o, 'type'));
  if (type && type.toLowerCase() !== FLUX_CONFIGURATION_TYPE) {
    return reject(
      label,
      `Azure resource type ${describeRaw(
        type,
      )} is not ${FLUX_CONFIGURATION_TYPE}`,
    );
  }
  if (!name) return reject(label, 'name missing');
  if (name.length > MAX_NAME_LENGTH || namespace.length > MAX_NAME_LENGTH) {
    return reject(
      label,
      `name or namespace longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (hasControlCharacters(name) || hasControlCharacters(namespace)) {
    return reject(label, 'name or namespace contains control characters');
  }
  if (!props) return reject(label, 'properties missing');
  const id = str(prop(o, 'id'));
  return {
    ok: true,
    record: fluxConfigRecord(
      props,
      { namespace, name, labels: {} },
      ctx,
      portalLink(id),
    ),
  };
}

/** A FluxConfig object read from a cluster (clusterconfig.azure.com). */
export function normalizeFluxConfigObject(
  obj: RawObject,
  id: { namespace: string; name: string },
  ctx: NormalizeContext,
): GitOpsRecord {
  // Same field names as the ARM properties, split between spec and status.
  const view: RawObject = { ...asObject(obj.spec), ...asObject(obj.status) };
  const deleting = str(asObject(obj.metadata)?.deletionTimestamp) !== undefined;
  if (deleting) view.provisioningState = 'Deleting';
  const notes: string[] = [];
  const labels = readLabels(asObject(obj.metadata)?.labels, notes);
  return fluxConfigRecord(view, { ...id, labels }, ctx, [], notes);
}

function fluxConfigRecord(
  props: RawObject,
  id: { namespace: string; name: string; labels: Record<string, string> },
  ctx: NormalizeContext,
  extraLinks: Link[],
  notes: string[] = [],
): GitOpsRecord {
  const suspended = prop(props, 'suspend') === true;
  const reported = complianceOf(
    prop(props, 'complianceState'),
    notes,
    'complianceState',
  );
  const provisioning = shortText(
    prop(props, 'provisioningState'),
  )?.toLowerCase();
  const errorMessage = text(prop(props, 'errorMessage'));

  let compliance: ComplianceState = suspended ? 'Suspended' : reported;
  let health = HEALTH_BY_COMPLIANCE[compliance];
  // The state as Azure spells it (`Non-Compliant`); Pending when it has not reported one.
  let reason = suspended
    ? 'Suspended'
    : shortText(prop(props, 'complianceState')) ?? compliance;
  // A configuration Azure failed to provision never reached the cluster; one being deleted is going away.
  if (provisioning === 'failed') {
    compliance = 'NonCompliant';
    health = 'Degraded';
    reason = 'ProvisioningFailed';
  } else if (provisioning === 'deleting') {
    compliance = 'Pending';
    health = 'Progressing';
    reason = 'Deleting';
  }
  // Compliant: what is in the source is applied; Pending: a newer source revision is not applied yet.
  let sync: SyncStatus = 'Unknown';
  if (compliance === 'Compliant') sync = 'Synced';
  else if (compliance === 'Pending' && provisioning !== 'deleting') {
    sync = 'OutOfSync';
  }

  const objects = objectStatuses(prop(props, 'statuses'), notes);
  const failing = objects
    .filter(c => c.status === 'False' && c.message)
    .map(c => `${c.type}: ${c.message}`);

  const source = sourceOf(props, notes);
  const applied = shortText(prop(props, 'sourceSyncedCommitId'));
  const parsed = parseRevision(applied);
  const isGit = source.kind === 'gitrepository';

  return finishRecord({
    tool: 'flux',
    cluster: ctx.cluster,
    namespace: id.namespace,
    kind: 'FluxConfig',
    name: id.name,
    sync,
    health,
    compliance,
    suspended,
    revision: {
      applied,
      commit: parsed.commit,
      ref: parsed.ref ?? source.ref,
      repoUrl: source.url,
      commitUrl: isGit ? commitUrl(source.url, parsed.commit) : undefined,
    },
    // statusUpdatedAt: when the agent last reported; sourceUpdatedAt: when the source last synced.
    lastReconciledAt: newest(
      isoTime(prop(props, 'statusUpdatedAt')),
      isoTime(prop(props, 'sourceUpdatedAt')),
    ),
    reason,
    message: joinMessages(errorMessage, ...failing, ...notes),
    conditions: objects,
    dependsOn: [],
    labels: id.labels,
    sources: [ctx.source],
    observedAt: ctx.observedAt,
    links: [
      ...extraLinks,
      ...(isGit
        ? [
            ...commitLink(source.url, parsed.commit),
            ...repositoryLink(source.url),
          ]
        : []),
    ],
  });
}

function sourceOf(
  props: RawObject,
  notes: string[],
): {
  kind?: string;
  url?: string;
  ref?: string;
} {
  const declared = str(prop(props, 'sourceKind'))?.toLowerCase();
  // Older API versions have no sourceKind: the one source object that is set tells.
  const kind =
    declared ??
    Object.keys(SOURCE_PROPERTY).find(k =>
      asObject(prop(props, SOURCE_PROPERTY[k])),
    );
  const body =
    kind && Object.prototype.hasOwnProperty.call(SOURCE_PROPERTY, kind)
      ? asObject(prop(props, SOURCE_PROPERTY[kind]))
      : undefined;
  const ref = asObject(prop(body, 'repositoryRef'));
  return {
    kind,
    url: urlText(prop(body, 'url'), 'source URL', notes),
    ref: shortText(prop(ref, 'branch')) ?? shortText(prop(ref, 'tag')),
  };
}

/**
 * One condition per object the configuration deployed (`statuses[]`): type `<Kind>/<name>`,
 * True when Azure counts it Compliant, False when Non-Compliant, with its Ready message.
 */
function objectStatuses(value: unknown, notes: string[]): Condition[] {
  const entries = list(value);
  const dropped = droppedNote(
    'object statuses',
    entries.length,
    MAX_OBJECT_STATUSES,
  );
  if (dropped) notes.push(dropped);
  return entries.slice(0, MAX_OBJECT_STATUSES).flatMap(s => {
    const name = shortText(prop(s, 'name'));
    if (!name) return [];
    const kind = shortText(prop(s, 'kind'));
    const namespace = shortText(prop(s, 'namespace'));
    const type = [kind, namespace, name].filter(Boolean).join('/');
    const raw = prop(s, 'complianceState');
    const c = complianceOf(raw, notes, `${type} complianceState`);
    const ready = findCondition(
      readConditions(prop(s, 'statusConditions')).conditions,
      'Ready',
    );
    return [
      compact<Condition>({
        type: shortText(type) ?? name,
        status: CONDITION_BY_COMPLIANCE[c],
        reason: shortText(raw),
        message: ready?.message,
        lastTransitionTime: ready?.lastTransitionTime,
      }),
    ];
  });
}

/** The Azure portal blade of a resource; only for well-formed ARM ids. */
function portalLink(id: string | undefined): Link[] {
  if (!id || !/^\/subscriptions\/[\w\-.()/]+$/i.test(id)) return [];
  const url = httpsUrl(`https://portal.azure.com/#@/resource${id}`);
  return url && utf8Length(url) <= MAX_URL_BYTES
    ? [{ type: 'azure-portal', title: 'Azure portal', url }]
    : [];
}

/** The `microsoft.flux` cluster extension, as far as alerts and the clusters page need it. */
export interface FluxExtensionStatus {
  name: string;
  id?: string;
  /** ARM id of the cluster the extension is installed on. */
  clusterResourceId?: string;
  extensionType?: string;
  version?: string;
  currentVersion?: string;
  /** Azure ProvisioningState as reported (Succeeded, Failed, Canceled, Creating, Updating, Deleting). */
  provisioningState: string;
  compliance: ComplianceState;
  health: HealthStatus;
  state: GitOpsState;
  message?: string;
  links: Link[];
}

export type FluxExtensionResult =
  | { ok: true; extension: FluxExtensionStatus }
  | { ok: false; error: string };

const PROVISIONING: Record<
  string,
  { compliance: ComplianceState; health: HealthStatus }
> = {
  succeeded: { compliance: 'Compliant', health: 'Healthy' },
  failed: { compliance: 'NonCompliant', health: 'Degraded' },
  canceled: { compliance: 'NonCompliant', health: 'Degraded' },
  creating: { compliance: 'Pending', health: 'Progressing' },
  updating: { compliance: 'Pending', health: 'Progressing' },
  deleting: { compliance: 'Pending', health: 'Progressing' },
};

/**
 * An extensions resource (ARM, camelCase) or Resource Graph row (`properties.ProvisioningState`,
 * PascalCase). Rejects extensions of another type.
 */
export function normalizeFluxExtension(row: unknown): FluxExtensionResult {
  const o = asObject(row);
  if (!o) {
    return {
      ok: false,
      error: `extension: not an object: ${describeRaw(row)}`,
    };
  }
  // Dashboard-style projections put the properties at the top level.
  const props = asObject(prop(o, 'properties')) ?? o;
  // ARM ids are a few hundred bytes; a longer one is not an id to link to or match clusters by.
  const rawId = str(prop(o, 'id'));
  const id =
    rawId && utf8Length(rawId) <= MAX_URL_BYTES && !hasControlCharacters(rawId)
      ? rawId
      : undefined;
  const name =
    shortText(prop(o, 'name')) ??
    shortText(id?.split('/').filter(Boolean).pop());
  const extensionType = shortText(prop(props, 'extensionType'));
  if (!name) return { ok: false, error: 'extension: name missing' };
  if (extensionType && extensionType.toLowerCase() !== 'microsoft.flux') {
    return {
      ok: false,
      error: `extension ${name}: type ${extensionType} is not microsoft.flux`,
    };
  }
  const notes: string[] = [];
  const rawState = prop(props, 'provisioningState');
  const known =
    typeof rawState === 'string'
      ? PROVISIONING[rawState.toLowerCase()]
      : undefined;
  if (!known && rawState !== undefined && rawState !== null) {
    notes.push(`provisioningState ${describeRaw(rawState)} not recognised`);
  }
  const { compliance, health } = known ?? {
    compliance: 'Unknown',
    health: 'Unknown',
  };
  const firstStatus = list(prop(props, 'statuses'))[0];
  return {
    ok: true,
    extension: compact({
      name,
      id,
      clusterResourceId: clusterResourceIdOf(id),
      extensionType,
      version: shortText(prop(props, 'version')),
      currentVersion: shortText(prop(props, 'currentVersion')),
      provisioningState: shortText(rawState) ?? 'Unknown',
      compliance,
      health,
      state: deriveState({ sync: 'Unknown', health, compliance }),
      message: joinMessages(
        text(prop(firstStatus, 'message')) ??
          text(prop(prop(props, 'errorInfo'), 'message')),
        ...notes,
      ),
      links: portalLink(id),
    }),
  };
}

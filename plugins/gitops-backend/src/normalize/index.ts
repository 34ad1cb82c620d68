/*
 * Normalizers: pure functions from one raw object (Kubernetes, Argo CD API, Azure) to one
 * GitOpsRecord. They never throw: anything they cannot read is a clear rejection, and anything
 * malformed inside an object they can read becomes Unknown with the raw value in the message.
 */
import { SOURCE_TYPES } from '@gitops-status/plugin-gitops-common';
import { DEFAULT_ARGOCD_NAMESPACE, normalizeApplication } from './argocd';
import {
  EXTENSION_TYPE,
  FLUX_CONFIGURATION_TYPE,
  normalizeFluxConfigObject,
  normalizeFluxConfiguration,
} from './azure';
import { fluxKindOf, normalizeFlux } from './flux';
import { MAX_NAME_LENGTH } from './limits';
import { asObject, isIsoTime, str, type RawObject } from './raw';
import {
  describeRaw,
  hasControlCharacters,
  joinMessages,
  shortText,
} from './text';
import { reject, type NormalizeContext, type NormalizeResult } from './types';

export type { NormalizeContext, NormalizeResult } from './types';
export { sourceRefOf, FLUX_KIND_GROUPS, type FluxKind } from './flux';
export {
  normalizeFluxConfiguration,
  normalizeFluxExtension,
  clusterResourceIdOf,
  type FluxExtensionStatus,
  type FluxExtensionResult,
} from './azure';
export { isValidRecord } from './validate';
export { linkSources, type RecordWithSource } from './sourceLinks';
export * from './limits';
/** Kubernetes API default namespace. */
const DEFAULT_NAMESPACE = 'default';

/** One raw object to one record, dispatched by apiVersion group and kind (or ARM resource type). */
export function normalizeObject(
  raw: unknown,
  ctx: NormalizeContext,
): NormalizeResult {
  try {
    return dispatch(raw, ctx);
  } catch (e) {
    // Belt and braces: the readers above are written not to throw; tests assert this never happens.
    return internalError(e);
  }
}

function internalError(e: unknown): { ok: false; error: string } {
  return {
    ok: false,
    error: joinMessages(
      `internal error: ${e instanceof Error ? e.message : describeRaw(e)}`,
    )!,
  };
}

/**
 * A single object or a list envelope — Kubernetes / Argo CD `{items: […] | null}`, ARM
 * `{value: […]}`, Azure Resource Graph `{data: […]}`, or a plain array — to one result per item.
 */
export function normalizeAll(
  raw: unknown,
  ctx: NormalizeContext,
): NormalizeResult[] {
  try {
    const items = listItems(raw);
    if (!items) return [normalizeObject(raw, ctx)];
    const o = asObject(raw);
    // A LIST response names its item kind once (`KustomizationList`); items may omit it.
    const listKind = str(o?.kind);
    const hint =
      listKind && listKind.endsWith('List') && listKind.length > 4
        ? { apiVersion: str(o?.apiVersion), kind: listKind.slice(0, -4) }
        : ctx.typeHint;
    return items.map(item => normalizeObject(item, { ...ctx, typeHint: hint }));
  } catch (e) {
    return [internalError(e)];
  }
}

function listItems(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return Array.from(raw);
  const o = asObject(raw);
  if (!o || asObject(o.metadata)?.name !== undefined) return undefined;
  for (const key of ['items', 'value', 'data']) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
    const v = o[key];
    if (Array.isArray(v)) return Array.from(v);
    // Argo CD returns `items: null` for an empty list.
    if (key === 'items' && v === null) return [];
  }
  return undefined;
}

function contextProblem(ctx: NormalizeContext): string | undefined {
  if (!asObject(ctx)) return 'normalize context missing';
  if (!str(ctx.cluster)) return 'normalize context: cluster missing';
  if (!(SOURCE_TYPES as readonly unknown[]).includes(ctx.source)) {
    return `normalize context: source ${describeRaw(
      ctx.source,
    )} not recognised`;
  }
  if (!isIsoTime(ctx.observedAt)) {
    return `normalize context: observedAt ${describeRaw(
      ctx.observedAt,
    )} is not an ISO time`;
  }
  return undefined;
}

function dispatch(raw: unknown, ctx: NormalizeContext): NormalizeResult {
  const problem = contextProblem(ctx);
  if (problem) return { ok: false, error: problem };
  const obj = asObject(raw);
  if (!obj) return { ok: false, error: `not an object: ${describeRaw(raw)}` };

  const armType = str(obj.type);
  if (armType && !str(obj.kind) && /^microsoft\./i.test(armType)) {
    return dispatchArm(obj, armType, ctx);
  }

  const { apiVersion, kind } = typeOf(obj, ctx);
  const group = apiVersion?.includes('/')
    ? apiVersion.slice(0, apiVersion.indexOf('/'))
    : '';
  const metadata = asObject(obj.metadata);
  const name = str(metadata?.name);
  const isApplication = group === 'argoproj.io' && kind === 'Application';
  const namespace =
    str(metadata?.namespace) ??
    (isApplication ? DEFAULT_ARGOCD_NAMESPACE : DEFAULT_NAMESPACE);
  const label = {
    kind,
    namespace,
    name: name && name.slice(0, MAX_NAME_LENGTH),
  };

  if (!kind) {
    return reject(
      label,
      'no kind: neither the object nor the context names one',
    );
  }
  if (!name) return reject(label, 'metadata.name missing');
  if (name.length > MAX_NAME_LENGTH || namespace.length > MAX_NAME_LENGTH) {
    return reject(
      label,
      `name or namespace longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (hasControlCharacters(name) || hasControlCharacters(namespace)) {
    return reject(label, 'name or namespace contains control characters');
  }
  const id = { namespace, name };

  const fluxKind = fluxKindOf(group, kind);
  if (fluxKind) {
    return { ok: true, record: normalizeFlux(obj, fluxKind, id, ctx) };
  }
  if (isApplication) {
    return { ok: true, record: normalizeApplication(obj, id, ctx) };
  }
  if (group === 'clusterconfig.azure.com' && kind === 'FluxConfig') {
    return { ok: true, record: normalizeFluxConfigObject(obj, id, ctx) };
  }
  return reject(
    label,
    `unsupported kind ${shortText(kind)} (${
      shortText(apiVersion) ?? 'no apiVersion'
    })`,
  );
}

function typeOf(
  obj: RawObject,
  ctx: NormalizeContext,
): { apiVersion?: string; kind?: string } {
  const ownKind = str(obj.kind);
  const ownApiVersion = str(obj.apiVersion);
  if (ownKind && ownApiVersion) {
    return { apiVersion: ownApiVersion, kind: ownKind };
  }
  const hint =
    asObject(ctx.typeHint) && str(ctx.typeHint?.kind)
      ? ctx.typeHint
      : defaultType(ctx);
  // A hint only fills in what the object leaves out, and only for the kind it names.
  if (ownKind && hint?.kind !== ownKind) return { kind: ownKind };
  return {
    apiVersion: ownApiVersion ?? str(hint?.apiVersion),
    kind: ownKind ?? str(hint?.kind),
  };
}

/** Argo CD's REST API serves only Applications, without apiVersion/kind. */
function defaultType(ctx: NormalizeContext): NormalizeContext['typeHint'] {
  return ctx.source === 'argocd-api'
    ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' }
    : undefined;
}

function dispatchArm(
  obj: RawObject,
  armType: string,
  ctx: NormalizeContext,
): NormalizeResult {
  const label = { kind: armType, name: str(obj.name) };
  switch (armType.toLowerCase()) {
    case FLUX_CONFIGURATION_TYPE:
      return normalizeFluxConfiguration(obj, ctx);
    case EXTENSION_TYPE:
      return reject(
        label,
        'an extension is not a GitOps object: use normalizeFluxExtension',
      );
    default:
      return reject(
        label,
        `unsupported Azure resource type ${shortText(armType)}`,
      );
  }
}

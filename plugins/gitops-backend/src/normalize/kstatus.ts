/*
 * Health, sync and compliance of one Flux object from its conditions, generations and revisions.
 *
 * Base rules: kstatus (sigs.k8s.io/cli-utils/pkg/kstatus) as Flux implements it — Ready is the
 * summary condition, Reconciling=True means work in progress, Stalled=True means the controller
 * gave up, `status.observedGeneration < metadata.generation` means the spec change is not handled
 * yet. Where kstatus and Argo CD's Flux health checks (argo-cd resource_customizations/*.fluxcd.io,
 * health.lua) disagree, we follow Argo CD, so the two tools never show different health for the
 * same object; each such place says so below.
 */
import type {
  ComplianceState,
  Condition,
  HealthStatus,
  SyncStatus,
} from '@gitops-status/plugin-gitops-common';
import { findCondition } from './conditions';

export interface FluxStatusInput {
  kind: string;
  deleting: boolean;
  suspended: boolean;
  /** HelmRepository `spec.type: oci`: not reconciled by source-controller ≥ v1, so it has no status. */
  staticObject: boolean;
  generation?: number;
  observedGeneration?: number;
  conditions: Condition[];
  /** Condition types whose raw status was malformed (read as Unknown). */
  malformed: Set<string>;
  /** Revision applied: lastAppliedRevision (or the deployed Helm chart), artifact revision for sources. */
  applied?: string;
  /** lastAttemptedRevision; sources have none. */
  attempted?: string;
  isSource: boolean;
}

export interface FluxVerdict {
  health: HealthStatus;
  compliance: ComplianceState;
  sync: SyncStatus;
  reason?: string;
  message?: string;
  lastTransitionAt?: string;
}

export function fluxVerdict(input: FluxStatusInput): FluxVerdict {
  const ready = findCondition(input.conditions, 'Ready');
  const sync = fluxSync(input, ready);
  const fromReady = { reason: ready?.reason, message: ready?.message };
  const verdict = (
    health: HealthStatus,
    compliance: ComplianceState,
    why: Pick<FluxVerdict, 'reason' | 'message'> = fromReady,
  ): FluxVerdict => ({
    health,
    compliance,
    sync,
    reason: why.reason,
    message: why.message,
    lastTransitionAt: ready?.lastTransitionTime,
  });

  // kstatus and Argo CD agree: a terminating object is in progress.
  if (input.deleting) {
    return verdict('Progressing', 'Pending', {
      reason: 'Deleting',
      message: 'being deleted',
    });
  }
  // Controllers leave conditions untouched while `spec.suspend: true`, so they describe the last
  // reconciliation, not the present; Argo CD checks suspend first too.
  if (input.suspended) {
    const last = ready ? ` (last ${describeCondition(ready)})` : '';
    return verdict('Suspended', 'Suspended', {
      reason: 'Suspended',
      message: `${input.kind} is suspended${last}`,
    });
  }
  // An OCI HelmRepository is static configuration: Argo CD reports it Healthy; there is no
  // status to tell whether the cluster matches, so compliance stays Unknown (chart pulls fail on
  // the HelmChart / HelmRelease instead, where they are reported).
  if (input.staticObject && input.conditions.length === 0) {
    return verdict('Healthy', 'Unknown', {
      reason: 'Static',
      message: `${input.kind} of type oci has no status: charts are pulled by each HelmChart or HelmRelease`,
    });
  }

  const stalled = findCondition(input.conditions, 'Stalled');
  if (stalled?.status === 'True') {
    return verdict('Degraded', 'NonCompliant', {
      reason: stalled.reason,
      message: stalled.message,
    });
  }

  const reconciling = findCondition(input.conditions, 'Reconciling');
  const gen = input.generation;
  const readyIsCurrent =
    ready?.observedGeneration === undefined ||
    gen === undefined ||
    ready.observedGeneration >= gen;

  // kstatus says InProgress whenever Reconciling=True, even with Ready=False/ProgressingWithRetry
  // (a failed attempt that will be retried). Argo CD says Degraded (HelmRelease_degraded.yaml),
  // `flux get` shows READY False and Azure counts it Non-Compliant: we follow them. Only a Ready
  // condition written for an older generation is not trusted (the new spec is not handled yet).
  if (ready?.status === 'False' && readyIsCurrent) {
    return verdict('Degraded', 'NonCompliant');
  }

  const observed = input.observedGeneration;
  if (
    gen !== undefined &&
    ((observed !== undefined && observed < gen) ||
      (ready?.observedGeneration !== undefined &&
        ready.observedGeneration < gen))
  ) {
    const seen = ready?.observedGeneration ?? observed;
    return verdict('Progressing', 'Pending', {
      reason: 'LatestGenerationNotObserved',
      message: `new generation ${gen} not reconciled yet (observed ${seen})`,
    });
  }

  if (reconciling?.status === 'True') {
    // Argo CD: Reconciling=True with Ready=Unknown is Progressing. With Ready=True Argo CD says
    // Healthy or Degraded depending on other conditions; kstatus says InProgress, and so do we.
    return verdict(
      'Progressing',
      'Pending',
      ready
        ? fromReady
        : { reason: reconciling.reason, message: reconciling.message },
    );
  }

  if (ready && input.malformed.has('Ready')) {
    return verdict('Unknown', 'Unknown');
  }
  if (ready?.status === 'True') {
    const mismatch =
      !!input.applied && !!input.attempted && input.applied !== input.attempted;
    return verdict('Healthy', mismatch ? 'Pending' : 'Compliant');
  }
  if (ready?.status === 'Unknown') {
    return verdict('Progressing', 'Pending');
  }

  // No Ready condition yet. Flux controllers always write Ready, so the object has not been
  // reconciled (just created). kstatus would say Current (no conditions to read); Argo CD says
  // Progressing without status and Degraded for `conditions: []`, but upstream comments out those
  // tests expecting Progressing. We say Progressing: the desired state is not applied yet.
  return verdict('Progressing', 'Pending', {
    reason: reconciling?.reason ?? 'Progressing',
    message: 'waiting to be reconciled: no Ready condition yet',
  });
}

/** `Ready=True ReconciliationSucceeded: Applied revision: …` */
function describeCondition(c: Condition): string {
  const reason = c.reason ? ` ${c.reason}` : '';
  const message = c.message ? `: ${c.message}` : '';
  return `${c.type}=${c.status}${reason}${message}`;
}

/**
 * Synced: what was last attempted is applied and Ready=True (sources: an artifact is stored and
 * Ready=True). OutOfSync: another revision was attempted than applied, or a source reports
 * ArtifactOutdated. Unknown otherwise (e.g. Ready=False on the applied revision: a health check,
 * not a revision, is failing).
 */
function fluxSync(
  input: FluxStatusInput,
  ready: Condition | undefined,
): SyncStatus {
  const readyTrue = ready?.status === 'True' && !input.malformed.has('Ready');
  if (input.isSource) {
    if (
      findCondition(input.conditions, 'ArtifactOutdated')?.status === 'True'
    ) {
      return 'OutOfSync';
    }
    return input.applied && readyTrue ? 'Synced' : 'Unknown';
  }
  const { applied, attempted } = input;
  if (applied && attempted && applied !== attempted) return 'OutOfSync';
  // Only an attempted revision (HelmRelease v2 without history): Ready=True says it went in.
  if (attempted && !applied) return readyTrue ? 'Synced' : 'OutOfSync';
  return applied && readyTrue ? 'Synced' : 'Unknown';
}

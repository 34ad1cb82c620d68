import { useMemo } from 'react';
import type {
  GitOpsRecord,
  ObjectRef,
} from '@gitops-status/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { joinWords } from '../format';
import { StateLabel, stateLabel } from '../StateLabel/StateLabel';
import { dependencyChain, type RecordIndex } from './dependencies';

const refName = (ref: ObjectRef) => `${ref.namespace}/${ref.name}`;

/**
 * Flux `dependsOn` as the order things must become ready, ending with this object; the
 * dependencies that are not ready are named in words.
 */
export function DependencyChain(props: {
  record: GitOpsRecord;
  index: RecordIndex;
}) {
  const { record, index } = props;
  const steps = useMemo(() => dependencyChain(record, index), [record, index]);
  if (!steps.length) return null;
  const blocking = steps.filter(s => s.ready === false);
  const missing = steps.filter(s => s.ready === undefined);
  let verdict: string;
  if (blocking.length) {
    verdict = `Not ready: ${joinWords(
      blocking.map(s => `${refName(s.ref)} (${stateLabel(s.record!.state)})`),
    )}.`;
  } else if (missing.length) {
    verdict = `Not found among the objects collected on ${
      record.cluster
    }: ${joinWords(missing.map(s => refName(s.ref)))}.`;
  } else {
    verdict = 'All dependencies are ready.';
  }
  return (
    <>
      <Typography variant="body2">{verdict}</Typography>
      <ol aria-label={`Dependency chain of ${refName(record)}`}>
        {steps.map(s => (
          <li key={`${s.ref.kind}/${refName(s.ref)}`}>
            {s.ref.kind} <code>{refName(s.ref)}</code>{' '}
            {s.record ? <StateLabel state={s.record.state} /> : 'not found'}
            {s.ready === false && <strong> — not ready</strong>}
            {s.neededBy && ` (needed by ${refName(s.neededBy)})`}
          </li>
        ))}
        <li>
          {record.kind} <code>{refName(record)}</code> (this object)
        </li>
      </ol>
    </>
  );
}

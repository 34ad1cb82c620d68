import { useMemo, useState } from 'react';
import { InfoCard, Progress } from '@backstage/core-components';
import type { EntityStatusResponse } from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { indexRecords } from '../DependencyChain/dependencies';
import { GitOpsStatusCardContent } from '../EntityGitOpsCard/EntityGitOpsCard';
import { groupRecords, hasEntityRefs } from '../groups';
import {
  facetCounts,
  filterRecords,
  type ObjectFilter,
} from '../ObjectFilters/filters';
import { ObjectFilters } from '../ObjectFilters/ObjectFilters';
import { ObjectsSection } from '../ObjectsSection/ObjectsSection';
import { SourceHealthList } from '../SourceHealthList/SourceHealthList';
import { useEntityGitOpsStatus } from '../useEntityGitOpsStatus';
import { GitOpsActionsContext } from '../ObjectActions/ObjectActions';
import { GitOpsErrorPanel } from '../GitOpsErrorPanel';
import { EntityGitOpsHistory } from '../EntityHistory/EntityGitOpsHistory';

/**
 * Every object of the entity, a section per cluster and tool, with cluster / tool / state
 * filters. Grouping, counting and the dependency index are memoized: entities with hundreds of
 * objects re-render only what a filter change touches.
 * @public
 */
export function GitOpsObjectsTable(props: { status: EntityStatusResponse }) {
  const { records, clusters } = props.status;
  const [filter, setFilter] = useState<ObjectFilter>({});
  const index = useMemo(() => indexRecords(records), [records]);
  const showEntity = useMemo(() => hasEntityRefs(records), [records]);
  const counts = useMemo(() => facetCounts(records, filter), [records, filter]);
  const shown = useMemo(
    () => filterRecords(records, filter),
    [records, filter],
  );
  const groups = useMemo(
    () => groupRecords(shown, clusters),
    [shown, clusters],
  );
  return (
    <InfoCard title="GitOps objects">
      <ObjectFilters filter={filter} counts={counts} onChange={setFilter} />
      <Typography variant="body2" role="status" style={{ marginTop: 8 }}>
        {shown.length === records.length
          ? `${records.length} objects`
          : `Showing ${shown.length} of ${records.length} objects`}
      </Typography>
      {groups.map(g => (
        <ObjectsSection
          key={g.key}
          group={g}
          index={index}
          showEntity={showEntity}
        />
      ))}
    </InfoCard>
  );
}

/** The GitOps tab of an entity page. @public */
export function EntityGitOpsContent() {
  const { value, loading, error, retry } = useEntityGitOpsStatus();
  const actions = useMemo(
    () =>
      value && {
        // On a System or Group page, act on the member's own page.
        enabled: !!value.actionsEnabled && !hasEntityRefs(value.records),
        entityRef: value.entityRef,
        refresh: retry,
      },
    [value, retry],
  );
  if (loading && !value) return <Progress />;
  if (error) return <GitOpsErrorPanel error={error} />;
  if (!value) return null;
  return (
    <GitOpsActionsContext.Provider value={actions}>
      <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
        <GitOpsStatusCardContent status={value} />
        {value.records.length > 0 && <GitOpsObjectsTable status={value} />}
        {value.emptyReason !== 'no-annotation' && <EntityGitOpsHistory />}
        {value.sources.length > 0 && (
          <InfoCard title="Sources">
            <SourceHealthList sources={value.sources} />
          </InfoCard>
        )}
      </Box>
    </GitOpsActionsContext.Provider>
  );
}

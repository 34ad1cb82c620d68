import { useMemo } from 'react';
import type {
  ClusterInfo,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { RevisionLink } from '../RevisionLink';
import { compareEnvironments } from './environments';

/**
 * Which commit each environment runs and where they differ. Shown when at least two clusters
 * with an environment have objects: one cluster alone has nothing to compare with.
 * @public
 */
export function EnvironmentMatrix(props: {
  records: readonly GitOpsRecord[];
  clusters: readonly ClusterInfo[];
}) {
  const { records, clusters } = props;
  const comparison = useMemo(
    () => compareEnvironments(records, clusters),
    [records, clusters],
  );
  const clusterCount = comparison.environments.reduce(
    (n, e) => n + e.clusters.length,
    0,
  );
  if (clusterCount < 2) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h3">
        Environments
      </Typography>
      <Table size="small" aria-label="Commit per environment">
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Commit</TableCell>
            <TableCell>Clusters</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {comparison.environments.map(env => (
            <TableRow key={env.environment}>
              <TableCell>{env.environment}</TableCell>
              <TableCell>
                {env.mixed || !env.lead ? (
                  env.clusters.map(c => (
                    <Box key={c.cluster}>
                      {c.lead ? (
                        <RevisionLink revision={c.lead.revision} />
                      ) : (
                        '—'
                      )}{' '}
                      on {c.cluster}
                    </Box>
                  ))
                ) : (
                  <RevisionLink revision={env.lead.revision} />
                )}
              </TableCell>
              <TableCell>
                {env.clusters.map(c => c.cluster).join(', ')}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {comparison.differences.length > 0 && (
        <Box component="ul" mt={1} mb={0} pl={3}>
          {comparison.differences.map(d => (
            <Typography component="li" variant="body2" key={d}>
              {d}
            </Typography>
          ))}
        </Box>
      )}
    </Box>
  );
}

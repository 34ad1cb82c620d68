import { Link } from '@backstage/core-components';
import type { Link as GitOpsLink } from '@gitops-status/plugin-gitops-common';

const TYPE_LABELS: Record<GitOpsLink['type'], string> = {
  argocd: 'Argo CD',
  'azure-portal': 'Azure portal',
  grafana: 'Grafana',
  commit: 'Commit',
  repository: 'Repository',
};

/** Only https URLs become links: a record's URL never runs script or downgrades to http. */
export function isSafeLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Links out of Backstage for one object: Argo CD, the Azure portal, the commit, the repository. */
export function ExternalLinks(props: { links: readonly GitOpsLink[] }) {
  const links = props.links.filter(l => isSafeLink(l.url));
  if (!links.length) return null;
  return (
    <ul style={{ margin: 0, paddingLeft: 20 }}>
      {links.map(l => (
        <li key={`${l.type}:${l.url}`}>
          {TYPE_LABELS[l.type] ?? l.type}: <Link to={l.url}>{l.title}</Link>
        </li>
      ))}
    </ul>
  );
}

import { Link } from '@backstage/core-components';
import {
  shortRevision,
  type Revision,
} from '@gitops-status/plugin-gitops-common';

/** The applied commit as a short sha, linked to the repository when a commit URL is known. */
export function RevisionLink(props: { revision: Revision }) {
  const { revision } = props;
  const id =
    revision.commit ??
    revision.chartVersion ??
    revision.ref ??
    revision.applied;
  if (!id) return <>—</>;
  const text = revision.commit ? shortRevision(revision.commit) : id;
  const title = revision.applied ?? id;
  if (revision.commitUrl?.startsWith('https://')) {
    return (
      <Link to={revision.commitUrl} title={title}>
        <code>{text}</code>
      </Link>
    );
  }
  return <code title={title}>{text}</code>;
}

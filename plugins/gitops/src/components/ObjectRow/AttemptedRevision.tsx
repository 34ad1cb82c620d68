import {
  commitUrl,
  parseRevision,
  type Revision,
} from '@gitops-status/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { RevisionLink } from '../RevisionLink';

/**
 * The attempted revision as a Revision of its own, linked like the applied one: from the
 * repository when known, else by swapping the commit at the end of the applied commit's URL.
 */
export function attemptedRevision(revision: Revision): Revision | undefined {
  const { attempted, applied } = revision;
  if (!attempted || attempted === applied) return undefined;
  const parsed = parseRevision(attempted);
  let url = commitUrl(revision.repoUrl, parsed.commit);
  if (
    !url &&
    parsed.commit &&
    revision.commit &&
    revision.commitUrl?.endsWith(`/${revision.commit}`)
  ) {
    url = `${revision.commitUrl.slice(0, -revision.commit.length)}${
      parsed.commit
    }`;
  }
  return {
    applied: attempted,
    commit: parsed.commit,
    ref: parsed.ref,
    commitUrl: url,
  };
}

/** The applied revision, and "attempting X" while another one is being tried. */
export function RevisionCell(props: { revision: Revision }) {
  const attempting = attemptedRevision(props.revision);
  return (
    <>
      {/* Nothing applied yet: the commit parsed from the attempt is not running. */}
      {props.revision.applied || !attempting ? (
        <RevisionLink revision={props.revision} />
      ) : (
        'none applied'
      )}
      {attempting && (
        <Typography variant="caption" display="block">
          attempting <RevisionLink revision={attempting} />
        </Typography>
      )}
    </>
  );
}

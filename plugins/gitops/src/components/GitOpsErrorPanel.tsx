import { ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';

/**
 * An error from the GitOps backend. A refusal (403) is explained as what it is, a permission
 * policy decision, not shown as a failure with a stack.
 */
export function GitOpsErrorPanel(props: { error: Error; title?: string }) {
  const { error } = props;
  if (error instanceof ResponseError && error.statusCode === 403) {
    return (
      <WarningPanel
        severity="info"
        title="You may not see this"
        message={`${error.body.error.message}. A permission policy decides who sees GitOps status (gitops.entity.read, gitops.deployments.read) and who may act (gitops.action.reconcile, gitops.action.suspend); ask your Backstage admins.`}
      />
    );
  }
  return <ResponseErrorPanel error={error} title={props.title} />;
}

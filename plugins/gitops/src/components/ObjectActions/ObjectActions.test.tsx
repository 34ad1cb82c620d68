import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ResponseError } from '@backstage/errors';
import type { ActionRequest } from '@gitops-status/plugin-gitops-common';
import {
  emptyHistory,
  record,
  renderWithStatus,
  statusOf,
} from '../../__testUtils__/factory';
import { EntityGitOpsContent } from '../EntityGitOpsContent/EntityGitOpsContent';

async function openDetail(label: string) {
  await userEvent.click(
    await screen.findByRole('button', { name: `Details of ${label}` }),
  );
}

describe('object actions on the GitOps tab', () => {
  const kustomization = record({ name: 'podinfo', namespace: 'podinfo' });
  const calls: ActionRequest[] = [];
  const runAction = async (_: unknown, req: ActionRequest) => {
    calls.push(req);
    return {
      ...req,
      message:
        'requested reconciliation of Kustomization podinfo/podinfo on dev',
      at: new Date().toISOString(),
    };
  };
  // May reconcile, may not suspend.
  const permissions = mockApis.permission({
    authorize: req =>
      req.permission.name === 'gitops.action.suspend'
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
  });

  beforeEach(() => calls.splice(0));

  it('offers what the caller may do, explains what they may not, and runs the action', async () => {
    await renderWithStatus(
      <EntityGitOpsContent />,
      statusOf([kustomization], { actionsEnabled: true }),
      undefined,
      { ...emptyHistory, runAction },
      [[permissionApiRef, permissions]],
    );
    await openDetail('Kustomization podinfo/podinfo');
    const reconcile = await screen.findByRole('button', {
      name: 'Reconcile now',
    });
    const suspend = screen.getByRole('button', { name: 'Suspend' });
    expect(reconcile).toBeEnabled();
    expect(suspend).toBeDisabled();
    expect(
      screen.getByText(
        'Suspend: you need the gitops.action.suspend permission on component:default/podinfo.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(reconcile);
    expect(
      await screen.findByText(
        'Done: requested reconciliation of Kustomization podinfo/podinfo on dev.',
      ),
    ).toBeInTheDocument();
    expect(calls).toEqual([
      {
        action: 'reconcile',
        recordId: 'flux|dev|podinfo|Kustomization|podinfo',
      },
    ]);
  });

  it('shows the backend refusal in words', async () => {
    const refused = async () => {
      throw await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'TooManyRequestsError',
              message:
                'Too many actions: one action per 10 s on the same object; try again in 7 s',
            },
            response: { statusCode: 429 },
          }),
          { status: 429, headers: { 'Content-Type': 'application/json' } },
        ) as any,
      );
    };
    await renderWithStatus(
      <EntityGitOpsContent />,
      statusOf([kustomization], { actionsEnabled: true }),
      undefined,
      { ...emptyHistory, runAction: refused },
      [[permissionApiRef, permissions]],
    );
    await openDetail('Kustomization podinfo/podinfo');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reconcile now' }),
    );
    expect(
      await screen.findByText(/Too many actions: one action per 10 s/),
    ).toBeInTheDocument();
  });

  it('offers nothing when the backend does not allow actions', async () => {
    await renderWithStatus(
      <EntityGitOpsContent />,
      statusOf([kustomization]),
      undefined,
      emptyHistory,
      [[permissionApiRef, permissions]],
    );
    await openDetail('Kustomization podinfo/podinfo');
    expect(screen.queryByRole('button', { name: 'Reconcile now' })).toBeNull();
    expect(screen.queryByText('Actions')).toBeNull();
  });

  it('explains a refused read as a permission decision', async () => {
    const forbidden = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message:
              'Not allowed to read the GitOps status of component:default/podinfo',
          },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'Content-Type': 'application/json' } },
      ) as any,
    );
    await renderWithStatus(<EntityGitOpsContent />, forbidden);
    const panel = await screen.findByText(/You may not see this/);
    expect(panel).toBeInTheDocument();
    expect(
      within(document.body).getByText(
        /a permission policy decides who sees GitOps status/i,
      ),
    ).toBeInTheDocument();
  });
});

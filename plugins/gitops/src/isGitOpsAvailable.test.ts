import type { Entity } from '@backstage/catalog-model';
import {
  isGitOpsAggregate,
  isGitOpsAvailable,
  isGitOpsStatusAvailable,
} from './isGitOpsAvailable';

const entity = (
  kind: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x', annotations },
});

describe('where the GitOps card and tab appear', () => {
  it.each([
    [entity('Component', { 'backstage.io/kubernetes-id': 'podinfo' }), true],
    [entity('Component', { 'argocd/app-name': 'guestbook' }), true],
    [entity('Component'), false],
    [entity('System'), true],
    [entity('Group'), true],
    [entity('group'), true],
    [entity('API'), false],
    [entity('User'), false],
  ])('%j → %s', (e, expected) => {
    expect(isGitOpsStatusAvailable(e)).toBe(expected);
  });

  it('tells annotated entities from aggregates', () => {
    expect(isGitOpsAvailable(entity('System'))).toBe(false);
    expect(isGitOpsAggregate(entity('System'))).toBe(true);
    expect(isGitOpsAggregate(entity('Component'))).toBe(false);
  });
});

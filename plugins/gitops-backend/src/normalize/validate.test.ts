import { isValidRecord } from './validate';
import { normalizeOk, yamlDoc } from './__testUtils__/fixtures';

const valid = () =>
  normalizeOk(
    yamlDoc('flux/argo-cd-resource-customizations/GitRepository_healthy.yaml'),
  );

describe('isValidRecord', () => {
  it('accepts a normalized record', () => {
    expect(isValidRecord(valid())).toEqual([]);
  });

  it.each([
    ['not an object', () => 'x', 'record is not an object'],
    [
      'an enum out of range',
      () => ({ ...valid(), health: 'Fine' }),
      'health: "Fine" is not one of',
    ],
    [
      'a state deriveState would not give',
      () => ({ ...valid(), state: 'error' }),
      'state: error but deriveState gives ok',
    ],
    [
      'an empty name',
      () => ({ ...valid(), name: ' ' }),
      'name: must be a non-empty string',
    ],
    [
      'a date that does not parse',
      () => ({ ...valid(), lastReconciledAt: 'yesterday' }),
      'lastReconciledAt: "yesterday" is not an ISO time',
    ],
    [
      'conditions that are not an array',
      () => ({ ...valid(), conditions: {} }),
      'conditions: must be an array',
    ],
    [
      'a condition status out of range',
      () => ({ ...valid(), conditions: [{ type: 'Ready', status: 'Yes' }] }),
      'conditions[0].status',
    ],
    [
      'a non-https link',
      () => ({
        ...valid(),
        // eslint-disable-next-line no-script-url -- a URL that must never become a link
        links: [{ type: 'commit', title: 'c', url: 'javascript:alert(1)' }],
      }),
      'links[0].url',
    ],
    [
      'a message over 4 KiB',
      () => ({ ...valid(), message: 'x'.repeat(4097) }),
      'message: longer than 4096 bytes',
    ],
    [
      'no sources',
      () => ({ ...valid(), sources: [] }),
      'sources: must name at least one source',
    ],
    [
      'a tool that does not match the kind',
      () => ({ ...valid(), tool: 'argocd' }),
      'tool argocd does not match kind GitRepository',
    ],
    [
      'labels with a non-string value',
      () => ({ ...valid(), labels: { a: 1 } }),
      'labels.a: must be a string',
    ],
    [
      'a reason over 256 bytes',
      () => ({ ...valid(), reason: 'r'.repeat(257) }),
      'reason: longer than 256 bytes',
    ],
    [
      'a name over 253 characters',
      () => ({ ...valid(), name: 'n'.repeat(254) }),
      'name: longer than 253 characters',
    ],
    [
      'a repository URL over 2 KiB',
      () => ({
        ...valid(),
        revision: { repoUrl: `https://example.com/${'r'.repeat(2048)}` },
      }),
      'revision.repoUrl: longer than 2048 bytes',
    ],
    [
      'more than 128 conditions',
      () => ({
        ...valid(),
        conditions: Array.from({ length: 129 }, (_, i) => ({
          type: `T${i}`,
          status: 'True',
        })),
      }),
      'conditions: more than 128 entries',
    ],
    [
      'a control character anywhere',
      () => ({ ...valid(), labels: { app: 'a\u0000' } }),
      '1 strings contain control characters',
    ],
  ])('reports %s', (_, make, problem) => {
    expect(isValidRecord(make()).join('\n')).toContain(problem);
  });
});

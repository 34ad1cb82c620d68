import { mockCredentials } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { visibleEntityRefs } from './visibility';

const refs = [
  'component:default/a',
  'component:default/b',
  'component:default/c',
];
const store = { listEntityRefs: async () => refs } as any;

/**
 * Permissions answering the page permission with `page`, the entity permission with `entity`
 * (per entity: allowed when the ref ends in one of `allowed`), and recording the order of calls.
 */
function permissions(
  page: AuthorizeResult,
  entity: AuthorizeResult,
  allowed: string[] = [],
) {
  const log: string[] = [];
  let releasePage!: () => void;
  const pageAnswered = new Promise<void>(r => {
    releasePage = r;
  });
  return {
    log,
    service: {
      authorize: async (reqs: Array<{ resourceRef?: string }>) => {
        if (reqs[0].resourceRef === undefined) {
          log.push('page asked');
          // Held until the entity decision was asked: both must be in flight together.
          await pageAnswered;
          log.push('page answered');
          return [{ result: page }];
        }
        log.push(`entities asked (${reqs.length})`);
        return reqs.map(r => ({
          result: allowed.some(a => r.resourceRef!.endsWith(a))
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        }));
      },
      authorizeConditional: async () => {
        log.push('entity decision asked');
        releasePage();
        return [
          entity === AuthorizeResult.CONDITIONAL
            ? {
                result: entity,
                pluginId: 'gitops',
                resourceType: 'catalog-entity',
                conditions: { rule: 'IS_ENTITY_OWNER', params: {} },
              }
            : { result: entity },
        ];
      },
    } as any,
  };
}

describe('visibleEntityRefs', () => {
  const credentials = mockCredentials.user();

  it('asks for the page and the entity decision at once', async () => {
    const p = permissions(AuthorizeResult.ALLOW, AuthorizeResult.ALLOW);
    await expect(
      visibleEntityRefs(p.service, store, credentials),
    ).resolves.toBeUndefined();
    expect(p.log).toEqual([
      'page asked',
      'entity decision asked',
      'page answered',
    ]);
  });

  it('refuses the page when it is denied, whatever the entity decision', async () => {
    for (const entity of [
      AuthorizeResult.ALLOW,
      AuthorizeResult.CONDITIONAL,
      AuthorizeResult.DENY,
    ]) {
      const p = permissions(AuthorizeResult.DENY, entity, ['a']);
      await expect(
        visibleEntityRefs(p.service, store, credentials),
      ).rejects.toThrow(NotAllowedError);
      // Nothing was resolved against the store's entities.
      expect(p.log.some(l => l.startsWith('entities asked'))).toBe(false);
    }
  });

  it('gives no entities when every entity is denied, and the allowed ones when conditional', async () => {
    const denied = permissions(AuthorizeResult.ALLOW, AuthorizeResult.DENY);
    await expect(
      visibleEntityRefs(denied.service, store, credentials),
    ).resolves.toEqual([]);

    const some = permissions(
      AuthorizeResult.ALLOW,
      AuthorizeResult.CONDITIONAL,
      ['/a', '/c'],
    );
    await expect(
      visibleEntityRefs(some.service, store, credentials),
    ).resolves.toEqual(['component:default/a', 'component:default/c']);
    expect(some.log).toContain('entities asked (3)');
  });
});

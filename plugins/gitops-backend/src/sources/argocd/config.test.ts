import { ConfigReader } from '@backstage/config';
import { readArgoCdInstances } from './config';

describe('readArgoCdInstances', () => {
  it('reads gitops.argocd.instances', () => {
    const config = new ConfigReader({
      gitops: {
        argocd: {
          instances: [
            {
              name: 'main',
              url: 'https://argocd.example.com/',
              token: 't0ken',
              frontendUrl: 'https://argocd-ui.example.com',
              caData: 'LS0tLS1CRUdJTg==',
              namespaces: ['argocd', 'team-a'],
              projects: ['shop'],
              cluster: 'prod-eu',
            },
            {
              name: 'lab',
              url: 'http://argocd-server.argocd.svc',
              username: 'admin',
              password: 'pw',
              skipTLSVerify: true,
            },
          ],
        },
      },
    });
    expect(readArgoCdInstances(config)).toEqual([
      {
        name: 'main',
        url: 'https://argocd.example.com',
        token: 't0ken',
        username: undefined,
        password: undefined,
        frontendUrl: 'https://argocd-ui.example.com',
        caData: 'LS0tLS1CRUdJTg==',
        skipTLSVerify: false,
        namespaces: ['argocd', 'team-a'],
        projects: ['shop'],
        cluster: 'prod-eu',
      },
      {
        name: 'lab',
        url: 'http://argocd-server.argocd.svc',
        token: undefined,
        username: 'admin',
        password: 'pw',
        frontendUrl: undefined,
        caData: undefined,
        skipTLSVerify: true,
        namespaces: [],
        projects: [],
        cluster: undefined,
      },
    ]);
  });

  it('falls back to the Roadie / community plugin config when gitops.argocd is absent', () => {
    const config = new ConfigReader({
      argocd: {
        username: 'shared-user',
        password: 'shared-pw',
        appLocatorMethods: [
          { type: 'other', instances: [{ name: 'x', url: 'https://x' }] },
          {
            type: 'config',
            instances: [
              { name: 'one', url: 'https://one.example.com', token: 'a' },
              { name: 'two', url: 'https://two.example.com' },
            ],
          },
        ],
      },
    });
    expect(
      readArgoCdInstances(config).map(i => [
        i.name,
        i.url,
        i.token,
        i.username,
        i.password,
      ]),
    ).toEqual([
      ['one', 'https://one.example.com', 'a', undefined, undefined],
      ['two', 'https://two.example.com', undefined, 'shared-user', 'shared-pw'],
    ]);
  });

  it('prefers gitops.argocd over the compatibility config, even when it lists none', () => {
    const config = new ConfigReader({
      gitops: { argocd: {} },
      argocd: {
        appLocatorMethods: [
          {
            type: 'config',
            instances: [{ name: 'one', url: 'https://one', token: 'a' }],
          },
        ],
      },
    });
    expect(readArgoCdInstances(config)).toEqual([]);
    expect(readArgoCdInstances(new ConfigReader({}))).toEqual([]);
  });

  it.each([
    [
      { name: 'a', url: 'https://a' },
      'gitops.argocd instance a: needs a token, or a username and password',
    ],
    [
      { name: 'a', url: 'https://a', username: 'u' },
      'gitops.argocd instance a: needs a token, or a username and password',
    ],
    [
      { name: 'a', url: 'ftp://a', token: 't' },
      'gitops.argocd instance a: url: "ftp://a" is not an http(s) URL',
    ],
    [
      { name: 'a', url: 'not a url', token: 't' },
      'gitops.argocd instance a: url: "not a url" is not a URL',
    ],
    [
      { name: 'a', url: 'https://u:p@a', token: 't' },
      'gitops.argocd instance a: url: put credentials in token or username/password, not in the URL',
    ],
  ])('rejects %j', (instance, message) => {
    expect(() =>
      readArgoCdInstances(
        new ConfigReader({ gitops: { argocd: { instances: [instance] } } }),
      ),
    ).toThrow(message);
  });

  it('rejects an instance name used twice', () => {
    const i = { name: 'a', url: 'https://a', token: 't' };
    expect(() =>
      readArgoCdInstances(
        new ConfigReader({ gitops: { argocd: { instances: [i, i] } } }),
      ),
    ).toThrow('Argo CD instance "a" is configured more than once');
  });
});

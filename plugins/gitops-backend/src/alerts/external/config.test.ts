import { ConfigReader } from '@backstage/config';
import { readExternalAlertEndpoints } from './config';

const read = (external: unknown) =>
  readExternalAlertEndpoints(
    new ConfigReader({ gitops: { alerts: { external } } } as any),
  );

describe('readExternalAlertEndpoints', () => {
  it('is empty without gitops.alerts.external', () => {
    expect(readExternalAlertEndpoints(new ConfigReader({}))).toEqual([]);
  });

  it('reads Prometheus and Alertmanager endpoints, links defaulting to the url', () => {
    expect(
      read([
        {
          name: 'prod-eu',
          type: 'prometheus',
          url: 'https://prometheus.prod-eu.example.com/',
          cluster: 'prod-eu',
          token: 's3cret-token',
        },
        {
          name: 'alertmanager',
          type: 'alertmanager',
          url: 'http://alertmanager.monitoring:9093/prefix',
          linkUrl: 'https://alertmanager.example.com/',
        },
      ]),
    ).toEqual([
      {
        name: 'prod-eu',
        type: 'prometheus',
        url: 'https://prometheus.prod-eu.example.com',
        authorization: 'Bearer s3cret-token',
        cluster: 'prod-eu',
        linkUrl: 'https://prometheus.prod-eu.example.com',
      },
      {
        name: 'alertmanager',
        type: 'alertmanager',
        url: 'http://alertmanager.monitoring:9093/prefix',
        authorization: undefined,
        cluster: undefined,
        linkUrl: 'https://alertmanager.example.com',
      },
    ]);
  });

  it('turns credentials in the URL into Basic auth and keeps them out of url and links', () => {
    const [endpoint] = read([
      {
        name: 'am',
        type: 'alertmanager',
        url: 'https://ops:p%40ss@am.example.com',
      },
    ]);
    expect(endpoint.url).toBe('https://am.example.com');
    expect(endpoint.linkUrl).toBe('https://am.example.com');
    expect(endpoint.authorization).toBe(
      `Basic ${Buffer.from('ops:p@ss').toString('base64')}`,
    );
  });

  it.each([
    [
      'an unknown type',
      [{ name: 'x', type: 'thanos', url: 'http://x' }],
      'gitops.alerts.external[0] (x): type "thanos" is not supported (use prometheus or alertmanager)',
    ],
    [
      'a value that is not a URL',
      [{ name: 'x', type: 'prometheus', url: 'not a url' }],
      'gitops.alerts.external[0].url (x) is not a URL',
    ],
    [
      'a non-http URL',
      [{ name: 'x', type: 'prometheus', url: 'file:///etc/passwd' }],
      'gitops.alerts.external[0].url (x) must be an http or https URL',
    ],
    [
      'a URL with a query',
      [{ name: 'x', type: 'prometheus', url: 'http://p/?a=1' }],
      'gitops.alerts.external[0].url (x) must not have a query or fragment',
    ],
    [
      'a bad link URL',
      [{ name: 'x', type: 'prometheus', url: 'http://p', linkUrl: 'ftp://p' }],
      'gitops.alerts.external[0].linkUrl (x) must be an http or https URL',
    ],
    [
      'duplicate names',
      [
        { name: 'x', type: 'prometheus', url: 'http://a' },
        { name: 'x', type: 'alertmanager', url: 'http://b' },
      ],
      'gitops.alerts.external[1]: duplicate endpoint name "x"',
    ],
    [
      'a name that cannot be stored and shown as is',
      [{ name: 'a b', type: 'prometheus', url: 'http://a' }],
      `gitops.alerts.external[0].name "a b" must be 1-63 letters, digits, '.', '_' or '-'`,
    ],
  ])('rejects %s', (_what, external, message) => {
    expect(() => read(external)).toThrow(message);
  });

  it.each([
    [
      'a bad URL carrying credentials',
      'https://user:hunter2-password@',
      'ok-en-secret',
    ],
    ['a token with a line break', 'https://p.example.com', 'tok\nen-secret'],
  ])('never echoes credentials: %s', (_what, url, token) => {
    expect(() => read([{ name: 'x', type: 'prometheus', url, token }])).toThrow(
      /^gitops\.alerts\.external\[0\]/,
    );
    let message = '';
    try {
      read([{ name: 'x', type: 'prometheus', url, token }]);
    } catch (e) {
      message = String(e);
    }
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('en-secret');
  });
});

import { ConfigReader } from '@backstage/config';
import { readPrometheusConfig } from './config';

const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';

const read = (prometheus: unknown) =>
  readPrometheusConfig(new ConfigReader({ gitops: { prometheus } } as any));

describe('readPrometheusConfig', () => {
  it('is empty when gitops.prometheus is absent', () => {
    expect(readPrometheusConfig(new ConfigReader({}))).toEqual([]);
  });

  it('reads one instance with defaults', () => {
    expect(read({ url: 'https://prometheus.example.com/' })).toEqual([
      {
        name: 'default',
        url: 'https://prometheus.example.com',
        headers: {},
        clusterLabel: 'cluster',
        defaultCluster: undefined,
        caData: undefined,
        caFile: undefined,
        skipTLSVerify: false,
      },
    ]);
  });

  it('reads every key', () => {
    const [c] = read({
      url: 'https://mimir.example.com/prometheus',
      headers: { Authorization: 'Bearer abc', 'X-Scope-OrgID': 'fleet' },
      clusterLabel: 'k8s_cluster',
      defaultCluster: 'prod-eu',
      caData: Buffer.from(PEM).toString('base64'),
      caFile: '/etc/ssl/ca.pem',
      skipTLSVerify: true,
    });
    expect(c).toEqual({
      name: 'default',
      url: 'https://mimir.example.com/prometheus',
      headers: { Authorization: 'Bearer abc', 'X-Scope-OrgID': 'fleet' },
      clusterLabel: 'k8s_cluster',
      defaultCluster: 'prod-eu',
      caData: PEM,
      caFile: '/etc/ssl/ca.pem',
      skipTLSVerify: true,
    });
    // PEM is taken as is
    expect(read({ url: 'http://p:9090', caData: PEM })[0].caData).toBe(PEM);
  });

  it('reads an array of named instances', () => {
    const list = read([
      { name: 'eu', url: 'http://prom-eu:9090' },
      { name: 'us', url: 'http://prom-us:9090', clusterLabel: 'region' },
    ]);
    expect(list.map(p => [p.name, p.url, p.clusterLabel])).toEqual([
      ['eu', 'http://prom-eu:9090', 'cluster'],
      ['us', 'http://prom-us:9090', 'region'],
    ]);
    expect(read([{ url: 'http://p:9090' }])[0].name).toBe('default');
  });

  it('moves URL credentials into a Basic Authorization header', () => {
    const [c] = read({ url: 'https://user:p%40ss@prom.example.com' });
    expect(c.url).toBe('https://prom.example.com');
    expect(c.headers).toEqual({
      Authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
    });
    // an explicit header wins, the URL still loses its credentials
    const [d] = read({
      url: 'https://user:pass@prom.example.com',
      headers: { authorization: 'Bearer t' },
    });
    expect(d.url).toBe('https://prom.example.com');
    expect(d.headers).toEqual({ authorization: 'Bearer t' });
  });

  it.each([
    [{ url: 'not a url' }, /gitops\.prometheus\.url is not a URL/],
    [{ url: 'ftp://x' }, /must be http or https/],
    [
      { url: 'http://x', headers: { 'Bad Header': 'v' } },
      /not a valid header name/,
    ],
    [
      { url: 'http://x', headers: { A: 'secret\nInjected: 1' } },
      /headers\.A contains a line break/,
    ],
    [{ url: 'http://x', caData: 'bm90IGEgY2VydA==' }, /caData is neither/],
    [{ url: 'http://x', clusterLabel: 'a-b' }, /not a Prometheus label name/],
    [[{ url: 'http://a' }, { url: 'http://b' }], /\[0\]\.name is required/],
    [
      [
        { name: 'a', url: 'http://a' },
        { name: 'a', url: 'http://b' },
      ],
      /duplicate Prometheus name "a"/,
    ],
  ])('rejects %j', (value, error) => {
    expect(() => read(value)).toThrow(error);
  });

  it('never quotes a header value in an error', () => {
    expect(() =>
      read({ url: 'http://x', headers: { A: 'top-secret\r\n' } }),
    ).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('top-secret'),
      }),
    );
  });
});

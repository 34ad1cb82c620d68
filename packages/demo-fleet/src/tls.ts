import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface FleetTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * A throw-away CA and a server certificate it signs, for 127.0.0.1,
 * localhost and ::1 (plus the listen host). HTTPS is not optional: Azure's
 * core-rest-pipeline refuses to send bearer tokens over plain http.
 */
export async function generateTls(
  extraHosts: string[] = [],
): Promise<FleetTls> {
  const notBeforeDate = new Date(Date.now() - 3600_000);
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600_000);
  const ca = await generate(
    [{ name: 'commonName', value: 'GitOps demo fleet CA' }],
    {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        {
          name: 'basicConstraints',
          cA: true,
          pathLenConstraint: 0,
          critical: true,
        },
        {
          name: 'keyUsage',
          keyCertSign: true,
          cRLSign: true,
          digitalSignature: true,
          critical: true,
        },
      ],
    },
  );

  const names = new Set([
    'localhost',
    '127.0.0.1',
    '::1',
    ...extraHosts.filter(h => h && h !== '0.0.0.0' && h !== '::'),
  ]);
  const altNames = [...names].map(n =>
    isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n },
  );
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      {
        name: 'keyUsage',
        digitalSignature: true,
        keyEncipherment: true,
        critical: true,
      },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}

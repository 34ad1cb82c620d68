import { RequestEndpoint, RequestFilter } from './types';

interface Bucket {
  endpoint: RequestEndpoint;
  target: string;
  cluster?: string;
  watch: boolean;
  /** HTTP method (GET unless a client writes: PATCH, POST). */
  method: string;
  count: number;
}

/**
 * Counts upstream requests (what a real cluster / Argo CD / Azure would
 * see), so tests can prove that page views are served from a cache.
 * /healthz, /ca.pem and /_fleet/* are not counted.
 */
export class RequestLog {
  private readonly buckets = new Map<string, Bucket>();

  record(r: Omit<Bucket, 'count'>): void {
    const key = `${r.endpoint}|${r.target}|${r.cluster ?? ''}|${r.watch}|${
      r.method
    }`;
    const bucket = this.buckets.get(key);
    if (bucket) bucket.count++;
    else this.buckets.set(key, { ...r, count: 1 });
  }

  count(filter: RequestFilter | string = {}): number {
    const f: RequestFilter =
      typeof filter === 'string' ? { cluster: filter } : filter;
    let total = 0;
    for (const b of this.buckets.values()) {
      if (f.cluster !== undefined && b.cluster !== f.cluster) continue;
      if (f.endpoint !== undefined && b.endpoint !== f.endpoint) continue;
      if (f.target !== undefined && b.target !== f.target) continue;
      if (f.watch !== undefined && b.watch !== f.watch) continue;
      if (f.method !== undefined && b.method !== f.method) continue;
      total += b.count;
    }
    return total;
  }

  reset(): void {
    this.buckets.clear();
  }
}

import { cachedFor, jsonWithRawArray } from './readCache';

describe('cachedFor', () => {
  it('reads once per period, shares the read, and retries at once after a failure', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const read = cachedFor(
      1000,
      async () => {
        reads++;
        if (fail) throw new Error('database down');
        return reads;
      },
      () => now,
    );
    expect(await Promise.all([read(), read()])).toEqual([1, 1]);
    now = 1000;
    expect(await read()).toBe(1); // still within the period (not older than 1000 ms)
    now = 1001;
    fail = true;
    await expect(read()).rejects.toThrow('database down');
    fail = false;
    expect(await read()).toBe(3); // the failure was not kept
    expect(reads).toBe(3);
  });
});

describe('jsonWithRawArray', () => {
  it('is the JSON of the object with the items parsed', () => {
    const items = [{ a: 1, s: 'x"\u2028y' }, { b: [null, true] }];
    const text = jsonWithRawArray(
      'records',
      items.map(i => JSON.stringify(i)),
      { entityRef: 'component:default/x', n: 0, gone: undefined },
    );
    expect(JSON.parse(text)).toEqual({
      records: items,
      entityRef: 'component:default/x',
      n: 0,
    });
    expect(JSON.parse(jsonWithRawArray('records', [], {}))).toEqual({
      records: [],
    });
  });
});

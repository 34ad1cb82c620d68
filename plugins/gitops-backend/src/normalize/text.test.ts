/*
 * Size limits of texts, with expected values worked out by hand: the note
 * `… [truncated N characters]` is 27 UTF-8 bytes plus the digits (and commas) of N (`…` is 3
 * bytes), and the kept prefix is the longest one that fits with its note.
 */
import { normalizeObject } from '.';
import { readLabels } from './raw';
import {
  joinMessages,
  shortText,
  text,
  truncate,
  unknownCluster,
  urlText,
} from './text';
import { testContext } from './__testUtils__/fixtures';

describe('truncate', () => {
  it('keeps a text within the limit as it is', () => {
    expect(truncate('a'.repeat(4096))).toBe('a'.repeat(4096));
    // 1365 × 3 bytes = 4095 bytes
    expect(truncate('€'.repeat(1365))).toBe('€'.repeat(1365));
  });

  it('cuts ASCII and says how many characters it cut', () => {
    // 4066 kept + 30 bytes of note (3 digits) = 4096; 5000 − 4066 = 934 cut
    expect(truncate('a'.repeat(5000))).toBe(
      `${'a'.repeat(4066)}… [truncated 934 characters]`,
    );
  });

  it('writes thousands with a comma', () => {
    // 4064 + 32 (note with "1,036") = 4096
    expect(truncate('a'.repeat(5100))).toBe(
      `${'a'.repeat(4064)}… [truncated 1,036 characters]`,
    );
  });

  it('keeps the longest prefix even where a longer one has a shorter note', () => {
    // 5065 characters: 4064 kept + "1,001" note = 4096 fits, 4065 + "1,000" = 4097 does not,
    // but 4066 + "999" = 4096 fits again.
    expect(truncate('a'.repeat(5065))).toBe(
      `${'a'.repeat(4066)}… [truncated 999 characters]`,
    );
  });

  it('cuts multi-byte text on a character boundary', () => {
    // 3 bytes each: 1355 × 3 + 30 = 4095; one more would be 4098
    expect(truncate('€'.repeat(2000))).toBe(
      `${'€'.repeat(1355)}… [truncated 645 characters]`,
    );
    // 4 bytes each (surrogate pairs): 1016 × 4 + 29 = 4093; 1017 × 4 + 29 = 4097
    const cut = truncate('😀'.repeat(1100));
    expect(cut).toBe(`${'😀'.repeat(1016)}… [truncated 84 characters]`);
    expect(Buffer.byteLength(cut)).toBe(4093);
  });

  it('cuts one-line texts at 256 bytes', () => {
    // 227 + 29 = 256
    expect(shortText('r'.repeat(300))).toBe(
      `${'r'.repeat(227)}… [truncated 73 characters]`,
    );
  });

  it('cuts a megabyte in one go', () => {
    const cut = truncate('x'.repeat(1024 * 1024));
    // "1,044,516" has 9 characters: 4060 + 36 bytes of note = 4096
    expect(cut).toBe(`${'x'.repeat(4060)}… [truncated 1,044,516 characters]`);
  });
});

describe('text', () => {
  it('shows control characters as U+FFFD, keeping tabs and line breaks', () => {
    expect(text('a\u0000b\u001bc\td\ne\rf\u007f')).toBe(
      'a\ufffdb\ufffdc\td\ne\rf\ufffd',
    );
    expect(joinMessages('one\u0000', 'two')).toBe('one\ufffd; two');
  });

  it('is undefined for blanks and non-strings', () => {
    expect([text('  '), text(42), text(null), text(['x'])]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('urlText', () => {
  it('keeps a URL up to 2 KiB and drops a longer one with a note, never cutting it', () => {
    const notes: string[] = [];
    const ok = `https://github.com/org/${'a'.repeat(2048 - 23)}`;
    expect(urlText(ok, 'spec.url', notes)).toBe(ok);
    // 23 + 3000 bytes
    expect(
      urlText(`https://github.com/org/${'a'.repeat(3000)}`, 'spec.url', notes),
    ).toBeUndefined();
    expect(notes).toEqual(['spec.url of 3,023 bytes not kept (limit 2,048)']);
  });
});

describe('unknownCluster', () => {
  it('names an unknown destination within the 253 characters of a name', () => {
    expect(unknownCluster('https://1.2.3.4:6443')).toBe(
      'unknown:https://1.2.3.4:6443',
    );
    expect(unknownCluster(undefined)).toBe('unknown:no-destination');
    // 316 characters: 224 kept + 29 bytes of note = 253
    expect(unknownCluster(`https://${'x'.repeat(300)}`)).toBe(
      `unknown:https://${'x'.repeat(208)}… [truncated 92 characters]`,
    );
  });
});

describe('readLabels', () => {
  it('drops labels no Kubernetes API would hold, and says so', () => {
    const notes: string[] = [];
    const labels = readLabels(
      JSON.parse(
        JSON.stringify({
          app: 'podinfo',
          long: 'v'.repeat(257),
          ['k'.repeat(257)]: 'x',
          bell: 'a\u0007b',
          count: 3,
        }),
      ),
      notes,
    );
    expect(labels).toEqual({ app: 'podinfo' });
    expect(notes).toEqual([
      '3 labels not kept (longer than 256 bytes or with control characters)',
    ]);
  });

  it('keeps at most 256 labels', () => {
    const notes: string[] = [];
    const many = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`l${i}`, 'v']),
    );
    expect(Object.keys(readLabels(many, notes))).toHaveLength(256);
    expect(notes).toEqual(['44 labels not kept (limit 256)']);
  });

  it('keeps a `__proto__` label as a label', () => {
    const labels = readLabels(JSON.parse('{"__proto__":"x"}'), []);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(labels)).toEqual(['__proto__']);
  });
});

describe('records keep within the limits', () => {
  const ctx = testContext();

  it('keeps 32 conditions and notes the rest', () => {
    const result = normalizeObject(
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'apps', namespace: 'flux-system' },
        status: {
          conditions: Array.from({ length: 40 }, (_, i) => ({
            type: i === 0 ? 'Ready' : `Extra${i}`,
            status: 'True',
            reason: 'Succeeded',
          })),
        },
      },
      ctx,
    );
    expect(result).toMatchObject({
      ok: true,
      record: {
        conditions: expect.any(Array),
        message: expect.stringContaining('8 conditions not kept (limit 32)'),
      },
    });
    expect(result.ok && result.record.conditions).toHaveLength(32);
  });

  it('drops a repository URL over 2 KiB, and every link built from it', () => {
    const url = `https://github.com/org/${'r'.repeat(3000)}`;
    const result = normalizeObject(
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'repo', namespace: 'flux-system' },
        spec: { url, ref: { branch: 'main' } },
        status: {
          artifact: { revision: `main@sha1:${'a'.repeat(40)}` },
          conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded' }],
        },
      },
      ctx,
    );
    expect(result).toMatchObject({
      ok: true,
      record: {
        revision: { ref: 'main', commit: 'a'.repeat(40) },
        links: [],
        message: expect.stringContaining(
          'spec.url of 3,023 bytes not kept (limit 2,048)',
        ),
      },
    });
    expect(result.ok && result.record.revision.repoUrl).toBeUndefined();
  });

  it('rejects names with control characters, naming them readably', () => {
    expect(
      normalizeObject(
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'a\u0000b', namespace: 'flux-system' },
        },
        ctx,
      ),
    ).toEqual({
      ok: false,
      error:
        'Kustomization flux-system/a\ufffdb: name or namespace contains control characters',
    });
  });

  it('keeps a rejection of a huge object short', () => {
    const result = normalizeObject(
      {
        apiVersion: 'example.com/v1',
        kind: 'K'.repeat(100_000),
        metadata: { name: 'n', namespace: 'ns' },
      },
      ctx,
    );
    // The kind, in the label and in the reason, cut to 256 bytes: 223 characters + 33 bytes of
    // note ("99,777" has 6 characters).
    const kind = `${'K'.repeat(223)}… [truncated 99,777 characters]`;
    expect(result).toEqual({
      ok: false,
      error: `${kind} ns/n: unsupported kind ${kind} (example.com/v1)`,
    });
  });
});

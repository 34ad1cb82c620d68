import { sha } from '../../__testUtils__/factory';
import { csvField, fetchAllRows, toCsv } from './csv';
import { fakeGitOpsApi } from './__testUtils__/fakeGitOpsApi';
import { fleet, row } from './__testUtils__/fleet';

/** A small RFC 4180 reader: what a spreadsheet would make of the text. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      fields.push(field);
      rows.push(fields);
      fields = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('CSV export', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(undefined)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@sum')).toBe("'@sum");
  });

  it('writes the table columns, one line per object, readable back', () => {
    const rows = [
      row({
        name: 'a,b "c"',
        namespace: 'line\nbreak',
        revision: {
          applied: `main@sha1:${sha(1)}`,
          commit: sha(1),
          attempted: `main@sha1:${sha(2)}`,
        },
        lastReconciledAt: '2024-01-02T03:04:05Z',
      }),
      row({ name: 'plain', tool: 'argocd', kind: 'Application' }),
    ];
    const parsed = parseCsv(toCsv(rows));
    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toEqual([
      'Entity',
      'Owner',
      'Tool',
      'Cluster',
      'Namespace',
      'Kind',
      'Name',
      'State',
      'Sync',
      'Health',
      'Compliance',
      'Revision',
      'Commit',
      'Attempting',
      'Last reconciled',
    ]);
    expect(parsed[1]).toEqual([
      'component:default/podinfo',
      'group:default/team-a',
      'Flux',
      'dev',
      'line\nbreak',
      'Kustomization',
      'a,b "c"',
      'In sync',
      'Synced',
      'Healthy',
      'Compliant',
      `main@sha1:${sha(1)}`,
      sha(1),
      `main@sha1:${sha(2)}`,
      '2024-01-02T03:04:05Z',
    ]);
    expect(parsed[2][2]).toBe('Argo CD');
    expect(parsed[2][6]).toBe('plain');
  });

  it('fetches every page of 500, up to the limit', async () => {
    const rows = fleet(1234);
    const api = fakeGitOpsApi(rows);
    const progress: number[] = [];
    const all = await fetchAllRows(
      api,
      { filter: {}, sort: 'name', order: 'asc' },
      { onProgress: n => progress.push(n) },
    );
    expect(all.totalItems).toBe(1234);
    expect(all.rows.map(r => r.record.name)).toEqual(
      rows.map(r => r.record.name).sort(),
    );
    expect(api.calls.getDeployments.map(r => [r.offset, r.limit])).toEqual([
      [0, 500],
      [500, 500],
      [1000, 500],
    ]);
    expect(progress).toEqual([500, 1000, 1234]);

    const capped = await fetchAllRows(api, {}, { limit: 700 });
    expect(capped.rows).toHaveLength(700);
    expect(capped.totalItems).toBe(1234);
  });
});

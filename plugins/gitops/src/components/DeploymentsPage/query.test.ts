import {
  DEFAULT_PAGE_SIZE,
  filterKey,
  hasFilter,
  parseView,
  viewToParams,
  withField,
} from './query';

const parse = (search: string) => parseView(new URLSearchParams(search));

describe('the view in the URL', () => {
  it('reads every part of the view', () => {
    expect(
      parse(
        'state=error&state=warning&owner=group:default/team-a&q=podinfo&commit=1A2B' +
          '&sort=name&order=desc&page=3&size=100&by=tool&trace=ABCDEF12',
      ),
    ).toEqual({
      filter: {
        state: ['error', 'warning'],
        owner: ['group:default/team-a'],
        q: 'podinfo',
        commit: '1a2b',
      },
      sort: 'name',
      order: 'desc',
      page: 2,
      pageSize: 100,
      chartBy: 'tool',
      trace: 'abcdef12',
    });
  });

  it('has short defaults, and drops what the server would refuse', () => {
    expect(parse('')).toEqual({
      filter: {},
      sort: 'cluster',
      order: 'asc',
      page: 0,
      pageSize: DEFAULT_PAGE_SIZE,
      chartBy: 'cluster',
    });
    const view = parse(
      'commit=xyz&sort=owner&order=sideways&page=-1&size=1000&by=pie&state=&q=%20%20',
    );
    expect(view.filter).toEqual({});
    expect(view.sort).toBe('cluster');
    expect(view.order).toBe('asc');
    expect(view.page).toBe(0);
    expect(view.pageSize).toBe(DEFAULT_PAGE_SIZE);
    expect(view.chartBy).toBe('cluster');
    expect(parse(`q=${'x'.repeat(300)}`).filter.q).toHaveLength(200);
  });

  it('writes what it reads, and keeps parameters it does not own', () => {
    const search =
      'utm=mail&cluster=prod-eu&cluster=dev&q=a+b&sort=state&order=desc&page=2&size=25&trace=abcd';
    const params = viewToParams(parse(search), new URLSearchParams(search));
    expect(params.get('utm')).toBe('mail');
    expect(parse(params.toString())).toEqual(parse(search));
    expect(viewToParams(parse('')).toString()).toBe('');
  });

  it('edits and compares filters', () => {
    expect(withField({ q: 'a' }, 'state', ['ok'])).toEqual({
      q: 'a',
      state: ['ok'],
    });
    expect(withField({ q: 'a', state: ['ok'] }, 'state', [])).toEqual({
      q: 'a',
    });
    expect(withField({ q: 'a' }, 'q', '')).toEqual({});
    expect(hasFilter({})).toBe(false);
    expect(hasFilter({ state: [] })).toBe(false);
    expect(hasFilter({ commit: 'ab' })).toBe(true);
    expect(filterKey({ state: ['ok'], q: 'x' })).toBe(
      filterKey({ q: 'x', state: ['ok'] }),
    );
  });
});

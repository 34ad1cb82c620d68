import { useLayoutEffect, useState } from 'react';
import { act, render, screen } from '@testing-library/react';
import { useRefreshingAsync } from './hooks';

describe('useRefreshingAsync', () => {
  it('sends the first request while rendering, before the page is committed, and only once', async () => {
    const events: string[] = [];
    function View() {
      const state = useRefreshingAsync('page-1', 0, async () => {
        events.push('load');
        return 'rows';
      });
      useLayoutEffect(() => {
        events.push('committed');
      }, []);
      return <span>{state.value ?? 'loading'}</span>;
    }
    render(<View />);
    expect(await screen.findByText('rows')).toBeInTheDocument();
    expect(events).toEqual(['load', 'committed']);
  });

  it('asks again for a new key and on a tick, and drops the answer of a superseded key', async () => {
    const asked: string[] = [];
    const answers = new Map<string, (v: string) => void>();
    let setKey: (k: string) => void = () => undefined;
    function View() {
      const [key, set] = useState('a');
      setKey = set;
      const state = useRefreshingAsync(
        key,
        0,
        () =>
          new Promise<string>(resolve => {
            asked.push(key);
            answers.set(key, resolve);
          }),
      );
      return <span>{state.value ?? 'loading'}</span>;
    }
    render(<View />);
    act(() => setKey('b'));
    await act(async () => answers.get('a')!('answer a'));
    await act(async () => answers.get('b')!('answer b'));
    expect(await screen.findByText('answer b')).toBeInTheDocument();
    expect(screen.queryByText('answer a')).not.toBeInTheDocument();
    expect(asked).toEqual(['a', 'b']);
  });
});

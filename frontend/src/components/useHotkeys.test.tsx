import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { isTypingTarget, setShortcutsEnabled, useHotkeys } from './useHotkeys';

function Harness({ onN }: { onN: () => void }) {
  useHotkeys({ n: onN });
  return (
    <>
      <input aria-label="text" />
      <input aria-label="box" type="checkbox" />
      <textarea aria-label="area" />
    </>
  );
}

describe('useHotkeys', () => {
  it('fires outside text fields only, and never with modifiers', async () => {
    const onN = vi.fn();
    render(<Harness onN={onN} />);
    const user = userEvent.setup();
    await user.keyboard('n');
    expect(onN).toHaveBeenCalledTimes(1);
    await user.click(screen.getByLabelText('text'));
    await user.keyboard('n');
    await user.click(screen.getByLabelText('area'));
    await user.keyboard('n');
    expect(onN).toHaveBeenCalledTimes(1);
    await user.click(screen.getByLabelText('box'));
    await user.keyboard('n');
    await user.keyboard('{Control>}n{/Control}');
    expect(onN).toHaveBeenCalledTimes(2);
  });

  it('stays quiet once shortcuts are turned off, and remembers it in this browser', async () => {
    const onN = vi.fn();
    render(<Harness onN={onN} />);
    const user = userEvent.setup();
    setShortcutsEnabled(false);
    try {
      expect(window.localStorage.getItem('incident-console.shortcuts')).toBe('off');
      await user.keyboard('n');
      expect(onN).not.toHaveBeenCalled();
    } finally {
      setShortcutsEnabled(true);
    }
    expect(window.localStorage.getItem('incident-console.shortcuts')).toBeNull();
    await user.keyboard('n');
    expect(onN).toHaveBeenCalledTimes(1);
  });

  it('knows what a text field is', () => {
    const select = document.createElement('select');
    const button = document.createElement('button');
    expect(isTypingTarget(select)).toBe(true);
    expect(isTypingTarget(button)).toBe(false);
  });
});

/** A page's title and, where the reader may add one, the button that unfolds its add form
 * (aria-expanded; "Close the form" while open). One shape for every admin list page. */
import type { ReactNode } from 'react';

interface AddToggle {
  /** The button's words while the form is folded: "Add a person". */
  label: string;
  open: boolean;
  onToggle: (open: boolean) => void;
}

export function PageHead({ title, add }: { title: ReactNode; add?: AddToggle }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {add && (
        <button type="button" className={add.open ? undefined : 'primary'} aria-expanded={add.open} onClick={() => add.onToggle(!add.open)}>
          {add.open ? 'Close the form' : add.label}
        </button>
      )}
    </div>
  );
}

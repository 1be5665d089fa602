/** The administrators' pages, grouped under "Admin" in the main navigation so that it stays one
 * line on a laptop; on a phone (inside "Menu") they are listed with the rest. The group shows
 * which page is open, and folds again on any navigation, a click elsewhere or Escape. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';

const ADMIN_PATHS = ['/people', '/notifications', '/calendars'];

export function AdminLinks({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const here = ADMIN_PATHS.some((p) => pathname.startsWith(p));
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpenOn(null);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  return (
    <div
      className="nav-group"
      ref={box}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setOpenOn(null);
      }}
    >
      <button
        type="button"
        className={here ? 'nav-group-toggle active' : 'nav-group-toggle'}
        aria-expanded={open}
        aria-controls="nav-admin"
        onClick={() => setOpenOn(open ? null : pathname)}
      >
        Admin<span aria-hidden="true"> ▾</span>
      </button>
      <div id="nav-admin" className="nav-group-links" data-open={open}>
        {children}
      </div>
    </div>
  );
}

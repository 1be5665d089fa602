import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { buildRouter } from './app/router';
import { makeQueryClient, Providers } from './app/providers';
import { applyTheme } from './lib/preferences';
import './styles.css';

// The reader's theme before the first paint (the system's, unless they chose one).
applyTheme();

const client = makeQueryClient();
const router = buildRouter();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>
  </StrictMode>,
);

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { buildRouter } from './app/router';
import { makeQueryClient, Providers } from './app/providers';
import './styles.css';

const client = makeQueryClient();
const router = buildRouter();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>
  </StrictMode>,
);

import { render, screen } from '@testing-library/react';
import { ApiError } from '../api/errors';
import { ActionResult, ErrorState, isRetryable } from './States';

describe('ErrorState', () => {
  it('offers "Try again" only when asking again can succeed', () => {
    const retry = () => {};
    const { rerender } = render(<ErrorState error={new ApiError(404, { detail: 'Incident 9 not found', code: 'not_found' })} retry={retry} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Incident 9 not found');
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    rerender(<ErrorState error={new ApiError(503, { detail: 'Database unavailable', code: 'database_unavailable' })} retry={retry} />);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    rerender(<ErrorState error={new TypeError('Failed to fetch')} retry={retry} />);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
  it('knows which answers are worth retrying', () => {
    expect(isRetryable(new ApiError(500, {}))).toBe(true);
    expect(isRetryable(new ApiError(429, {}))).toBe(true);
    expect(isRetryable(new ApiError(403, {}))).toBe(false);
    expect(isRetryable(new ApiError(422, {}))).toBe(false);
  });
});

describe('ActionResult', () => {
  it('announces a confirmation in a live region that fades (keyed, so each new one fades anew)', () => {
    render(<ActionResult success="Moved to Investigating." />);
    const status = screen.getByRole('status');
    expect(status).toHaveTextContent('Moved to Investigating.');
    expect(status).toHaveClass('confirmation');
  });
});

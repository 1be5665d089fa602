import { ApiError, detailMessage, errorWithCode } from './errors';

describe('detailMessage', () => {
  it('keeps a string detail as the server wrote it', () => {
    expect(detailMessage('Illegal transition from New to Closed')).toBe('Illegal transition from New to Closed');
  });
  it('names the field of each validation error', () => {
    expect(
      detailMessage([
        { loc: ['body', 'title'], msg: 'Field required' },
        { loc: ['query', 'severity', 0], msg: "Input should be 'SEV1'" },
      ]),
    ).toBe("title: Field required; severity.0: Input should be 'SEV1'");
  });
  it('falls back to the HTTP status', () => {
    expect(new ApiError(503, undefined).message).toBe('Request failed (HTTP 503)');
  });
});

describe('ApiError reads the code and the facts, never the prose', () => {
  // Each detail below deliberately says nothing the console's sentence uses: only code and facts count.
  const prose = 'words for people that no program should read';

  it('closure_blocked: names the missing RCA sections by their human names', () => {
    const e = new ApiError(409, { detail: prose, code: 'closure_blocked', missing: ['root_cause', 'prevention_actions'] });
    expect(e.code).toBe('closure_blocked');
    expect(e.facts.missing).toEqual(['root_cause', 'prevention_actions']);
    expect(e.message).toBe(
      'Cannot close yet: the RCA is missing Root cause, Prevention actions. Fill these in below and save the RCA.',
    );
    expect(e.serverMessage).toBe(prose);
  });

  it('closure_blocked: shows a section the console does not know as the server named it', () => {
    const e = new ApiError(409, { detail: prose, code: 'closure_blocked', missing: ['lessons_learned'] });
    expect(e.message).toContain('missing lessons_learned.');
  });

  it('stale_version: says someone else changed the incident, with its version now', () => {
    const e = new ApiError(409, { detail: prose, code: 'stale_version', current_version: 9 });
    expect(e.message).toBe(
      'Someone else changed this incident since you loaded it (it is now at version 9). Reload it to see their change, then try again.',
    );
    expect(e.facts.current_version).toBe(9);
  });

  it('illegal_transition: names where the incident may go from where it is', () => {
    const e = new ApiError(409, {
      detail: prose,
      code: 'illegal_transition',
      current: 'Resolved',
      target: 'Mitigated',
      allowed: ['Closed', 'Investigating'],
    });
    expect(e.message).toBe('Cannot move this incident to Mitigated: from Resolved it may go to Closed, Investigating.');
    expect(new ApiError(409, { detail: prose, code: 'illegal_transition', current: 'Closed', target: 'New', allowed: [] }).message).toBe(
      'Cannot move this incident to New: from Closed it cannot move any further.',
    );
  });

  it('too_many_attempts: a sentence without a number (the wait stays a fact for the screen to say)', () => {
    const e = new ApiError(429, { detail: prose, code: 'too_many_attempts', retry_after: 281 });
    expect(e.message).toBe('Too many failed attempts. Wait a little and try again.');
    expect(e.facts.retry_after).toBe(281);
  });

  it('validation_failed and codes without facts: the server detail, fields named by loc', () => {
    const e = new ApiError(422, { detail: [{ loc: ['body', 'title'], msg: 'Field required' }], code: 'validation_failed' });
    expect(e.code).toBe('validation_failed');
    expect(e.message).toBe('title: Field required');
    expect(new ApiError(403, { detail: 'Viewers cannot do that', code: 'forbidden' }).message).toBe('Viewers cannot do that');
    expect(new ApiError(422, { detail: 'Bad field', code: 'invalid_request', field: 'If-Match' }).facts.field).toBe('If-Match');
  });

  it('a body that is not the API error shape has no code', () => {
    const e = new ApiError(502, '<html>Bad gateway</html>');
    expect(e.code).toBeNull();
    expect(e.message).toBe('<html>Bad gateway</html>');
  });

  it('errorWithCode picks an ApiError by code, and nothing else', () => {
    const stale = new ApiError(409, { detail: prose, code: 'stale_version', current_version: 2 });
    expect(errorWithCode(stale, 'stale_version', 'illegal_transition')?.facts.current_version).toBe(2);
    expect(errorWithCode(stale, 'closure_blocked')).toBeNull();
    expect(errorWithCode(new Error(prose), 'stale_version')).toBeNull();
  });
});

import { ApiError, detailMessage } from './errors';

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

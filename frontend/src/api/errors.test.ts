import { ApiError, detailMessage } from './errors';
import { fileNameFrom } from '../features/incidents/components/ExportReportButton';

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

describe('fileNameFrom', () => {
  it('reads the Content-Disposition file name', () => {
    expect(fileNameFrom('attachment; filename="INC-7-report.md"', 'x.md')).toBe('INC-7-report.md');
    expect(fileNameFrom("attachment; filename*=UTF-8''INC-7%20report.md", 'x.md')).toBe('INC-7 report.md');
    expect(fileNameFrom(null, 'x.md')).toBe('x.md');
  });
});

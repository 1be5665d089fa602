import { fileNameFrom } from './ExportReportButton';

describe('fileNameFrom', () => {
  it('reads the Content-Disposition file name', () => {
    expect(fileNameFrom('attachment; filename="INC-7-report.md"', 'x.md')).toBe('INC-7-report.md');
    expect(fileNameFrom("attachment; filename*=UTF-8''INC-7%20report.md", 'x.md')).toBe('INC-7 report.md');
    expect(fileNameFrom(null, 'x.md')).toBe('x.md');
  });
});

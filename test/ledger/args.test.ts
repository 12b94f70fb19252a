import { ledgerArgProblems } from '../../scripts/ledger-args';

describe('npm run ledger options', () => {
  test('known options of each command pass', () => {
    expect(ledgerArgProblems(['export', '--plan', '2021', '--round', '第三季度', '--out', 'a.xlsx', '--dir', 'd'])).toEqual([]);
    expect(ledgerArgProblems(['import', 'table.xlsx', '--dry-run', '--year', '2031', '--current', '--as', 'o1'])).toEqual([]);
    expect(ledgerArgProblems(['current', '--plan', '2031'])).toEqual([]);
  });

  test('a misspelled option is refused, naming the likely one', () => {
    const [problem, ...rest] = ledgerArgProblems(['export', '--rnd', '第三季度']);
    expect(rest).toEqual([]);
    expect(problem).toContain('export 不认识选项 --rnd，是否为 --round？');
  });

  test('an option of another command and stray arguments are refused', () => {
    expect(ledgerArgProblems(['template', '--round', 'x'])[0]).toContain('template 不认识选项 --round');
    expect(ledgerArgProblems(['export', '--dry-run'])[0]).toContain('export 不认识选项 --dry-run');
    expect(ledgerArgProblems(['import', 'a.xlsx', 'b.xlsx'])).toEqual(['多余的参数 b.xlsx']);
    expect(ledgerArgProblems(['export', 'extra'])).toEqual(['多余的参数 extra']);
  });
});

/**
 * `npm run ledger -- …` on a data folder: the built CLI runs the built
 * ledger function on the local cloud, as the office's IT staff would.
 */
import { execFileSync, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { readWorkbook, unzip, withTitleYear, xlsxOf } from '../helpers/ledger';
import { createRound, inDays } from '../helpers/journey';
import { startTestCloud } from '../helpers/local-cloud';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'ledger.js');

test('template, import (dry run, then for real), current, export and archive from the command line', async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'ledger'], { cwd: ROOT });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-ledger-cli-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-ledger-out-'));
  const ledger = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--dir', dir], { cwd: out, encoding: 'utf8' });
  try {
    const t = startTestCloud({ dir });
    await t.seed();
    await createRound(t, { name: '第三季度', dueDate: inDays(10) });
    t.close();

    const template = ledger('template', '--plan', '2021', '--out', 'table.xlsx');
    expect(template.stderr).toBe('');
    expect(template.stdout).toContain('已生成 邹城市2021年政务公开工作任务分解表（导入模板）.xlsx');

    const dry = ledger('import', 'table.xlsx', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('大项 5，小项 20，任务 44 项，涉及单位 35 个，责任分工 805 条');
    expect(dry.stdout).toContain('检查通过');
    expect(dry.stdout).toContain('导入年度：2021 年（取自表格标题）');
    expect(dry.stdout).not.toContain('已导入');

    // The file says 2021, which exists: refused, nothing written.
    expect(ledger('import', 'table.xlsx').stderr).toContain('2021 年的任务分解表已经存在');
    // Last year's table under another year: refused naming both years, nothing written.
    const otherYear = ledger('import', 'table.xlsx', '--year', '2031');
    expect(otherYear.status).toBe(1);
    expect(otherYear.stderr).toContain('表格标题是2021年，所选年度是2031年：请核对文件或年度');
    expect(otherYear.stderr).toContain('（--year） [INVALID_INPUT]');
    expect(otherYear.stdout).not.toContain('已导入');
    expect(ledger('current', '--plan', '2031').stderr).toContain('没有 2031 年的任务分解表');

    // The title changed to 2031: imported as 2031 without saying so again.
    fs.writeFileSync(path.join(out, 'table2031.xlsx'), await withTitleYear(fs.readFileSync(path.join(out, 'table.xlsx')), 2031));
    const imported = ledger('import', 'table2031.xlsx');
    expect(imported.stdout).toContain('导入年度：2031 年（取自表格标题）');
    expect(imported.stdout).toContain('已导入 2031 年任务分解表：44 项任务，805 条责任分工；未设为当前年度');
    expect(ledger('current', '--plan', '2031').stdout).toContain('当前年度已切换为 2031 年');
    expect(ledger('current', '--plan', '2021').stdout).toContain('当前年度已切换为 2021 年');

    const exported = ledger('export', '--plan', '2021', '--round', '第三季度', '--out', 'ledger.xlsx');
    expect(exported.stdout).toContain('已导出 邹城市2021年政务公开工作台账（第三季度）.xlsx：44 项任务，1 个报送轮次，805 行');
    const wb = await readWorkbook(fs.readFileSync(path.join(out, 'ledger.xlsx')));
    expect(wb.getWorksheet('工作台账')?.rowCount).toBe(3 + 805);
    expect(ledger('export', '--round', '第九季度').stderr).toContain('找不到轮次 第九季度');
    const typo = ledger('export', '--rnd', '第三季度');
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain('不认识选项 --rnd，是否为 --round？');

    const archived = ledger('archive', '--out', 'evidence.zip');
    expect(archived.stdout).toContain('已打包 邹城市2021年政务公开佐证材料（全年）.zip：0 个文件');
    expect([...unzip(fs.readFileSync(path.join(out, 'evidence.zip'))).keys()]).toEqual(['邹城市2021年政务公开佐证材料（全年）/索引.xlsx']);

    // A title without a year: the import asks for --year; with it, the dry run says where the year came from.
    const task = ['一、深化重点领域政府信息公开', '(一)立足实施重大战略推进政务公开', 1, '做好规划公开', '市司法局'];
    fs.writeFileSync(
      path.join(out, 'noyear.xlsx'),
      await xlsxOf([['政务公开工作任务分解表'], ['大项', '小项', '序号', '任务要求', '责任单位'], task]),
    );
    const noYear = ledger('import', 'noyear.xlsx');
    expect(noYear.status).toBe(1);
    expect(noYear.stderr).toContain('表格标题中没有写明年度：请用 --year 指定要导入的年度');
    const given = ledger('import', 'noyear.xlsx', '--year', '2036', '--dry-run');
    expect(given.status).toBe(0);
    expect(given.stdout).toContain('导入年度：2036 年（--year 指定，表格标题中没有年度）');

    fs.writeFileSync(path.join(out, 'bad.xlsx'), 'not a workbook');
    const bad = ledger('import', 'bad.xlsx');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('文件不是 Excel 工作簿');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 180_000);

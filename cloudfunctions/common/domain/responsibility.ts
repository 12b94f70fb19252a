/**
 * Parses a 责任单位 cell of a 政务公开工作任务分解表 into roles.
 *
 * Shapes seen in the tables: `A、B牵头,C、D配合` (lead + cooperating),
 * `A、B` / `A,各镇街` (jointly responsible), a single unit, and the mixed
 * `A牵头,B,各镇街配合` where plain segments take the role of the next
 * suffixed segment. Names are returned exactly as written (groups included);
 * resolving them against the directory is `expandAssignments`' job.
 */
export interface ParsedResponsibility {
  lead: string[];
  cooperate: string[];
  responsible: string[];
}

export class ResponsibilityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponsibilityParseError';
  }
}

/** How a unit's name ends (局, 委, 办, 镇, 街道, 中心 …): a space after it separates two units. */
const NAME_END = /局|委|办|院|所|镇|街道|中心|队|站|厅|社|行|处|馆|会|公司|部门|镇街/;

const LEAD_SUFFIX = '牵头';
const COOPERATE_SUFFIX = '配合';

function splitNames(segment: string, cell: string): string[] {
  const names = segment.split(/[、]/).map((s) => s.trim());
  if (names.some((n) => n === '')) {
    throw new ResponsibilityParseError(`责任单位“${cell}”中有空的单位名称`);
  }
  return names;
}

export function parseResponsibility(cell: string): ParsedResponsibility {
  // A line break (Alt+Enter in a cell) separates names like 、, and so does a space after what
  // ends a unit's name (市司法局 市财政局). Other spaces sit inside a name ("市政府 各部门", as
  // extraction leaves them) and carry no meaning.
  const text = cell
    .replace(/[ \t\u3000]*(?:\r\n?|\n)+[ \t\u3000]*/g, '、')
    .replace(new RegExp(`(${NAME_END.source})[ \\t\\u3000]+(?=[^ \\t\\u3000,，、])(?!牵头|配合)`, 'g'), '$1、')
    .replace(/、*([,，])、*/g, '$1')
    .replace(/^、+|、+$/g, '')
    .replace(/\s+/g, '')
    .replace(/[;；。]+$/, '');
  if (text === '') throw new ResponsibilityParseError('责任单位为空');
  const segments = text.split(/[,，]/);
  const result: ParsedResponsibility = { lead: [], cooperate: [], responsible: [] };
  let pending: string[] = [];
  for (const segment of segments) {
    if (segment === '') throw new ResponsibilityParseError(`责任单位“${cell}”中有多余的逗号`);
    if (segment.endsWith(LEAD_SUFFIX)) {
      result.lead.push(...pending, ...splitNames(segment.slice(0, -LEAD_SUFFIX.length), cell));
      pending = [];
    } else if (segment.endsWith(COOPERATE_SUFFIX)) {
      result.cooperate.push(...pending, ...splitNames(segment.slice(0, -COOPERATE_SUFFIX.length), cell));
      pending = [];
    } else {
      pending.push(...splitNames(segment, cell));
    }
  }
  // Trailing plain names help whoever leads; with no lead they share the task.
  if (result.lead.length > 0) result.cooperate.push(...pending);
  else result.responsible.push(...pending);
  if (result.lead.length === 0 && result.cooperate.length > 0 && result.responsible.length === 0) {
    throw new ResponsibilityParseError(`责任单位“${cell}”只有配合单位，没有牵头单位`);
  }
  return dedupe(result);
}

/** A name written twice keeps its strongest role: lead > responsible > cooperate. */
function dedupe(parsed: ParsedResponsibility): ParsedResponsibility {
  const seen = new Set<string>();
  const keep = (names: string[]) =>
    names.filter((n) => {
      if (seen.has(n)) return false;
      seen.add(n);
      return true;
    });
  const lead = keep(parsed.lead);
  const responsible = keep(parsed.responsible);
  const cooperate = keep(parsed.cooperate);
  return { lead, cooperate, responsible };
}

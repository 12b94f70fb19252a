/**
 * The bundled 2021 table and unit directory, typed. The JSON files are the
 * reviewable source (reconstructed from 邹政办字〔2021〕29号); this module
 * only gives them types so the rest of the code can rely on their shape.
 */
import type { PlanTaskView, UnitKind } from '../../miniprogram/shared/api';
import table2021 from './data/zoucheng-2021.json';
import directory from './data/units.json';

export interface TableDocument {
  docNo: string;
  noticeTitle: string;
  title: string;
  issuer: string;
  issuedOn: string;
  year: number;
  region: string;
}
export interface TableSection {
  no: number;
  label: string;
  title: string;
}
export interface TableCategory {
  no: number;
  label: string;
  title: string;
  section: number;
}
/** A row of the table as printed: the section follows from its category. */
export type TableTask = Omit<PlanTaskView, 'id' | 'section'>;
export interface TaskTable {
  document: TableDocument;
  sections: TableSection[];
  categories: TableCategory[];
  tasks: TableTask[];
}
export interface DirectoryEntry {
  name: string;
  code: string;
  kind: UnitKind;
  named: boolean;
}
export interface UnitDirectory {
  groups: { name: string; kind: UnitKind }[];
  units: DirectoryEntry[];
}

export const TABLE_2021: TaskTable = table2021 as TaskTable;
export const DIRECTORY: UnitDirectory = directory as UnitDirectory;

/** Tables the `api` function can seed without an import. */
export const BUNDLED_TABLES: Record<number, TaskTable> = { 2021: TABLE_2021 };

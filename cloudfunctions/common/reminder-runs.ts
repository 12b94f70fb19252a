/**
 * The reminder timer's own record of its last run (`settings/reminderRun`),
 * so that an administrator can see the trigger is alive (system.check)
 * without reading the platform's logs.
 */
import { db, first } from './cloud';
import { C } from './schema';

export const REMINDER_RUN = 'reminderRun';

export interface ReminderRunDoc {
  _id: string;
  at: Date;
  day: string;
  complete: boolean;
  sent: number;
  ok: boolean;
  /** The error code when the run failed. */
  code?: string;
}

export async function recordReminderRun(run: Omit<ReminderRunDoc, '_id'>): Promise<void> {
  await db.collection(C.settings).doc(REMINDER_RUN).set({ data: run });
}

export const lastReminderRun = () => first<ReminderRunDoc>(db.collection(C.settings).where({ _id: REMINDER_RUN }).limit(1));

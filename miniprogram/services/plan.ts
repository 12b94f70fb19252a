import type { PlanSummary, PlanView } from '../shared/api';
import { call } from './call';

export const fetchPlan = (year?: number): Promise<PlanView> => call('plan.get', year === undefined ? {} : { year });
/** The years on file, newest first: a few bytes, where plan.get would send the whole table. */
export const fetchPlans = (): Promise<PlanSummary[]> => call('plan.list');

import type { MeView, PlanView } from '../shared/api';
import { call } from './call';

export const fetchMe = (): Promise<MeView> => call('me.get');
export const fetchPlan = (year?: number): Promise<PlanView> => call('plan.get', year === undefined ? {} : { year });

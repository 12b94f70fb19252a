/**
 * The `api` cloud function: every action of the mini program goes through
 * here (see docs/api.md). Kept free of heavy dependencies so it starts fast.
 */
import { createHandler, type ActionMap } from './router';
import { adminBootstrap } from './actions/admin';
import { meGet } from './actions/me';
import { planGet, planList, planSeed } from './actions/plan';

const actions: ActionMap = {
  'me.get': meGet,
  'plan.list': planList,
  'plan.get': planGet,
  'admin.bootstrap': adminBootstrap,
  'plan.seed': planSeed,
};

export const main = createHandler(actions);

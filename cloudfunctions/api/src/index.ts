/**
 * The `api` cloud function: every action of the mini program goes through
 * here (see docs/api.md). Kept free of heavy dependencies so it starts fast.
 */
import { createHandler, type ActionMap } from './router';
import { adminBootstrap } from './actions/admin';
import { meGet } from './actions/me';
import { planGet, planList, planSeed } from './actions/plan';
import {
  contactApprove,
  contactBind,
  contactLeave,
  contactList,
  contactReject,
  contactRemove,
  groupRegister,
  unitList,
} from './actions/contacts';
import { roundClose, roundCreate, roundList, roundUpdate } from './actions/rounds';
import { taskDetail, tasksMine } from './actions/tasks';
import { reportLatest, reportSubmit } from './actions/reports';
import { subscriptionRecord } from './actions/subscriptions';

const actions: ActionMap = {
  'me.get': meGet,
  'plan.list': planList,
  'plan.get': planGet,
  'admin.bootstrap': adminBootstrap,
  'plan.seed': planSeed,
  'unit.list': unitList,
  'contact.bind': contactBind,
  'contact.leave': contactLeave,
  'contact.list': contactList,
  'contact.approve': contactApprove,
  'contact.reject': contactReject,
  'contact.remove': contactRemove,
  'group.register': groupRegister,
  'round.list': roundList,
  'round.create': roundCreate,
  'round.update': roundUpdate,
  'round.close': roundClose,
  'tasks.mine': tasksMine,
  'task.detail': taskDetail,
  'report.submit': reportSubmit,
  'report.latest': reportLatest,
  'subscription.record': subscriptionRecord,
};

export const main = createHandler(actions);

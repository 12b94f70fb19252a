/**
 * The `api` cloud function: every action of the mini program goes through
 * here (see docs/api.md). Kept free of heavy dependencies so it starts fast.
 */
import { createHandler } from '../../common/router';
import type { ActionMap } from './router';
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
import { digestGet } from './actions/digest';
import { adminAdd, adminList, adminRemove } from './actions/admins';
import { systemCheck } from './actions/system';
import { unitCreate, unitDirectory, unitRestore, unitRetire, unitUpdate } from './actions/units';
import { reportGet, reviewDecide, reviewQueue } from './actions/review';
import { overviewRound } from './actions/overview';
import { urgePreview, urgeSend } from './actions/urge';
import { auditList } from './actions/audit-log';

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
  'digest.get': digestGet,
  'admin.list': adminList,
  'admin.add': adminAdd,
  'admin.remove': adminRemove,
  'unit.directory': unitDirectory,
  'unit.create': unitCreate,
  'unit.update': unitUpdate,
  'unit.retire': unitRetire,
  'unit.restore': unitRestore,
  'review.decide': reviewDecide,
  'review.queue': reviewQueue,
  'report.get': reportGet,
  'overview.round': overviewRound,
  'urge.preview': urgePreview,
  'urge.send': urgeSend,
  'audit.list': auditList,
  'system.check': systemCheck,
};

export const main = createHandler(actions, 'api');

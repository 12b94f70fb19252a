/**
 * The `api` function: every action of the mini program goes through
 * here (see docs/api.md). Kept free of heavy dependencies so it starts fast.
 *
 * A cold start loads only what a 联络员's everyday actions need (index.js).
 * The office's actions and the bundled 2021 table behind plan.seed are a
 * second file (office.js, src/office.ts), loaded by the getters below on
 * the first call that needs it; a warm instance keeps it from then on.
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
import { office } from './lazy';

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
  get 'digest.get'() {
    return office().digestGet;
  },
  get 'admin.list'() {
    return office().adminList;
  },
  get 'admin.add'() {
    return office().adminAdd;
  },
  get 'admin.remove'() {
    return office().adminRemove;
  },
  get 'unit.directory'() {
    return office().unitDirectory;
  },
  get 'unit.create'() {
    return office().unitCreate;
  },
  get 'unit.update'() {
    return office().unitUpdate;
  },
  get 'unit.retire'() {
    return office().unitRetire;
  },
  get 'unit.restore'() {
    return office().unitRestore;
  },
  get 'review.decide'() {
    return office().reviewDecide;
  },
  get 'review.queue'() {
    return office().reviewQueue;
  },
  get 'report.get'() {
    return office().reportGet;
  },
  get 'overview.round'() {
    return office().overviewRound;
  },
  get 'urge.preview'() {
    return office().urgePreview;
  },
  get 'urge.send'() {
    return office().urgeSend;
  },
  get 'audit.list'() {
    return office().auditList;
  },
  get 'system.check'() {
    return office().systemCheck;
  },
};

export const main = createHandler(actions, 'api');

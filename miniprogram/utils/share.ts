/**
 * The mini program cards the app forwards. Every card lands on 绑定单位: a
 * newcomer from the work group binds there (with the group as proof), and a
 * contact already bound sees their unit and goes on to the tasks.
 */
import { clip } from './format';

export const BIND_PAGE = '/pages/bind/index';

export interface ShareCard {
  title: string;
  path: string;
}

export const INVITE_TITLE = '政务公开任务台账：各单位联络员请点开，绑定本单位';

export function inviteCard(): ShareCard {
  return { title: INVITE_TITLE, path: `${BIND_PAGE}?from=invite` };
}

/** A task's card names the task, so the group sees what is asked. */
export function taskCard(requirement: string): ShareCard {
  const title = requirement.trim() ? `政务公开报送：${clip(requirement.trim().replace(/\s+/g, ' '), 20)}` : INVITE_TITLE;
  return { title, path: `${BIND_PAGE}?from=task` };
}

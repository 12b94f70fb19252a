/**
 * The subscribe-message templates the local cloud "has added in the mini
 * program console": one per reminder kind, with the keywords of the default
 * keyword maps (common/domain/message-fields.ts), so that what the functions
 * send is checked against the same keyword types WeChat would check.
 */
import { DEFAULT_KEYWORDS, keywordType, type NotifyKind } from '../../cloudfunctions/common/domain/message-fields';
import type { TemplateConfig } from './openapi';

/** Template ids of `npm start` (the functions see them as SUBSCRIBE_TEMPLATES). */
export const LOCAL_TEMPLATE_IDS = {
  deadline: 'local-tmpl-deadline',
  returned: 'local-tmpl-returned',
  urge: 'local-tmpl-urge',
} as const;

const TITLES: Record<NotifyKind, string> = {
  deadline: '任务截止提醒',
  returned: '报送退回通知',
  urge: '催办通知',
  digest: '每日提醒汇总',
};

/** Template configs for the given ids, keyed by id, with the default keyword maps. */
export function localTemplates(ids: Partial<Record<NotifyKind, string>>): Record<string, TemplateConfig> {
  const out: Record<string, TemplateConfig> = {};
  for (const [kind, id] of Object.entries(ids) as [NotifyKind, string | undefined][]) {
    if (!id) continue;
    const keywords: TemplateConfig['keywords'] = {};
    for (const keyword of Object.keys(DEFAULT_KEYWORDS[kind])) {
      const type = keywordType(keyword);
      if (type) keywords[keyword] = type;
    }
    out[id] = { title: TITLES[kind], keywords };
  }
  return out;
}

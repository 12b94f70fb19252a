/**
 * The subscribe-message templates the local cloud "has added in the mini
 * program console": one per reminder kind, with the keywords of the default
 * keyword maps (common/domain/message-fields.ts), so that what the functions
 * send is checked against the same keyword types WeChat would check.
 */
import { DEFAULT_KEYWORDS, keywordType, type NotifyKind } from '../../cloudfunctions/common/domain/message-fields';
import { templateRef, type TemplateRef } from '../../cloudfunctions/common/templates';
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

/**
 * Template configs for the given SUBSCRIBE_TEMPLATES-shaped entries (an id, or {id, kind} for a
 * long-term template), keyed by id, with the default keyword maps.
 */
export function localTemplates(ids: Partial<Record<NotifyKind, string | TemplateRef>>): Record<string, TemplateConfig> {
  const out: Record<string, TemplateConfig> = {};
  for (const [kind, entry] of Object.entries(ids) as [NotifyKind, unknown][]) {
    const ref = templateRef(entry);
    if (!ref) continue;
    const keywords: TemplateConfig['keywords'] = {};
    for (const keyword of Object.keys(DEFAULT_KEYWORDS[kind])) {
      const type = keywordType(keyword);
      if (type) keywords[keyword] = type;
    }
    out[ref.id] = { title: TITLES[kind], keywords, ...(ref.kind === 'long-term' ? { longTerm: true } : {}) };
  }
  return out;
}

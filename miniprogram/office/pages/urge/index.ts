/**
 * 催办: for a round, the late units with their contacts and whether each
 * can get a subscribe-message notification, the group message to paste
 * (复制), and 发送催办通知 — recorded once even when the tap is retried
 * after a lost answer (the requestId lives until the 催办 is recorded).
 * Below, today's digest: reminders that reached nobody, with its own
 * message to paste.
 */
import type { DigestView, ReminderKind, RoundView, UrgePreview } from '../../../shared/api';
import { UNREACHABLE_LABEL, unreachableLabel } from '../../../shared/api';
import { ApiCallError, errorText } from '../../../services/call';
import { formatDay, formatTime } from '../../../utils/format';
import { newRequestId } from '../../../utils/ids';
import { fetchDigest, listRounds, previewUrge, sendUrge } from '../../services/office';
import { copyText, toast } from '../../utils/ui';
import { defaultRound, loadFailure, officeToday, roundLabel, type LoadPhase } from '../../utils/view';
import { officePage } from '../../utils/office-page';

const KIND_LABEL: Record<ReminderKind, string> = { deadline: '截止提醒', returned: '退回通知', urge: '催办通知' };

export interface UrgeRow {
  unitId: string;
  unitName: string;
  owes: string;
  contacts: { key: string; name: string; canNotify: boolean; note: string }[];
}
interface PreviewData {
  text: string;
  asOf: string;
  notifyConfigured: boolean;
  units: UrgeRow[];
  notifiable: number;
}
interface DigestRow {
  key: string;
  head: string;
  what: string;
  people: string;
}
interface UrgeData {
  phase: LoadPhase;
  error: string;
  roundNames: string[];
  roundIndex: number;
  previewLoading: boolean;
  previewError: string;
  preview: PreviewData | null;
  sending: boolean;
  sent: string;
  sendError: string;
  digest: { day: string; message: string; entries: DigestRow[] } | null;
}
interface UrgePrivate {
  rounds: RoundView[];
  roundId: string;
  /** One id per 催办 attempt: kept across retries, dropped once recorded or when the round changes. */
  requestId: string;
}

/** "第25、31项未报送；第24项被退回" */
export function owesText(missing: number[], returned: number[]): string {
  const parts: string[] = [];
  if (missing.length) parts.push(`第${missing.join('、')}项未报送`);
  if (returned.length) parts.push(`第${returned.join('、')}项被退回`);
  return parts.join('；');
}

export function previewData(p: UrgePreview, now: Date = new Date()): PreviewData {
  return {
    text: p.text,
    asOf: formatTime(p.asOf, now),
    notifyConfigured: p.notifyConfigured,
    units: p.units.map((u) => ({
      unitId: u.unitId,
      unitName: u.unitName,
      owes: owesText(u.missing, u.returned),
      contacts: u.contacts.map((c) => ({
        key: c.openid,
        name: c.name,
        canNotify: c.canNotify,
        note: !c.canNotify ? '（无订阅）' : c.subscription === 'long-term' ? '（长期订阅）' : '（可通知）',
      })),
    })),
    notifiable: p.units.reduce((n, u) => n + u.contacts.filter((c) => c.canNotify).length, 0),
  };
}

export function digestRows(d: DigestView, now: Date = new Date()): DigestRow[] {
  return d.entries.map((e, i) => ({
    key: `${i}`,
    head: `${e.unitName} · ${KIND_LABEL[e.kind]}`,
    what: [e.roundName, e.taskNos.length ? `第${e.taskNos.join('、')}项` : '', e.dueDate ? `${formatDay(e.dueDate, now)}截止` : '']
      .filter(Boolean)
      .join(' · '),
    people: e.people.length
      ? e.people.map((p) => `${p.name}（${unreachableLabel(p.reason, p.subscription)}）`).join('、')
      : UNREACHABLE_LABEL[e.reason],
  }));
}

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    roundNames: [],
    roundIndex: 0,
    previewLoading: false,
    previewError: '',
    preview: null,
    sending: false,
    sent: '',
    sendError: '',
    digest: null,
  } as UrgeData,

  methods: {
    own(): UrgePrivate {
      return this as unknown as UrgePrivate;
    },
    view(): UrgeData {
      return this.data as UrgeData;
    },

    onLoad(query: Record<string, string | undefined>) {
      const own = this.own();
      own.rounds = [];
      own.roundId = decodeURIComponent(query.roundId ?? '');
      own.requestId = '';
      void this.load();
    },

    async load() {
      const own = this.own();
      this.setData({ phase: 'loading', error: '' });
      try {
        const [rounds, digest] = await Promise.all([listRounds(), fetchDigest()]);
        own.rounds = rounds;
        const pick = rounds.find((r) => r.id === own.roundId) ?? defaultRound(rounds, officeToday());
        const now = new Date();
        this.setData({
          phase: 'ready',
          roundNames: rounds.map((r) => roundLabel(r, now)),
          roundIndex: pick ? rounds.indexOf(pick) : 0,
          digest: { day: formatDay(digest.day, now), message: digest.message, entries: digestRows(digest, now) },
        });
        if (pick) await this.showRound(pick.id);
      } catch (err) {
        this.setData(loadFailure(err));
      }
    },

    async showRound(roundId: string) {
      const own = this.own();
      if (own.roundId !== roundId) own.requestId = '';
      own.roundId = roundId;
      this.setData({ previewLoading: true, previewError: '', sent: '', sendError: '' });
      try {
        const preview = await previewUrge(roundId);
        this.setData({ previewLoading: false, preview: previewData(preview) });
      } catch (err) {
        this.setData({ previewLoading: false, preview: null, previewError: errorText(err) });
      }
    },

    onPickRound(e: WechatMiniprogram.PickerChange) {
      const index = Number(e.detail.value);
      const round = this.own().rounds[index];
      if (!round) return;
      this.setData({ roundIndex: index });
      void this.showRound(round.id);
    },

    onRefresh() {
      if (this.own().roundId) void this.showRound(this.own().roundId);
    },

    async onCopy() {
      const text = this.view().preview?.text;
      if (text && (await copyText(text))) toast('已复制，请粘贴到政务公开工作群');
    },

    async onCopyDigest() {
      const text = this.view().digest?.message;
      if (text && (await copyText(text))) toast('已复制，请粘贴到政务公开工作群');
    },

    async onSend() {
      const own = this.own();
      const d = this.view();
      if (d.sending || !d.preview || d.preview.units.length === 0) return;
      if (!own.requestId) own.requestId = newRequestId();
      this.setData({ sending: true, sendError: '', sent: '' });
      try {
        const res = await sendUrge(own.roundId, own.requestId);
        own.requestId = '';
        const targets = res.units.reduce((n, u) => n + u.contacts.filter((c) => c.canNotify).length, 0);
        const skipped = res.skipped.length ? `；${res.skipped.length} 个单位刚刚已不再逾期，未催办` : '';
        const sent = res.duplicate
          ? '这次催办此前已经记录，没有重复发送。'
          : `已记录催办：${res.units.length} 个单位，${targets} 人会收到微信通知${skipped}。收不到通知的联络员，请把上面的文字复制到工作群。`;
        this.setData({ sending: false, sent, preview: previewData(res) });
      } catch (err) {
        if (err instanceof ApiCallError && (err.code === 'NETWORK' || err.code === 'INTERNAL')) {
          // The id is kept: tapping again after a lost answer is the same 催办, not a second one.
          this.setData({ sending: false, sendError: `${errorText(err)}。可以再点一次，不会重复催办。` });
          return;
        }
        // Refused (e.g. nobody is late any more): show the current list with the reason.
        own.requestId = '';
        await this.showRound(own.roundId);
        this.setData({ sending: false, sendError: errorText(err) });
      }
    },
  },
});

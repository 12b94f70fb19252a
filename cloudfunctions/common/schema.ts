/**
 * Collections and the indexes to create for them. docs/data-model.md
 * explains each field. Every index here is for speed only: no guarantee
 * depends on one (uniqueness is carried by deterministic `_id`s), so a
 * deployment without them is correct, just slower on large data. The local
 * cloud creates these on start (tests can leave them out); the deploy
 * output lists them as optional console steps.
 */
export const C = {
  plans: 'plans',
  tasks: 'tasks',
  units: 'units',
  assignments: 'assignments',
  rounds: 'rounds',
  reports: 'reports',
  reviews: 'reviews',
  evidence: 'evidence',
  contacts: 'contacts',
  subscriptions: 'subscriptions',
  reminders: 'reminders',
  digests: 'digests',
  audit: 'audit',
  settings: 'settings',
  urges: 'urges',
  imports: 'imports',
  linkChecks: 'link_checks',
  linkStates: 'link_states',
  requests: 'requests',
} as const;
export type CollectionName = (typeof C)[keyof typeof C];

export interface IndexSpec {
  name: string;
  keys: Record<string, 1 | -1>;
  /** Also unique in practice; the `_id` is what enforces it. */
  unique?: boolean;
}

export const INDEXES: Record<CollectionName, IndexSpec[]> = {
  plans: [{ name: 'year_unique', keys: { year: 1 }, unique: true }],
  tasks: [{ name: 'plan_no', keys: { planId: 1, no: 1 }, unique: true }],
  units: [{ name: 'name_unique', keys: { name: 1 }, unique: true }],
  assignments: [
    { name: 'plan_unit', keys: { planId: 1, unitId: 1 } },
    { name: 'plan_task', keys: { planId: 1, taskNo: 1 } },
  ],
  rounds: [{ name: 'plan_due', keys: { planId: 1, dueDate: 1 } }],
  reports: [
    { name: 'assignment_round', keys: { assignmentId: 1, roundId: 1, version: -1 } },
    { name: 'request_unique', keys: { requestKey: 1 }, unique: true },
    // The office's round views: latest version per assignment, and the review queue.
    { name: 'round_assignment', keys: { roundId: 1, assignmentId: 1, version: -1 } },
    { name: 'state_submitted', keys: { state: 1, submittedAt: 1 } },
  ],
  reviews: [
    { name: 'report', keys: { reportId: 1 } },
    // For the reminder service: returns since its last run.
    { name: 'decision_at', keys: { decision: 1, at: -1 } },
  ],
  evidence: [{ name: 'report', keys: { reportId: 1 } }],
  contacts: [{ name: 'unit_status', keys: { unitId: 1, status: 1 } }],
  subscriptions: [{ name: 'openid', keys: { openid: 1 } }],
  reminders: [
    { name: 'round_day', keys: { roundId: 1, day: 1 } },
    // Sends left in flight by a run that died; and every recipient of one unit's reminder.
    { name: 'state_lease', keys: { state: 1, leaseUntil: 1 } },
    { name: 'group', keys: { group: 1 } },
  ],
  digests: [],
  audit: [
    { name: 'at', keys: { at: -1 } },
    { name: 'actor_at', keys: { actor: 1, at: -1 } },
    { name: 'action_at', keys: { action: 1, at: -1 } },
  ],
  settings: [],
  urges: [{ name: 'round_at', keys: { roundId: 1, at: -1 } }],
  // import.commit's retry finds its first result.
  imports: [{ name: 'request', keys: { requestKey: 1 } }],
  // A link's history, and the overview's "broken links in this round" filter.
  link_checks: [{ name: 'report_link', keys: { reportId: 1, index: 1, checkedAt: 1 } }],
  link_states: [{ name: 'round_reachable', keys: { roundId: 1, 'latest.reachable': 1 } }],
  // Looked up by _id only.
  requests: [],
};

/**
 * Child process for the reminder crash test (bundled with esbuild at test
 * time): the local cloud on a data folder, fsync on as in `npm start`,
 * firing the reminder timer once. WeChat answers each send after 30 ms;
 * `sent` is printed when it has answered, so the parent knows what went out.
 * argv: <dataDir> <trigger Time> <lease ms>
 */
import { main } from '../../cloudfunctions/reminder/src/index';
import { LocalCloud, type CloudMain } from '../../scripts/local-cloud/runtime';
import { localTemplates } from '../../scripts/local-cloud/templates';
import { TEMPLATES } from '../helpers/local-cloud';

const [dir, time, lease] = process.argv.slice(2);
if (!dir || !time || !lease) throw new Error('usage: remind-child <dir> <time> <lease ms>');
const cloud = new LocalCloud({
  dir,
  load: () => main as CloudMain,
  functionEnv: { SUBSCRIBE_TEMPLATES: JSON.stringify(TEMPLATES), REMINDER_CONCURRENCY: '1', REMINDER_LEASE_MS: lease },
});
cloud.openapi.setTemplates(localTemplates(TEMPLATES));
cloud.openapi.setQuotaPolicy('unlimited');
cloud.openapi.setLatency(30);
const send = cloud.openapi.handle;
cloud.openapi.handle = async (params, args) => {
  const answer = await send(params, args);
  process.stdout.write('sent\n');
  return answer;
};
void cloud.runTrigger('reminder', 'remind', { Time: time }).then((res) => process.stdout.write(`done ${JSON.stringify(res)}\n`));

/**
 * `npm run deploy -- --appid wx… --private-key <file> --env <envId> [--version 1.2.3] [--desc …] [--dry-run]`
 *
 * Uploads every cloud function (remote npm install) and its timer trigger,
 * and the mini program as a development version, with miniprogram-ci; then
 * prints what only a person can do on mp.weixin.qq.com and in the 云开发
 * console, with the values to paste. `--dry-run` checks the arguments and
 * the key file and prints the same plan without loading miniprogram-ci or
 * touching the network. Everything that can be refused is refused before
 * the first upload.
 */
import { runDeploy, type DeployIo } from './deploy/run';

// Loaded only for a real run: a dry run never has miniprogram-ci (or the network) in play.
const io: DeployIo = {
  log: (line) => console.log(line),
  loadCi: () => require('miniprogram-ci') as ReturnType<DeployIo['loadCi']>,
};
void runDeploy(process.argv.slice(2), process.env, io).then((code) => {
  process.exitCode = code;
});

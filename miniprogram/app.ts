import { config } from './config';
import { backend } from './utils/platform';

App({
  onLaunch() {
    if (backend() === 'cloud') {
      // An empty env means "the default environment of this mini program".
      wx.cloud.init(config.cloudEnv ? { env: config.cloudEnv, traceUser: true } : { traceUser: true });
    }
  },
});

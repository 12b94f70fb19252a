/**
 * What every office page does with its error and refusal screens:
 * 重新加载 runs the page's own `load()`, 返回首页 leaves the office.
 * A page with a different reload (e.g. keeping its round) defines its own
 * onRetry, which wins over the behavior's.
 */
import { goHome } from './ui';

export const officePage = Behavior({
  methods: {
    onRetry() {
      void (this as unknown as { load(): Promise<void> }).load();
    },
    onHome() {
      goHome();
    },
  },
});

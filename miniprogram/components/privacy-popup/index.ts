/**
 * The privacy agreement, shown the first time the page needs a privacy-relevant
 * API (choosing photos or chat files, copying to the clipboard). The platform
 * holds that call until the person answers here: 同意 lets it go on, 不同意
 * makes it fail. Every page that calls such an API carries one.
 */
import { onNeedPrivacy, type PrivacyResolve } from '../../utils/platform';

/** The id of the agree button, which the platform checks was tapped. */
export const AGREE_BUTTON_ID = 'privacy-agree';

interface PopupPrivate {
  pending: PrivacyResolve[];
}

Component({
  data: {
    show: false,
    contractName: '《用户隐私保护指引》',
  },

  lifetimes: {
    attached() {
      this.listen();
    },
  },

  pageLifetimes: {
    show() {
      this.listen();
    },
  },

  methods: {
    own(): PopupPrivate {
      return this as unknown as PopupPrivate;
    },

    listen() {
      this.own().pending = [];
      onNeedPrivacy((resolve) => {
        // Two pickers at once each wait for the same answer.
        this.own().pending.push(resolve);
        resolve({ event: 'exposureAuthorization' });
        this.setData({ show: true });
        if (typeof wx.getPrivacySetting === 'function') {
          wx.getPrivacySetting({
            success: (res) => {
              if (res.privacyContractName) this.setData({ contractName: res.privacyContractName });
            },
          });
        }
      });
    },

    answer(a: Parameters<PrivacyResolve>[0]) {
      const pending = this.own().pending.splice(0);
      this.setData({ show: false });
      for (const resolve of pending) resolve(a);
    },

    onAgree() {
      this.answer({ event: 'agree', buttonId: AGREE_BUTTON_ID });
    },

    onDisagree() {
      this.answer({ event: 'disagree' });
    },

    onOpenContract() {
      if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
    },
  },
});

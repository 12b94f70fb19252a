/**
 * 邀请联络员: one tap forwards the invitation card into the 政务公开工作群.
 * Contacts who open it there bind with the group as proof (approved at once
 * once the office has registered the group in 联络员管理).
 */
import { enableGroupShare } from '../../../utils/platform';
import { inviteCard, type ShareCard } from '../../../utils/share';

Component({
  data: {
    title: inviteCard().title,
  },

  methods: {
    onLoad() {
      enableGroupShare();
    },

    /** The 转发到工作群 button (open-type="share") and the menu's 转发 give the same card. */
    onShareAppMessage(): ShareCard {
      return inviteCard();
    },

    onContacts() {
      void wx.navigateTo({ url: '/office/pages/contacts/index' });
    },
  },
});

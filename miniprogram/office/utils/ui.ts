/** Dialog and clipboard wrappers the office pages share. */

/** A confirmation dialog; resolves true only when the person confirms. */
export function confirmDialog(title: string, content: string, confirmText = '确定', danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      content,
      confirmText,
      ...(danger ? { confirmColor: '#fa5151' } : {}),
      success: (r) => resolve(r.confirm),
      fail: () => resolve(false),
    });
  });
}

/** Copies to the clipboard; the platform shows its own 「内容已复制」 toast. */
export function copyText(text: string): Promise<boolean> {
  return new Promise((resolve) => {
    wx.setClipboardData({ data: text, success: () => resolve(true), fail: () => resolve(false) });
  });
}

export const toast = (title: string): void => {
  wx.showToast({ title, icon: 'none' });
};

/** Back to 首页 from a refusal: the office pages may be opened from a shared link by anyone. */
export function goHome(): void {
  void wx.reLaunch({ url: '/pages/home/index' });
}

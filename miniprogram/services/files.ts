/** Opening evidence someone uploaded: photos in the viewer, documents in WeChat's reader. */
import { backend } from '../utils/platform';

export class OpenFileError extends Error {}

type DocType = NonNullable<WechatMiniprogram.OpenDocumentOption['fileType']>;
const DOC_TYPES: readonly DocType[] = ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'pdf'];

/** The reader's type for a file name; undefined for pictures, which open in the image viewer. */
export function documentType(name: string): DocType | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return (DOC_TYPES as readonly string[]).includes(ext) ? (ext as DocType) : undefined;
}

/** Downloads a cloud file and opens it with the system reader (pdf, doc, xls, ppt). */
export function openCloudFile(fileID: string, name: string): Promise<void> {
  if (backend() === 'local') {
    return Promise.reject(new OpenFileError('本地调试环境不能打开云端文件，请在正式环境中查看'));
  }
  return new Promise((resolve, reject) => {
    wx.cloud.downloadFile({
      fileID,
      success: (res) => {
        const fileType = documentType(name);
        wx.openDocument({
          filePath: res.tempFilePath,
          showMenu: true,
          ...(fileType ? { fileType } : {}),
          success: () => resolve(),
          fail: () => reject(new OpenFileError('无法打开这个文件，可在电脑端查看')),
        });
      },
      fail: () => reject(new OpenFileError('文件下载失败，请检查网络后重试')),
    });
  });
}

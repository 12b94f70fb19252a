/**
 * Opening a unit's evidence for review: documents in WeChat's reader,
 * pictures in the image viewer, both from the temporary links report.get
 * returns.
 */
import type { EvidenceFileView } from '../../shared/api';
import { backend } from '../../utils/platform';
import { documentType } from '../../services/files';

export class EvidenceError extends Error {}

const GONE = '文件已不在云存储中，无法打开。如需查看，请联系该单位重新上传';
const FAILED = '文件下载失败，请检查网络后重试';

function openDownloaded(filePath: string, name: string): Promise<void> {
  const fileType = documentType(name);
  return new Promise((resolve, reject) => {
    wx.openDocument({
      filePath,
      showMenu: true,
      ...(fileType ? { fileType } : {}),
      success: () => resolve(),
      fail: () => reject(new EvidenceError('无法打开这个文件，可在电脑端微信中查看')),
    });
  });
}

function viaCloud(fileID: string): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.cloud.downloadFile({ fileID, success: (res) => resolve(res.tempFilePath), fail: () => reject(new EvidenceError(FAILED)) });
  });
}

/**
 * Downloads a document by its temporary link and opens it.
 *
 * Background: wx.downloadFile only accepts hosts listed under 「downloadFile
 * 合法域名」; the storage's temp links live on `*.tcb.qcloud.la`, which a
 * fresh mini program may not have listed. Reproduce: release build without
 * that domain — downloadFile fails with "url not in domain list". Then the
 * cloud build falls back to wx.cloud.downloadFile, which needs no domain.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/ability/network.html
 */
export function openEvidenceFile(file: Pick<EvidenceFileView, 'fileID' | 'name' | 'url'>): Promise<void> {
  const { url } = file;
  if (!url) return Promise.reject(new EvidenceError(GONE));
  const download = new Promise<string>((resolve, reject) => {
    wx.downloadFile({
      url,
      success: (res) =>
        res.statusCode === 200 ? resolve(res.tempFilePath) : reject(new EvidenceError(res.statusCode === 404 ? GONE : FAILED)),
      fail: () => reject(new EvidenceError(FAILED)),
    });
  });
  return download
    .catch((err: EvidenceError) => (backend() === 'cloud' && err.message === FAILED ? viaCloud(file.fileID) : Promise.reject(err)))
    .then((path) => openDownloaded(path, file.name));
}

/** Pictures open in the viewer; anything else in the reader. */
export const isPicture = (name: string): boolean => documentType(name) === undefined;

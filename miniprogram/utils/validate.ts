/**
 * Client-side checks that mirror the server's, so a person sees a mistake
 * before waiting for the network. The server checks again: these are for
 * speed and wording, never for trust.
 */

// Same rule as cloudfunctions/common/validate.ts `phone()` (test/miniprogram/bind.test.ts compares them).
const MOBILE = /^(?:\+?86)?(1[3-9]\d{9})$/;
// A separator (or brackets) is required: without one, 010 12345678 and 0101 2345678 look alike.
const LANDLINE = /^(?:\((0\d{2,3})\)|(0\d{2,3})\s*[-–—\s])\s*(\d{7,8})$/;

/** A mainland mobile number, or a landline with its area code and a separator (0537-5212345). */
export function isValidPhone(phone: string): boolean {
  // NFKC turns full-width digits, brackets, hyphens and spaces typed on a phone into ASCII ones.
  const v = phone.normalize('NFKC').trim();
  if (v === '' || v.length > 30) return false;
  return MOBILE.test(v.replace(/[\s\-–—]/g, '')) || LANDLINE.test(v);
}

/** The server's limit on one link (cloudfunctions/common/domain/evidence.ts). */
export const MAX_LINK_LENGTH = 500;

/**
 * An http(s) URL with a host, like the server's check. A regex, because the
 * mini program's JS engine has no WHATWG `URL`.
 */
export function isHttpUrl(url: string): boolean {
  const u = url.trim();
  return u.length <= MAX_LINK_LENGTH && /^https?:\/\/[^\s/?#]+([/?#]\S*)?$/i.test(u);
}

/** Length as a person counts it (and as the server does): code points. */
export function textLength(text: string): number {
  return [...text].length;
}

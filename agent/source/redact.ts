/**
 * Camera URLs carry credentials (rtsp://user:password@host/…) and ffmpeg repeats the URL in its errors
 * ("rtsp://admin:pw@10.0.0.5/stream: Connection refused"). Everything the RTSP path logs or throws goes through
 * a redactor built from the configured URL: the user-info of any URL in the text is masked, and so is the
 * password wherever it appears on its own (raw or percent-decoded), since ffmpeg may print it in other shapes.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/[^\s/?#@]+@/gi;

/** The password of a URL in the forms it may be printed in (raw and percent-decoded); [] when there is none. */
export function secretsOf(url: string): string[] {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return [];
  }
  if (!password) return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: the raw form is all ffmpeg can print.
  }
  return [...new Set([password, decoded])];
}

/** Pure: masks URL user-info and each secret in `text`. */
export function redactCredentials(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(USERINFO, (_m, scheme: string) => `${scheme}://***@`);
  // Very short secrets would mask unrelated characters; the user-info rule above still covers them in URLs.
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** A redactor bound to one camera URL. */
export function redactorFor(url: string): (text: string) => string {
  const secrets = secretsOf(url);
  return (text) => redactCredentials(text, secrets);
}

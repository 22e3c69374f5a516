/** S3's XML documents (namespace `http://s3.amazonaws.com/doc/2006-03-01/`), rendered as S3 renders them. */

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** An element tree: text, or child elements (an array value repeats the element). */
export type XmlValue = string | number | boolean | XmlElement | XmlValue[] | undefined;
export interface XmlElement {
  readonly [name: string]: XmlValue;
}

function renderChildren(element: XmlElement): string {
  return Object.entries(element)
    .map(([name, value]) => renderElement(name, value))
    .join('');
}

function renderElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => renderElement(name, item)).join('');
  if (typeof value === 'object') return `<${name}>${renderChildren(value)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<?xml ...?><Root xmlns="...">children</Root>` (no namespace with `null`); `undefined` children are left out. */
export function renderDocument(root: string, children: XmlElement, namespace: string | null = S3_NAMESPACE): string {
  const xmlns = namespace ? ` xmlns="${namespace}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${xmlns}>${renderChildren(children)}</${root}>`;
}

/** ISO 8601 with milliseconds, as S3 lists timestamps: `2026-12-06T04:05:57.000Z`. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 7231 date, as S3 sends `Last-Modified`: `Sun, 06 Dec 2026 04:05:57 GMT`. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

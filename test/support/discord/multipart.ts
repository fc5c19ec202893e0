/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Reads `boundary=` from a Content-Type header. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2])?.trim() : undefined;
}

function unescapeName(value: string): string {
  // undici and browsers percent-escape `"`, CR and LF inside quoted names (WHATWG spec).
  return value.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

/** Parses a multipart/form-data body into its parts (binary-safe). */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const headerStart = afterDelimiter + 2; // skip CRLF
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) break;
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next === -1) break;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8').split('\r\n');
    let data = body.subarray(headerEnd + 4, next);
    if (data.subarray(data.length - 2).toString() === '\r\n') data = data.subarray(0, data.length - 2);
    const part: FormPart = { name: '', data: Buffer.from(data) };
    for (const header of headers) {
      const colon = header.indexOf(':');
      if (colon === -1) continue;
      const key = header.slice(0, colon).trim().toLowerCase();
      const value = header.slice(colon + 1).trim();
      if (key === 'content-disposition') {
        const name = /\bname="([^"]*)"/i.exec(value);
        const filename = /\bfilename="([^"]*)"/i.exec(value);
        if (name?.[1] !== undefined) part.name = unescapeName(name[1]);
        if (filename?.[1] !== undefined) part.filename = unescapeName(filename[1]);
      } else if (key === 'content-type') {
        part.contentType = value;
      }
    }
    parts.push(part);
    start = next;
  }
  return parts;
}

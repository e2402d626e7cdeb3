import fc from 'fast-check';
import { Agent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Shared pieces of the fast-check fuzzers: one fixed seed (override with FUZZ_SEED to explore,
 * and to reproduce a failure: every failure message names the seed), and a raw HTTP client that
 * sends exactly the bytes and headers it is given and measures how long the answer took.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 424_242);

/** Fixed seed and run count for every property of a suite; prints them once. */
export function configureFuzz(suite: string, numRuns: number): void {
  fc.configureGlobal({ seed: FUZZ_SEED, numRuns, verbose: 0, endOnFailure: false, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false });
  console.log(`[fuzz] ${suite}: seed ${FUZZ_SEED} (set FUZZ_SEED to change), ${numRuns} runs per property`);
}

/** fc.assert, with the seed named on failure (fast-check also prints seed and path of the counterexample). */
export async function check<T>(name: string, property: fc.IAsyncPropertyWithHooks<T> | fc.IAsyncProperty<T>, params: fc.Parameters<T> = {}): Promise<fc.RunDetails<T>> {
  const started = Date.now();
  const details = await fc.check(property, params);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    const report = (fc.defaultReportMessage(details) ?? 'failed').slice(0, 4_000);
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `[fuzz] ${name} failed (FUZZ_SEED=${FUZZ_SEED}, seed ${details.seed}, path ${details.counterexamplePath}, ${details.numRuns} runs, ${seconds} s)\n${cause.slice(0, 2_000)}\n${report}`,
    );
  }
  console.log(`[fuzz] ${name}: ${details.numRuns} runs passed in ${seconds} s (seed ${details.seed}${details.interrupted ? ', interrupted by the time limit' : ''})`);
  return details;
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  ms: number;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  /** Send the body in pieces with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  /** A request still unanswered after this long is a hang (the promise rejects). */
  timeoutMs?: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** One HTTP request with exactly these headers and bytes (no fetch normalisation). */
export function send(baseUrl: string, { method = 'POST', path, headers = {}, body, chunked = false, timeoutMs = 5_000 }: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const allHeaders: Record<string, string | string[]> = { ...headers };
  if (bytes !== undefined && !chunked && !Object.keys(allHeaders).some((name) => name.toLowerCase() === 'content-length')) {
    allHeaders['content-length'] = String(bytes.length);
  }
  const started = performance.now();
  return new Promise<RawAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, answer?: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const request = httpRequest({ host: url.hostname, port: url.port, method, path, headers: allHeaders, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => finish(error));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        finish(undefined, { status: response.statusCode ?? 0, headers: response.headers, text, json, ms: performance.now() - started });
      });
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish(new Error(`no answer within ${timeoutMs} ms: ${method} ${path.slice(0, 120)}`));
    }, timeoutMs);
    // A server that answers early (413) may close while we still write: the answer is what counts,
    // so a write error only fails the request when no answer arrives.
    request.on('error', (error) => setTimeout(() => finish(error), 200));
    if (bytes === undefined) {
      request.end();
    } else if (chunked) {
      const third = Math.ceil(bytes.length / 3) || 1;
      for (let offset = 0; offset < bytes.length; offset += third) request.write(bytes.subarray(offset, offset + third));
      request.end();
    } else {
      request.end(bytes);
    }
  });
}

export function closeAgent(): void {
  agent.destroy();
}

/** `global.gc`, enabled at run time when jest did not start node with --expose-gc. */
export function forceGc(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

/** Percent-encode the UTF-8 bytes of a string (lone surrogates become U+FFFD, as on the wire). */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Characters Node accepts in a header value: tab, visible ASCII, space and obs-text (0x80-0xff). */
export const headerValue = (maxLength = 80): fc.Arbitrary<string> =>
  fc.string({
    unit: fc
      .oneof({ arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 8 }, { arbitrary: fc.integer({ min: 0x80, max: 0xff }), weight: 1 }, { arbitrary: fc.constant(0x09), weight: 1 })
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });

/** Nest's error shape: `{statusCode, error, message}` with the answer's own status. */
export function isNestError(answer: RawAnswer): boolean {
  const body = answer.json as { statusCode?: unknown; error?: unknown; message?: unknown } | undefined;
  if (!body || typeof body !== 'object') return false;
  const message = body.message;
  const messageOk = (typeof message === 'string' && message.length > 0) || (Array.isArray(message) && message.length > 0 && message.every((m) => typeof m === 'string'));
  return body.statusCode === answer.status && typeof body.error === 'string' && body.error.length > 0 && messageOk;
}

/** Flip one bit of a copy of `bytes`; `bit` is taken modulo the bit length. */
export function flipBit(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  const index = bit % (copy.length * 8);
  copy[index >> 3] ^= 1 << (index & 7);
  return copy;
}

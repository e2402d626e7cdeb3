export interface AdminAnswer<T = Record<string, unknown>> {
  status: number;
  /** The parsed JSON answer; undefined for an empty one. */
  body: T;
}

export interface AdminRequest {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, instead of `body` as JSON. */
  raw?: string;
  contentType?: string;
  /** Undefined: the client's key as a bearer token; null: no Authorization header; a string: sent as is. */
  authorization?: string | null;
}

/** The admin API over real HTTP with a bearer key, as an operator's script calls it. */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  get<T = Record<string, unknown>>(path: string): Promise<AdminAnswer<T>> {
    return this.call<T>('GET', path);
  }

  /** `path` below `/admin` (`/subscribers`) or from the root (`/admin/subscribers`). */
  async call<T = Record<string, unknown>>(method: string, path: string, { body, raw, contentType, authorization }: AdminRequest = {}): Promise<AdminAnswer<T>> {
    const headers: Record<string, string> = {};
    const auth = authorization === undefined ? `Bearer ${this.key}` : authorization;
    if (auth !== null) headers.authorization = auth;
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = contentType ?? 'application/json';
    const response = await fetch(`${this.baseUrl}${path.startsWith('/admin') ? path : `/admin${path}`}`, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** The same client with another key (a wrong one, for 401 checks). */
  withKey(key: string): AdminClient {
    return new AdminClient(this.baseUrl, key);
  }
}

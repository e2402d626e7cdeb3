export interface AdminAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
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

  /** `path` below `/admin` or absolute from the root (`/admin/...`). */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, key = this.key): Promise<AdminAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path.startsWith('/admin') ? path : `/admin${path}`}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** The same client with another key (a wrong one, for 401 checks). */
  withKey(key: string): AdminClient {
    return new AdminClient(this.baseUrl, key);
  }
}

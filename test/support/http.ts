import type { SimulatedRequest } from '@kyc/providers';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POST over real HTTP and parse the JSON answer. */
export async function post(url: string, request: SimulatedRequest | { headers: Record<string, string>; body: string | Buffer }): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body };
}

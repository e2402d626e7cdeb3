/**
 * The custom headers (`requiredHeaders`) an operator set in the vendor's settings, sent as
 * configured. Shared by the simulators: it encodes, decodes and signs nothing, so it cannot make a
 * simulator agree with an adapter's mistake (simulator-independence.spec.ts allows it by name).
 */
export function customHeaders(options: Readonly<Record<string, unknown>>): Record<string, string> {
  const configured = options.requiredHeaders;
  if (configured === null || typeof configured !== 'object') return {};
  return Object.fromEntries(Object.entries(configured).map(([name, value]) => [name, String(value)]));
}

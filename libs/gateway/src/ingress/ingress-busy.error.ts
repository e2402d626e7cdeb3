/** The gateway holds as many webhook bodies as INGRESS_MAX_BUFFERED_BYTES allows: 503, the vendor retries. */
export class IngressBusyError extends Error {
  constructor(readonly bufferedBytes: number) {
    super(`${bufferedBytes} bytes of webhook bodies already held`);
    this.name = 'IngressBusyError';
  }
}

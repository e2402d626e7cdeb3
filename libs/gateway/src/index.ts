export * from './gateway.module';
export * from './http-app';
export { ConnectionCache, type CachedConnection } from './ingress/connection.cache';
export { DefaultConnectionsService } from './ingress/default-connections.service';
export { PUBLIC_INGRESS_MESSAGES } from './ingress/ingress-http.handler';
export { RefusalRecorder } from './ingress/refusal-recorder';
export { ReadinessState } from './operations/readiness-state';
export { ASYNCAPI_DOCUMENT_PATH, VERIFICATION_EVENT_SCHEMA_PATH } from './event-contract/asyncapi-document';

export { allpassProvider } from './allpass.adapter';
export { parseAllpassOptions, ALLPASS_DEFAULT_OPTIONS } from './allpass.options';
export type { AllpassOptions } from './allpass.options';
export { ALLPASS_EVENT_TYPES } from './allpass.mapping';

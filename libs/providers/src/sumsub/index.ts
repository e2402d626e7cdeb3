export { sumsubProvider } from './sumsub.adapter';

export { veriffProvider } from './veriff.adapter';

export { verifikProvider } from './verifik.adapter';

export { onfidoProvider } from './onfido.adapter';

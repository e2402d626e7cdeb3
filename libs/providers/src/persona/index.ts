export { personaProvider } from './persona.adapter';

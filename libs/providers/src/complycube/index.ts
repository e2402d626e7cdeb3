export { complycubeProvider } from './complycube.adapter';
